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

    private let state = Mutex(MetricsSnapshot())
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
        state.withLock { change(&$0) }
    }

    /// The counters, histograms and current gauges of this process.
    func snapshot(site: String) -> MetricsSnapshot {
        var snapshot = state.withLock { $0 }
        snapshot.set(PoolMetrics.inFlight, ["site": site], to: Double(inFlight.load(ordering: .relaxed)))
        for read in setup.withLock({ $0.gauges }) { read(&snapshot) }
        return snapshot
    }
}
