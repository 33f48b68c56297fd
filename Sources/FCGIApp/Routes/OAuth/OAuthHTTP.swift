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
        var response = json(.object([("error", .string(error.code.rawValue)), ("error_description", .string(error.description))]), status: error.httpStatus)
        if error.code == .invalidClient, usedBasic { response.headers.set("WWW-Authenticate", "Basic realm=\"catalystwells\", charset=\"UTF-8\"") }
        return response
    }

    /// An RFC 6750 §3 error of a bearer-protected endpoint: the status, and `WWW-Authenticate: Bearer` with the
    /// error code (no code when the request carried no token at all, §3.1) and, for `insufficient_scope`, the
    /// `scope` the resource needs (§3).
    static func bearerError(_ error: OAuthError?, scope: String? = nil, realm: String = "catalystwells") -> HTTPResponse {
        var challenge = "Bearer realm=\"\(realm)\""
        var response: HTTPResponse
        if let error {
            challenge += ", error=\"\(error.code.rawValue)\", error_description=\"\(error.description.replacingOccurrences(of: "\"", with: "'"))\""
            if let scope { challenge += ", scope=\"\(scope)\"" }
            response = self.error(error)
        } else {
            response = json(.object([("error", .string("invalid_token")), ("error_description", .string("An access token is required."))]), status: 401)
        }
        response.headers.set("WWW-Authenticate", challenge)
        return response
    }

    /// Adds the CORS header of the endpoints browsers may call from any origin (DESIGN §9: token, userinfo,
    /// JWKS and discovery). No credentials are involved, so `*` is correct.
    static func allowingAnyOrigin(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        response.headers.set("Access-Control-Allow-Origin", "*")
        return response
    }

    /// The parameters of a form-encoded POST as OAuth rules see them. A body of another type is
    /// `invalid_request` (RFC 6749 §3.2: the token endpoint takes `application/x-www-form-urlencoded`).
    static func form(_ request: HTTPRequest) -> Result<OAuthParameters, OAuthError> {
        do {
            let form = try request.formParameters()
            return .success(OAuthParameters(pairs: form.pairs.map { ($0.name, $0.value) }))
        } catch {
            return .failure(.invalidRequest(error.message))
        }
    }

    /// Identifies and authenticates the calling client of a revocation or introspection request.
    static func authenticateClient(
        _ request: HTTPRequest, form: OAuthParameters, context: RequestContext
    ) throws -> Result<OAuthClient, OAuthError> {
        switch ClientAuthentication.parse(form: form, authorization: request.headers["authorization"]) {
        case .failure(let error): return .failure(error)
        case .success(let identification): return try authenticate(identification, context: context)
        }
    }

    /// Checks an identification already parsed (the token endpoint's, from ``TokenRequest``) against the
    /// client's record and secret digests.
    static func authenticate(_ identification: ClientAuthentication, context: RequestContext) throws -> Result<OAuthClient, OAuthError> {
        guard let keys = context.services.oauthKeys else { return .failure(.serverError(logDetail: "no oauth key loaded")) }
        let record = try context.services.clients.authenticationRecord(of: identification.clientID, now: context.now)
        let result = identification.authenticate(client: record?.client, secretDigests: record?.secretDigests ?? [], key: keys.clientSecretKey)
        if case .success = result, let secret = identification.secret {
            // For the developer's credentials page (through sync): is the old secret still in use? Not worth
            // failing the request over.
            do {
                try context.services.clients.recordSecretUse(
                    digest: ClientSecret.digest(secret: secret, key: keys.clientSecretKey), of: identification.clientID, now: context.now)
            } catch {
                context.logger.warning("client secret use not recorded", metadata: ["error.detail": "\(error)"])
            }
        }
        return result
    }

    /// The `token` parameter and the authenticated client of a revocation or introspection request (RFC 7009
    /// §2.1, RFC 7662 §2.1), or the response refusing it: a missing or repeated `token` is 400
    /// `invalid_request`; failed client authentication 401 `invalid_client`. `endpoint` names it in the log.
    static func tokenAndClient(_ request: HTTPRequest, endpoint: String, context: RequestContext) throws
        -> Result<(token: String, client: OAuthClient, usedBasic: Bool), ResponseError>
    {
        let usedBasic = request.headers["authorization"]?.lowercased().hasPrefix("basic ") == true
        let form: OAuthParameters
        switch OAuthHTTP.form(request) {
        case .success(let value): form = value
        case .failure(let failure): return .failure(ResponseError(OAuthHTTP.error(failure)))
        }
        guard !form.repeatedNames.contains("token") else {
            return .failure(ResponseError(OAuthHTTP.error(.invalidRequest("The token parameter is repeated."))))
        }
        guard let token = form["token"] else {
            return .failure(ResponseError(OAuthHTTP.error(.invalidRequest("The token parameter is required."))))
        }
        switch try authenticateClient(request, form: form, context: context) {
        case .success(let client):
            return .success((token, client, usedBasic))
        case .failure(let failure):
            context.logger.info("\(endpoint): client authentication failed", metadata: ["error.detail": "\(failure.logDetail ?? "")"])
            return .failure(ResponseError(OAuthHTTP.error(failure, usedBasic: usedBasic)))
        }
    }

    /// A finished error response carried through a `Result`.
    struct ResponseError: Error {
        let response: HTTPResponse
        init(_ response: HTTPResponse) { self.response = response }
    }

    /// The bearer access token of a request (RFC 6750 §2.1 header, or §2.2 form body on POST).
    enum BearerToken {
        case token(String)
        /// No token at all: 401 without an error code (RFC 6750 §3.1).
        case missing
        /// A malformed request, such as a token sent twice.
        case invalid(OAuthError)
    }

    static func bearerToken(_ request: HTTPRequest) -> BearerToken {
        var found: [String] = []
        if let header = request.headers["authorization"] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { found.append(String(parts[1]).trimmingCharacters(in: .whitespaces)) }
        }
        if request.method == "POST", let form = try? request.formParameters(), let token = form["access_token"] { found.append(token) }
        if found.count > 1 { return .invalid(.invalidRequest("Send the access token once: in the Authorization header or the form, not both.")) }
        guard let token = found.first, !token.isEmpty else { return .missing }
        return .token(token)
    }
}
