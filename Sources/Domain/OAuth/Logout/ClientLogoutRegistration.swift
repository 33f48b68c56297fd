import Foundation

/// What a client registered for logout: client metadata `post_logout_redirect_uris` (RP-Initiated Logout 1.0 §3.1),
/// `backchannel_logout_uri` and `backchannel_logout_session_required` (Back-Channel Logout 1.0 §2.2).
public struct ClientLogoutRegistration: Sendable, Equatable {
    /// Where the end-session endpoint may send the browser afterwards, compared by exact string.
    public var postLogoutRedirectURIs: [String]
    /// Where logout tokens are posted; `nil`: the client gets none.
    public var backchannelLogoutURI: String?
    /// Whether the client needs `sid` in its logout tokens (it is always sent when the session is known).
    public var backchannelLogoutSessionRequired: Bool

    /// A registration.
    public init(postLogoutRedirectURIs: [String] = [], backchannelLogoutURI: String? = nil, backchannelLogoutSessionRequired: Bool = false) {
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.backchannelLogoutURI = backchannelLogoutURI
        self.backchannelLogoutSessionRequired = backchannelLogoutSessionRequired
    }

    /// At most this many post-logout redirect URIs.
    public static let maximumRedirectURIs = 10
    /// Longest URI accepted (the columns hold 2,000 characters).
    public static let maximumURILength = 2000

    /// What is wrong with the registration, as sentences for a form; empty when it can be stored.
    /// - post-logout redirect URIs: absolute `https` URLs (or `http` on a loopback address, as for redirect URIs),
    ///   no fragment, no duplicates;
    /// - the back-channel URI: an absolute `https` URL without fragment (Back-Channel Logout §2.2 allows a query): it
    ///   is posted to by the SSRF-guarded client, which speaks only `https`.
    public func problems() -> [Message] {
        var problems: [Message] = []
        if postLogoutRedirectURIs.count > Self.maximumRedirectURIs {
            problems.append(
                Message(
                    "logout.error.redirect_uris_max", count: Self.maximumRedirectURIs,
                    "Register at most \(Self.maximumRedirectURIs) post-logout redirect URIs."))
        }
        if Set(postLogoutRedirectURIs).count != postLogoutRedirectURIs.count {
            problems.append(Message("logout.error.redirect_uri_twice", "A post-logout redirect URI is listed twice."))
        }
        for uri in postLogoutRedirectURIs where !Self.acceptable(uri, loopbackHTTP: true) {
            problems.append(Message("logout.error.redirect_uri", "“\(uri)” is not an absolute https URL without a fragment.", ["uri": uri]))
        }
        if let uri = backchannelLogoutURI, !Self.acceptable(uri, loopbackHTTP: false) {
            problems.append(
                Message("logout.error.backchannel_uri", "The back-channel logout URI must be an absolute https URL without a fragment."))
        }
        if backchannelLogoutSessionRequired && backchannelLogoutURI == nil {
            problems.append(Message("logout.error.session_required", "Requiring the session id needs a back-channel logout URI."))
        }
        return problems
    }

    /// An absolute `https` URL (or, when `loopbackHTTP`, `http` to a loopback host) with a host, no fragment, no user
    /// information.
    static func acceptable(_ uri: String, loopbackHTTP: Bool) -> Bool {
        guard !uri.isEmpty, uri.utf8.count <= maximumURILength, !uri.contains("#"),
            !uri.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
            let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else { return false }
        switch scheme {
        case "https": return true
        case "http": return loopbackHTTP && (host == "127.0.0.1" || host == "[::1]" || host == "::1" || host == "localhost")
        default: return false
        }
    }
}
