import ArgumentParser
import Domain
import Foundation
import MariaStore

/// `catalystwells migrate`: applies pending schema migrations to both databases.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the pending numbered SQL migrations to the main and developers databases, in order."
    )

    @OptionGroup var options: ConfigOptions
    @Option(help: "Folder with main/ and developers/ migration files (overrides general.schema_directory).")
    var schema: String?
    @Flag(help: "Only show what is applied and what is pending.") var status = false
    @Flag(
        help: "Show what would run, per database and file, and which big tables each file locks, without running anything.")
    var plan = false

    func run() throws {
        var configuration = try options.load()
        do {
            try configuration.loadPassword(for: .migrator)
        } catch {
            ConfigOptions.fail(error)
        }
        let root = schema ?? configuration.schemaDirectory
        var failed = false
        for (folder, name) in [("main", configuration.mainDatabase), ("developers", configuration.developersDatabase)] {
            let migrator = CompositionRoot.migrator(configuration, database: name)
            do {
                let files = try MariaMigrator.loadFiles(directory: "\(root)/\(folder)")
                if plan {
                    let applied = try migrator.appliedMigrations()
                    let pending = try MigrationPlan.pending(files: files, applied: applied)
                    let head = applied.map(\.version).max() ?? 0
                    print("\(name): at version \(head), \(pending.isEmpty ? "up to date" : "\(pending.count) to apply")")
                    for file in pending {
                        print("  \(file.fileName): \(MigrationLockRule.report(file, folder: folder).summary)")
                    }
                    for violation in MigrationLockRule.violations(pending, folder: folder) {
                        print("  refused by the expand/contract rule: \(violation)")
                    }
                    continue
                }
                if status {
                    let applied = try migrator.appliedMigrations()
                    let pending = try MigrationPlan.pending(files: files, applied: applied)
                    print("\(name): \(applied.count) applied (version \(applied.last?.version ?? 0)), \(pending.count) pending")
                    for file in pending { print("  pending \(file.fileName)") }
                    continue
                }
                let applied = try migrator.migrate(files: files) { print("\(name): applying \($0.fileName)") }
                for step in applied {
                    print("\(name): applied \(step.file.fileName) in \(step.duration.formatted(.units(allowed: [.milliseconds])))")
                }
                let version = try migrator.appliedMigrations().last?.version ?? 0
                print(applied.isEmpty ? "\(name): up to date at version \(version)" : "\(name): now at version \(version)")
            } catch let error as MigrationError {
                FileHandle.standardError.write(Data("catalystwells migrate: \(name): \(error.message)\n".utf8))
                failed = true
            } catch let error as StoreError {
                FileHandle.standardError.write(Data("catalystwells migrate: \(name): \(error.detail)\n".utf8))
                failed = true
            }
        }
        if plan && !failed { print("nothing was run (--plan)") }
        if failed { throw ExitCode(1) }
    }
}
