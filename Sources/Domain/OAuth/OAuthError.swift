/// An OAuth 2.0 / OpenID Connect error as it goes on the wire, with a private face for the logs.
///
/// `code` is the registered `error` value (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; OIDC Core §3.1.2.6),
/// `description` the `error_description` shown to the client developer, and `logDetail` what only the logs
/// see. Descriptions are written by us, never copied from a request or an internal error, and stay inside the
/// character set RFC 6749 §4.1.2.1 allows (`%x20-21 / %x23-5B / %x5D-7E`).
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `error` value. A struct over a private enum so codes can be added without breaking switches.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidRequest = "invalid_request"
            case invalidClient = "invalid_client"
            case invalidGrant = "invalid_grant"
            case unauthorizedClient = "unauthorized_client"
            case unsupportedGrantType = "unsupported_grant_type"
            case invalidScope = "invalid_scope"
            case accessDenied = "access_denied"
            case unsupportedResponseType = "unsupported_response_type"
            case serverError = "server_error"
            case temporarilyUnavailable = "temporarily_unavailable"
            case loginRequired = "login_required"
            case consentRequired = "consent_required"
            case requestNotSupported = "request_not_supported"
            case requestURINotSupported = "request_uri_not_supported"
            case invalidToken = "invalid_token"
            case insufficientScope = "insufficient_scope"
            case invalidDPoPProof = "invalid_dpop_proof"
            case useDPoPNonce = "use_dpop_nonce"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The wire value, e.g. `invalid_request`.
        public var rawValue: String { base.rawValue }
        public var description: String { base.rawValue }

        /// RFC 6749 §4.1.2.1 / §5.2: missing, invalid, repeated or oversized parameter; malformed request.
        public static let invalidRequest = Code(.invalidRequest)
        /// RFC 6749 §5.2: client authentication failed (unknown client, bad secret, wrong method).
        public static let invalidClient = Code(.invalidClient)
        /// RFC 6749 §5.2: the code or refresh token is invalid, expired, revoked, replayed, for another client
        /// or another redirect URI, or the PKCE verifier does not match.
        public static let invalidGrant = Code(.invalidGrant)
        /// RFC 6749 §5.2: this client may not use this grant type.
        public static let unauthorizedClient = Code(.unauthorizedClient)
        /// RFC 6749 §5.2: the grant type is not supported.
        public static let unsupportedGrantType = Code(.unsupportedGrantType)
        /// RFC 6749 §4.1.2.1 / §5.2: the scope is unknown, malformed, or exceeds what was granted.
        public static let invalidScope = Code(.invalidScope)
        /// RFC 6749 §4.1.2.1: the user (or the server) denied the request.
        public static let accessDenied = Code(.accessDenied)
        /// RFC 6749 §4.1.2.1: `response_type` other than `code`.
        public static let unsupportedResponseType = Code(.unsupportedResponseType)
        /// RFC 6749 §4.1.2.1: an unexpected failure; the detail goes to the logs only.
        public static let serverError = Code(.serverError)
        /// RFC 6749 §4.1.2.1: overloaded or under maintenance.
        public static let temporarilyUnavailable = Code(.temporarilyUnavailable)
        /// OIDC Core §3.1.2.6: `prompt=none` but the user is not signed in (or `max_age` passed).
        public static let loginRequired = Code(.loginRequired)
        /// OIDC Core §3.1.2.6: `prompt=none` but consent has not been given for these scopes.
        public static let consentRequired = Code(.consentRequired)
        /// OIDC Core §3.1.2.6: the `request` parameter (request objects) is not supported.
        public static let requestNotSupported = Code(.requestNotSupported)
        /// OIDC Core §3.1.2.6: the `request_uri` parameter is not supported.
        public static let requestURINotSupported = Code(.requestURINotSupported)
        /// RFC 6750 §3.1: the bearer token is missing, unknown, expired or revoked.
        public static let invalidToken = Code(.invalidToken)
        /// RFC 6750 §3.1: the token lacks the scope this resource needs.
        public static let insufficientScope = Code(.insufficientScope)
        /// RFC 9449 §7.1, §12.2: the DPoP proof is missing, malformed, replayed or does not match the request.
        public static let invalidDPoPProof = Code(.invalidDPoPProof)
        /// RFC 9449 §8: the proof lacks the server's current nonce (sent in `DPoP-Nonce`).
        public static let useDPoPNonce = Code(.useDPoPNonce)
    }

    /// The `error` value.
    public let code: Code
    /// The `error_description`: safe to show to the client developer and the user.
    public let description: String
    /// Detail for the logs only (never sent).
    public let logDetail: String?
    /// Whether the error may be sent to the client's redirect URI. `false` when the client or redirect URI
    /// could not be trusted (RFC 6749 §4.1.2.1, §3.1.2.4): the user gets an HTML page instead.
    public let isRedirectable: Bool
    /// What the HTML page of a non-redirectable error tells the person, in their language: `description` is for the
    /// app's developer (English ASCII, RFC 6749 §4.1.2.1), so the page says this and shows the description beside it.
    /// `nil`: the page's general sentence.
    public let personMessage: Message?

    /// An error with a public description and an optional private detail.
    public init(
        _ code: Code, _ description: String, logDetail: String? = nil, isRedirectable: Bool = true, personMessage: Message? = nil
    ) {
        self.code = code
        self.description = description
        self.logDetail = logDetail
        self.isRedirectable = isRedirectable
        self.personMessage = personMessage
    }

    /// The HTTP status of a JSON error response: RFC 6749 §5.2 (400; 401 for `invalid_client`), RFC 6750 §3.1
    /// (`invalid_token` 401, `insufficient_scope` 403), 500 and 503 for the server's own failures.
    /// Authorization-endpoint errors are redirects or pages instead; pages use 400 (see ``AuthorizationFailure``).
    public var httpStatus: Int {
        switch code {
        case .invalidClient, .invalidToken: 401
        case .insufficientScope: 403
        case .serverError: 500
        case .temporarilyUnavailable: 503
        default: 400
        }
    }

    /// The same error, marked as one that must be shown on a page rather than redirected.
    public func notRedirectable() -> OAuthError {
        OAuthError(code, description, logDetail: logDetail, isRedirectable: false, personMessage: personMessage)
    }

    /// The same error with what its page tells the person (``personMessage``).
    public func forPerson(_ message: Message) -> OAuthError {
        OAuthError(code, description, logDetail: logDetail, isRedirectable: isRedirectable, personMessage: message)
    }

    // MARK: Shorthands

    /// `invalid_request` with a description.
    public static func invalidRequest(_ description: String, logDetail: String? = nil) -> OAuthError {
        OAuthError(.invalidRequest, description, logDetail: logDetail)
    }
    /// `invalid_client` with a description.
    public static func invalidClient(_ description: String, logDetail: String? = nil) -> OAuthError {
        OAuthError(.invalidClient, description, logDetail: logDetail)
    }
    /// `invalid_grant` with a description.
    public static func invalidGrant(_ description: String, logDetail: String? = nil) -> OAuthError {
        OAuthError(.invalidGrant, description, logDetail: logDetail)
    }
    /// `invalid_scope` with a description.
    public static func invalidScope(_ description: String, logDetail: String? = nil) -> OAuthError {
        OAuthError(.invalidScope, description, logDetail: logDetail)
    }
    /// `server_error`: the description is deliberately generic; the detail goes to the logs with the request id.
    public static func serverError(logDetail: String) -> OAuthError {
        OAuthError(.serverError, "The server could not complete the request.", logDetail: logDetail)
    }
}
