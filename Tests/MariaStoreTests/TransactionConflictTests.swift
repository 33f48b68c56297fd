import Domain
import Foundation
import Testing

@testable import MariaStore

/// A real deadlock (error 1213, what Galera also reports for a certification failure at COMMIT): the victim's
/// whole transaction runs again after a backoff and both commit.
@Suite(.serialized) struct TransactionConflictTests {
    let main: TestDatabase

    init() throws {
        main = try TestDatabase(schema: "main")
        try main.database.execute(
            "INSERT INTO sync_state (name, value, updated_at) VALUES ('a', '0', UTC_TIMESTAMP(6)), ('b', '0', UTC_TIMESTAMP(6))")
    }

    @Test func theVictimOfADeadlockIsRetriedAndBothTransactionsCommit() throws {
        let name = main.name
        let locked = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let tries = ConcurrentOutcomes<Int>()
        let retriesBefore = MariaDatabase.conflictRetryCount
        // Thread 0 locks a then b, thread 1 b then a; each waits for the other's first lock on its first try only.
        _ = try runConcurrently(
            2, makeStore: { _ in try connected(name) },
            body: { database, index in
                let (first, second) = index == 0 ? ("a", "b") : ("b", "a")
                var attempt = 0
                try database.transaction { tx in
                    attempt += 1
                    try tx.execute("UPDATE sync_state SET value = value + 1 WHERE name = \(first)")
                    if attempt == 1 {
                        locked[index].signal()
                        locked[1 - index].wait()
                    }
                    try tx.execute("UPDATE sync_state SET value = value + 1 WHERE name = \(second)")
                }
                tries.lock.withLock { tries.results[index] = .success(attempt) }
            })
        let attempts = try (0..<2).map { try tries.results[$0]!.get() }
        #expect(attempts.sorted() == [1, 2])
        #expect(MariaDatabase.conflictRetryCount - retriesBefore >= 1)
        let values = try main.database.query("SELECT value FROM sync_state ORDER BY name").map { $0.string("value") }
        #expect(values == ["2", "2"])
    }
}
