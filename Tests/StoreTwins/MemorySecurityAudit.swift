import Domain
import Foundation

/// The in-memory twin of ``SecurityAuditStore``: entries kept in order, filtered like the MariaDB store.
final class MemorySecurityAudit: SecurityAuditStore, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [SecurityAuditEntry] = []

    /// Every entry, oldest first.
    var all: [SecurityAuditEntry] { lock.withLock { stored } }
    /// The events, oldest first.
    var events: [SecurityEvent] { all.map(\.event) }

    func append(_ entry: SecurityAuditEntry) throws { lock.withLock { stored.append(entry) } }

    func entries(_ filter: SecurityAuditFilter, limit: Int) throws -> [SecurityAuditRecord] {
        let matching = all.enumerated().filter { _, entry in
            (filter.school == nil || entry.school == filter.school) && (filter.event == nil || entry.event == filter.event)
                && (filter.person == nil || entry.actor == filter.person || entry.subject == filter.person)
                && (filter.from.map { entry.occurredAt >= $0 } ?? true) && (filter.until.map { entry.occurredAt < $0 } ?? true)
        }
        return matching.reversed().prefix(limit).map {
            SecurityAuditRecord(id: Int64($0.offset + 1), entry: $0.element, actorName: nil, subjectName: nil)
        }
    }

    func purge(before: Date, limit: Int) throws -> Int {
        lock.withLock {
            let count = stored.filter { $0.occurredAt < before }.prefix(limit).count
            stored.removeAll { $0.occurredAt < before }
            return count
        }
    }
}
