import Domain
import Foundation
import Synchronization

/// A lazily opened connection owned by one thread, rebuilt after the server goes away.
///
/// A lost connection (server restart, network error, idle timeout) is discarded and the next call opens a new
/// one, so a pool recovers on its own after an outage. Before each use the idle connection's socket is checked
/// (no round trip) for a server that hung up, and such a connection is replaced before anything is sent on it.
/// A connection lost *during* a statement is another matter: reads are retried once on a fresh connection;
/// writes are not, since the server may have applied them. Errors are ``StoreError``s; `.unavailable` means 503.
public final class MariaDatabase {
    /// Where this handle connects.
    public let options: ConnectionOptions
    private var connection: MariaConnection?
    /// Whether this handle ever had a connection: the next one opened is a reconnect.
    private var connectedBefore = false
    private static let reconnects = Atomic<Int>(0)
    private static let retries = Atomic<Int>(0)
    /// The backoff of transactions refused as conflicts.
    static let retry = TransactionRetry.standard

    /// Transactions this process ran again after a conflict (deadlock or Galera certification failure).
    public static var conflictRetryCount: Int { retries.load(ordering: .relaxed) }

    /// Connections this process opened again after one was lost or found closed (for the pool's metrics).
    public static var reconnectCount: Int { reconnects.load(ordering: .relaxed) }
    private var lastUsed: ContinuousClock.Instant = .now
    /// Tests only: called before each statement of a transaction with its position (1 for the first, and the
    /// `COMMIT` last), so a fault test can break a transaction at every statement. `nil` in production.
    var beforeTransactionStatement: ((Int) throws -> Void)?
    /// The lease whose fence every ``transaction(_:)`` checks first while it is set (``MariaLeaseStore``): a
    /// transaction of a holder that lost the lease is refused with `.leaseLost` and rolled back. Set for the
    /// duration of a job (sync) on the thread that runs it.
    public var fence: LeaseGrant?

    /// A connection idle longer than this is pinged before use, so a write after a quiet night does not fail
    /// on a connection the server closed.
    private static let pingAfterIdle: Duration = .seconds(30)

    /// Creates a handle; nothing connects until the first statement.
    public init(options: ConnectionOptions) {
        self.options = options
    }

    /// Runs a statement that is safe to repeat (a read, or an idempotent write), retrying once on a new
    /// connection when the old one was lost.
    public func query(_ query: SQLQuery) throws -> [Row] {
        try withConnection(retry: true) { try $0.execute(query).rows }
    }

    /// Runs a statement once; a lost connection is reported as `.unavailable` without retrying.
    @discardableResult
    public func execute(_ query: SQLQuery) throws -> QueryResult {
        try withConnection(retry: false) { try $0.execute(query) }
    }

    /// Runs `body` in a transaction, committing when it returns and rolling back when it throws.
    ///
    /// On a conflict (deadlock, lock-wait timeout, or on Galera a certification failure reported at `COMMIT`) the
    /// whole body runs again after a jittered exponential wait, within ``TransactionRetry/standard`` (4 tries, at
    /// most 250 ms of waiting), so it must not have effects outside the database. While ``fence`` is set, the
    /// fence check is the first statement.
    public func transaction<T>(_ body: (Transaction) throws -> T) throws -> T {
        var failed = 0
        var waited = Duration.zero
        while true {
            do {
                return try withConnection(retry: false) { connection in
                    try connection.begin()
                    do {
                        let transaction = Transaction(connection: connection, observer: beforeTransactionStatement.map(StatementObserver.init))
                        if let fence { try MariaLeaseStore.checkFence(fence, in: transaction) }
                        let value = try body(transaction)
                        try transaction.observer?.next()
                        try connection.commit()
                        return value
                    } catch {
                        connection.rollback()
                        throw error
                    }
                }
            } catch let error as StoreError where error.kind == .conflict {
                failed += 1
                guard let wait = Self.retry.delay(afterFailedAttempts: failed, waited: waited, unit: Double.random(in: 0..<1)) else { throw error }
                waited += wait
                Self.retries.add(1, ordering: .relaxed)
                Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18 + Double(wait.components.seconds))
            }
        }
    }

    /// Runs a multi-statement script; only for a handle opened with `multiStatements`.
    func executeScript(_ script: String, context: String) throws {
        try withConnection(retry: false) { try $0.executeScript(script, context: context) }
    }

    private func withConnection<T>(retry: Bool, _ body: (MariaConnection) throws -> T) throws -> T {
        var attempts = 0
        while true {
            attempts += 1
            let connection = try open()
            do {
                let value = try body(connection)
                lastUsed = .now
                return value
            } catch let error as StoreError where error.kind == .unavailable {
                self.connection = nil
                if !retry || attempts >= 2 { throw error }
            }
        }
    }

    private func open() throws -> MariaConnection {
        if let connection {
            // A connection the server closed while it sat idle (a restart) is replaced before anything is sent
            // on it, so the first request after an outage succeeds instead of failing on the stale handle.
            if !connection.closedByServer() && (ContinuousClock.now - lastUsed < Self.pingAfterIdle || connection.ping()) {
                return connection
            }
            self.connection = nil
        }
        let connection = try MariaConnection(options: options)
        if connectedBefore { Self.reconnects.add(1, ordering: .relaxed) }
        connectedBefore = true
        self.connection = connection
        lastUsed = .now
        return connection
    }
}

/// Statements inside one transaction of ``MariaDatabase/transaction(_:)``.
public struct Transaction {
    let connection: MariaConnection
    fileprivate var observer: StatementObserver? = nil

    /// Runs a statement and returns its rows.
    public func query(_ query: SQLQuery) throws -> [Row] {
        try observer?.next()
        return try connection.execute(query).rows
    }

    /// Runs a statement and returns what it changed.
    @discardableResult
    public func execute(_ query: SQLQuery) throws -> QueryResult {
        try observer?.next()
        return try connection.execute(query)
    }
}

/// Counts a transaction's statements for ``MariaDatabase/beforeTransactionStatement``.
private final class StatementObserver {
    private let hook: (Int) throws -> Void
    private var count = 0
    init(_ hook: @escaping (Int) throws -> Void) { self.hook = hook }
    func next() throws {
        count += 1
        try hook(count)
    }
}
