import Foundation

/// The authorization endpoint's decision (RFC 6749 §4.1.1–4.1.2; OIDC Core §3.1.2), after the request was
/// validated (``AuthorizationChecks``) and the browser's session read. Steps, each only after the previous
/// one passed:
///
/// 1. sign-in: none yet, `prompt=login` or `max_age` exceeded → sign in and come back; `prompt=none` →
///    `login_required` (``AuthorizationRequest/signInDecision(authTime:now:signedInDuringThisRequest:)``);
/// 2. the user's school's decision about the app (platform admins have none): blocked → the blocked page, never
///    a code (`prompt=none` → `access_denied`);
/// 3. consent over the scopes this user's role may grant, this client may receive and the school allows: none
///    left → `access_denied`; a standing consent that covers them skips the page (unless `prompt=consent`);
///    `prompt=none` → `consent_required`; an answer from the consent page is recorded (or denies);
/// 4. the code: single use, short-lived, bound to client, redirect URI, PKCE challenge and nonce, and carrying the
///    session's `auth_time` and `amr` to the ID token.
public struct AuthorizeFlow {
    /// What the endpoint answers.
    public enum Outcome: Sendable, Equatable {
        /// Sign in first, then come back to this request; `again` when a session exists but is not enough.
        case signIn(again: Bool)
        /// Send this error to the client's redirect URI.
        case redirectError(OAuthError)
        /// The user's school blocked the app: the page that explains it and offers to ask the school.
        case blocked
        /// Show the consent page for these scopes.
        case askConsent([ScopeDefinition])
        /// Send this code to the client's redirect URI.
        case issued(code: String)
    }

    /// Who the browser's session belongs to.
    public struct Session: Sendable {
        public let user: UserAccount
        /// When the user last proved who they are (OIDC `auth_time`).
        public let authTime: Date
        /// How they proved it, in the order used (OIDC `amr`, RFC 8176).
        public let methods: [AuthenticationMethod]
        /// The SHA-256 of the session's cookie, copied into the code (``AuthorizationCodeGrant/sessionDigest``).
        public let digest: [UInt8]?

        public init(user: UserAccount, authTime: Date, methods: [AuthenticationMethod], digest: [UInt8]? = nil) {
            self.digest = digest
            self.user = user
            self.authTime = authTime
            self.methods = methods
        }
    }

    let policies: any SchoolAppPolicyStore
    let consents: any ConsentStore
    let codes: any AuthorizationCodeStore
    let codeLifetime: TimeInterval
    let registry: ScopeRegistry

    /// A flow over the stores.
    public init(
        policies: any SchoolAppPolicyStore, consents: any ConsentStore, codes: any AuthorizationCodeStore, codeLifetime: TimeInterval,
        registry: ScopeRegistry = .standard
    ) {
        self.policies = policies
        self.consents = consents
        self.codes = codes
        self.codeLifetime = codeLifetime
        self.registry = registry
    }

    /// Decides on a validated request.
    ///
    /// - Parameters:
    ///   - session: the signed-in user, `nil` when signed out.
    ///   - signedInDuringThisRequest: the user just signed in on the way back to this very request.
    ///   - decision: the consent page's answer (`true` allow, `false` deny), `nil` on the first visit.
    public func run(
        _ request: AuthorizationRequest, session: Session?, signedInDuringThisRequest: Bool, decision: Bool?, now: Date,
        using generator: inout some RandomNumberGenerator
    ) throws -> Outcome {
        switch request.signInDecision(authTime: session?.authTime, now: now, signedInDuringThisRequest: signedInDuringThisRequest) {
        case .fail(let error): return .redirectError(error)
        case .signIn: return .signIn(again: session != nil)
        case .proceed: break
        }
        guard let session else { return .signIn(again: false) }
        let user = session.user
        let client = request.client.clientID

        let policy = try user.schoolID.flatMap { try policies.policy(school: $0, client: client) } ?? .default
        guard policy.allowsAuthorization else {
            return request.prompt.contains(.none)
                ? .redirectError(OAuthError(.accessDenied, "The user's school has not allowed this app.")) : .blocked
        }

        let grantable = policy.permitted(
            registry.grantable(requested: request.scopes, role: user.role, clientAllowed: request.client.allowedScopes))
        let scopes = grantable.map(\.name)
        guard !scopes.isEmpty else {
            return .redirectError(OAuthError(.accessDenied, "None of the requested permissions apply to this account."))
        }
        if let decision {
            guard decision else { return .redirectError(OAuthError(.accessDenied, "The user denied the request.")) }
            try consents.recordConsent(user: user.id, client: client, scopes: Set(scopes), now: now)
        } else {
            let existing = try consents.consent(user: user.id, client: client)
            switch request.consentDecision(toGrant: scopes, existing: existing) {
            case .fail(let error): return .redirectError(error)
            case .ask: return .askConsent(grantable)
            case .skip:
                // Nothing new to agree to: only the "last used" date moves, and at most hourly (a write and a
                // commit on every sign-in to an app would be most of its cost).
                if existing?.lastUsedAt.map({ now.timeIntervalSince($0) >= 3600 }) ?? true {
                    try consents.recordConsent(user: user.id, client: client, scopes: Set(scopes), now: now)
                }
            }
        }

        let code = SecretToken.make(prefix: TokenPrefix.authorizationCode, using: &generator)
        try codes.createCode(
            digest: SecretToken.digest(code),
            grant: AuthorizationCodeGrant(
                clientID: client, userID: user.id, redirectURI: request.redirectURI, scopes: scopes, codeChallenge: request.codeChallenge,
                nonce: request.nonce, authTime: session.authTime, methods: session.methods, expiresAt: now.addingTimeInterval(codeLifetime),
                sessionDigest: session.digest, dpopJKT: request.dpopJKT),
            now: now)
        return .issued(code: code)
    }
}
