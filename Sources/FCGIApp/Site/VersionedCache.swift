import Domain
import Foundation

/// Values of one worker process that were built from a student's records, kept by key and the student's
/// record version: the rendered record page sections, and the education API's list answers.
///
/// Every write that changes what they show increases the student's `record_version` in the same transaction
/// (grades saved or published, attendance, roster imports), and the version is read with the session or the
/// relationship check that every request makes anyway. A changed version is simply a miss, so a value is never
/// served stale; what it saves is the queries and the rendering of an unchanged record. Bounded: the oldest
/// entries go first.
final class VersionedCache<Key: Hashable & Sendable, Value>: @unchecked Sendable {
    private let capacity: Int
    private let lock = NSLock()
    private var entries: [Key: (version: Int64, value: Value)] = [:]
    private var order: [Key] = []

    /// A cache of at most `capacity` entries.
    init(capacity: Int) { self.capacity = capacity }

    /// The value of `key` at `version`, built by `make` on a miss (outside the lock).
    func value(for key: Key, version: Int64, make: () throws -> Value) rethrows -> Value {
        if let hit = lock.withLock({ entries[key] }), hit.version == version { return hit.value }
        let value = try make()
        lock.withLock {
            if entries.updateValue((version, value), forKey: key) == nil {
                order.append(key)
                if order.count > capacity { entries[order.removeFirst()] = nil }
            }
        }
        return value
    }
}

/// A student's rendered record in one language (the sections hold the page's words and formatted numbers).
struct RecordPageKey: Hashable, Sendable {
    let student: UserID
    let language: String
}

/// Rendered student record sections (classes, grades, attendance) by student and page language (a rendered
/// record is about 9 KB).
typealias RecordPageCache = VersionedCache<RecordPageKey, HTML>

extension VersionedCache where Key == RecordPageKey, Value == HTML {
    /// A cache of at most `capacity` records.
    convenience init() { self.init(capacity: 256) }

    /// The sections of `student` at `version` in `language`, rendered by `render` on a miss.
    func sections(of student: UserID, language: String, version: Int64, render: () throws -> HTML) rethrows -> HTML {
        try value(for: RecordPageKey(student: student, language: language), version: version, make: render)
    }
}

/// An education API list answer about one student: the operation and the page asked for.
struct APIListKey: Hashable, Sendable {
    let student: UserID
    let operation: APIEndpoint.Operation
    /// The normalised page and filters (`limit`, `cursor`, `from`, `to`).
    let page: String
}

/// The education API's list answers about students (a page of grades is about 3 KB).
typealias APIListCache = VersionedCache<APIListKey, JSONValue>
