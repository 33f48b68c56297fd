import Domain
import Foundation
import Testing

@testable import MariaStore

@Suite(.serialized) struct DriverTests {
    let fixture: TestDatabase

    init() throws {
        fixture = try TestDatabase()
        try fixture.database.execute(
            """
            CREATE TABLE samples (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                label VARCHAR(64) NOT NULL UNIQUE,
                amount DOUBLE NULL,
                note MEDIUMTEXT NULL,
                payload VARBINARY(2048) NULL,
                happened_at DATETIME(6) NULL,
                price DECIMAL(10,2) NULL,
                big BIGINT UNSIGNED NULL
            ) ENGINE = InnoDB
            """)
    }

    @Test func valuesOfEveryKindRoundTrip() throws {
        let when = Date(timeIntervalSince1970: 1_764_000_000.123456)
        let long = String(repeating: "é😀x", count: 4000)
        let bytes: [UInt8] = (0..<600).map { UInt8($0 % 256) }
        let inserted = try fixture.database.execute(
            """
            INSERT INTO samples (label, amount, note, payload, happened_at, price, big)
            VALUES (\("round-trip"), \(2.5), \(long), \(bytes), \(when), \("12.30"), \("18446744073709551615"))
            """)
        #expect(inserted.affectedRows == 1)
        #expect(inserted.insertID > 0)
        let row = try #require(try fixture.database.query("SELECT * FROM samples WHERE id = \(inserted.insertID)").first)
        #expect(row.string("label") == "round-trip")
        #expect(row["amount"] == .double(2.5))
        #expect(row.string("note") == long)
        #expect(row.bytes("payload") == bytes)
        #expect(row.date("happened_at").map { ($0.timeIntervalSince1970 * 1_000_000).rounded() } == 1_764_000_000_123_456)
        #expect(row.string("price") == "12.30")
        #expect(row.string("big") == "18446744073709551615")
    }

    @Test func nullsComeBackAsNull() throws {
        let none: String? = nil
        try fixture.database.execute("INSERT INTO samples (label, note) VALUES (\("nulls"), \(none))")
        let row = try #require(try fixture.database.query("SELECT note, amount FROM samples WHERE label = \("nulls")").first)
        #expect(row["note"] == .null)
        #expect(row.string("note") == nil)
        #expect(row.int("amount") == nil)
    }

    @Test func interpolatedValuesNeverBecomeSQL() throws {
        let hostile = "x'); DROP TABLE samples; --"
        try fixture.database.execute("INSERT INTO samples (label) VALUES (\(hostile))")
        #expect(try fixture.database.query("SELECT label FROM samples WHERE label = \(hostile)").first?.string("label") == hostile)
        #expect(try fixture.database.query("SELECT COUNT(*) AS n FROM samples").first?.int("n") ?? 0 >= 1)
    }

    @Test func aDuplicateKeyIsReportedAsDuplicate() throws {
        try fixture.database.execute("INSERT INTO samples (label) VALUES (\("twice"))")
        #expect {
            try fixture.database.execute("INSERT INTO samples (label) VALUES (\("twice"))")
        } throws: { error in
            (error as? StoreError)?.kind == .duplicate && (error as? StoreError)?.code == 1062
        }
    }

    @Test func aValueTooLongIsAConstraintErrorNotATruncation() throws {
        #expect {
            try fixture.database.execute("INSERT INTO samples (label) VALUES (\(String(repeating: "a", count: 65)))")
        } throws: { error in
            (error as? StoreError)?.kind == .constraint
        }
    }

    @Test func aTransactionThatThrowsLeavesNothingBehind() throws {
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try fixture.database.transaction { tx in
                try tx.execute("INSERT INTO samples (label) VALUES (\("rolled-back"))")
                throw Abort()
            }
        }
        #expect(try fixture.database.query("SELECT id FROM samples WHERE label = \("rolled-back")").isEmpty)
        try fixture.database.transaction { tx in
            try tx.execute("INSERT INTO samples (label) VALUES (\("committed"))")
        }
        #expect(try fixture.database.query("SELECT id FROM samples WHERE label = \("committed")").count == 1)
    }

    @Test func anIdleConnectionTheServerClosedIsReplacedBeforeAWriteIsSentOnIt() throws {
        let victim = try fixture.secondHandle()
        let first = try #require(try victim.query("SELECT CONNECTION_ID() AS id").first?.int("id"))
        try fixture.database.execute("KILL CONNECTION \(first)")
        // The server has hung up (as after a restart): wait until it has, as a pool's next request would.
        try waitUntilGone(first)
        // A write works at once, on a new connection: the dead one was noticed before anything was sent.
        try victim.execute("INSERT INTO samples (label) VALUES (\("after-idle-kill"))")
        #expect(try fixture.database.query("SELECT id FROM samples WHERE label = \("after-idle-kill")").count == 1)
        let second = try #require(try victim.query("SELECT CONNECTION_ID() AS id").first?.int("id"))
        #expect(second != first)
    }

    @Test func aConnectionLostDuringAWriteIsReportedAndTheWriteNotRepeated() throws {
        let options = try TestServer.adminOptions(database: fixture.name)
        let outcome = ConcurrentOutcomes<Int>()
        let started = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            MariaClient.withThread {
                let victim = MariaDatabase(options: options)
                let id = (try? victim.query("SELECT CONNECTION_ID() AS id").first?.int("id")) ?? nil
                outcome.lock.withLock { outcome.results[0] = .success(id ?? 0) }
                started.signal()
                // Still running on the server when its connection is killed: whether it took effect is unknown.
                let result = Result {
                    _ = try victim.execute("INSERT INTO samples (label) SELECT IF(SLEEP(2) = 0, 'during-kill', 'x')")
                    return 0
                }
                outcome.lock.withLock { outcome.results[1] = result }
                done.signal()
            }
        }.start()
        started.wait()
        let id = try #require(try outcome.lock.withLock { outcome.results[0] }?.get())
        usleep(500_000)
        try fixture.database.execute("KILL CONNECTION \(id)")
        done.wait()
        #expect {
            try outcome.lock.withLock { outcome.results[1] }?.get()
        } throws: { error in
            (error as? StoreError)?.kind == .unavailable
        }
        usleep(2_500_000)
        // Not run a second time on a new connection behind the caller's back.
        #expect(try fixture.database.query("SELECT id FROM samples WHERE label = \("during-kill")").isEmpty)
    }

    /// Waits until the server no longer lists connection `id`.
    private func waitUntilGone(_ id: Int) throws {
        for _ in 0..<50 {
            let rows = try fixture.database.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID = \(id)")
            if rows.isEmpty { return }
            usleep(50_000)
        }
        Issue.record("connection \(id) still listed after 2.5 s")
    }

    @Test func anUnreachableServerIsUnavailable() throws {
        var options = try TestServer.adminOptions(database: fixture.name)
        options.socket = "/nonexistent/mysqld.sock"
        #expect {
            try MariaDatabase(options: options).query("SELECT 1 AS one")
        } throws: { error in
            (error as? StoreError)?.kind == .unavailable
        }
    }
}
