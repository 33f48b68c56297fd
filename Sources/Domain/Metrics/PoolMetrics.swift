/// The metric families a pool exposes at `/internal/metrics` (README "Monitoring"), in the order they are printed.
public enum PoolMetrics {
    /// Requests answered, by site, route pattern (`unmatched` for a 404 without a route), method and status.
    public static let requests = MetricFamily(
        "catalystwells_http_requests_total", .counter, "Requests answered by the pool, by route pattern, method and status.")
    /// Time from the request read to the response built, by site and route.
    public static let duration = MetricFamily(
        "catalystwells_http_request_duration_seconds", .histogram, "Time to answer a request in the worker, by route pattern.",
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    /// Requests being answered right now.
    public static let inFlight = MetricFamily(
        "catalystwells_http_requests_in_flight", .gauge, "Requests the pool's workers are answering now.")
    /// Worker processes alive.
    public static let workers = MetricFamily("catalystwells_workers", .gauge, "Worker processes of the pool that are alive.")
    /// Workers started (at start, after a death, a recycle or a reload).
    public static let workerStarts = MetricFamily("catalystwells_worker_starts_total", .counter, "Worker processes the supervisor started.")
    /// Workers that died without being asked to stop (crash, kill), and were replaced.
    public static let workerRestarts = MetricFamily(
        "catalystwells_worker_restarts_total", .counter, "Workers that died without being asked to stop and were replaced.")
    /// Workers that recycled after max_requests.
    public static let workerRecycles = MetricFamily(
        "catalystwells_worker_recycles_total", .counter, "Workers replaced after serving pool.*.max_requests requests.")
    /// Requests that failed on the database, by kind (`unavailable`: unreachable or lost; `other`).
    public static let databaseErrors = MetricFamily(
        "catalystwells_database_errors_total", .counter, "Requests that failed on a database error, by kind (unavailable, other).")
    /// Sign-ins on the app site, by the methods that proved the person and the result.
    public static let signIns = MetricFamily(
        "catalystwells_sign_ins_total", .counter, "Sign-ins on the app site by method (pwd, otp, fed, hwk, …) and result (success, failure).")
    /// Access and refresh tokens issued by the token endpoint, by grant type.
    public static let tokensIssued = MetricFamily(
        "catalystwells_oauth_tokens_issued_total", .counter, "Token responses of /api/oauth/token, by grant type.")
    /// Connections rebuilt after the server went away or a connection was lost (each worker's count, summed).
    public static let databaseReconnects = MetricFamily(
        "catalystwells_database_reconnects_total", .counter, "Database connections opened again after one was lost.")
    /// How long a sync run took (`POST /internal/cron/sync` and the panel's button, in the app pool).
    public static let syncDuration = MetricFamily(
        "catalystwells_sync_duration_seconds", .histogram, "Time a sync run took, by result (ok, busy, error).",
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
    /// How long the oldest app change has been waiting for sync, read from the database at scrape time.
    public static let syncLag = MetricFamily(
        "catalystwells_sync_lag_seconds", .gauge, "Age of the oldest application change waiting for sync (0 when none).")
    /// Webhook deliveries waiting, read from the database at scrape time (developers site).
    public static let webhookQueueDepth = MetricFamily(
        "catalystwells_webhook_queue_depth", .gauge, "Webhook deliveries pending (to be attempted or retried).")
    /// Webhook attempts that failed, and endpoints disabled, in runs of `POST /internal/cron/webhooks`.
    public static let webhookFailures = MetricFamily(
        "catalystwells_webhook_failures_total", .counter,
        "Webhook delivery attempts that failed (kind attempt) or disabled an endpoint (kind disabled).")
    /// Education API calls whose data-access log entries could not be written (each answered 503).
    public static let accessLogWriteFailures = MetricFamily(
        "catalystwells_access_log_write_failures_total", .counter,
        "Education API calls answered 503 because their data-access log entries could not be written.")
    /// When the pool's supervisor started.
    public static let started = MetricFamily(
        "catalystwells_pool_start_time_seconds", .gauge, "When the pool's supervisor started (Unix time).")

    /// Every family, in print order.
    public static let all: [MetricFamily] = [
        requests, duration, inFlight, workers, workerStarts, workerRestarts, workerRecycles, databaseErrors, signIns, tokensIssued,
        accessLogWriteFailures, databaseReconnects, syncDuration, syncLag, webhookQueueDepth, webhookFailures, started,
    ]
}
