import Domain
import Foundation

/// Responses and client authentication shared by the OAuth endpoints.
enum OAuthHTTP {
    /// A JSON body that must never be cached (RFC 6749 §5.1: token responses; also introspection and userinfo).
    static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        var response = HTTPResponse.json(value, status: status)
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("Pragma", "no-cache")
        return response
    }

    /// An RFC 6749 §5.2 error body with the error's status. `invalid_client` after HTTP Basic also carries
    /// `WWW-Authenticate: Basic` (§5.2: "MUST include").
    static func error(_ error: OAuthError, usedBasic: Bool = false) -> HTTPResponse {
        var response = json(
            .object([("error", .string(error.code.rawValue)), ("error_description", .string(error.description))]), status: error.httpStatus)
        if error.code == .invalidClient, usedBasic { response.headers.set("WWW-Authenticate", "Basic realm=\"catalystwells\", charset=\"UTF-8\"") }
        return response
    }

    /// An RFC 6750 §3 error of a bearer-protected endpoint: the status, and `WWW-Authenticate: Bearer` with the
    /// error code (no code when the request carried no token at all, §3.1) and, for `insufficient_scope`, the
    /// `scope` the resource needs (§3); the value is ``ResourceChallenge``'s.
    /// `scheme` `DPoP` answers a request that presented a DPoP-bound token (RFC 9449 §7.1): the challenge then also
    /// lists the proof algorithms (`algs`), and a DPoP proof error is 401 like a token error. `nonce`, when resources
    /// ask for nonces (RFC 9449 §9), goes in a `DPoP-Nonce` header.
    static func bearerError(
        _ error: OAuthError?, scope: String? = nil, scheme: ResourceChallenge.Scheme = .bearer, nonce: String? = nil
    ) -> HTTPResponse {
        var response: HTTPResponse
        if let error {
            response = self.error(error)
            if error.code == .invalidDPoPProof || error.code == .useDPoPNonce { response.status = 401 }
        } else {
            response = json(
                .object([("error", .string("invalid_token")), ("error_description", .string("An access token is required."))]), status: 401)
        }
        let challenge = ResourceChallenge(scheme, error: error?.code.rawValue, description: error?.description, scope: scope)
        response.headers.set("WWW-Authenticate", challenge.headerValue)
        if let nonce { response.headers.set("DPoP-Nonce", nonce) }
        return response
    }

    /// The CORS header of the endpoints browsers may call from any origin (DESIGN §9: token, userinfo,
    /// JWKS and discovery). No credentials are involved, so `*` is correct.
    static let anyOrigin = [("Access-Control-Allow-Origin", "*")]

    /// The parameters of a form-encoded POST as OAuth rules see them. A body of another type is
    /// `invalid_request` (RFC 6749 §3.2: the token endpoint takes `application/x-www-form-urlencoded`).
    static func form(_ request: HTTPRequest) throws(OAuthRefusal) -> OAuthParameters {
        do {
            let form = try request.formParameters()
            return OAuthParameters(pairs: form.pairs.map { ($0.name, $0.value) })
        } catch {
            throw OAuthRefusal(.invalidRequest(error.message))
        }
    }

    /// Whether the request authenticates its client with HTTP Basic (so a refusal carries the Basic challenge).
    static func usesBasic(_ request: HTTPRequest) -> Bool {
        request.headers["authorization"]?.lowercased().hasPrefix("basic ") == true
    }

    /// Checks an identification already parsed (``ClientAuthentication/parse(form:authorization:methods:)``)
    /// against the client's record and secret digests; refused with `invalid_client` (and the Basic challenge
    /// after Basic). `endpoint` names the endpoint in the log.
    /// `redirectURIs`: whether the caller looks at the client's redirect URIs (only the `authorization_code`
    /// grant does); without them the lookup skips their read and the client carries none.
    static func authenticate(
        _ identification: ClientAuthentication, request: HTTPRequest, endpoint: String, redirectURIs: Bool = false, context: RequestContext
    ) throws -> OAuthClient {
        let keys = try context.services.oauth.requireKeys()
        let presented =
            identification.method == .none || identification.method == .privateKeyJWT
            ? nil : identification.secret.map { ClientSecret.digest(secret: $0, key: keys.clientSecretKey) }
        let record = try context.services.oauth.clients.authenticationRecord(
            of: identification.clientID, presentedDigest: presented, redirectURIs: redirectURIs, now: context.now)
        // private_key_jwt (RFC 7523): the client's keys, the audiences and the time; the jti is recorded once it passed.
        let assertion =
            identification.method == .privateKeyJWT
            ? ClientAssertionHTTP.context(for: record?.client, assertion: identification.secret, context: context) : nil
        switch identification.authenticate(
            client: record?.client, secretDigests: record?.secretDigests ?? [], key: keys.clientSecretKey, assertion: assertion)
        {
        case .failure(let error):
            let reason = assertion.map { ClientAssertionHTTP.refusalReason(of: identification, client: record?.client, checkedWith: $0) }
            context.logger.info(
                "\(endpoint): client authentication failed", metadata: ["error.detail": "\(reason ?? error.logDetail ?? "")"])
            throw OAuthRefusal(error, usedBasic: usesBasic(request))
        case .success(let client):
            if let assertion, let replay = try ClientAssertionHTTP.recordUse(of: identification, checkedWith: assertion, context: context) {
                context.logger.info("\(endpoint): client authentication failed", metadata: ["error.detail": "\(replay.logDetail ?? "")"])
                throw OAuthRefusal(replay)
            }
            context.subject.clientID = "\(identification.clientID)"
            // For the developer's credentials page (through sync): is the old secret still in use? Written at most
            // once a minute per secret, and only when the lookup above said it is due (no statement otherwise).
            // Not worth failing the request over.
            if let presented, record?.presentedSecretUseDue == true {
                do {
                    try context.services.oauth.clients.recordSecretUse(digest: presented, of: identification.clientID, now: context.now)
                } catch {
                    context.logger.warning("client secret use not recorded", metadata: ["error.detail": "\(error)"])
                }
            }
            return client
        }
    }

    /// The `token` parameter and the authenticated client of a revocation or introspection request (RFC 7009
    /// §2.1, RFC 7662 §2.1): a missing or repeated `token` is 400 `invalid_request`; failed client
    /// authentication 401 `invalid_client`. `endpoint` names it in the log.
    static func tokenAndClient(_ request: HTTPRequest, endpoint: String, context: RequestContext) throws -> (token: String, client: OAuthClient) {
        let form = try OAuthHTTP.form(request)
        guard !form.repeatedNames.contains("token") else { throw OAuthRefusal(.invalidRequest("The token parameter is repeated.")) }
        guard let token = form["token"] else { throw OAuthRefusal(.invalidRequest("The token parameter is required.")) }
        let identification: ClientAuthentication
        switch ClientAuthentication.parse(form: form, authorization: request.headers["authorization"]) {
        case .failure(let error):
            context.logger.info("\(endpoint): client authentication failed", metadata: ["error.detail": "\(error.logDetail ?? "")"])
            throw OAuthRefusal(error, usedBasic: usesBasic(request))
        case .success(let value): identification = value
        }
        return (token, try authenticate(identification, request: request, endpoint: endpoint, context: context))
    }

    /// The one refusal of a presented token that is not (or no longer) valid, whatever the reason (RFC 6750 §3.1).
    static let invalidToken = OAuthError(.invalidToken, "The access token is invalid, expired or revoked.")

    /// A presented access token as ``BearerRule`` accepts it now, or `nil`: its shape is checked before any lookup.
    /// A token sent with the `DPoP` scheme needs a valid proof for this request (``DPoPHTTP/presentation(of:request:context:)``,
    /// which refuses with `invalid_dpop_proof`); the rule then checks the token is bound to the proof's key.
    static func authorizedBearer(_ token: PresentedToken, request: HTTPRequest, context: RequestContext) throws -> AuthorizedToken? {
        guard SecretToken.isWellFormed(token.value, prefix: TokenPrefix.accessToken) else { return nil }
        let presentation = try DPoPHTTP.presentation(of: token, request: request, context: context)
        let authorized = BearerRule.authorize(
            try context.services.oauth.bearers.bearer(digest: SecretToken.digest(token.value)), now: context.now, presentation: presentation)
        if let authorized {
            context.subject.clientID = "\(authorized.clientID)"
            context.subject.userID = authorized.user.map { "\($0.id)" }
        }
        return authorized
    }

    /// An access token as a resource received it: its value and whether it came with the `DPoP` scheme.
    struct PresentedToken {
        let value: String
        let isDPoP: Bool

        /// The scheme of a refusal of this token: `DPoP` for a DPoP-scheme request, `Bearer` otherwise.
        var scheme: ResourceChallenge.Scheme { isDPoP ? .dpop : .bearer }

        /// The challenge of a refusal of this token: `DPoP` for a DPoP-scheme request, `Bearer` otherwise.
        func challenge(scope: String? = nil) -> OAuthRefusal.Challenge { isDPoP ? .dpop(scope: scope) : .bearer(scope: scope) }
    }

    /// The access token of a request: RFC 6750 §2.1 `Authorization: Bearer`, §2.2 form body on POST, or RFC 9449
    /// §7.1 `Authorization: DPoP`. None at all is a bare challenge (§3.1), one sent twice `invalid_request`.
    static func requireBearerToken(_ request: HTTPRequest) throws(OAuthRefusal) -> PresentedToken {
        var found: [PresentedToken] = []
        if let header = request.headers["authorization"] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2 {
                switch parts[0].lowercased() {
                case "bearer": found.append(PresentedToken(value: String(parts[1].trimmingHTTPWhitespace()), isDPoP: false))
                case "dpop": found.append(PresentedToken(value: String(parts[1].trimmingHTTPWhitespace()), isDPoP: true))
                default: break
                }
            }
        }
        if request.method == "POST", let form = try? request.formParameters(), let token = form["access_token"] {
            found.append(PresentedToken(value: token, isDPoP: false))
        }
        if found.count > 1 {
            throw OAuthRefusal(
                .invalidRequest("Send the access token once: in the Authorization header or the form, not both."), challenge: .bearer(scope: nil))
        }
        guard let token = found.first, !token.value.isEmpty else {
            throw OAuthRefusal(.invalidRequest("An access token is required."), challenge: .bearerMissing)
        }
        return token
    }
}
