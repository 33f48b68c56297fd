import Domain
import Foundation
import Logging
import Synchronization

/// A worker's data-access log entries on their way to the database, written in batches so a request does not
/// pay an `INSERT` and a commit of its own (the hot path must not pay one insert per request).
///
/// Shared by the worker's request threads. A batch is due when ``batchSize`` entries wait or the oldest has
/// waited ``flushInterval``: the request that makes it due writes it on its own connection, and the worker's
/// housekeeping thread writes what is due once a second and everything when the worker stops (see
/// ``FastCGIWorker``). A batch the database refuses is put back and retried; past ``maximumHeld`` entries the
/// oldest are dropped and the loss is logged, so an outage cannot exhaust the worker's memory.
final class DataAccessLogBuffer: Sendable {
    private struct State {
        var entries: [DataAccessEntry] = []
        var oldest: Date?
        var dropped = 0
    }

    private let state = Mutex(State())
    /// Entries that make a batch.
    let batchSize: Int
    /// Longest wait of an entry before its batch is due.
    let flushInterval: TimeInterval
    /// Entries kept at most while the database is failing.
    let maximumHeld: Int

    /// A buffer with the configured thresholds.
    convenience init(_ api: Configuration.API) {
        self.init(batchSize: api.accessLogBatchSize, flushInterval: api.accessLogFlushInterval)
    }

    init(batchSize: Int, flushInterval: TimeInterval) {
        self.batchSize = max(batchSize, 1)
        self.flushInterval = flushInterval
        self.maximumHeld = max(batchSize, 1) * 50
    }

    /// Adds an entry; returns the batch to write now, when one is due.
    func add(_ entry: DataAccessEntry, now: Date) -> [DataAccessEntry]? {
        state.withLock { state in
            state.entries.append(entry)
            if state.oldest == nil { state.oldest = now }
            return Self.takeIfDue(&state, now: now, batchSize: batchSize, flushInterval: flushInterval, force: false)
        }
    }

    /// The entries due at `now`, or all of them when `force`; `nil` when nothing is to be written.
    func takeDue(now: Date, force: Bool) -> [DataAccessEntry]? {
        state.withLock { Self.takeIfDue(&$0, now: now, batchSize: batchSize, flushInterval: flushInterval, force: force) }
    }

    /// Entries waiting (for tests and logs).
    var count: Int { state.withLock { $0.entries.count } }

    /// Writes a batch; on failure puts it back (dropping the oldest beyond ``maximumHeld``) and logs.
    func write(_ batch: [DataAccessEntry], to store: any DataAccessLogStore, logger: Logger) {
        do {
            try store.append(batch)
        } catch {
            let dropped = state.withLock { state -> Int in
                state.entries = batch + state.entries
                state.oldest = batch.first?.occurredAt ?? state.oldest
                let excess = max(0, state.entries.count - maximumHeld)
                if excess > 0 { state.entries.removeFirst(excess) }
                state.dropped += excess
                return excess
            }
            logger.warning(
                "data-access log batch not written; kept for the next try",
                metadata: [
                    "error.detail": "\((error as? StoreError)?.detail ?? String(describing: error))", "log.batch": "\(batch.count)",
                    "log.dropped": "\(dropped)",
                ])
        }
    }

    private static func takeIfDue(_ state: inout State, now: Date, batchSize: Int, flushInterval: TimeInterval, force: Bool) -> [DataAccessEntry]? {
        guard !state.entries.isEmpty else { return nil }
        let overdue = state.oldest.map { now.timeIntervalSince($0) >= flushInterval } ?? false
        guard force || overdue || state.entries.count >= batchSize else { return nil }
        let batch = state.entries
        state.entries.removeAll(keepingCapacity: true)
        state.oldest = nil
        return batch
    }
}
