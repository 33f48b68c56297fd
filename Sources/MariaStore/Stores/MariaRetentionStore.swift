import Domain
import Foundation

/// ``RetentionStore`` over main's `api_event_outbox`, `usage_daily(_users)` and `roster_imports`. Deletes run in
/// bounded batches (each statement holds its locks briefly while the API keeps writing).
public struct MariaRetentionStore: RetentionStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func purgeDeliveredEvents(before: Date, limit: Int) throws -> Int {
        Int(
            try database.execute(
                "DELETE FROM api_event_outbox WHERE delivered_at IS NOT NULL AND occurred_at < \(before) ORDER BY id LIMIT \(limit)"
            ).affectedRows)
    }

    public func foldAndPurgeDailyUsers(before: CalendarDate, limit: Int) throws -> Int {
        try database.transaction { tx in
            // One batch of whole days (a day's rows go together, so its count is kept exactly once).
            let days = try tx.query(
                """
                SELECT client_id, CAST(day AS CHAR) AS day, COUNT(*) AS users FROM usage_daily_users WHERE day < \(before.description)
                GROUP BY client_id, day ORDER BY day, client_id LIMIT \(limit)
                """)
            for row in days {
                guard let client = row.string("client_id"), let day = row.string("day"), let users = row.int("users") else { continue }
                try tx.execute(
                    """
                    INSERT INTO usage_daily (client_id, day, active_users_kept, dirty) VALUES (\(client), \(day), \(users), FALSE)
                    ON DUPLICATE KEY UPDATE active_users_kept = active_users_kept + VALUES(active_users_kept)
                    """)
                try tx.execute("DELETE FROM usage_daily_users WHERE client_id = \(client) AND day = \(day)")
            }
            return days.count
        }
    }

    public func purgeLTILaunches(before: Date) throws -> Int {
        let launches = try database.execute("DELETE FROM lti_launches WHERE expires_at < \(before)").affectedRows
        let deepLinking = try database.execute("DELETE FROM lti_deep_linking_requests WHERE expires_at < \(before)").affectedRows
        return Int(launches + deepLinking)
    }

    public func purgeRosterImports(before: Date) throws -> Int {
        Int(try database.execute("DELETE FROM roster_imports WHERE created_at < \(before)").affectedRows)
    }
}
