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

    @Test func aKilledConnectionIsRebuiltForReadsAndReportedForWrites() throws {
        let victim = try fixture.secondHandle()
        let first = try #require(try victim.query("SELECT CONNECTION_ID() AS id").first?.int("id"))
        try fixture.database.execute("KILL CONNECTION \(first)")
        // A read is retried once on a fresh connection.
        let second = try #require(try victim.query("SELECT CONNECTION_ID() AS id").first?.int("id"))
        #expect(second != first)

        try fixture.database.execute("KILL CONNECTION \(second)")
        // A write is not retried (the server may have applied it): the caller answers 503 ...
        #expect {
            try victim.execute("INSERT INTO samples (label) VALUES (\("after-kill"))")
        } throws: { error in
            (error as? StoreError)?.kind == .unavailable
        }
        // ... and the next call works on a new connection.
        try victim.execute("INSERT INTO samples (label) VALUES (\("after-kill"))")
        #expect(try fixture.database.query("SELECT id FROM samples WHERE label = \("after-kill")").count == 1)
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
