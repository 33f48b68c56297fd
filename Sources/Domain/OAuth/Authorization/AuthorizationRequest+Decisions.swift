import Foundation

/// What the authorization endpoint does next for a validated request, given the browser's session and the
/// user's standing consent (OIDC Core §3.1.2.1 `prompt` and `max_age`, §3.1.2.6 errors).
extension AuthorizationRequest {
    /// The step after validation.
    public enum SignInDecision: Sendable, Equatable {
        /// The session is good enough: go on to consent.
        case proceed
        /// Show the sign-in page, then come back to this request.
        case signIn
        /// Redirect this error (`login_required` for `prompt=none`).
        case fail(OAuthError)
    }

    /// Whether the user must sign in.
    ///
    /// - Parameters:
    ///   - authTime: when the session's user last entered their password; `nil` when signed out.
    ///   - now: the current time.
    ///   - signedInDuringThisRequest: the user just signed in on the way back to this very request, which
    ///     satisfies `prompt=login` and `max_age` (without it, `prompt=login` would loop forever).
    public func signInDecision(authTime: Date?, now: Date, signedInDuringThisRequest: Bool) -> SignInDecision {
        guard let authTime else {
            return prompt.contains(.none)
                ? .fail(OAuthError(.loginRequired, "The user is not signed in.")) : .signIn
        }
        if signedInDuringThisRequest { return .proceed }
        let tooOld = maxAge.map { now.timeIntervalSince(authTime) > TimeInterval($0) } ?? false
        if prompt.contains(.login) || tooOld {
            return prompt.contains(.none)
                ? .fail(OAuthError(.loginRequired, "The user must sign in again (max_age).")) : .signIn
        }
        return .proceed
    }

    /// The step after sign-in.
    public enum ConsentDecision: Sendable, Equatable {
        /// Consent covers every scope to grant: issue the code without showing the page.
        case skip
        /// Show the consent page for the scopes to grant.
        case ask
        /// Redirect this error (`consent_required` for `prompt=none`).
        case fail(OAuthError)
    }

    /// Whether to show the consent page: always for `prompt=consent`, otherwise only when `toGrant` holds a
    /// scope the user has not already consented to (a request for new scopes asks again, DESIGN §5).
    ///
    /// - Parameters:
    ///   - toGrant: the scopes the user's role can grant (``ScopeRegistry/grantable(requested:role:clientAllowed:)``).
    ///   - existing: the user's standing consent for this client, if any.
    public func consentDecision(toGrant: [String], existing: Consent?) -> ConsentDecision {
        let covered = existing.map { consent in toGrant.allSatisfy(consent.scopes.contains) } ?? false
        if covered && !prompt.contains(.consent) { return .skip }
        return prompt.contains(.none)
            ? .fail(OAuthError(.consentRequired, "The user has not consented to these scopes.")) : .ask
    }
}
