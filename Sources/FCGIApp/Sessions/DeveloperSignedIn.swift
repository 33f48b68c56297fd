import Domain
import Foundation

/// A developer signed in on the portal, found through the portal's own session cookie.
struct DeveloperSignedIn {
    let account: DeveloperAccount
    /// The digest of the session cookie, the session's key in the store.
    let digest: [UInt8]
    /// The CSRF token this session's forms carry.
    let csrf: String
    /// The session's idle time limit in minutes, announced on every page (WCAG 2.2.1).
    let idleMinutes: Int
}

extension RequestContext {
    /// The signed-in developer of a request, or `nil`. Expired sessions are deleted here; a suspended account
    /// has no session (the store does not return it).
    func developerSignedIn(_ request: HTTPRequest) throws -> DeveloperSignedIn? {
        let cookie = SessionCookie.session(of: .developers)
        guard let token = request.cookies[cookie.name], SecretToken.isWellFormed(token, prefix: cookie.prefix) else { return nil }
        let digest = SecretToken.digest(token)
        let sessions = services.portal.sessions
        guard let found = try sessions.session(digest: digest) else { return nil }
        let now = self.now
        switch services.configuration.signIn.sessionPolicy.evaluate(createdAt: found.createdAt, lastSeenAt: found.lastSeenAt, now: now) {
        case .expired:
            try sessions.deleteSession(digest: digest)
            return nil
        case .valid(let touch):
            if touch { try sessions.touchSession(digest: digest, now: now) }
            subject.userID = "\(found.account.id)"
            PageLanguage.current?.signedIn(developer: found.account.id, language: found.account.preferredLanguage)
            return DeveloperSignedIn(
                account: found.account, digest: digest, csrf: CSRFToken.derive(fromCookie: token),
                idleMinutes: Int(services.configuration.signIn.sessionPolicy.idleTimeout / 60))
        }
    }

    /// A developer whose account may use the whole portal. Signed out: to the sign-in page, coming back here
    /// afterwards. Unverified: to the page that asks them to confirm their email.
    func requireDeveloper(_ request: HTTPRequest) throws -> DeveloperSignedIn {
        guard let session = try developerSignedIn(request) else {
            let target = request.method == "GET" ? request.path : "/"
            throw HTTPError.redirect(to: "/login?next=" + FormCodec.encode(target), message: "Please sign in to continue.")
        }
        switch session.account.state.access {
        case .full: return session
        case .verifyEmailOnly: throw HTTPError.redirect(to: "/verify-email")
        case .refused: throw HTTPError.redirect(to: "/login")
        }
    }

    /// A signed-in developer whatever their verification (the verify-email page, sign-out).
    func requireAnyDeveloper(_ request: HTTPRequest) throws -> DeveloperSignedIn {
        guard let session = try developerSignedIn(request) else { throw HTTPError.redirect(to: "/login") }
        return session
    }

    /// A posted form of a signed-in developer, after the CSRF checks.
    func verifiedForm(_ request: HTTPRequest, developer: DeveloperSignedIn) throws -> Parameters {
        try verifiedForm(request, signedIn: true)
    }
}
