/// Whether a binary can run on a database's schema, decided from the binary's migration files and the database's
/// applied history (the rule `migrate`, `restore` and `doctor` share).
///
/// - `current`: every applied migration is one of the binary's files, unchanged, and nothing is pending;
/// - `behind`: the same, with files still to apply (`catalystwells migrate`);
/// - otherwise the database is newer than the binary, or its history disagrees with the files: ``check(files:applied:)``
///   throws, naming the migration.
public enum SchemaCompatibility: Sendable, Equatable {
    /// The schema is exactly what the binary knows.
    case current(head: Int)
    /// The binary knows newer migrations than the database has.
    case behind(head: Int, pending: [String])

    /// Compares a database's history with a binary's migration files.
    public static func check(files: [MigrationFile], applied: [AppliedMigration]) throws(MigrationError) -> SchemaCompatibility {
        let head = applied.map(\.version).max() ?? 0
        let knownHead = files.map(\.version).max() ?? 0
        if head > knownHead {
            throw MigrationError(
                "the schema is at version \(head), newer than this binary knows (\(knownHead)): install the CatalystWells version that wrote it, or a newer one"
            )
        }
        let pending = try MigrationPlan.pending(files: files, applied: applied)
        return pending.isEmpty ? .current(head: head) : .behind(head: head, pending: pending.map(\.fileName))
    }
}
