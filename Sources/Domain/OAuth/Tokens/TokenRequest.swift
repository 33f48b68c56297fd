/// A `POST /api/oauth/token` request whose form fields are well formed (RFC 6749 §4.1.3, §4.4.2, §6), read
/// without touching any store. The grant's own rules run once the stored code, token or client is loaded:
/// ``CodeExchangeRule``, ``RefreshPolicy``, ``ClientCredentialsRule``.
///
/// Checks, in order: no repeated parameter (`invalid_request`); `grant_type` present (`invalid_request`) and
/// one of `authorization_code`, `refresh_token`, `client_credentials` (else `unsupported_grant_type`: no
/// implicit or password grant, RFC 9700 §2.4); client identification (``ClientAuthentication``); the
/// grant's required fields (`invalid_request`); a code or refresh token that does not even have our token's
/// shape is `invalid_grant` without a lookup; a malformed `code_verifier` is `invalid_request`; a malformed or
/// unknown `scope` is `invalid_scope`.
public struct TokenRequest: Sendable, Equatable {
    /// The grant and its fields.
    public enum Grant: Sendable, Equatable {
        /// RFC 6749 §4.1.3 (+ RFC 7636 §4.5 `code_verifier`).
        case authorizationCode(code: String, redirectURI: String?, codeVerifier: String?)
        /// RFC 6749 §6; `scopes` is `nil` when the request keeps the granted scopes.
        case refreshToken(refreshToken: String, scopes: [String]?)
        /// RFC 6749 §4.4.2; `scopes` is `nil` when the request names none.
        case clientCredentials(scopes: [String]?)
    }

    /// Who the request claims to come from; verify with ``ClientAuthentication/authenticate(client:secretDigests:key:)``.
    public let client: ClientAuthentication
    /// What it asks for.
    public let grant: Grant

    /// A request; normally made by ``parse(form:authorization:registry:)``.
    public init(client: ClientAuthentication, grant: Grant) {
        self.client = client
        self.grant = grant
    }

    /// Parses the form body and the `Authorization` header value.
    public static func parse(
        form: OAuthParameters, authorization: String?, registry: ScopeRegistry = .standard
    ) -> Result<TokenRequest, OAuthError> {
        if let repeated = form.repeatedNames.sorted().first {
            let known = [
                "grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope", "client_id", "client_secret", "client_assertion",
            ]
            return .failure(.invalidRequest(known.contains(repeated) ? "The \(repeated) parameter is repeated." : "A parameter is repeated."))
        }
        guard let grantType = form["grant_type"] else {
            return .failure(.invalidRequest("The grant_type parameter is required."))
        }
        guard ["authorization_code", "refresh_token", "client_credentials"].contains(grantType) else {
            return .failure(OAuthError(.unsupportedGrantType, "Supported grant types: authorization_code, refresh_token, client_credentials."))
        }
        let client: ClientAuthentication
        switch ClientAuthentication.parse(form: form, authorization: authorization) {
        case .success(let parsed): client = parsed
        case .failure(let error): return .failure(error)
        }
        let grant: Grant
        switch grantType {
        case "authorization_code":
            guard let code = form["code"] else { return .failure(.invalidRequest("The code parameter is required.")) }
            guard SecretToken.isWellFormed(code, prefix: TokenPrefix.authorizationCode) else {
                return .failure(.invalidGrant("The authorization code is invalid or expired."))
            }
            let verifier = form["code_verifier"]
            if let verifier, !PKCE.isValidVerifier(verifier) {
                return .failure(.invalidRequest("The code_verifier must be 43 to 128 unreserved characters (RFC 7636 4.1)."))
            }
            let redirectURI = form["redirect_uri"]
            if let redirectURI, redirectURI.utf8.count > RedirectURIRule.maximumLength {
                return .failure(.invalidRequest("The redirect_uri parameter is too long."))
            }
            grant = .authorizationCode(code: code, redirectURI: redirectURI, codeVerifier: verifier)
        case "refresh_token":
            guard let token = form["refresh_token"] else {
                return .failure(.invalidRequest("The refresh_token parameter is required."))
            }
            guard SecretToken.isWellFormed(token, prefix: TokenPrefix.refreshToken) else {
                return .failure(.invalidGrant("The refresh token is invalid, expired or revoked."))
            }
            switch scopes(form, registry) {
            case .success(let scopes): grant = .refreshToken(refreshToken: token, scopes: scopes)
            case .failure(let error): return .failure(error)
            }
        default:
            switch scopes(form, registry) {
            case .success(let scopes): grant = .clientCredentials(scopes: scopes)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(TokenRequest(client: client, grant: grant))
    }

    private static func scopes(_ form: OAuthParameters, _ registry: ScopeRegistry) -> Result<[String]?, OAuthError> {
        guard let parameter = form["scope"] else { return .success(nil) }
        return registry.parse(scopeParameter: parameter).map { $0 }
    }
}
