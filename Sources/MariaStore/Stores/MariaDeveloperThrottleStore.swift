import Domain
import Foundation

/// ``SignInThrottleStore`` over the developers database's own counters (`developer_sign_in_throttle`): the
/// same contract and ``SignInThrottlePolicy`` as the app site, but separate rows, since the developers pool
/// cannot reach the main database.
public struct MariaDeveloperThrottleStore: SignInThrottleStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func throttleState(key: [UInt8]) throws -> SignInThrottleState? {
        try database.query(
            "SELECT failures, window_started_at, locked_until FROM developer_sign_in_throttle WHERE key_digest = \(key)"
        ).first.map(Self.state)
    }

    public func updateThrottle(key: [UInt8], _ update: (SignInThrottleState?) -> SignInThrottleState) throws {
        try database.transaction { tx in
            let current = try tx.query(
                """
                SELECT failures, window_started_at, locked_until FROM developer_sign_in_throttle
                WHERE key_digest = \(key) FOR UPDATE
                """
            ).first.map(Self.state)
            let next = update(current)
            try tx.execute(
                """
                INSERT INTO developer_sign_in_throttle (key_digest, failures, window_started_at, locked_until)
                VALUES (\(key), \(next.failures), \(next.windowStartedAt), \(next.lockedUntil))
                ON DUPLICATE KEY UPDATE failures = VALUES(failures), window_started_at = VALUES(window_started_at),
                    locked_until = VALUES(locked_until)
                """)
        }
    }

    public func clearThrottle(key: [UInt8]) throws {
        try database.execute("DELETE FROM developer_sign_in_throttle WHERE key_digest = \(key)")
    }

    private static func state(_ row: Row) -> SignInThrottleState {
        SignInThrottleState(
            failures: row.int("failures") ?? 0, windowStartedAt: row.date("window_started_at") ?? .distantPast,
            lockedUntil: row.date("locked_until"))
    }
}
