import Crypto
import Domain
import Foundation

/// `POST /api/oauth/token` (RFC 6749 §3.2, §4.1.3, §4.4, §6; RFC 7636 §4.6; OIDC Core §3.1.3).
///
/// Every answer is JSON with `Cache-Control: no-store`. Order: the form; the client (authenticated before
/// any grant is looked at, so a wrong secret never learns whether a code was valid); then the grant's flow
/// (`Domain/OAuth/Flows/`): parse → flow → render.
enum TokenRoutes {
    static func register(in router: inout Router<RequestContext>) {
        // A browser app reads the DPoP nonce of an answer (RFC 9449 §8) only when it is exposed.
        router.add("POST", "/api/oauth/token", headers: OAuthHTTP.anyOrigin + [("Access-Control-Expose-Headers", "DPoP-Nonce")]) {
            request, _, context in
            try token(request, context: context)
        }
    }

    private static func token(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        let usedBasic = OAuthHTTP.usesBasic(request)
        let tokenRequest: TokenRequest
        switch TokenRequest.parse(form: try OAuthHTTP.form(request), authorization: request.headers["authorization"]) {
        case .success(let value): tokenRequest = value
        case .failure(let error): throw OAuthRefusal(error, usedBasic: usedBasic)
        }
        var needsRedirectURIs = false
        if case .authorizationCode = tokenRequest.grant { needsRedirectURIs = true }
        let client = try OAuthHTTP.authenticate(
            tokenRequest.client, request: request, endpoint: "token request", redirectURIs: needsRedirectURIs, context: context)
        // A DPoP proof binds the tokens to its key (RFC 9449 §5); checked before the grant is looked at, so a bad
        // proof leaves a code or refresh token usable.
        let binding = try DPoPHTTP.binding(request, client: client, context: context)
        let services = context.services
        let keys = try services.oauth.requireKeys()
        let lifetimes = services.configuration.tokenLifetimes
        let idTokens = IDTokenSettings(
            issuer: services.configuration.appURL, lifetime: lifetimes.idToken, subjects: keys.subjects, sessionIDKey: keys.sessionIDKey)
        let signer = StoredKeySigner(services: services, sealingKey: keys.sealingKey, algorithm: client.idTokenSigningAlgorithm)
        let now = context.now
        var random = SystemRandomNumberGenerator()
        let outcome: TokenFlowOutcome
        switch tokenRequest.grant {
        case .authorizationCode(let code, let redirectURI, let verifier):
            // The key is opened before the code is spent: a missing key is a 500 that leaves the code usable.
            try signer.prepare()
            outcome = try CodeExchangeFlow(codes: services.oauth.codes, lifetimes: lifetimes, idTokens: idTokens, signer: signer)
                .run(
                    code: code, redirectURI: redirectURI, codeVerifier: verifier, client: client, now: now, binding: binding,
                    using: &random)
        case .refreshToken(let refreshToken, let scopes):
            let accounts = services.people.accounts
            outcome = try RefreshFlow(
                tokens: services.oauth.tokens, lifetimes: lifetimes, rotationKey: keys.rotationKey, idTokens: idTokens, signer: signer,
                activeUser: { try accounts.activeUser($0)?.user }, sessionPolicy: services.configuration.signIn.sessionPolicy,
                grantSession: { [logout = services.oauth.logout] in try logout.session(ofGrant: $0) }
            ).run(refreshToken: refreshToken, scopes: scopes, client: client, now: now, binding: binding)
        case .clientCredentials(let scopes):
            outcome = try ClientCredentialsFlow(tokens: services.oauth.tokens, lifetimes: lifetimes)
                .run(scopes: scopes, client: client, now: now, binding: binding, using: &random)
        }
        switch outcome {
        case .issued(let response, let alert):
            if let alert { context.logger.warning("\(alert)", metadata: ["oauth.client_id": "\(client.clientID)"]) }
            let grant =
                switch tokenRequest.grant {
                case .authorizationCode: "authorization_code"
                case .refreshToken: "refresh_token"
                case .clientCredentials: "client_credentials"
                }
            WorkerMetrics.shared.record { $0.increment(PoolMetrics.tokensIssued, ["grant_type": grant]) }
            var answer = OAuthHTTP.json(response.json)
            if binding != nil { answer.headers.set("DPoP-Nonce", try DPoPHTTP.nonce(context: context)) }
            return answer
        case .refused(let error, let alert):
            if let alert { context.logger.warning("\(alert)", metadata: ["oauth.client_id": "\(client.clientID)"]) }
            throw OAuthRefusal(error, usedBasic: usedBasic)
        }
    }
}

extension TokenResponse {
    /// RFC 6749 §5.1 fields, in the order clients usually log them.
    var json: JSONValue {
        var body: [(String, JSONValue)] = [
            ("access_token", .string(accessToken)), ("token_type", .string(tokenType)), ("expires_in", .int(expiresIn)),
            ("scope", .string(ScopeRegistry.parameter(scopes))),
        ]
        if let refreshToken { body.append(("refresh_token", .string(refreshToken))) }
        if let idToken { body.append(("id_token", .string(idToken))) }
        return .object(body)
    }
}

/// Signs ID tokens with the current key of the client's `id_token_signed_response_alg` (RS256 unless it registered
/// ES256) from the key store, opened through the worker's cache.
final class StoredKeySigner: IDTokenSigner {
    let services: SiteServices
    let sealingKey: SymmetricKey
    let algorithm: SigningKeyRecord.Algorithm
    private var key: SigningKey?

    init(services: SiteServices, sealingKey: SymmetricKey, algorithm: SigningKeyRecord.Algorithm = .rs256) {
        self.services = services
        self.sealingKey = sealingKey
        self.algorithm = algorithm
    }

    /// Opens the current key now (once per request); throws when there is none.
    func prepare() throws {
        guard key == nil else { return }
        guard let record = try services.oauth.signingKeys.currentKey(algorithm) else {
            throw HTTPError(
                status: 500, code: "server_error", "The server has no signing key.",
                logDetail: "no \(algorithm.rawValue) signing key: run `catalystwells keys rotate`")
        }
        key = try services.oauth.signingKeyCache.key(for: record, sealingKey: sealingKey)
    }

    /// The current key itself, for tokens other than ID tokens (the LTI launch's id_token).
    func currentKey() throws -> SigningKey {
        try prepare()
        guard let key else { throw HTTPError(status: 500, code: "server_error", "The server has no signing key.") }
        return key
    }

    func sign(_ claims: IDTokenClaims) throws -> String {
        try prepare()
        guard let key else { throw HTTPError(status: 500, code: "server_error", "The server has no signing key.") }
        return try claims.signed(with: key)
    }
}
