import Foundation

/// A request to the end-session endpoint (OpenID Connect RP-Initiated Logout 1.0 §2), GET query or POST form.
///
/// The rules, in order (each failure is an error page, never a redirect, and nothing is changed):
/// 1. every parameter at most once, of bounded length (`id_token_hint`, `client_id`, `post_logout_redirect_uri`,
///    `state`, `logout_hint`, `ui_locales`; others are ignored, §2);
/// 2. `id_token_hint`, when sent, verifies (``IDTokenHint``); `client_id`, when also sent, must be its audience (§2);
/// 3. `post_logout_redirect_uri` needs the client (from `client_id` or the hint) and must be exactly one the client
///    registered (§3); `state` goes back with it.
public struct EndSessionRequest: Sendable, Equatable {
    public let idTokenHint: String?
    public let clientID: ClientID?
    public let postLogoutRedirectURI: String?
    public let state: String?

    /// Longest accepted value of each parameter.
    public static let maximumLength = 8192
    static let parameters = ["id_token_hint", "client_id", "post_logout_redirect_uri", "state", "logout_hint", "ui_locales"]

    /// Reads the parameters; `values(name)` gives every value sent under a name.
    public static func parse(_ values: (String) -> [String]) -> Result<EndSessionRequest, IDTokenHint.Refusal> {
        var single: [String: String] = [:]
        for name in parameters {
            let found = values(name)
            guard found.count <= 1 else { return .failure(.init("The \(name) parameter is repeated.")) }
            guard let value = found.first, !value.isEmpty else { continue }
            guard value.utf8.count <= maximumLength else { return .failure(.init("The \(name) parameter is too long.")) }
            single[name] = value
        }
        return .success(
            EndSessionRequest(
                idTokenHint: single["id_token_hint"], clientID: single["client_id"].map(ClientID.init),
                postLogoutRedirectURI: single["post_logout_redirect_uri"], state: single["state"]))
    }

    /// A request.
    public init(idTokenHint: String?, clientID: ClientID?, postLogoutRedirectURI: String?, state: String?) {
        self.idTokenHint = idTokenHint
        self.clientID = clientID
        self.postLogoutRedirectURI = postLogoutRedirectURI
        self.state = state
    }

    /// The client the request is from: `client_id`, else the hint's audience; a refusal when both are sent and differ.
    public func client(hint: IDTokenHint?) -> Result<ClientID?, IDTokenHint.Refusal> {
        if let clientID, let hint, hint.audience != clientID {
            return .failure(.init("The client_id is not the client the id_token_hint was issued to."))
        }
        return .success(clientID ?? hint?.audience)
    }

    /// Where to send the browser afterwards: the registered `post_logout_redirect_uri` with `state` added to its query
    /// (§3), `nil` when none was asked for; a refusal when the URI is not one `registered` (exact match) or no client
    /// is known (`registered` is `nil` for an unknown or inactive client).
    public func redirect(client: ClientID?, registered: [String]?) -> Result<String?, IDTokenHint.Refusal> {
        guard let uri = postLogoutRedirectURI else { return .success(nil) }
        guard client != nil else {
            return .failure(.init("A post_logout_redirect_uri needs the client_id or an id_token_hint to say which app is asking."))
        }
        guard let registered, registered.contains(uri) else {
            return .failure(.init("The post_logout_redirect_uri is not one this app registered."))
        }
        guard let state else { return .success(uri) }
        let separator = uri.contains("?") ? (uri.hasSuffix("?") || uri.hasSuffix("&") ? "" : "&") : "?"
        return .success(uri + separator + "state=" + FormCodec.encode(state))
    }
}
