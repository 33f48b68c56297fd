import Domain
import Foundation

/// Leases in memory, with the contract of ``MariaLeaseStore``; `clock` stands in for the database's clock.
public final class MemoryLeases: LeaseStore, @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [LeaseName: (holder: String, fence: Int64, expiresAt: Date, duration: TimeInterval)] = [:]
    private let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) { self.clock = clock }

    public func acquire(_ name: LeaseName, holder: String, duration: Duration) throws -> LeaseGrant? {
        lock.withLock {
            let now = clock()
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            if let row = rows[name], row.expiresAt > now { return nil }
            let fence = (rows[name]?.fence ?? 0) + 1
            rows[name] = (holder, fence, now.addingTimeInterval(seconds), seconds)
            return LeaseGrant(name: name, holder: holder, fence: fence)
        }
    }

    public func renew(_ grant: LeaseGrant) throws {
        try lock.withLock {
            let now = clock()
            guard let row = rows[grant.name], row.holder == grant.holder, row.fence == grant.fence, row.expiresAt > now else {
                throw StoreError(.leaseLost, detail: "lease \(grant.name) lost")
            }
            rows[grant.name]?.expiresAt = now.addingTimeInterval(row.duration)
        }
    }

    @discardableResult
    public func release(_ grant: LeaseGrant) throws -> Bool {
        lock.withLock {
            let now = clock()
            guard let row = rows[grant.name], row.holder == grant.holder, row.fence == grant.fence, row.expiresAt > now else { return false }
            rows[grant.name]?.expiresAt = now
            return true
        }
    }
}
