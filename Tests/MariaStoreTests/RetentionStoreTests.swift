import Domain
import Foundation
import Testing

@testable import MariaStore

/// `MariaRetentionStore`: handed-over API events lose their student ids after the retention, old daily user rows
/// become a kept count (the active-user figure sync pushes stays the same), and old roster import summaries go.
@Suite(.serialized) struct RetentionStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func oldHandedOverEventsGoPendingAndRecentOnesStay() throws {
        let db = try TestDatabase()
        let old = now.addingTimeInterval(-10 * 86400)
        for (at, delivered) in [(old, true), (old, false), (now, true)] {
            try db.database.execute(
                """
                INSERT INTO api_event_outbox (event_type, occurred_at, client_id, school_id, class_id, student_ids, delivered_at)
                VALUES ('grade.published', \(at), 'app', 1, 1, '7,8', \(delivered ? at : nil))
                """)
        }
        let store = MariaRetentionStore(database: db.database)
        #expect(try store.purgeDeliveredEvents(before: now.addingTimeInterval(-7 * 86400), limit: 10) == 1)
        let left = try db.database.query("SELECT occurred_at, delivered_at IS NULL AS pending FROM api_event_outbox ORDER BY id")
        #expect(left.count == 2 && left[0].int("pending") == 1 && left[1].date("occurred_at") == now)
    }

    @Test func oldDailyUserRowsBecomeAKeptCountAndTheActiveUserFigureIsUnchanged() throws {
        let db = try TestDatabase()
        for (day, users) in [("2026-10-01", [1, 2, 3]), ("2026-12-01", [1])] {
            try db.database.execute(
                "INSERT INTO usage_daily (client_id, day, api_requests, dirty) VALUES ('app', \(day), 5, TRUE)")
            for user in users {
                try db.database.execute("INSERT INTO usage_daily_users (client_id, day, user_id) VALUES ('app', \(day), \(user))")
            }
        }
        let sync = MariaSyncTargetStore(database: db.database)
        let before = try sync.changedUsage(limit: 10).map { "\($0.day) \($0.activeUsers)" }
        let store = MariaRetentionStore(database: db.database)
        #expect(try store.foldAndPurgeDailyUsers(before: CalendarDate("2026-11-01")!, limit: 10) == 1)
        #expect(try store.foldAndPurgeDailyUsers(before: CalendarDate("2026-11-01")!, limit: 10) == 0, "folded once")
        #expect(try sync.changedUsage(limit: 10).map { "\($0.day) \($0.activeUsers)" } == before)
        #expect(before == ["2026-10-01 3", "2026-12-01 1"])
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM usage_daily_users").first?.int("n") == 1)
    }

    @Test func rosterImportSummariesOlderThanTheRetentionGo() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        for at in [now.addingTimeInterval(-400 * 86400), now] {
            try db.database.execute(
                "INSERT INTO roster_imports (school_id, started_by, source, summary, created_at) VALUES (1, 'admin@x', 'file', '{}', \(at))")
        }
        #expect(try MariaRetentionStore(database: db.database).purgeRosterImports(before: now.addingTimeInterval(-365 * 86400)) == 1)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM roster_imports").first?.int("n") == 1)
    }
}
