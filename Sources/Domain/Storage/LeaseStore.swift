/// A job that must run on one host at a time in an installation of several hosts: its row in the database's
/// `leases` table (main 0043, developers 0016).
public struct LeaseName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The row's name.
    public let rawValue: String
    /// Creates a name; at most 64 ASCII characters (the column).
    public init(rawValue: String) {
        precondition(!rawValue.isEmpty && rawValue.utf8.count <= 64 && rawValue.allSatisfy(\.isASCII), "a lease name is 1 to 64 ASCII characters")
        self.rawValue = rawValue
    }
    /// A static name.
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public var description: String { rawValue }

    /// Sync (DESIGN §8), in main; every write transaction of a run re-checks the fence.
    public static let sync = LeaseName("sync")
    /// `catalystwells migrate`, in each database.
    public static let migrate = LeaseName("migrate")
    /// `purge`, in each database.
    public static let purge = LeaseName("purge")
    /// The mail outbox run, in each site's database.
    public static let mail = LeaseName("mail")
    /// Webhook delivery, in the developers database.
    public static let webhooks = LeaseName("webhooks")
    /// Background roster imports, in main.
    public static let roster = LeaseName("roster")
    /// Background exports, in main.
    public static let exports = LeaseName("exports")
    /// The daily agreements run, in main.
    public static let agreements = LeaseName("agreements")
    /// Erasures past their waiting period, in main.
    public static let erasures = LeaseName("erasures")
}

/// A lease held: who holds it and its fencing token.
///
/// `fence` is greater than that of every earlier holder of the same name, so a write that carries it can be
/// refused once a later holder exists, even when the earlier one does not know it lost the lease (a pause, a
/// lost connection, a clock that jumped).
public struct LeaseGrant: Sendable, Equatable {
    /// The lease.
    public let name: LeaseName
    /// The holder's id, unique per acquisition (host, process and a random part).
    public let holder: String
    /// The fencing token.
    public let fence: Int64

    /// Creates a grant (stores only).
    public init(name: LeaseName, holder: String, fence: Int64) {
        self.name = name
        self.holder = holder
        self.fence = fence
    }
}

/// Leases with fencing tokens, by the database's clock: the installation-wide replacement for a named lock, safe
/// when several hosts share one database (a Galera cluster among them, where `GET_LOCK` is node-local).
public protocol LeaseStore {
    /// Takes the lease if it is free (never taken, released, or expired by the database's clock) for `duration`,
    /// in one atomic statement, and returns the grant with a fence one greater than the previous holder's; `nil`
    /// at once when another holder's lease has not expired. Two callers never both get a grant for one name.
    func acquire(_ name: LeaseName, holder: String, duration: Duration) throws -> LeaseGrant?
    /// Extends the lease by its duration from now, if it is still this grant's and has not expired; otherwise
    /// throws ``StoreError`` `.leaseLost`.
    func renew(_ grant: LeaseGrant) throws
    /// Frees the lease at once if it is still this grant's (its fence stays, so the next holder's is greater);
    /// returns whether it did.
    @discardableResult
    func release(_ grant: LeaseGrant) throws -> Bool
}

extension LeaseStore {
    /// Runs `body` holding the lease, or returns `nil` at once when another holder has it; the lease is released
    /// afterwards, also when `body` throws.
    public func withLease<T>(_ name: LeaseName, holder: String, duration: Duration, _ body: (LeaseGrant) throws -> T) throws -> T? {
        guard let grant = try acquire(name, holder: holder, duration: duration) else { return nil }
        defer { _ = try? release(grant) }
        return try body(grant)
    }
}
