import Domain
import Foundation

/// What happens when browser sessions end (sign-out, RP-initiated logout, a session ended from the sessions page,
/// "sign out everywhere else", "sign out of this device"): the apps they authorised are told by back-channel logout
/// (OIDC Back-Channel Logout 1.0 §2.5). The logouts are queued before the sessions are deleted (their grants still
/// name them) and sent after the answer has gone out, so a slow or dead app never holds up the sign-out; what is not
/// delivered then is retried by `POST /internal/cron/backchannel-logout`.
extension RequestContext {
    /// Queues the back-channel logouts of sessions about to end. Never throws: a failure is logged and the sign-out
    /// goes on (a lost logout must not keep a person signed in).
    func queueBackchannelLogouts(sessionDigests: [[UInt8]]) {
        guard !sessionDigests.isEmpty else { return }
        do {
            let queued = try services.oauth.logout.queueBackchannelLogouts(sessionDigests: sessionDigests, now: now)
            guard queued > 0 else { return }
            let services = services
            let logger = logger
            afterSending("back-channel logout") {
                _ = try BackchannelLogoutSender(services: services, logger: logger, timeBudget: 15).run(limit: queued)
            }
        } catch {
            logger.error("back-channel logouts not queued", metadata: ["error.detail": "\(error)"])
        }
    }

    /// Ends a session found past its idle or absolute limit: its back-channel logouts queued and the row deleted in
    /// one transaction (``LogoutStore/endSessions(digests:now:)``), so the cron's sweep of expired sessions, which may
    /// reach it at the same moment, never queues them twice; they are sent after the answer.
    func endExpiredSession(digest: [UInt8]) throws {
        let queued = try services.oauth.logout.endSessions(digests: [digest], now: now)
        guard queued > 0 else { return }
        let services = services
        let logger = logger
        afterSending("back-channel logout") {
            _ = try BackchannelLogoutSender(services: services, logger: logger, timeBudget: 15).run(limit: queued)
        }
    }

    /// Ends the browser's own session: back-channel logouts queued, the session deleted, its cookie cleared.
    /// `revokeTokens` ("sign out of this device") also revokes every grant issued through this session with its
    /// access and refresh tokens. Returns `response` with the cookie cleared.
    func endSession(_ session: SignedIn, _ request: HTTPRequest, revokeTokens: Bool, detail: String, then response: HTTPResponse) throws
        -> HTTPResponse
    {
        queueBackchannelLogouts(sessionDigests: [session.digest])
        var revoked = 0
        if revokeTokens { revoked = try services.oauth.logout.revokeGrants(sessionDigest: session.digest, now: now) }
        try services.people.sessions.deleteSession(digest: session.digest)
        try audit(.signOut, request, by: session, detail: revokeTokens ? "\(detail); \(revoked) app grants of this session revoked" : detail)
        logger.info("signed out", metadata: ["user.id": "\(session.user.id)"])
        var response = response
        response.headers.add("Set-Cookie", SessionCookie.clear(SessionCookie.session))
        return response
    }
}
