import ArgumentParser
import Foundation

/// `catalystwells restore`: an archive of `catalystwells backup` back onto this machine (README "Backups").
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore both databases, the configuration and its key files from a backup archive (run as root).",
        discussion: """
            The archive is decrypted into a private work folder and checked whole first: the age key, the manifest, \
            every SHA-256, and the schema against this binary's migrations (a backup of a newer version is refused). \
            Files that exist and differ, and databases that hold tables, are refused unless --force. Nothing is changed \
            before every check has passed; a refusal exits 1.

            On a new machine: catalystwells restore ARCHIVE --identity KEY --bootstrap deploy/mariadb/bootstrap.sh \
            puts the configuration and key files back where the archived configuration names them, creates the \
            databases and accounts, loads both databases and grants the pools their table rights.
            """
    )

    @Argument(help: "The archive (catalystwells-backup-….tar.gz.age).") var archive: String
    @Option(help: "The age identity file (private key) whose recipient the archive was encrypted for.") var identity: String
    @Option(
        help:
            "Where the configuration goes, or with --keep-config the configuration to keep (default: $CATALYSTWELLS_CONFIG or /etc/catalystwells/catalystwells.conf)."
    )
    var config: String?
    @Flag(
        help:
            "Keep this machine's configuration and database passwords; restore only the databases and the oauth, credentials and portal keys, to the paths it names."
    )
    var keepConfig = false
    @Flag(help: "Replace files that differ from the archive and databases that hold tables (everything in them is lost).") var force = false
    @Option(
        help: "deploy/mariadb/bootstrap.sh: run it (as root) to create the databases and accounts before loading and grant the table rights after.")
    var bootstrap: String?
    @Option(help: "Folder with main/ and developers/ migration files (default: general.schema_directory of the configuration used).")
    var schema: String?
    @Option(help: "Where to decrypt the archive (a private folder is made inside and removed afterwards; needs room for the dump).")
    var workDir = "/var/tmp"
    @Flag(help: "Only check the archive (key, manifest, checksums, schema) and say what a restore here would do; change nothing.") var checkOnly =
        false

    func run() throws {
        let configurationPath = config ?? ProcessInfo.processInfo.environment["CATALYSTWELLS_CONFIG"] ?? ConfigLoader.defaultPath
        if let bootstrap, !FileManager.default.isReadableFile(atPath: bootstrap) {
            OperatorServices.fail("restore: cannot read the bootstrap script \(bootstrap)", code: 64)
        }
        let restorer = Restorer(
            archivePath: archive, identity: identity, configurationPath: configurationPath, keepConfiguration: keepConfig, force: force,
            bootstrapScript: bootstrap, schemaDirectory: schema, workParent: workDir, checkOnly: checkOnly,
            say: { print("restore: \($0)") })
        do {
            try restorer.run()
        } catch let error as OperationsError {
            OperatorServices.fail("restore stopped: \(error.message)")
        }
    }
}
