import Foundation

/// The `client_credentials` grant (RFC 6749 §4.4): ``ClientCredentialsRule`` decides the scopes, then one access
/// token and no refresh token (§4.4.3: "SHOULD NOT be included"), stored in the client's app grant (a grant
/// without a user, shared by the client's tokens: ``TokenStore/issueAppToken(client:scopes:token:grantLifetime:now:)``).
public struct ClientCredentialsFlow {
    /// How long an app grant takes new tokens: a client starts a new one about once a day.
    public static let appGrantLifetime: TimeInterval = 86_400

    let tokens: any TokenStore
    let lifetimes: TokenLifetimes

    /// A flow over the token store.
    public init(tokens: any TokenStore, lifetimes: TokenLifetimes) {
        self.tokens = tokens
        self.lifetimes = lifetimes
    }

    /// Issues an app token to the authenticated `client`.
    public func run(
        scopes requested: [String]?, client: OAuthClient, now: Date, binding: TokenBinding? = nil,
        using generator: inout some RandomNumberGenerator
    ) throws -> TokenFlowOutcome {
        let scopes: [String]
        switch ClientCredentialsRule.scopes(requested: requested, client: client) {
        case .success(let value): scopes = value
        case .failure(let error): return .refused(error)
        }
        let minted = MintedTokens.random(refresh: false, lifetimes: lifetimes, now: now, binding: binding, using: &generator)
        for record in minted.records {
            try tokens.issueAppToken(client: client.clientID, scopes: scopes, token: record, grantLifetime: Self.appGrantLifetime, now: now)
        }
        return .issued(minted.response(scopes: scopes, accessExpiresIn: lifetimes.accessToken))
    }
}
