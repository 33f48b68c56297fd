/// A failure reported by a storage implementation.
///
/// Callers branch on ``kind``; ``detail`` is for logs only and may mention table names or server messages,
/// so it is never shown to a client. `description` is deliberately generic for the same reason.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in terms a caller can act on.
    public enum Kind: Sendable, Equatable {
        /// The database cannot be reached or the connection was lost; the request may be retried later (503).
        case unavailable
        /// A lock wait timed out or a deadlock was detected; the whole operation may be retried.
        case conflict
        /// A unique key already holds this value.
        case duplicate
        /// A foreign key, check or value-range rule of the schema refused the data.
        case constraint
        /// The database account lacks a privilege: a deployment error, never the client's fault.
        case denied
        /// The lease (``LeaseStore``) the work ran under is no longer the caller's: another holder took it after
        /// it expired. The write was refused and rolled back; the work stops and the new holder carries on.
        case leaseLost
        /// The server refuses the statement in its configuration (1235, e.g. a named lock under Galera): a
        /// deployment error, treated as an internal one.
        case unsupported
        /// Anything else; treated as an internal error.
        case other
    }

    /// The category of the failure.
    public let kind: Kind
    /// The server's error number, when there was one.
    public let code: Int?
    /// Private detail for the logs: never sent to a client.
    public let detail: String

    /// Creates a store error.
    public init(_ kind: Kind, code: Int? = nil, detail: String) {
        self.kind = kind
        self.code = code
        self.detail = detail
    }

    /// A generic text that is safe to print anywhere.
    public var description: String {
        switch kind {
        case .unavailable: "the database is unavailable"
        case .conflict: "the database reported a conflicting concurrent change"
        case .duplicate: "a record with this value already exists"
        case .constraint: "the database refused the data"
        case .denied: "the database account lacks a privilege"
        case .leaseLost: "another host took over this job's lease"
        case .unsupported: "the database does not support this statement in its configuration"
        case .other: "the database reported an error"
        }
    }
}
