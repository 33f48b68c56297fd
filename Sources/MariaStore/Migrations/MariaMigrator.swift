import Domain
import Foundation

/// Applies the numbered SQL files of one folder to one database, forward only, recording each in
/// `schema_migrations` with its checksum.
///
/// The first migration of each folder creates `schema_migrations` itself; before it exists the history is
/// empty. MariaDB commits DDL implicitly, so a file that fails half-way is not recorded and the error names it:
/// fix the database by hand or with a new file, then run again. A named lock keeps two runs from interleaving.
public struct MariaMigrator {
    /// A migration that was applied by this run.
    public struct Applied: Sendable {
        /// The file.
        public let file: MigrationFile
        /// How long it took.
        public let duration: Duration
    }

    let database: MariaDatabase

    /// Creates a migrator over a handle opened as the migration account with `multiStatements`.
    public init(database: MariaDatabase) {
        precondition(database.options.multiStatements, "the migration connection must allow multi-statement scripts")
        self.database = database
    }

    /// Reads `NNNN_*.sql` files from `directory`; other files are ignored.
    public static func loadFiles(directory: String) throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
        } catch {
            throw MigrationError("cannot read the migration folder \(directory): \(error.localizedDescription)")
        }
        return try names.sorted().map { name in
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw MigrationError("cannot read \(directory)/\(name)")
            }
            return try MigrationFile(fileName: name, contents: Array(data))
        }
    }

    /// The history recorded in the database; empty before the first migration.
    public func appliedMigrations() throws -> [AppliedMigration] {
        let exists =
            try database.query(
                """
                SELECT COUNT(*) AS n FROM information_schema.tables
                WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'
                """
            ).first?.int("n") ?? 0
        guard exists > 0 else { return [] }
        return try database.query("SELECT version, file_name, checksum FROM schema_migrations ORDER BY version")
            .map {
                AppliedMigration(
                    version: $0.int("version") ?? 0, fileName: $0.string("file_name") ?? "",
                    checksum: $0.string("checksum") ?? "")
            }
    }

    /// Applies every pending file in order and returns what it applied; `progress` hears of each file first.
    public func migrate(files: [MigrationFile], progress: (MigrationFile) -> Void = { _ in }) throws -> [Applied] {
        let lockName = "catalystwells.migrate.\(database.options.database)"
        let locked = try database.query("SELECT GET_LOCK(\(lockName), 30) AS locked").first?.int("locked") ?? 0
        guard locked == 1 else {
            throw MigrationError("another migration of \(database.options.database) is running: try again when it ends")
        }
        defer { _ = try? database.query("SELECT RELEASE_LOCK(\(lockName)) AS released") }

        let pending = try MigrationPlan.pending(files: files, applied: try appliedMigrations())
        var applied: [Applied] = []
        for file in pending {
            progress(file)
            let started = ContinuousClock.now
            do {
                try database.executeScript(file.sql, context: file.fileName)
            } catch let error as StoreError {
                throw MigrationError("\(file.fileName) failed and was not recorded: \(error.detail)")
            }
            let duration = ContinuousClock.now - started
            let milliseconds = Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
            try database.execute(
                """
                INSERT INTO schema_migrations (version, file_name, checksum, applied_at, duration_ms)
                VALUES (\(file.version), \(file.fileName), \(file.checksum), UTC_TIMESTAMP(6), \(milliseconds))
                """)
            applied.append(Applied(file: file, duration: duration))
        }
        return applied
    }
}
