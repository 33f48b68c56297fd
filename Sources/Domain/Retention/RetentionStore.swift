import Foundation

/// How long the main database keeps the personal data that nothing else purges (issue 23, item 6), and the purges
/// that enforce it. Each limit is counted from the row's own date; the README's retention table lists every table.
public enum RetentionRules {
    /// Handed-over webhook events of the education API (`api_event_outbox`) keep the student ids they concerned this
    /// long (a week to investigate a delivery), then go.
    public static let deliveredEventDays = 7
    /// The per-user rows of daily usage (`usage_daily_users`, which makes the "active users" figure) are folded into
    /// a kept count and deleted after this many days: far past any sync delay (sync runs every minute).
    public static let dailyUserDays = 35
}

/// The purges of ``RetentionRules`` (main database).
public protocol RetentionStore {
    /// Deletes handed-over API events that occurred before `before`, at most `limit`; how many.
    func purgeDeliveredEvents(before: Date, limit: Int) throws -> Int
    /// Keeps the active-user count of each app's day before `before` in `usage_daily`, then deletes that day's
    /// per-user rows; at most `limit` app-days per call; how many app-days were folded.
    func foldAndPurgeDailyUsers(before: CalendarDate, limit: Int) throws -> Int
    /// Deletes roster import summaries (who ran them, what they changed) older than `before`; how many.
    func purgeRosterImports(before: Date) throws -> Int
    /// Deletes LTI launches and Deep Linking requests (hint and data digests) that expired before `before`, used or not; how many.
    func purgeLTILaunches(before: Date) throws -> Int
}
