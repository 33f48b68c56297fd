import Foundation

/// The `authorization_code` grant (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3), after the client
/// authenticated:
///
/// 1. the code has the shape of a code (junk never reaches the store);
/// 2. one store transaction (``AuthorizationCodeStore/exchangeCode(digest:tokens:now:check:)``) spends it,
///    applies ``CodeExchangeRule`` and the "user still active" rule, and creates the grant with fresh tokens;
///    a replayed code revokes what it issued (RFC 9700 §4.2.4);
/// 3. a refresh token only when the grant holds `offline_access` (OIDC Core §11: access while the person is not
///    using the app is a permission of its own);
/// 4. with `openid`, an ID token carrying the code's `nonce`, `auth_time` and `amr`.
///
/// Every refusal of the code itself is `invalid_grant` with one description, so the answer does not tell an
/// unknown code from a spent or expired one.
public struct CodeExchangeFlow {
    let codes: any AuthorizationCodeStore
    let lifetimes: TokenLifetimes
    let idTokens: IDTokenSettings
    let signer: any IDTokenSigner

    /// A flow over the code store.
    public init(codes: any AuthorizationCodeStore, lifetimes: TokenLifetimes, idTokens: IDTokenSettings, signer: any IDTokenSigner) {
        self.codes = codes
        self.lifetimes = lifetimes
        self.idTokens = idTokens
        self.signer = signer
    }

    /// Exchanges `code` for `client`.
    public func run(
        code: String, redirectURI: String?, codeVerifier: String?, client: OAuthClient, now: Date, binding: TokenBinding? = nil,
        using generator: inout some RandomNumberGenerator
    ) throws -> TokenFlowOutcome {
        let invalid = OAuthError.invalidGrant("The authorization code is invalid or expired.")
        guard SecretToken.isWellFormed(code, prefix: TokenPrefix.authorizationCode) else { return .refused(invalid) }
        let minted = MintedTokens.random(refresh: true, lifetimes: lifetimes, now: now, binding: binding, using: &generator)
        let exchange = try codes.exchangeCode(
            digest: SecretToken.digest(code), tokens: { minted.records(refresh: Self.offersRefresh($0)) }, now: now
        ) { grant, user in
            if let error = CodeExchangeRule.check(
                code: grant, client: client, redirectURI: redirectURI, codeVerifier: codeVerifier, now: now,
                dpopThumbprint: binding?.thumbprint)
            {
                return error
            }
            return user == nil ? .invalidGrant(invalid.description, logDetail: "the code's user is no longer active") : nil
        }
        switch exchange {
        case .invalid:
            return .refused(invalid)
        case .replayed(let grant):
            return .refused(
                invalid,
                alert: grant == nil
                    ? "authorization code replayed (its first exchange was refused; nothing to revoke)"
                    : "authorization code replayed: its grant was revoked")
        case .refused(let error):
            return .refused(error)
        case .issued(_, let grant, let user):
            var idToken: String?
            if grant.scopes.contains("openid") {
                idToken = try idTokens.idToken(
                    user: user.id, client: client, authTime: grant.authTime, methods: grant.methods, nonce: grant.nonce, now: now,
                    signer: signer, sessionDigest: grant.sessionDigest)
            }
            return .issued(
                minted.response(
                    scopes: grant.scopes, accessExpiresIn: lifetimes.accessToken, idToken: idToken, refresh: Self.offersRefresh(grant)))
        }
    }

    /// Whether the grant gets a refresh token: only with `offline_access`.
    static func offersRefresh(_ grant: AuthorizationCodeGrant) -> Bool { grant.scopes.contains("offline_access") }
}
