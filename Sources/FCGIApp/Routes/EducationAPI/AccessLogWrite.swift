import Domain
import Foundation

/// What every resource an app reads a person's data through does before its answer leaves (issue 23): the call's
/// data-access log entries written in one statement on the thread's connection (`/api/v1`, OneRoster, userinfo). A
/// resource whose entries could not be written answers 503 with nothing in it, so no data leaves unlogged.
enum AccessLogWrite {
    /// Appends `entries`; `false` (logged, and counted as `catalystwells_access_log_write_failures_total`) when they
    /// could not be written.
    static func append(_ entries: [DataAccessEntry], context: RequestContext) -> Bool {
        do {
            try context.services.api.accessLog.append(entries)
            return true
        } catch {
            WorkerMetrics.shared.record { $0.increment(PoolMetrics.accessLogWriteFailures, ["site": context.site.rawValue]) }
            context.logger.error(
                "data-access log entries not written; the call is answered 503",
                metadata: [
                    "error.detail": "\((error as? StoreError)?.detail ?? String(describing: error))",
                    "oauth.client_id": "\(entries.first?.clientID.rawValue ?? "")",
                ])
            return false
        }
    }

    /// `response` with the app's rate limit headers (the `/api/v1` and OneRoster calls share one bucket per app).
    static func withRateLimitHeaders(_ response: HTTPResponse, _ bucket: TokenBucket.Decision, _ limits: APIRateLimiter.Limits) -> HTTPResponse {
        var response = response
        response.headers.set("X-RateLimit-Limit", String(limits.perMinute))
        response.headers.set("X-RateLimit-Remaining", String(bucket.remaining))
        response.headers.set("X-RateLimit-Reset", String(bucket.resetSeconds))
        return response
    }
}
