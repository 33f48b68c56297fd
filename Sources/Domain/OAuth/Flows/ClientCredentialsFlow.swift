import Foundation

/// The `client_credentials` grant (RFC 6749 §4.4): ``ClientCredentialsRule`` decides the scopes, then a grant
/// without a user with one access token and no refresh token (§4.4.3: "SHOULD NOT be included").
public struct ClientCredentialsFlow {
    let tokens: any TokenStore
    let lifetimes: TokenLifetimes

    /// A flow over the token store.
    public init(tokens: any TokenStore, lifetimes: TokenLifetimes) {
        self.tokens = tokens
        self.lifetimes = lifetimes
    }

    /// Issues an app token to the authenticated `client`.
    public func run(
        scopes requested: [String]?, client: OAuthClient, now: Date, using generator: inout some RandomNumberGenerator
    ) throws -> TokenFlowOutcome {
        let scopes: [String]
        switch ClientCredentialsRule.scopes(requested: requested, client: client) {
        case .success(let value): scopes = value
        case .failure(let error): return .refused(error)
        }
        let minted = MintedTokens.random(refresh: false, lifetimes: lifetimes, now: now, using: &generator)
        _ = try tokens.createGrant(client: client.clientID, user: nil, scopes: scopes, authTime: nil, tokens: minted.records, now: now)
        return .issued(minted.response(scopes: scopes, accessExpiresIn: lifetimes.accessToken))
    }
}
