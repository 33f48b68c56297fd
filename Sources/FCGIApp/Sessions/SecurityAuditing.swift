import Domain
import Foundation

extension RequestContext {
    /// Appends a security event about `request` to the audit log: the time, the client's address and user agent,
    /// who acted and whom it concerns. A failure to write it fails the request (a security event is never lost
    /// quietly).
    func audit(
        _ event: SecurityEvent, _ request: HTTPRequest, school: SchoolID?, actor: UserID?, subject: UserID?, method: String = "",
        detail: String = ""
    ) throws {
        try services.audit.append(
            SecurityAuditEntry(
                occurredAt: now, event: event, school: school, actor: actor, subject: subject, method: method,
                clientAddress: request.remoteAddress, userAgent: request.headers["user-agent"] ?? "", detail: detail))
    }

    /// An event by a platform admin deep in a flow that no longer has the request (review decisions): no address.
    func audit(_ event: SecurityEvent, by session: SignedIn, detail: String) throws {
        try services.audit.append(
            SecurityAuditEntry(occurredAt: now, event: event, school: session.user.schoolID, actor: session.user.id, subject: nil, detail: detail))
    }

    /// ``audit(_:_:school:actor:subject:method:detail:)`` for what a signed-in person did to themselves or their
    /// school: actor and school from the session.
    func audit(_ event: SecurityEvent, _ request: HTTPRequest, by session: SignedIn, subject: UserID? = nil, detail: String = "") throws {
        try audit(event, request, school: session.user.schoolID, actor: session.user.id, subject: subject ?? session.user.id, detail: detail)
    }
}
