import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// ``RateBucketStore``: `MariaRateBucketStore` and its memory twin under one contract.
@Suite(.serialized) struct RateBucketStoreConformanceTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    /// The store of a backend, and (for MariaDB) the database that keeps it alive.
    private func store(_ backend: OAuthBackend) throws -> (any RateBucketStore, TestDatabase?) {
        switch backend {
        case .memory: return (MemoryRateBuckets(), nil)
        case .mariadb:
            let db = try TestDatabase()
            return (MariaRateBucketStore(database: db.database), db)
        }
    }

    @Test(arguments: OAuthBackend.allCases)
    func aNewAppStartsFullLeasesAreTakenAndTheBucketRefillsAtItsRate(_ backend: OAuthBackend) throws {
        let (store, db) = try store(backend)
        defer { withExtendedLifetime(db) {} }
        let app = ClientID("rate-app")
        let first = try store.leaseTokens(client: app, upTo: 4, capacity: 10, perMinute: 60, now: now)
        #expect(first.granted == 4 && first.decision.remaining == 6)
        #expect(try store.leaseTokens(client: app, upTo: 8, capacity: 10, perMinute: 60, now: now).granted == 6)
        let empty = try store.leaseTokens(client: app, upTo: 4, capacity: 10, perMinute: 60, now: now)
        #expect(empty.granted == 0 && !empty.decision.allowed && empty.decision.retryAfterSeconds == 1)
        // Two and a half seconds later two whole tokens are back (the half stays in the bucket).
        #expect(try store.leaseTokens(client: app, upTo: 4, capacity: 10, perMinute: 60, now: now.addingTimeInterval(2.5)).granted == 2)
        #expect(try store.leaseTokens(client: app, upTo: 4, capacity: 10, perMinute: 60, now: now.addingTimeInterval(3)).granted == 1)
        // Another app has a bucket of its own.
        #expect(try store.leaseTokens(client: ClientID("rate-other"), upTo: 4, capacity: 10, perMinute: 60, now: now).granted == 4)
        // The purge takes idle buckets only; a purged bucket starts full again.
        #expect(try store.purgeIdleBuckets(updatedBefore: now.addingTimeInterval(1)) == 1)
        #expect(try store.leaseTokens(client: ClientID("rate-other"), upTo: 10, capacity: 10, perMinute: 60, now: now).granted == 10)
    }

    @Test func concurrentLeasesOnSeparateConnectionsNeverGrantMoreThanTheBucketHolds() throws {
        let db = try TestDatabase()
        let name = db.name
        let app = ClientID("rate-contended")
        let now = self.now
        let granted = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            // A connection of its own per thread, as each worker thread has.
            guard let options = try? TestServer.adminOptions(database: name) else { return }
            let store = MariaRateBucketStore(database: MariaDatabase(options: options))
            for _ in 0..<20 {
                if let lease = try? store.leaseTokens(client: app, upTo: 3, capacity: 50, perMinute: 1, now: now) {
                    granted.add(lease.granted)
                }
            }
        }
        #expect(granted.value == 50)
    }
}

/// A thread-safe sum.
private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    func add(_ n: Int) { lock.withLock { total += n } }
    var value: Int { lock.withLock { total } }
}
