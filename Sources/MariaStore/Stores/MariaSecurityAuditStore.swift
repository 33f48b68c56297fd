import Domain
import Foundation

/// ``SecurityAuditStore`` over main's `security_audit_log` (append-only by its triggers).
public struct MariaSecurityAuditStore: SecurityAuditStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func append(_ entry: SecurityAuditEntry) throws {
        try database.execute(
            """
            INSERT INTO security_audit_log (occurred_at, event, school_id, actor_id, subject_id, method, client_address, user_agent, detail)
            VALUES (\(entry.occurredAt), \(entry.event.rawValue), \(entry.school?.rawValue), \(entry.actor?.rawValue),
                    \(entry.subject?.rawValue), \(String(entry.method.prefix(32))), \(String(entry.clientAddress.prefix(45))),
                    \(String(entry.userAgent.prefix(255))), \(String(entry.detail.prefix(1000))))
            """)
    }

    public func entries(_ filter: SecurityAuditFilter, limit: Int) throws -> [SecurityAuditRecord] {
        var conditions: [SQLQuery] = []
        if let school = filter.school { conditions.append("a.school_id = \(school.rawValue)") }
        if let event = filter.event { conditions.append("a.event = \(event.rawValue)") }
        if let person = filter.person { conditions.append("(a.actor_id = \(person.rawValue) OR a.subject_id = \(person.rawValue))") }
        if let from = filter.from { conditions.append("a.occurred_at >= \(from)") }
        if let until = filter.until { conditions.append("a.occurred_at < \(until)") }
        var condition: SQLQuery = "TRUE"
        for next in conditions { condition = "\(fragment: condition) AND \(fragment: next)" }
        return try database.query(
            """
            SELECT a.id, a.occurred_at, a.event, a.school_id, a.actor_id, a.subject_id, a.method, a.client_address, a.user_agent, a.detail,
                   CONCAT(ac.given_name, ' ', ac.family_name) AS actor_name, CONCAT(su.given_name, ' ', su.family_name) AS subject_name
            FROM security_audit_log a
            LEFT JOIN users ac ON ac.id = a.actor_id
            LEFT JOIN users su ON su.id = a.subject_id
            WHERE \(fragment: condition)
            ORDER BY a.occurred_at DESC, a.id DESC LIMIT \(max(limit, 0))
            """
        ).compactMap { row in
            guard let id = row.int("id"), let at = row.date("occurred_at"), let event = SecurityEvent(rawValue: row.string("event") ?? "") else {
                return nil
            }
            return SecurityAuditRecord(
                id: Int64(id),
                entry: SecurityAuditEntry(
                    occurredAt: at, event: event, school: row.id("school_id"), actor: row.id("actor_id"), subject: row.id("subject_id"),
                    method: row.string("method") ?? "", clientAddress: row.string("client_address") ?? "",
                    userAgent: row.string("user_agent") ?? "", detail: row.string("detail") ?? ""),
                actorName: row.string("actor_name"), subjectName: row.string("subject_name"))
        }
    }

    public func purge(before: Date, limit: Int) throws -> Int {
        try database.execute("DELETE FROM security_audit_log WHERE occurred_at < \(before) ORDER BY occurred_at LIMIT \(max(limit, 1))")
            .affectedRows
    }
}
