import Domain
import Foundation
import MariaStore
import Synchronization

/// A worker's reporting into the pool's metrics folder: its snapshot every second, and a last one once it has
/// drained, so the supervisor folds everything the worker counted into the pool's totals.
final class WorkerMetricsReporter: Sendable {
    private let folder: MetricsFolder
    private let site: String
    /// Whether the periodic writes go on; cleared (under the lock) by ``finish()``, so a late periodic write can
    /// never replace the last snapshot with an older one.
    private let reporting = Mutex(true)

    init(folder: MetricsFolder, site: String) {
        self.folder = folder
        self.site = site
        WorkerMetrics.shared.configure(folder: folder.path)
        // A counter MariaStore keeps for the process: added whole to each snapshot (a copy of the recorded figures).
        WorkerMetrics.shared.addGauge { snapshot in
            snapshot.increment(PoolMetrics.databaseReconnects, ["site": site], by: Double(MariaDatabase.reconnectCount))
        }
    }

    /// Starts the thread that writes the snapshot every second.
    func start() {
        let thread = Thread { [self] in
            while true {
                usleep(1_000_000)
                let goOn = reporting.withLock { going in
                    if going { write() }
                    return going
                }
                if !goOn { return }
            }
        }
        thread.name = "metrics"
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Writes the last snapshot and stops the periodic writes.
    func finish() {
        reporting.withLock { going in
            going = false
            write()
        }
    }

    private func write() {
        folder.write(worker: getpid(), WorkerMetrics.shared.snapshot(site: site))
    }
}
