import Domain

/// ``HealthStore`` over the site's database: one primary-key lookup in the migration history.
public struct MariaHealthStore: HealthStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// See ``HealthStore/schemaVersion()``.
    public func schemaVersion() throws -> Int? {
        try database.query("SELECT MAX(version) AS version FROM schema_migrations").first?.int("version")
    }
}
