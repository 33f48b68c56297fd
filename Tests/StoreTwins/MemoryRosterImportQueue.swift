import Domain
import Foundation

/// An in-memory ``RosterImportQueue`` with the MariaDB store's contract (claims skip leased jobs; another school's
/// job is not found).
public final class MemoryRosterImportQueue: RosterImportQueue, @unchecked Sendable {
    private struct Entry {
        var job: QueuedRosterImport
        var filesZip: [UInt8]
        var leaseUntil: Date?
    }

    private let lock = NSLock()
    private var entries: [Int64: Entry] = [:]
    private var nextID: Int64 = 1

    /// An empty queue.
    public init() {}

    public func enqueue(
        school: SchoolID, requestedBy: UserID, startedBy: String, source: String, filesZip: [UInt8], now: Date
    ) throws -> Int64 {
        lock.withLock {
            let id = nextID
            nextID += 1
            entries[id] = Entry(
                job: QueuedRosterImport(
                    id: id, school: school, startedBy: startedBy, source: source, status: .pending, requestedAt: now, startedAt: nil,
                    finishedAt: nil, lines: []),
                filesZip: filesZip)
            return id
        }
    }

    public func job(_ id: Int64, of school: SchoolID) throws -> QueuedRosterImport? {
        lock.withLock { entries[id].map(\.job).flatMap { $0.school == school ? $0 : nil } }
    }

    public func claimNext(now: Date, lease: TimeInterval) throws -> (job: QueuedRosterImport, filesZip: [UInt8])? {
        lock.withLock {
            for id in entries.keys.sorted() {
                guard var entry = entries[id] else { continue }
                let due = entry.job.status == .pending || (entry.job.status == .running && (entry.leaseUntil ?? now) < now)
                guard due else { continue }
                let job = entry.job
                entry.job = QueuedRosterImport(
                    id: id, school: job.school, startedBy: job.startedBy, source: job.source, status: .running, requestedAt: job.requestedAt,
                    startedAt: now, finishedAt: nil, lines: [])
                entry.leaseUntil = now.addingTimeInterval(lease)
                entries[id] = entry
                return (entry.job, entry.filesZip)
            }
            return nil
        }
    }

    public func finish(_ id: Int64, status: RosterImportJobStatus, lines: [Message], now: Date) throws {
        lock.withLock {
            guard let job = entries[id]?.job else { return }
            entries[id] = Entry(
                job: QueuedRosterImport(
                    id: id, school: job.school, startedBy: job.startedBy, source: job.source, status: status, requestedAt: job.requestedAt,
                    startedAt: job.startedAt, finishedAt: now, lines: lines),
                filesZip: [], leaseUntil: nil)
        }
    }
}
