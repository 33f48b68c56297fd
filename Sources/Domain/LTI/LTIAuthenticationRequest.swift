import Foundation

/// The tool's OIDC authentication request that answers a third-party-initiated login (1EdTech Security Framework 1.0
/// §5.1.1.2, LTI Core 1.3 §4.1), as it arrives at `/lti/authorize` (GET query or POST form).
public struct LTIAuthenticationRequest: Sendable, Equatable {
    /// `client_id`.
    public var clientID: String?
    /// `redirect_uri`.
    public var redirectURI: String?
    /// `response_type`: must be `id_token`.
    public var responseType: String?
    /// `response_mode`: must be `form_post`.
    public var responseMode: String?
    /// `scope`: must contain `openid`.
    public var scope: String?
    /// `nonce`: required, copied into the id_token.
    public var nonce: String?
    /// `state`: copied back.
    public var state: String?
    /// `prompt`: must be `none` (the person is already signed in to the platform).
    public var prompt: String?
    /// `login_hint`: the person the platform named in the login initiation.
    public var loginHint: String?
    /// `lti_message_hint`: the platform's single-use reference to the launch.
    public var messageHint: String?

    /// A request from its parameters by name (a repeated parameter is refused by the caller, RFC 6749 §3.1).
    public init(parameters: [String: String]) {
        clientID = parameters["client_id"]
        redirectURI = parameters["redirect_uri"]
        responseType = parameters["response_type"]
        responseMode = parameters["response_mode"]
        scope = parameters["scope"]
        nonce = parameters["nonce"]
        state = parameters["state"]
        prompt = parameters["prompt"]
        loginHint = parameters["login_hint"]
        messageHint = parameters["lti_message_hint"]
    }

    /// Longest nonce or state accepted (they are copied into the token or the answer).
    public static let maximumEchoLength = 512
}

/// A launch the platform prepared when a person chose a tool on a class page: what `lti_message_hint` refers to
/// (stored as the hint's digest, used once, short-lived).
public struct LTIPendingLaunch: Sendable, Equatable {
    /// The tool.
    public var clientID: ClientID
    /// The placement it opens (``LTIResourceLink/linkID``); empty for a Deep Linking request.
    public var resourceLink: String
    /// The person who started it.
    public var user: UserID
    /// The `login_hint` the login initiation named.
    public var loginHint: String
    /// When the hint stops being valid.
    public var expiresAt: Date
    /// Whether an authentication request already spent it.
    public var used: Bool
    /// The class a Deep Linking request adds content to (``LTIDeepLinkingRequest``); `nil` for a resource-link launch.
    public var deepLinkingClass: ClassID?

    /// A pending launch.
    public init(
        clientID: ClientID, resourceLink: String, user: UserID, loginHint: String, expiresAt: Date, used: Bool = false,
        deepLinkingClass: ClassID? = nil
    ) {
        self.clientID = clientID
        self.resourceLink = resourceLink
        self.user = user
        self.loginHint = loginHint
        self.expiresAt = expiresAt
        self.used = used
        self.deepLinkingClass = deepLinkingClass
    }

    /// How long a hint lives: the tool redirects back at once.
    public static let lifetime: TimeInterval = 300
}

/// The checks of `/lti/authorize`, in order (Security Framework §5.1.1.2–§5.1.1.5, OIDC Core §3.2.2.5–6):
/// 1. `client_id` names an LTI tool, and `redirect_uri` is one of its launch redirect URIs exactly; otherwise an error
///    page, never a post to an address we cannot trust;
/// 2. from here errors are form-posted to that address with `state`: `response_type=id_token`
///    (`unsupported_response_type`), `response_mode=form_post`, `prompt=none`, a `nonce`, echo values not too long
///    (`invalid_request`), `openid` in `scope` (`invalid_scope`);
/// 3. `lti_message_hint` refers to a pending launch of this tool, unused and unexpired; otherwise an error page (a
///    replayed or stale hint sends the tool nothing: the person starts again from the class page);
/// 4. someone is signed in (`login_required`), and it is the launch's person, whom `login_hint` names
///    (`login_required`: a launch never switches accounts).
public enum LTIAuthenticationRules {
    /// The decision.
    public enum Outcome: Sendable, Equatable {
        /// Post the id_token of `launch` to `redirectURI`.
        case launch(LTIPendingLaunch, redirectURI: String, nonce: String, state: String?)
        /// Post `error` to the tool's registered `redirectURI`.
        case errorToTool(redirectURI: String, error: String, description: String, state: String?)
        /// Show an error page: the request cannot be answered to the tool.
        case errorPage(PageReason)
    }

    /// Why a request ends on an error page (the page words it in the person's language).
    public enum PageReason: String, Sendable, Equatable {
        /// `client_id` names no LTI tool.
        case unknownTool = "unknown_tool"
        /// `redirect_uri` is not one of the tool's launch redirect URIs.
        case unregisteredRedirect = "unregistered_redirect"
        /// `lti_message_hint` names no pending launch of this tool, or one already used or expired.
        case launchSpent = "launch_spent"
    }

    /// Decides a request. `redirectURIs` is `nil` when `client_id` names no LTI tool; `launch` is the pending launch
    /// `lti_message_hint` refers to, if any; `signedIn` the person of the browser's session.
    public static func check(
        _ request: LTIAuthenticationRequest, redirectURIs: [String]?, launch: LTIPendingLaunch?, signedIn: UserID?, now: Date
    ) -> Outcome {
        guard let clientID = request.clientID, !clientID.isEmpty, let redirectURIs else {
            return .errorPage(.unknownTool)
        }
        guard let redirectURI = request.redirectURI, redirectURIs.contains(redirectURI) else {
            return .errorPage(.unregisteredRedirect)
        }
        let state = request.state.flatMap { $0.utf8.count <= LTIAuthenticationRequest.maximumEchoLength ? $0 : nil }
        func refuse(_ error: String, _ description: String) -> Outcome {
            .errorToTool(redirectURI: redirectURI, error: error, description: description, state: state)
        }
        guard request.responseType == "id_token" else { return refuse("unsupported_response_type", "response_type must be id_token.") }
        guard request.responseMode == "form_post" else { return refuse("invalid_request", "response_mode must be form_post.") }
        guard request.prompt == "none" else { return refuse("invalid_request", "prompt must be none.") }
        guard let nonce = request.nonce, !nonce.isEmpty, nonce.utf8.count <= LTIAuthenticationRequest.maximumEchoLength,
            request.state.map({ $0.utf8.count <= LTIAuthenticationRequest.maximumEchoLength }) ?? true
        else { return refuse("invalid_request", "A nonce of at most 512 bytes is required, and state may not be longer.") }
        guard let scope = request.scope, scope.split(separator: " ").contains("openid") else {
            return refuse("invalid_scope", "scope must include openid.")
        }
        guard let launch, launch.clientID.rawValue == clientID, !launch.used, now < launch.expiresAt else {
            return .errorPage(.launchSpent)
        }
        guard let signedIn else { return refuse("login_required", "Nobody is signed in to the platform in this browser.") }
        guard signedIn == launch.user, request.loginHint == launch.loginHint else {
            return refuse("login_required", "The person signed in is not the one the launch was started for.")
        }
        return .launch(launch, redirectURI: redirectURI, nonce: nonce, state: state)
    }
}
