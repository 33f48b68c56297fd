import Domain
import Foundation

/// ``MailOutboxStore`` over `mail_outbox`; the same table exists in both databases, each site uses its own.
public struct MariaMailOutboxStore: MailOutboxStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle.
    public init(database: MariaDatabase) { self.database = database }

    public func enqueue(recipient: String, subject: String, sealedBody: [UInt8], now: Date, expiresAt: Date) throws -> Int64 {
        try database.execute(
            """
            INSERT INTO mail_outbox (recipient, subject, body_sealed, created_at, next_attempt_at, expires_at)
            VALUES (\(recipient), \(subject), \(sealedBody), \(now), \(now), \(expiresAt))
            """
        ).insertID
    }

    public func enqueue(_ mails: [(recipient: String, subject: String, sealedBody: [UInt8])], now: Date, expiresAt: Date) throws {
        let rows = mails.map { [$0.recipient.sqlValue, $0.subject.sqlValue, $0.sealedBody.sqlValue, now.sqlValue, now.sqlValue, expiresAt.sqlValue] }
        for query in MultiRowStatement.queries(
            "INSERT INTO mail_outbox (recipient, subject, body_sealed, created_at, next_attempt_at, expires_at) VALUES ", rows)
        {
            try database.execute(query)
        }
    }

    public func claim(id: Int64, now: Date, lease: TimeInterval) throws -> QueuedMail? {
        // One conditional UPDATE is the claim: of two deliverers, only one changes the row.
        let claimed = try database.execute(
            """
            UPDATE mail_outbox SET next_attempt_at = \(now.addingTimeInterval(lease)), attempts = attempts + 1
            WHERE id = \(Int(id)) AND next_attempt_at <= \(now)
            """)
        guard claimed.affectedRows == 1 else { return nil }
        return try database.query(
            "SELECT id, recipient, subject, body_sealed, attempts, expires_at FROM mail_outbox WHERE id = \(Int(id))"
        ).first.flatMap(Self.mail)
    }

    public func claimDue(now: Date, lease: TimeInterval, limit: Int) throws -> [QueuedMail] {
        let due = try database.query(
            "SELECT id FROM mail_outbox WHERE next_attempt_at <= \(now) ORDER BY next_attempt_at, id LIMIT \(max(limit, 0))")
        return try due.compactMap { row in try row.int("id").flatMap { try claim(id: Int64($0), now: now, lease: lease) } }
    }

    public func delete(id: Int64) throws {
        _ = try database.query("DELETE FROM mail_outbox WHERE id = \(Int(id))")
    }

    public func reschedule(id: Int64, at: Date, error: String) throws {
        // Both statements are safe to repeat, so they take ``MariaDatabase/query(_:)``'s retry on a new connection.
        _ = try database.query(
            "UPDATE mail_outbox SET next_attempt_at = \(at), last_error = \(String(error.prefix(300))) WHERE id = \(Int(id))")
    }

    private static func mail(_ row: Row) -> QueuedMail? {
        guard let id = row.int("id"), let recipient = row.string("recipient"), let subject = row.string("subject"),
            let body = row.bytes("body_sealed"), let expiresAt = row.date("expires_at")
        else { return nil }
        return QueuedMail(
            id: Int64(id), recipient: recipient, subject: subject, sealedBody: body, attempts: row.int("attempts") ?? 0,
            expiresAt: expiresAt)
    }
}
