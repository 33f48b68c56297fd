import ArgumentParser
import Domain
import Foundation

/// `catalystwells backup` (and `backup prune`): encrypted archives of both databases, the configuration and its
/// key files (README "Backups").
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up both databases, the configuration and its key files into one age-encrypted archive.",
        subcommands: [BackupCreateCommand.self, BackupPruneCommand.self],
        defaultSubcommand: BackupCreateCommand.self
    )
}

extension ConfigOptions {
    /// The configuration file's path as ``load()`` resolves it.
    var resolvedPath: String {
        config ?? ProcessInfo.processInfo.environment["CATALYSTWELLS_CONFIG"] ?? ConfigLoader.defaultPath
    }
}

/// `catalystwells backup [create]`.
struct BackupCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Write catalystwells-backup-<UTC time>.tar.gz.age into backup.directory (run as root).",
        discussion: """
            Both databases are dumped in one consistent snapshot (mariadb-dump --single-transaction, as the migration \
            account) and packed with the configuration, oauth/credentials/portal key files, database password files and \
            cron secret, a manifest (schema versions, SHA-256 of every file) and SHA256SUMS, then encrypted with age for \
            the recipients in backup.recipients_file and --recipient. The archive appears under its final name only when \
            complete; on any failure nothing is left behind and the exit status is 1.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Option(help: "Folder to write the archive to (default: backup.directory).") var directory: String?
    @Option(name: .customLong("recipient"), help: "An age recipient (age1…) to encrypt for, besides backup.recipients_file; repeatable.")
    var recipients: [String] = []

    func run() throws {
        var configuration = try options.load()
        do { try configuration.loadPassword(for: .migrator) } catch { ConfigOptions.fail(error) }
        let writer = BackupWriter(
            configuration: configuration, configurationPath: options.resolvedPath, directory: directory ?? configuration.backup.directory,
            recipients: recipients, say: { print("backup: \($0)") })
        do {
            let outcome = try writer.run()
            let seconds = String(format: "%.1f s (dump %.1f s)", outcome.totalSeconds, outcome.dumpSeconds)
            let main = outcome.manifest.database("main")?.schemaHead ?? 0
            let developers = outcome.manifest.database("developers")?.schemaHead ?? 0
            print(
                "backup: wrote \(outcome.path) (\(DoctorRules.formatBytes(outcome.size))) in \(seconds); schema main \(main), developers \(developers)"
            )
        } catch let error as OperationsError {
            OperatorServices.fail("backup failed, no archive written: \(error.message)")
        }
    }
}

/// `catalystwells backup prune`.
struct BackupPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete the archives backup.keep_daily / keep_weekly / keep_monthly do not keep.",
        discussion: """
            Only files named catalystwells-backup-<UTC time>.tar.gz.age are considered; the newest is always kept, and \
            periods are counted back from it, so a machine that stopped backing up keeps its last archives.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Option(help: "Folder to prune (default: backup.directory).") var directory: String?
    @Flag(help: "Only print what would be deleted.") var dryRun = false

    func run() throws {
        let configuration = try options.load()
        let folder = directory ?? configuration.backup.directory
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            OperatorServices.fail("cannot read \(folder): \(error.localizedDescription)")
        }
        let retention = configuration.backup.retention
        let doomed = retention.prune(names)
        let kept = retention.keep(names).count
        for name in doomed {
            if dryRun {
                print("backup prune: would delete \(name)")
                continue
            }
            do {
                try FileManager.default.removeItem(atPath: folder + "/" + name)
                print("backup prune: deleted \(name)")
            } catch {
                OperatorServices.fail("cannot delete \(folder)/\(name): \(error.localizedDescription)")
            }
        }
        print("backup prune: kept \(kept) archives (\(retention.daily) daily, \(retention.weekly) weekly, \(retention.monthly) monthly)")
    }
}
