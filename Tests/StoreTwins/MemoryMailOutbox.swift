import Domain
import Foundation

/// An in-memory ``MailOutboxStore`` with the MariaDB store's contract (claims are conditional on the due time).
public final class MemoryMailOutbox: MailOutboxStore, @unchecked Sendable {
    private struct Entry {
        var mail: QueuedMail
        var due: Date
        var lastError: String?
    }

    private let lock = NSLock()
    private var entries: [Int64: Entry] = [:]
    private var nextID: Int64 = 1

    /// An empty outbox.
    public init() {}

    /// What is queued, by id (tests).
    public var queued: [QueuedMail] { lock.withLock { entries.keys.sorted().compactMap { entries[$0]?.mail } } }

    /// When a mail is due next (tests).
    public func due(_ id: Int64) -> Date? { lock.withLock { entries[id]?.due } }

    /// The error the last failed attempt recorded (tests).
    public func lastError(_ id: Int64) -> String? { lock.withLock { entries[id]?.lastError } }

    public func enqueue(recipient: String, subject: String, sealedBody: [UInt8], now: Date, expiresAt: Date) throws -> Int64 {
        lock.withLock {
            let id = nextID
            nextID += 1
            entries[id] = Entry(
                mail: QueuedMail(id: id, recipient: recipient, subject: subject, sealedBody: sealedBody, attempts: 0, expiresAt: expiresAt),
                due: now)
            return id
        }
    }

    public func claim(id: Int64, now: Date, lease: TimeInterval) throws -> QueuedMail? {
        lock.withLock {
            guard var entry = entries[id], entry.due <= now else { return nil }
            entry.due = now.addingTimeInterval(lease)
            entry.mail = QueuedMail(
                id: id, recipient: entry.mail.recipient, subject: entry.mail.subject, sealedBody: entry.mail.sealedBody,
                attempts: entry.mail.attempts + 1, expiresAt: entry.mail.expiresAt)
            entries[id] = entry
            return entry.mail
        }
    }

    public func claimDue(now: Date, lease: TimeInterval, limit: Int) throws -> [QueuedMail] {
        let ids = lock.withLock {
            entries.filter { $0.value.due <= now }.sorted { ($0.value.due, $0.key) < ($1.value.due, $1.key) }.prefix(max(limit, 0)).map(\.key)
        }
        return try ids.compactMap { try claim(id: $0, now: now, lease: lease) }
    }

    public func delete(id: Int64) throws {
        lock.withLock { entries[id] = nil }
    }

    public func reschedule(id: Int64, at: Date, error: String) throws {
        lock.withLock {
            entries[id]?.due = at
            entries[id]?.lastError = String(error.prefix(300))
        }
    }
}
