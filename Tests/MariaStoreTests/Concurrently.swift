import Foundation

@testable import MariaStore

/// Results of concurrent calls, filled in by their threads under the lock.
final class ConcurrentOutcomes<Output>: @unchecked Sendable {
    let lock = NSLock()
    var results: [Int: Result<Output, any Error>] = [:]
}

/// Runs `body` on `count` threads released at once. Each thread registers with libmariadb and opens its own
/// store with `makeStore` before the start line, as a worker thread owns its connection. Returns the results in
/// thread order; an error thrown by any thread is rethrown, failing the test.
func runConcurrently<Store, Output>(
    _ count: Int, makeStore: @escaping @Sendable (Int) throws -> Store, body: @escaping @Sendable (Store, Int) throws -> Output
) throws -> [Output] {
    let outcomes = ConcurrentOutcomes<Output>()
    let ready = DispatchSemaphore(value: 0)
    let start = DispatchSemaphore(value: 0)
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            MariaClient.withThread {
                let result: Result<Output, any Error>
                do {
                    let store = try makeStore(index)
                    ready.signal()
                    start.wait()
                    result = Result { try body(store, index) }
                } catch {
                    ready.signal()
                    result = .failure(error)
                }
                outcomes.lock.withLock { outcomes.results[index] = result }
            }
            group.leave()
        }.start()
    }
    for _ in 0..<count { ready.wait() }
    for _ in 0..<count { start.signal() }
    group.wait()
    return try (0..<count).map { try outcomes.results[$0]!.get() }
}

/// A handle on a suite's database, connected at once (so connecting is not part of a race).
func connected(_ name: String) throws -> MariaDatabase {
    let database = MariaDatabase(options: try TestServer.adminOptions(database: name))
    _ = try database.query("SELECT 1 AS one")
    return database
}
