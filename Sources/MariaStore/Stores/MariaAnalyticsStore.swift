import Domain
import Foundation

/// ``AnalyticsStore`` over the developers database.
public struct MariaAnalyticsStore: AnalyticsStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func dailyStats(of app: ApplicationID, owner: DeveloperID, from: CalendarDate, through: CalendarDate) throws
        -> [DailyAppStats]?
    {
        try database.query(
            """
            SELECT a.id AS app_id, s.application_id, s.day, s.api_requests, s.authorizations, s.active_users, s.new_users,
                   s.errors
            FROM applications a
            LEFT JOIN application_daily_stats s
                ON s.application_id = a.id AND s.day BETWEEN \(from.description) AND \(through.description)
            WHERE a.id = \(app.rawValue) AND \(fragment: member(owner, may: .viewApp))
            ORDER BY s.day
            """
        ).ownedList(keyedBy: "application_id") { row in
            guard let day = row.calendarDate("day") else { return nil }
            return DailyAppStats(
                application: app, day: day, apiRequests: row.count("api_requests"), authorizations: row.count("authorizations"),
                activeUsers: row.count("active_users"), newUsers: row.count("new_users"), errors: row.count("errors"))
        }
    }

    public func upsertDailyStats(_ rows: [DailyAppStats], now: Date) throws {
        guard !rows.isEmpty else { return }
        try database.transaction { tx in
            for stats in rows {
                // Absolute values replace what is there: applying the same batch again writes the same numbers,
                // and leaves the row untouched (updated_at too), so an idle sync changes nothing at all.
                // `updated_at` comes first: MariaDB assigns left to right, so it still compares the old values.
                try tx.execute(
                    """
                    INSERT INTO application_daily_stats (application_id, day, api_requests, authorizations, active_users,
                                                         new_users, errors, updated_at)
                    VALUES (\(stats.application.rawValue), \(stats.day.description), \(stats.apiRequests),
                            \(stats.authorizations), \(stats.activeUsers), \(stats.newUsers), \(stats.errors), \(now))
                    ON DUPLICATE KEY UPDATE
                        updated_at = IF(api_requests = VALUES(api_requests) AND authorizations = VALUES(authorizations)
                                        AND active_users = VALUES(active_users) AND new_users = VALUES(new_users)
                                        AND errors = VALUES(errors), updated_at, VALUES(updated_at)),
                        api_requests = VALUES(api_requests), authorizations = VALUES(authorizations),
                        active_users = VALUES(active_users), new_users = VALUES(new_users), errors = VALUES(errors)
                    """)
            }
        }
    }
}

extension MariaAnalyticsStore {
    public func backchannelDeliveries(of app: ApplicationID, owner: DeveloperID, limit: Int) throws -> [BackchannelLogoutEntry]? {
        try database.query(
            """
            SELECT a.id AS app_id, b.application_id, b.source_id, b.created_at, b.attempts, b.delivered_at, b.next_attempt_at,
                   b.last_status, b.last_error
            FROM applications a
            LEFT JOIN (SELECT * FROM application_backchannel_logouts WHERE application_id = \(app.rawValue)
                       ORDER BY created_at DESC, source_id DESC LIMIT \(limit)) b ON b.application_id = a.id
            WHERE a.id = \(app.rawValue) AND \(fragment: member(owner, may: .viewApp))
            ORDER BY b.created_at DESC, b.source_id DESC
            """
        ).ownedList(keyedBy: "application_id") { row in
            guard let id = row.int("source_id").map(Int64.init), let created = row.date("created_at") else { return nil }
            return BackchannelLogoutEntry(
                id: id, createdAt: created, attempts: row.int("attempts") ?? 0, deliveredAt: row.date("delivered_at"),
                nextAttemptAt: row.date("next_attempt_at"), lastStatus: row.int("last_status"), lastError: row.string("last_error"))
        }
    }

    public func upsertBackchannelDeliveries(_ deliveries: [AppBackchannelDelivery], keepSince: Date, now: Date) throws {
        try database.transaction { tx in
            for delivery in deliveries {
                let entry = delivery.entry
                // Through `applications`, so a delivery of an app deleted meanwhile is skipped, not an error.
                try tx.execute(
                    """
                    INSERT INTO application_backchannel_logouts (source_id, application_id, created_at, attempts, delivered_at,
                                                                 next_attempt_at, last_status, last_error, updated_at)
                    SELECT \(entry.id), a.id, \(entry.createdAt), \(entry.attempts), \(entry.deliveredAt), \(entry.nextAttemptAt),
                           \(entry.lastStatus), \(entry.lastError), \(now)
                    FROM applications a WHERE a.id = \(delivery.application.rawValue)
                    ON DUPLICATE KEY UPDATE attempts = VALUES(attempts), delivered_at = VALUES(delivered_at),
                        next_attempt_at = VALUES(next_attempt_at), last_status = VALUES(last_status), last_error = VALUES(last_error),
                        updated_at = VALUES(updated_at)
                    """)
            }
            try tx.execute("DELETE FROM application_backchannel_logouts WHERE created_at < \(keepSince) LIMIT 10000")
        }
    }
}

extension Row {
    /// An unsigned counter column; NULL reads as 0.
    fileprivate func count(_ name: String) -> Int64 { Int64(int(name) ?? 0) }
}
