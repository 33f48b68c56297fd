import Domain
import Foundation

/// Applies the numbered SQL files of one folder to one database, forward only, recording each in
/// `schema_migrations` with its checksum.
///
/// The first migration of each folder creates `schema_migrations` itself; before it exists the history is
/// empty. MariaDB commits DDL implicitly, so a file that fails half-way is not recorded and the error names it:
/// fix the database by hand or with a new file, then run again. A lease keeps two runs from interleaving.
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

    /// How long the migrate lease lasts without a renewal; it is renewed before each file.
    static let leaseDuration: Duration = .seconds(600)

    /// Applies every pending file in order and returns what it applied; `progress` hears of each file first.
    ///
    /// Runs under the database's `migrate` lease (``LeaseStore``: main 0043, developers 0016), so two hosts cannot
    /// migrate one database at once, Galera included. DDL commits on its own and cannot be fenced by a
    /// transaction: the lease is renewed before each file and a run that lost it stops, but a file already
    /// running when its lease expired (a statement longer than ``leaseDuration``) runs to its end. A database
    /// without the `leases` table yet (before those files) is guarded by a MariaDB named lock, which Galera does
    /// not support (error 1235): there the first migration of an empty database runs unguarded, from one host.
    public func migrate(files: [MigrationFile], progress: (MigrationFile) -> Void = { _ in }) throws -> [Applied] {
        let leases = MariaLeaseStore(database: database)
        var grant: LeaseGrant?
        var namedLock: String?
        if try hasLeaseTable() {
            grant = try leases.acquire(.migrate, holder: MariaLeaseStore.newHolder(), duration: Self.leaseDuration)
            guard grant != nil else { throw Self.busy(database.options.database) }
        } else {
            let lockName = "catalystwells.migrate.\(database.options.database)"
            do {
                guard try database.query("SELECT GET_LOCK(\(lockName), 30) AS locked").first?.int("locked") == 1 else {
                    throw Self.busy(database.options.database)
                }
                namedLock = lockName
            } catch let error as StoreError where error.code == 1235 {
                // Galera refuses named locks, and there is no lease table yet either.
            }
        }
        defer {
            if let grant { _ = try? leases.release(grant) }
            if let namedLock { _ = try? database.query("SELECT RELEASE_LOCK(\(namedLock)) AS released") }
        }

        let pending = try MigrationPlan.pending(files: files, applied: try appliedMigrations())
        var applied: [Applied] = []
        for file in pending {
            if let grant {
                do {
                    try leases.renew(grant)
                } catch let error as StoreError where error.kind == .leaseLost {
                    throw MigrationError(
                        "the migrate lease of \(database.options.database) was taken by another run; stopped before \(file.fileName)")
                }
            }
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

    private func hasLeaseTable() throws -> Bool {
        let tables = try database.query(
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'leases'")
        return (tables.first?.int("n") ?? 0) > 0
    }

    private static func busy(_ database: String) -> MigrationError {
        MigrationError("another migration of \(database) is running: try again when it ends")
    }
}
