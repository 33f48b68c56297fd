import Domain
import Foundation

/// The apps' shared API token buckets in memory, with the contract of ``MariaRateBucketStore`` (one bucket per app
/// shared by every limiter that uses this twin, as every worker shares the table).
public final class MemoryRateBuckets: RateBucketStore, @unchecked Sendable {
    private let lock = NSLock()
    private var buckets: [ClientID: (tokens: Double, updatedAt: Date)] = [:]
    /// How many leases were asked for (each a database write in the real store).
    public private(set) var leaseCount = 0

    public init() {}

    public func leaseTokens(
        client: ClientID, upTo count: Int, capacity: Int, perMinute: Int, now: Date
    ) throws -> (granted: Int, decision: TokenBucket.Decision) {
        lock.withLock {
            leaseCount += 1
            let stored = buckets[client] ?? (Double(max(capacity, 1)), now)
            var bucket = TokenBucket(capacity: capacity, perMinute: perMinute, tokens: stored.tokens, updatedAt: stored.updatedAt)
            let lease = bucket.lease(upTo: count, now: now)
            buckets[client] = (bucket.tokens, bucket.updatedAt)
            return lease
        }
    }

    public func purgeIdleBuckets(updatedBefore cutoff: Date) throws -> Int {
        lock.withLock {
            let idle = buckets.filter { $0.value.updatedAt < cutoff }.map(\.key)
            for client in idle { buckets[client] = nil }
            return idle.count
        }
    }
}
