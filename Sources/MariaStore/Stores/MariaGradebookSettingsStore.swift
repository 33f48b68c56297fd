import Domain
import Foundation

/// ``GradebookSettingsStore`` over main's `school_gradebook_settings`. ``MariaOneRosterStore/putLineItem(_:client:schools:now:)``
/// reads the same row, in its transaction, when an app creates a line item.
public struct MariaGradebookSettingsStore: GradebookSettingsStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func appResultsPublication(school: SchoolID) throws -> AppResultsPublication {
        let row = try database.query("SELECT publish_app_results FROM school_gradebook_settings WHERE school_id = \(school.rawValue)").first
        return row?.flag("publish_app_results") == true ? .published : .draft
    }

    public func setAppResultsPublication(_ publication: AppResultsPublication, school: SchoolID, by admin: UserID, now: Date) throws {
        try database.execute(
            """
            INSERT INTO school_gradebook_settings (school_id, publish_app_results, updated_by, updated_at)
            VALUES (\(school.rawValue), \(publication == .published), \(admin.rawValue), \(now))
            ON DUPLICATE KEY UPDATE publish_app_results = VALUES(publish_app_results), updated_by = VALUES(updated_by),
                updated_at = VALUES(updated_at)
            """)
    }
}
