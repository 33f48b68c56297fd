import Domain
import Foundation
import Synchronization

/// This process's metrics: what its request threads count, and its gauges read when a snapshot is taken.
///
/// One per process, reached as ``shared``, because the figures are the process's (the sign-in funnel and the token
/// endpoint count into it from wherever they run), the way swift-log's bootstrap is one per process. Workers write a
/// snapshot into the pool's metrics folder every second and when they exit; the supervisor adds the last snapshot of
/// each exited worker to its running total (``PoolMetricsRecorder``), and `/internal/metrics` sums the folder
/// (``MetricsFolder``), so the pool's counters are the sum over every worker it ever had and never go backwards
/// when a worker recycles or dies.
final class WorkerMetrics: Sendable {
    /// The process's recorder.
    static let shared = WorkerMetrics()

    private let state = Mutex(State())
    private let setup = Mutex<(folder: String?, gauges: [@Sendable (inout MetricsSnapshot) -> Void])>((nil, []))
    /// Requests being answered by this process.
    let inFlight = Atomic<Int>(0)

    /// The pool's metrics folder, once the worker knows it (`nil` outside a pool: tests, commands).
    var folder: String? { setup.withLock { $0.folder } }

    /// Sets the folder the worker reports into.
    func configure(folder: String) {
        setup.withLock { $0.folder = folder }
    }

    /// Adds a gauge read at snapshot time.
    func addGauge(_ read: @escaping @Sendable (inout MetricsSnapshot) -> Void) {
        setup.withLock { $0.gauges.append(read) }
    }

    /// Changes the counters and histograms.
    func record(_ change: (inout MetricsSnapshot) -> Void) {
        state.withLock { change(&$0.snapshot) }
    }

    /// Counts one answered request and observes its duration: the request counter, the duration histogram and,
    /// after a database error, its counter. The series keys of each (site, route, method, status) are spelled once
    /// per process and kept (``State/requestKeys``; routes are patterns and methods and statuses a short list, so
    /// it stays a few hundred entries), instead of sorting and escaping labels on every request.
    func recordRequest(_ series: RequestSeries, seconds: Double, databaseError: String?) {
        state.withLock { state in
            let keys = state.requestKeys[series] ?? state.newKeys(series)
            state.snapshot.increment(series: keys.requests)
            state.snapshot.observe(PoolMetrics.duration, series: keys.duration, value: seconds)
            if let databaseError { state.snapshot.increment(PoolMetrics.databaseErrors, ["site": series.site, "kind": databaseError]) }
        }
    }

    /// The counters, histograms and current gauges of this process.
    func snapshot(site: String) -> MetricsSnapshot {
        var snapshot = state.withLock { $0.snapshot }
        snapshot.set(PoolMetrics.inFlight, ["site": site], to: Double(inFlight.load(ordering: .relaxed)))
        for read in setup.withLock({ $0.gauges }) { read(&snapshot) }
        return snapshot
    }
}

/// The labels of one answered request, as its metrics series name them.
struct RequestSeries: Hashable, Sendable {
    var site: String
    /// The route's pattern (never the path), or `unmatched`.
    var route: String
    /// ``SiteResponder/methodLabel(_:)``.
    var method: String
    var status: Int
}

extension WorkerMetrics {
    /// The snapshot and the spelled series keys of the requests seen so far.
    struct State {
        var snapshot = MetricsSnapshot()
        var requestKeys: [RequestSeries: (requests: String, duration: String)] = [:]

        /// Spells and keeps the request counter's and duration histogram's keys for `series`.
        mutating func newKeys(_ series: RequestSeries) -> (requests: String, duration: String) {
            let keys = (
                requests: MetricSeries.key(
                    PoolMetrics.requests.name, ["site": series.site, "route": series.route, "method": series.method, "status": "\(series.status)"]),
                duration: MetricSeries.key(PoolMetrics.duration.name, ["site": series.site, "route": series.route])
            )
            requestKeys[series] = keys
            return keys
        }
    }
}
