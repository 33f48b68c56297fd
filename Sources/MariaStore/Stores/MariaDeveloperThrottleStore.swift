import Domain
import Foundation

/// ``SignInThrottleStore`` over the developers database's own counters (`developer_sign_in_throttle`): the
/// same contract and ``SignInThrottlePolicy`` as the app site, but separate rows, since the developers pool
/// cannot reach the main database.
public struct MariaDeveloperThrottleStore: SignInThrottleStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    private var counters: ThrottleTable { ThrottleTable(database: database, table: "developer_sign_in_throttle") }

    public func throttleState(key: [UInt8]) throws -> SignInThrottleState? { try counters.state(key: key) }

    public func updateThrottle(key: [UInt8], _ update: (SignInThrottleState?) -> SignInThrottleState) throws {
        try counters.update(key: key, update)
    }

    public func clearThrottle(key: [UInt8]) throws { try counters.clear(key: key) }
}
