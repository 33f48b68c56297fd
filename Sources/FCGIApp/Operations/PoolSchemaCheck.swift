import Domain
import Foundation
import MariaStore

/// What `serve` checks before it listens: a pool starts only on the schema this binary's migration files
/// (`general.schema_directory`, installed with the binary) describe — the version rule of README "Upgrades".
///
/// Each pool reads its own database's history as its own account (the app pool main's, the developers pool
/// developers'). A newer schema means an older binary was installed over a migrated database; an older one means
/// `migrate` was not run. Both refuse, naming the versions. A database that cannot be reached does not stop the
/// start: the pool answers 503 until it comes back, as it does during an outage.
enum PoolSchemaCheck {
    /// The outcome, with a message for the log.
    enum Outcome: Equatable {
        /// The schema is the one the binary knows.
        case current(String)
        /// The database could not be asked; the pool starts anyway.
        case unknown(String)
        /// The pool must not start.
        case refused(String)
    }

    static func run(site: Site, configuration: Configuration) -> Outcome {
        let (folder, name) =
            site == .app ? ("main", configuration.mainDatabase) : ("developers", configuration.developersDatabase)
        let directory = "\(configuration.schemaDirectory)/\(folder)"
        let files: [MigrationFile]
        do {
            files = try MariaMigrator.loadFiles(directory: directory)
        } catch {
            return .refused(
                "cannot read this binary's migrations (\(error)): install the schema folder that came with this binary "
                    + "and point general.schema_directory at it")
        }
        let known = files.map(\.version).max() ?? 0
        MariaClient.initializeLibrary()
        let applied: [AppliedMigration]
        do {
            let operations = MariaOperations(database: MariaDatabase(options: configuration.connectionOptions(for: site)))
            applied = try operations.appliedMigrations(in: name)
        } catch {
            return .unknown("cannot read the schema version of \(name) (\(error)); starting anyway")
        }
        return decide(database: name, files: files, applied: applied, known: known)
    }

    /// The decision on plain values (tested without a database).
    static func decide(database name: String, files: [MigrationFile], applied: [AppliedMigration], known: Int) -> Outcome {
        do {
            switch try SchemaCompatibility.check(files: files, applied: applied) {
            case .current(let head):
                return .current("\(name) is at schema version \(head), the one this binary knows")
            case .behind(let head, let pending):
                return .refused(
                    "\(name) is at schema version \(head) but this binary needs version \(known) "
                        + "(\(pending.count) migration(s) not applied: \(pending.joined(separator: ", "))): "
                        + "run `catalystwells migrate` (then deploy/mariadb/bootstrap.sh), then start the pool")
            }
        } catch {
            return .refused("\(name): \(error.message)")
        }
    }
}
