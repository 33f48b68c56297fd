/// Reads what a health check needs to know about the site's database.
public protocol HealthStore {
    /// The highest schema migration version applied to the site's database, or `nil` when none is recorded.
    ///
    /// Throws ``StoreError`` with kind `.unavailable` when the database cannot be reached.
    func schemaVersion() throws -> Int?
}

/// The outcome of a readiness check, as reported by `/healthz`.
public struct HealthReport: Sendable, Equatable {
    /// Whether the database answered.
    public enum DatabaseState: String, Sendable {
        case up
        case down
    }

    /// The database state.
    public let database: DatabaseState
    /// The applied schema version, when the database answered.
    public let schemaVersion: Int?

    /// Whether the site can serve requests that need the database.
    public var isReady: Bool { database == .up && schemaVersion != nil }

    /// Runs the check against `store`, mapping an unreachable database to `.down` instead of throwing.
    ///
    /// Errors other than "unavailable" (for example a missing privilege) also report `.down`: the site cannot
    /// serve, whatever the cause, and the caller logs ``StoreError/detail``.
    public static func check(_ store: some HealthStore) -> (HealthReport, StoreError?) {
        do {
            let version = try store.schemaVersion()
            return (HealthReport(database: .up, schemaVersion: version), nil)
        } catch let error as StoreError {
            return (HealthReport(database: .down, schemaVersion: nil), error)
        } catch {
            return (HealthReport(database: .down, schemaVersion: nil), StoreError(.other, detail: "\(error)"))
        }
    }

    /// Creates a report.
    public init(database: DatabaseState, schemaVersion: Int?) {
        self.database = database
        self.schemaVersion = schemaVersion
    }
}
