/// A `GET /authsso` request that passed every rule of ``AuthorizationChecks``: safe to show the sign-in and
/// consent pages for, and to answer by redirecting to ``redirectURI``.
public struct AuthorizationRequest: Sendable, Equatable {
    /// A value of the OIDC `prompt` parameter (OIDC Core §3.1.2.1) that this provider supports.
    public enum Prompt: String, Sendable, Hashable, CaseIterable {
        /// Show no page: answer at once, or fail with `login_required` / `consent_required`.
        case none
        /// Make the user sign in again even with a live session.
        case login
        /// Ask for consent even when it was given before.
        case consent
    }

    /// The client, known and active.
    public let client: OAuthClient
    /// Where to send the response: a registered URI (a loopback one possibly on another port).
    public let redirectURI: String
    /// The requested scopes: known and allowed for the client, duplicates removed, in request order. Which of
    /// them the user can grant is decided with ``ScopeRegistry/grantable(requested:role:clientAllowed:)``.
    public let scopes: [String]
    /// The client's `state`, returned untouched (RFC 6749 §4.1.2).
    public let state: String?
    /// The OIDC `nonce`, copied into the ID token (OIDC Core §3.1.2.1).
    public let nonce: String?
    /// The S256 PKCE challenge (RFC 7636 §4.3); `nil` only for confidential clients that sent none.
    public let codeChallenge: String?
    /// The `prompt` values; empty when absent.
    public let prompt: Set<Prompt>
    /// The OIDC `max_age` in seconds: the longest time since the user's last sign-in that is acceptable.
    public let maxAge: Int?
    /// `dpop_jkt` (RFC 9449 §10): the thumbprint of the DPoP key the code is bound to; the token request must carry
    /// a proof by that key. `nil` when not sent.
    public let dpopJKT: String?

    /// A validated request. Normally only ``AuthorizationChecks/validate(_:client:registry:)`` makes one.
    public init(
        client: OAuthClient, redirectURI: String, scopes: [String], state: String?, nonce: String?,
        codeChallenge: String?, prompt: Set<Prompt>, maxAge: Int?, dpopJKT: String? = nil
    ) {
        self.dpopJKT = dpopJKT
        self.client = client
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
        self.nonce = nonce
        self.codeChallenge = codeChallenge
        self.prompt = prompt
        self.maxAge = maxAge
    }
}

/// Why an authorization request was refused, and how the user must be told.
public enum AuthorizationFailure: Error, Sendable, Equatable {
    /// The client or redirect URI cannot be trusted: show an HTML error page (status 400), never redirect
    /// (RFC 6749 §4.1.2.1, §3.1.2.4; RFC 9700 §4.11 open redirectors).
    case showPage(OAuthError)
    /// Send the error to the client's redirect URI (RFC 6749 §4.1.2.1), with the request's `state` when it
    /// was acceptable; see ``AuthorizationResponse/errorURL(redirectURI:error:state:issuer:)``.
    case redirect(OAuthError, redirectURI: String, state: String?)

    /// The error either way.
    public var error: OAuthError {
        switch self {
        case .showPage(let error), .redirect(let error, _, _): error
        }
    }
}
