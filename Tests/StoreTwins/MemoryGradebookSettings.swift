import Domain
import Foundation

/// The in-memory twin of ``GradebookSettingsStore`` (`MariaGradebookSettingsStore`).
final class MemoryGradebookSettings: GradebookSettingsStore, @unchecked Sendable {
    private let lock = NSLock()
    private var chosen: [SchoolID: AppResultsPublication] = [:]

    func appResultsPublication(school: SchoolID) throws -> AppResultsPublication { lock.withLock { chosen[school] ?? .draft } }

    func setAppResultsPublication(_ publication: AppResultsPublication, school: SchoolID, by admin: UserID, now: Date) throws {
        lock.withLock { chosen[school] = publication }
    }
}
