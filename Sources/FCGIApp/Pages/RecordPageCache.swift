import Domain
import Foundation

/// Rendered student record sections (classes, grades, attendance) of one worker process, by student and
/// record version.
///
/// Every write that changes what the sections show increases the student's `record_version` in the same
/// transaction (grades saved or published, attendance, roster imports), and the version is read with the
/// session or the relationship check that every request makes anyway. A changed version is simply a miss, so
/// a page is never served stale; what it saves is the four queries and the rendering of an unchanged record.
/// Bounded: the oldest entries go first.
final class RecordPageCache: @unchecked Sendable {
    private let capacity: Int
    private let lock = NSLock()
    private var entries: [UserID: (version: Int64, sections: HTML)] = [:]
    private var order: [UserID] = []

    /// A cache of at most `capacity` students (a rendered record is about 9 KB).
    init(capacity: Int = 256) { self.capacity = capacity }

    /// The sections of `student` at `version`, rendered by `render` on a miss (outside the lock).
    func sections(of student: UserID, version: Int64, render: () throws -> HTML) rethrows -> HTML {
        if let hit = lock.withLock({ entries[student] }), hit.version == version { return hit.sections }
        let sections = try render()
        lock.withLock {
            if entries.updateValue((version, sections), forKey: student) == nil {
                order.append(student)
                if order.count > capacity { entries[order.removeFirst()] = nil }
            }
        }
        return sections
    }
}
