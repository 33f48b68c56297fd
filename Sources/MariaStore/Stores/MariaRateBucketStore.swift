import Domain
import Foundation

/// ``RateBucketStore`` over `api_rate_buckets` in main: one row per app, read and written under its row lock.
public struct MariaRateBucketStore: RateBucketStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// See ``RateBucketStore/leaseTokens(client:upTo:capacity:perMinute:now:)``.
    ///
    /// The row is made to exist first (a full bucket, committed on its own): `SELECT … FOR UPDATE` of a missing
    /// row takes a gap lock, and two first leases for one app would then deadlock on their inserts.
    public func leaseTokens(
        client: ClientID, upTo count: Int, capacity: Int, perMinute: Int, now: Date
    ) throws -> (granted: Int, decision: TokenBucket.Decision) {
        try database.execute(
            """
            INSERT IGNORE INTO api_rate_buckets (client_id, tokens, updated_at)
            VALUES (\(client.rawValue), \(Double(max(capacity, 1))), \(now))
            """)
        return try database.transaction { tx in
            guard
                let row = try tx.query(
                    "SELECT tokens, updated_at FROM api_rate_buckets WHERE client_id = \(client.rawValue) FOR UPDATE"
                ).first
            else { throw StoreError(.conflict, detail: "the rate bucket of \(client.rawValue) vanished during a lease") }
            var bucket = TokenBucket(
                capacity: capacity, perMinute: perMinute, tokens: row.double("tokens") ?? 0, updatedAt: row.date("updated_at") ?? now)
            let lease = bucket.lease(upTo: count, now: now)
            try tx.execute(
                """
                UPDATE api_rate_buckets SET tokens = \(bucket.tokens), updated_at = \(bucket.updatedAt)
                WHERE client_id = \(client.rawValue)
                """)
            return lease
        }
    }

    /// See ``RateBucketStore/purgeIdleBuckets(updatedBefore:)``.
    public func purgeIdleBuckets(updatedBefore cutoff: Date) throws -> Int {
        try database.execute("DELETE FROM api_rate_buckets WHERE updated_at < \(cutoff)").affectedRows
    }
}
