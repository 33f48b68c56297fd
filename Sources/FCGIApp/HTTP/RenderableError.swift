import Domain

/// The one error path of handlers: whatever a handler (or request parsing) throws that conforms renders itself
/// in the form its endpoint's protocol expects — an RFC 6749/6750 JSON error with its challenge header
/// (``OAuthRefusal``), the education API's JSON (``APIFailure``), or the site's JSON-or-HTML error
/// (``HTTPError``) — and ``SiteResponder`` only asks it to. Anything else a handler throws is a 503 (the
/// database is unavailable) or a 500 with the request id.
protocol RenderableError: Error {
    /// The response for this error.
    func response(_ style: ErrorStyle) -> HTTPResponse
    /// Detail for the log only, never sent; `nil` when there is nothing worth logging.
    var logDetail: String? { get }
}

/// How the site answers errors for one request.
struct ErrorStyle {
    /// JSON for machine endpoints (``SiteResponder/wantsJSON(_:)``), an HTML page otherwise.
    let json: Bool
    /// The request id shown with server errors.
    let requestID: String
}

extension HTTPError: RenderableError {
    func response(_ style: ErrorStyle) -> HTTPResponse {
        var response: HTTPResponse
        if style.json {
            var body: [(String, JSONValue)] = [("error", .string(code)), ("error_description", .string(publicMessage))]
            if status >= 500 { body.append(("request_id", .string(style.requestID))) }
            response = .json(.object(body), status: status)
        } else {
            response = .page(
                Layout.errorPage(status: status, title: Self.title(status), message: pageMessage(style), requestID: style.requestID),
                status: status)
        }
        for (name, value) in headers { response.headers.set(name, value) }
        return response
    }

    /// The page's title in the page's language.
    private static func title(_ status: Int) -> String {
        switch status {
        case 400: L("error.title.400")
        case 403: L("error.title.403")
        case 404: L("error.title.404")
        case 405: L("error.title.405")
        case 413: L("error.title.413")
        case 503: L("error.title.503")
        default: status >= 500 ? L("error.title.500") : L("error.title.other")
        }
    }

    /// The message of the site's own generic errors in the page's language; a route's own message as written.
    private func pageMessage(_ style: ErrorStyle) -> String {
        switch code {
        case "not_found": L("error.not_found")
        case "method_not_allowed": L("error.method_not_allowed")
        case "temporarily_unavailable": L("error.unavailable")
        case "invalid_form": L("error.stale_form")
        case "server_error": L("error.server", ["request": style.requestID])
        default: publicMessage
        }
    }
}

extension HTTPRequest.Rejection: RenderableError {
    func response(_ style: ErrorStyle) -> HTTPResponse {
        HTTPError(status: status, code: status == 413 ? "request_too_large" : "invalid_request", message).response(style)
    }

    var logDetail: String? { nil }
}

/// An OAuth endpoint's refusal: the RFC 6749 §5.2 / RFC 6750 §3 JSON error with its status and, where the
/// RFCs ask for one, its `WWW-Authenticate` challenge.
struct OAuthRefusal: RenderableError {
    /// Which challenge goes with the error.
    enum Challenge {
        /// None (most token-endpoint errors).
        case none
        /// `Basic`, after a failed HTTP Basic client authentication (RFC 6749 §5.2: "MUST include").
        case basic
        /// `Bearer` on a protected resource (RFC 6750 §3), naming the scope an `insufficient_scope` lacks.
        case bearer(scope: String?)
        /// `Bearer` without an error code: the request carried no token at all (RFC 6750 §3.1); a `DPoP` challenge
        /// with the accepted algorithms follows (RFC 9449 §7.1).
        case bearerMissing
        /// `DPoP` on a protected resource that received a DPoP-bound token (RFC 9449 §7.1), with the scope an
        /// `insufficient_scope` lacks and, when resources ask for nonces (§9), a fresh one for `DPoP-Nonce`.
        case dpop(scope: String?, nonce: String? = nil)
        /// At the token endpoint: the server's fresh nonce in `DPoP-Nonce` (RFC 9449 §8, with `use_dpop_nonce`).
        case dpopNonce(String)
    }

    let error: OAuthError
    let challenge: Challenge

    init(_ error: OAuthError, challenge: Challenge = .none) {
        self.error = error
        self.challenge = challenge
    }

    /// A refusal whose challenge depends on whether the client used HTTP Basic.
    init(_ error: OAuthError, usedBasic: Bool) {
        self.init(error, challenge: usedBasic ? .basic : .none)
    }

    var logDetail: String? { error.logDetail }

    func response(_ style: ErrorStyle) -> HTTPResponse {
        switch challenge {
        case .none: OAuthHTTP.error(error)
        case .basic: OAuthHTTP.error(error, usedBasic: true)
        case .bearer(let scope): OAuthHTTP.bearerError(error, scope: scope)
        case .bearerMissing: OAuthHTTP.bearerError(nil)
        case .dpop(let scope, let nonce): OAuthHTTP.bearerError(error, scope: scope, scheme: .dpop, nonce: nonce)
        case .dpopNonce(let nonce):
            {
                var response = OAuthHTTP.error(error)
                response.headers.set("DPoP-Nonce", nonce)
                return response
            }()
        }
    }
}

extension APIFailure: RenderableError {
    func response(_ style: ErrorStyle) -> HTTPResponse { response }
    var logDetail: String? { nil }
}
