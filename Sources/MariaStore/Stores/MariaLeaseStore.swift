import Domain
import Foundation

/// ``LeaseStore`` over a database's `leases` table (main 0043, developers 0016), by the database's clock
/// (`UTC_TIMESTAMP(6)`), so hosts whose clocks differ agree on when a lease expires.
///
/// Taking a lease is one conditional `UPDATE` (the row is free: expired or released), or for a name never taken
/// one `INSERT` (a second racing one fails on the primary key). Both are single statements, so on Galera two
/// nodes taking the same lease conflict at certification and the loser's statement is re-run by
/// `wsrep_retry_autocommit`, finding the row taken. Renewing and fencing are an `UPDATE` of the row that names
/// holder and fence: the row lock (and, on Galera, the write set) orders it against a takeover.
public struct MariaLeaseStore: LeaseStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// A holder id unique per acquisition: this host, this process and a random part.
    public static func newHolder() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(64)
        let random = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        return "\(host)/\(ProcessInfo.processInfo.processIdentifier)/\(random)"
    }

    public func acquire(_ name: LeaseName, holder: String, duration: Duration) throws -> LeaseGrant? {
        let milliseconds = Self.milliseconds(duration)
        let taken = try database.execute(
            """
            UPDATE leases SET holder = \(holder), fence = fence + 1, acquired_at = UTC_TIMESTAMP(6),
                expires_at = UTC_TIMESTAMP(6) + INTERVAL \(milliseconds * 1000) MICROSECOND, duration_ms = \(milliseconds), renewals = 0
            WHERE name = \(name.rawValue) AND expires_at <= UTC_TIMESTAMP(6)
            """)
        if taken.affectedRows == 0 {
            do {
                try database.execute(
                    """
                    INSERT INTO leases (name, holder, fence, acquired_at, expires_at, duration_ms)
                    VALUES (\(name.rawValue), \(holder), 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL \(milliseconds * 1000) MICROSECOND,
                            \(milliseconds))
                    """)
                return LeaseGrant(name: name, holder: holder, fence: 1)
            } catch let error as StoreError where error.kind == .duplicate {
                return nil
            }
        }
        // The holder id is this acquisition's own, so the row still names it unless a later holder took over.
        guard
            let fence = try database.query("SELECT fence FROM leases WHERE name = \(name.rawValue) AND holder = \(holder)").first?.int("fence")
        else { return nil }
        return LeaseGrant(name: name, holder: holder, fence: Int64(fence))
    }

    public func renew(_ grant: LeaseGrant) throws {
        guard try database.execute(Self.renewal(grant)).affectedRows == 1 else { throw Self.lost(grant) }
    }

    @discardableResult
    public func release(_ grant: LeaseGrant) throws -> Bool {
        try database.execute(
            """
            UPDATE leases SET expires_at = UTC_TIMESTAMP(6)
            WHERE name = \(grant.name.rawValue) AND holder = \(grant.holder) AND fence = \(grant.fence) AND expires_at > UTC_TIMESTAMP(6)
            """
        ).affectedRows == 1
    }

    /// The fence check a write transaction runs first while ``MariaDatabase/fence`` is set: it renews the lease
    /// and takes the row's lock until the commit, so a later holder's takeover waits for this transaction (or,
    /// on Galera, conflicts with it at certification and the retry finds the lease gone). Throws `.leaseLost`.
    static func checkFence(_ grant: LeaseGrant, in transaction: Transaction) throws {
        guard try transaction.execute(renewal(grant)).affectedRows == 1 else { throw lost(grant) }
    }

    private static func renewal(_ grant: LeaseGrant) -> SQLQuery {
        """
        UPDATE leases SET expires_at = UTC_TIMESTAMP(6) + INTERVAL duration_ms * 1000 MICROSECOND, renewals = renewals + 1
        WHERE name = \(grant.name.rawValue) AND holder = \(grant.holder) AND fence = \(grant.fence) AND expires_at > UTC_TIMESTAMP(6)
        """
    }

    private static func lost(_ grant: LeaseGrant) -> StoreError {
        StoreError(.leaseLost, detail: "lease \(grant.name) (fence \(grant.fence)) is no longer held by \(grant.holder)")
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        max(1, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
