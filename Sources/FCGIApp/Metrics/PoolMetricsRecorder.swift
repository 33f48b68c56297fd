import Domain
import Foundation

/// The supervisor's side of the pool's metrics: it counts worker starts, deaths and recycles, and folds the last
/// snapshot of every worker that exits into its record, so `/internal/metrics` keeps counting what that worker did.
final class PoolMetricsRecorder: SupervisorObserver {
    private let folder: MetricsFolder
    private let site: String
    private var record = MetricsFolder.SupervisorRecord()
    private var alive = 0

    init(folder: MetricsFolder, site: String, started: Date) {
        self.folder = folder
        self.site = site
        record.retired.set(PoolMetrics.started, ["site": site], to: started.timeIntervalSince1970.rounded())
        publish()
    }

    func workerStarted(_ pid: Int32) {
        alive += 1
        record.retired.increment(PoolMetrics.workerStarts, ["site": site])
        publish()
    }

    func workerExited(_ pid: Int32, reason: WorkerExit) {
        alive = max(0, alive - 1)
        if let last = folder.take(worker: pid) { record.retired.add(last.withoutGauges) }
        record.folded.append(pid)
        if record.folded.count > 1000 { record.folded.removeFirst(record.folded.count - 1000) }
        switch reason {
        case .died: record.retired.increment(PoolMetrics.workerRestarts, ["site": site])
        case .recycled: record.retired.increment(PoolMetrics.workerRecycles, ["site": site])
        case .stopped: break
        }
        publish()
    }

    func poolStopped() {
        folder.remove()
    }

    private func publish() {
        record.retired.set(PoolMetrics.workers, ["site": site], to: Double(alive))
        folder.write(record)
    }
}
