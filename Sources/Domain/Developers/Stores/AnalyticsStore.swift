import Foundation

/// Daily usage of developers' applications, written by the main → developers sync and read by
/// the analytics page. Rows carry **absolute** values per (app, day) computed by the sync from main's
/// counters, never increments: applying the same batch twice, or a batch re-sent after a crash, leaves the
/// same numbers, so the sync stays idempotent without remembering what it already added. A day without a row
/// has no data yet; nothing is invented for it.
public protocol AnalyticsStore {
    /// The app's rows for the days `from` through `through` (inclusive), oldest first, if `owner` owns the
    /// app; `nil` otherwise. Days without a row are absent (the page says there is no data yet).
    func dailyStats(of app: ApplicationID, owner: DeveloperID, from: CalendarDate, through: CalendarDate) throws
        -> [DailyAppStats]?
    /// Sets each row's values for its (app, day), inserting or replacing, in one transaction: all rows or
    /// none. For the sync, so without an owner check. Throws ``StoreError`` `.constraint` (nothing written)
    /// when a row names an app that does not exist or holds a negative value.
    func upsertDailyStats(_ rows: [DailyAppStats], now: Date) throws
    /// The app's `limit` most recent back-channel logouts, newest first, if `owner` owns the app; `nil` otherwise.
    func backchannelDeliveries(of app: ApplicationID, owner: DeveloperID, limit: Int) throws -> [BackchannelLogoutEntry]?
    /// Sets each delivery's values (absolute, by main's id; apps that do not exist are skipped) and deletes the
    /// deliveries created before `keepSince`, in one transaction. For the sync, so without an owner check.
    func upsertBackchannelDeliveries(_ deliveries: [AppBackchannelDelivery], keepSince: Date, now: Date) throws
}

/// One app's usage on one UTC day.
public struct DailyAppStats: Sendable, Equatable {
    /// The app.
    public let application: ApplicationID
    /// The UTC day.
    public let day: CalendarDate
    /// API requests made with the app's tokens and keys.
    public let apiRequests: Int64
    /// Authorizations granted to the app (consents and code exchanges).
    public let authorizations: Int64
    /// Distinct users who used the app that day.
    public let activeUsers: Int64
    /// Users who used the app for the first time that day.
    public let newUsers: Int64
    /// Requests of the app that ended in an error response.
    public let errors: Int64

    /// Creates the value.
    public init(
        application: ApplicationID, day: CalendarDate, apiRequests: Int64, authorizations: Int64, activeUsers: Int64,
        newUsers: Int64, errors: Int64
    ) {
        self.application = application
        self.day = day
        self.apiRequests = apiRequests
        self.authorizations = authorizations
        self.activeUsers = activeUsers
        self.newUsers = newUsers
        self.errors = errors
    }
}
