import Domain
import Foundation

/// `POST /api/oauth/token` (RFC 6749 §3.2, §4.1.3, §4.4, §6; RFC 7636 §4.6; OIDC Core §3.1.3).
///
/// Every answer is JSON with `Cache-Control: no-store`. Order: the form; the client (authenticated before
/// any grant is looked at, so a wrong secret never learns whether a code was valid); then the grant.
enum TokenRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/api/oauth/token") { request, _, context in
            OAuthHTTP.allowingAnyOrigin(try token(request, context: context))
        }
    }

    private static func token(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        let usedBasic = request.headers["authorization"]?.lowercased().hasPrefix("basic ") == true
        let form: OAuthParameters
        switch OAuthHTTP.form(request) {
        case .success(let value): form = value
        case .failure(let error): return OAuthHTTP.error(error)
        }
        let tokenRequest: TokenRequest
        switch TokenRequest.parse(form: form, authorization: request.headers["authorization"]) {
        case .success(let value): tokenRequest = value
        case .failure(let error): return OAuthHTTP.error(error, usedBasic: usedBasic)
        }
        let client: OAuthClient
        switch try OAuthHTTP.authenticate(tokenRequest.client, context: context) {
        case .success(let value): client = value
        case .failure(let error):
            context.logger.info("token request: client authentication failed", metadata: ["error.detail": "\(error.logDetail ?? "")"])
            return OAuthHTTP.error(error, usedBasic: usedBasic)
        }
        let outcome: Result<JSONValue, OAuthError>
        switch tokenRequest.grant {
        case .authorizationCode(let code, let redirectURI, let verifier):
            outcome = try exchangeCode(code, redirectURI: redirectURI, verifier: verifier, client: client, context: context)
        case .refreshToken(let refreshToken, let scopes):
            outcome = try refresh(refreshToken, scopes: scopes, client: client, context: context)
        case .clientCredentials(let scopes):
            outcome = try clientCredentials(scopes: scopes, client: client, context: context)
        }
        switch outcome {
        case .success(let body): return OAuthHTTP.json(body)
        case .failure(let error):
            if let detail = error.logDetail { context.logger.info("token request refused", metadata: ["error.detail": "\(detail)"]) }
            return OAuthHTTP.error(error, usedBasic: usedBasic)
        }
    }

    // MARK: Grants

    private static func exchangeCode(
        _ code: String, redirectURI: String?, verifier: String?, client: OAuthClient, context: RequestContext
    ) throws -> Result<JSONValue, OAuthError> {
        let services = context.services
        let now = context.now
        let invalid = OAuthError.invalidGrant("The authorization code is invalid or expired.")
        guard SecretToken.isWellFormed(code, prefix: TokenPrefix.authorizationCode) else { return .failure(invalid) }
        let digest = SecretToken.digest(code)
        let grant: AuthorizationCodeGrant
        switch try services.codes.consumeCode(digest: digest, now: now) {
        case .invalid:
            return .failure(invalid)
        case .replayed(let grantID):
            // RFC 6749 §4.1.2, RFC 9700 §4.2.4: a second use means the code leaked; what it issued is revoked.
            if let grantID { try services.tokens.revokeGrant(grantID, now: now) }
            context.logger.warning("authorization code replayed: grant revoked", metadata: ["oauth.client_id": "\(client.clientID)"])
            return .failure(invalid)
        case .consumed(let value):
            grant = value
        }
        if let error = CodeExchangeRule.check(code: grant, client: client, redirectURI: redirectURI, codeVerifier: verifier, now: now) {
            return .failure(error)
        }
        guard let user = try services.accounts.activeUser(grant.userID)?.user else { return .failure(invalid) }
        var issued = IssuedTokens(context: context, refresh: true)
        let grantID = try services.tokens.createGrant(
            client: client.clientID, user: user.id, scopes: grant.scopes, authTime: grant.authTime, tokens: issued.records, now: now)
        try services.codes.attachGrant(grantID, toCode: digest)
        var body = issued.body(scopes: grant.scopes)
        if grant.scopes.contains("openid") {
            body.append(("id_token", .string(try idToken(for: user, client: client, authTime: grant.authTime, nonce: grant.nonce, context: context))))
        }
        return .success(.object(body))
    }

    private static func refresh(
        _ refreshToken: String, scopes: [String]?, client: OAuthClient, context: RequestContext
    ) throws -> Result<JSONValue, OAuthError> {
        let services = context.services
        let now = context.now
        guard SecretToken.isWellFormed(refreshToken, prefix: TokenPrefix.refreshToken) else {
            return .failure(.invalidGrant("The refresh token is invalid, expired or revoked."))
        }
        let digest = SecretToken.digest(refreshToken)
        // The scopes are checked before rotating, so a refused request leaves the token usable. Fewer scopes
        // than granted narrow the new access token only; the refresh token keeps the grant's (RFC 6749 §6).
        var narrowed: [String]?
        if scopes != nil, let current = try services.tokens.token(digest: digest), current.clientID == client.clientID {
            switch RefreshPolicy.scopes(requested: scopes, granted: current.scopes) {
            case .failure(let error): return .failure(error)
            case .success(let value): narrowed = Set(value) == Set(current.scopes) ? nil : value
            }
        }
        var issued = IssuedTokens(context: context, refresh: true, accessScopes: narrowed)
        let rotation = try services.tokens.rotateRefreshToken(
            digest: digest, client: client.clientID, replacement: issued.records, now: now,
            grace: services.configuration.oauth.refreshReuseGrace)
        if rotation == .reuseDetected {
            context.logger.warning("rotated refresh token reused: grant revoked", metadata: ["oauth.client_id": "\(client.clientID)"])
        }
        switch RefreshPolicy.outcome(rotation) {
        case .failure(let error):
            return .failure(error)
        case .success(let old):
            guard let userID = old.userID, let user = try services.accounts.activeUser(userID)?.user else {
                try services.tokens.revokeGrant(old.grantID, now: now)
                return .failure(.invalidGrant("The refresh token is invalid, expired or revoked."))
            }
            let scopes = narrowed ?? old.scopes
            var body = issued.body(scopes: scopes)
            if scopes.contains("openid") {
                body.append(("id_token", .string(try idToken(for: user, client: client, authTime: nil, nonce: nil, context: context))))
            }
            return .success(.object(body))
        }
    }

    private static func clientCredentials(scopes: [String]?, client: OAuthClient, context: RequestContext) throws -> Result<JSONValue, OAuthError> {
        let granted: [String]
        switch ClientCredentialsRule.scopes(requested: scopes, client: client) {
        case .success(let value): granted = value
        case .failure(let error): return .failure(error)
        }
        var issued = IssuedTokens(context: context, refresh: false)
        _ = try context.services.tokens.createGrant(
            client: client.clientID, user: nil, scopes: granted, authTime: nil, tokens: issued.records, now: context.now)
        return .success(.object(issued.body(scopes: granted)))
    }

    // MARK: Issuing

    /// Fresh random tokens for one response: only their digests go to the store.
    private struct IssuedTokens {
        let accessToken: String
        let refreshToken: String?
        /// The access token's scopes when narrower than the grant's.
        let accessScopes: [String]?
        let lifetimes: TokenLifetimes
        let now: Date

        init(context: RequestContext, refresh: Bool, accessScopes: [String]? = nil) {
            self.accessScopes = accessScopes
            var generator = SystemRandomNumberGenerator()
            accessToken = SecretToken.make(prefix: TokenPrefix.accessToken, using: &generator)
            refreshToken = refresh ? SecretToken.make(prefix: TokenPrefix.refreshToken, using: &generator) : nil
            lifetimes = context.services.configuration.tokenLifetimes
            now = context.now
        }

        var records: [NewToken] {
            var tokens = [
                NewToken(
                    digest: SecretToken.digest(accessToken), kind: .access, expiresAt: now.addingTimeInterval(lifetimes.accessToken),
                    scopes: accessScopes)
            ]
            if let refreshToken {
                tokens.append(NewToken(digest: SecretToken.digest(refreshToken), kind: .refresh, expiresAt: now.addingTimeInterval(lifetimes.refreshToken)))
            }
            return tokens
        }

        /// RFC 6749 §5.1 fields.
        mutating func body(scopes: [String]) -> [(String, JSONValue)] {
            var body: [(String, JSONValue)] = [
                ("access_token", .string(accessToken)), ("token_type", .string("Bearer")), ("expires_in", .int(Int(lifetimes.accessToken))),
                ("scope", .string(ScopeRegistry.parameter(scopes))),
            ]
            if let refreshToken { body.append(("refresh_token", .string(refreshToken))) }
            return body
        }
    }

    /// An ID token signed with the current RS256 key (OIDC Core §2, §3.1.3.3).
    private static func idToken(for user: UserAccount, client: OAuthClient, authTime: Date?, nonce: String?, context: RequestContext) throws -> String {
        let services = context.services
        guard let keys = services.oauthKeys, let record = try services.signingKeys.currentKey(.rs256) else {
            throw HTTPError(
                status: 500, code: "server_error", "The server has no signing key.",
                logDetail: "no RS256 signing key: run `catalystwells keys rotate`")
        }
        let key = try services.signingKeyCache.key(for: record, sealingKey: keys.sealingKey)
        return try IDTokenClaims(
            issuer: services.configuration.appURL, subject: IDTokenClaims.subject(for: user.id), audience: client.clientID,
            issuedAt: context.now, lifetime: services.configuration.tokenLifetimes.idToken, authTime: authTime, nonce: nonce
        ).signed(with: key)
    }
}
