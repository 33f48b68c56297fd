import Domain
import Foundation

/// The sign-in throttle counters of one table (`sign_in_throttle` in main, `developer_sign_in_throttle` in the
/// developers database): both sites keep the same rows under the same contract (``SignInThrottleStore``).
struct ThrottleTable {
    let database: MariaDatabase
    /// The table's name: a constant of this module, never input.
    let table: String

    func state(key: [UInt8]) throws -> SignInThrottleState? {
        try database.query(
            "SELECT failures, window_started_at, locked_until FROM \(unsafeRaw: table) WHERE key_digest = \(key)"
        ).first.map(Self.state)
    }

    /// Read, decide and write under the row's lock, so concurrent failures are all counted.
    ///
    /// The row is made to exist first (an empty counter, committed on its own): `SELECT … FOR UPDATE` of a
    /// missing row takes a gap lock, and two first failures for one key would then deadlock on their inserts.
    /// An empty counter reads as no counter.
    func update(key: [UInt8], _ update: (SignInThrottleState?) -> SignInThrottleState) throws {
        try database.execute(
            """
            INSERT IGNORE INTO \(unsafeRaw: table) (key_digest, failures, window_started_at, locked_until)
            VALUES (\(key), 0, \(Date(timeIntervalSince1970: 0)), NULL)
            """)
        try database.transaction { tx in
            let current = try tx.query(
                "SELECT failures, window_started_at, locked_until FROM \(unsafeRaw: table) WHERE key_digest = \(key) FOR UPDATE"
            ).first.map(Self.state).flatMap { $0.failures == 0 && $0.lockedUntil == nil ? nil : $0 }
            let next = update(current)
            try tx.execute(
                """
                INSERT INTO \(unsafeRaw: table) (key_digest, failures, window_started_at, locked_until)
                VALUES (\(key), \(next.failures), \(next.windowStartedAt), \(next.lockedUntil))
                ON DUPLICATE KEY UPDATE failures = VALUES(failures), window_started_at = VALUES(window_started_at),
                    locked_until = VALUES(locked_until)
                """)
        }
    }

    func clear(key: [UInt8]) throws {
        try database.execute("DELETE FROM \(unsafeRaw: table) WHERE key_digest = \(key)")
    }

    private static func state(_ row: Row) -> SignInThrottleState {
        SignInThrottleState(
            failures: row.int("failures") ?? 0, windowStartedAt: row.date("window_started_at") ?? .distantPast,
            lockedUntil: row.date("locked_until"))
    }
}
