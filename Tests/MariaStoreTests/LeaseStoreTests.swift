import Domain
import Foundation
import StoreTwins
import Testing

@testable import MariaStore

/// Leases with fencing tokens (issue 18) on the real MariaDB and on the twin: one holder at a time, fences that
/// only grow, and a stale holder's writes refused.
@Suite(.serialized) struct LeaseStoreTests {
    let main: TestDatabase
    let leases: MariaLeaseStore

    init() throws {
        main = try TestDatabase(schema: "main")
        leases = MariaLeaseStore(database: main.database)
    }

    /// Makes the lease look expired, as the database's clock passing its expiry would.
    func expire(_ name: LeaseName) throws {
        try main.database.execute("UPDATE leases SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE name = \(name.rawValue)")
    }

    /// The cases both stores must agree on; `expire` moves the lease past its expiry.
    static func conformance(_ store: some LeaseStore, expire: (LeaseName) throws -> Void) throws {
        let name = LeaseName("conformance")
        let first = try #require(try store.acquire(name, holder: "a", duration: .seconds(60)))
        #expect(first.fence == 1 && first.holder == "a")
        // Held: nobody else gets it, not even the same holder id again.
        #expect(try store.acquire(name, holder: "b", duration: .seconds(60)) == nil)
        try store.renew(first)
        #expect(try store.release(first))
        #expect(try store.release(first) == false)
        // Released: the next holder's fence is greater.
        let second = try #require(try store.acquire(name, holder: "b", duration: .seconds(60)))
        #expect(second.fence == 2)
        // Expired: taken over; the old grant can neither renew nor release it.
        try expire(name)
        let third = try #require(try store.acquire(name, holder: "c", duration: .seconds(60)))
        #expect(third.fence == 3)
        #expect(throws: StoreError.self) { try store.renew(second) }
        #expect(try store.release(second) == false)
        // Another name is independent.
        #expect(try store.acquire(LeaseName("other"), holder: "d", duration: .seconds(60))?.fence == 1)
        // withLease runs the body once and releases.
        #expect(try store.withLease(name, holder: "e", duration: .seconds(60)) { _ in "ran" } == nil)
        #expect(try store.release(third))
        #expect(try store.withLease(name, holder: "e", duration: .seconds(60)) { $0.fence } == 4)
        #expect(try store.acquire(name, holder: "f", duration: .seconds(60))?.fence == 5)
    }

    @Test func theMariaDBStoreKeepsTheContract() throws {
        try Self.conformance(leases, expire: expire)
    }

    /// Eight connections race for one lease: exactly one gets it.
    @Test func ofHoldersRacingOnSeparateConnectionsExactlyOneWins() throws {
        let name = main.name
        let grants = try runConcurrently(
            8, makeStore: { _ in MariaLeaseStore(database: try connected(name)) },
            body: { store, index in try store.acquire(.sync, holder: "racer-\(index)", duration: .seconds(60)) })
        #expect(grants.compactMap { $0 }.map(\.fence) == [1])
    }

    /// A holder paused past its expiry while another took over: its next write transaction is refused and rolled
    /// back, and the new holder's commits.
    @Test func aStaleFenceIsRefusedAndItsTransactionRolledBack() throws {
        let stale = try #require(try leases.acquire(.sync, holder: "paused", duration: .seconds(60)))
        try expire(.sync)
        let other = try main.secondHandle()
        let current = try #require(try MariaLeaseStore(database: other).acquire(.sync, holder: "current", duration: .seconds(60)))
        #expect(current.fence == stale.fence + 1)

        main.database.fence = stale
        defer { main.database.fence = nil }
        let refused = #expect(throws: StoreError.self) {
            try main.database.transaction { tx in
                try tx.execute("INSERT INTO sync_state (name, value, updated_at) VALUES ('stale', 'x', UTC_TIMESTAMP(6))")
            }
        }
        #expect(refused?.kind == .leaseLost)
        #expect(try main.database.query("SELECT COUNT(*) AS n FROM sync_state WHERE name = 'stale'").first?.int("n") == 0)

        other.fence = current
        _ = try other.transaction { tx in
            try tx.execute("INSERT INTO sync_state (name, value, updated_at) VALUES ('current', 'x', UTC_TIMESTAMP(6))")
        }
        #expect(try main.database.query("SELECT COUNT(*) AS n FROM sync_state WHERE name = 'current'").first?.int("n") == 1)
        // Each fenced transaction renewed the lease.
        #expect(try main.database.query("SELECT renewals FROM leases WHERE name = 'sync'").first?.int("renewals") == 1)
    }

    /// Sync's single flight: a run whose lease was taken over stops at its next write with `.leaseLost`.
    @Test func aSyncRunThatLostItsLeaseCannotCommit() throws {
        let target = MariaSyncTargetStore(database: main.database)
        let other = try main.secondHandle()
        let ran = try target.withSyncLock { () throws -> Bool in
            // While this run holds the lease, another cannot start.
            #expect(try MariaSyncTargetStore(database: other).withSyncLock { "ran" } == nil)
            try target.setSyncState("before", value: "1", now: Date())
            try expire(.sync)
            _ = try #require(try MariaLeaseStore(database: other).acquire(.sync, holder: "newer", duration: .seconds(60)))
            let lost = #expect(throws: StoreError.self) { try target.setSyncState("after", value: "1", now: Date()) }
            #expect(lost?.kind == .leaseLost)
            return true
        }
        #expect(ran == true)
        #expect(try target.syncState("before") == "1")
        #expect(try target.syncState("after") == nil)
        // The fence is cleared with the run: the handle's other transactions are not fenced.
        #expect(main.database.fence == nil)
        try target.setSyncState("later", value: "1", now: Date())
    }

    /// `migrate` refuses to start while another host's run holds the database's migrate lease.
    @Test func migrateWaitsForNoOneAndRefusesWhileTheLeaseIsHeld() throws {
        let held = try #require(try leases.acquire(.migrate, holder: "other-host", duration: .seconds(60)))
        let migrator = MariaMigrator(database: try main.secondHandle(multiStatements: true))
        let files = try MariaMigrator.loadFiles(directory: TestServer.repositoryRoot + "/schema/main")
        #expect(throws: MigrationError.self) { try migrator.migrate(files: files) }
        try leases.release(held)
        #expect(try migrator.migrate(files: files).isEmpty)
        #expect(try main.database.query("SELECT fence FROM leases WHERE name = 'migrate'").first?.int("fence") == 2)
    }
}

/// The same cases on the twin, without a database.
struct MemoryLeasesTests {
    @Test func theTwinKeepsTheContract() throws {
        let clock = TestClock()
        try LeaseStoreTests.conformance(MemoryLeases(clock: { clock.now }), expire: { _ in clock.advance(61) })
    }
}

/// A clock the twin's cases move by hand.
private final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_795_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}
