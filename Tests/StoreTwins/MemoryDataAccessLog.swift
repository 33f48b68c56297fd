import Domain
import Foundation

/// The data-access log in memory, with the contract of ``MariaDataAccessLogStore``: an append writes all its entries
/// or, when ``failing`` is set (the database refusing the write), none and throws `.unavailable`.
public final class MemoryDataAccessLog: DataAccessLogStore, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [DataAccessEntry] = []
    private var failure: StoreError?

    public init() {}

    /// Every entry written, oldest first.
    public var entries: [DataAccessEntry] { lock.withLock { stored } }

    /// Makes every append fail (as a database that cannot be reached or is full), or succeed again.
    public var failing: Bool {
        get { lock.withLock { failure != nil } }
        set { lock.withLock { failure = newValue ? StoreError(.unavailable, detail: "the access-log twin is failing") : nil } }
    }

    public func append(_ entries: [DataAccessEntry]) throws {
        try lock.withLock {
            if let failure { throw failure }
            stored.append(contentsOf: entries)
        }
    }

    public func entries(aboutAnyOf subjects: [UserID], limit: Int) throws -> [DataAccessRecord] {
        lock.withLock {
            stored.filter { $0.subjectID.map(subjects.contains) ?? false }.reversed().prefix(limit).map(Self.record)
        }
    }

    public func entries(ofSchool school: SchoolID, limit: Int) throws -> [DataAccessRecord] {
        lock.withLock { stored.filter { $0.schoolID == school }.reversed().prefix(limit).map(Self.record) }
    }

    public func purge(before: Date, limit: Int) throws -> Int {
        lock.withLock {
            let old = stored.indices.filter { stored[$0].occurredAt < before }.prefix(limit)
            for index in old.reversed() { stored.remove(at: index) }
            return old.count
        }
    }

    private static func record(_ entry: DataAccessEntry) -> DataAccessRecord {
        DataAccessRecord(entry: entry, appName: entry.clientID.rawValue, subjectName: nil)
    }
}
