import Domain
import Foundation
import MariaStore

/// `catalystwells restore`: puts an archive back, refusing before it changes anything whenever the archive, the
/// schema, the target files or the target databases say it should not go on.
///
/// Order: open and check the archive (``BackupArchive``); decide the configuration (the archive's, or with
/// `keepConfiguration` the one already here); check the schema against this binary's migrations and the database
/// names; plan every file and refuse to replace one that differs unless `force`; check that both databases are
/// empty (or `force`). Only then: write the files (temporary name, mode, owner, rename), run the grants bootstrap
/// when given, recreate and load both databases, check their histories against the manifest, and run the bootstrap
/// again for the table grants.
struct Restorer {
    var archivePath: String
    var identity: String
    /// Where the configuration goes (or, with `keepConfiguration`, the configuration to keep).
    var configurationPath: String
    var keepConfiguration: Bool
    var force: Bool
    /// `deploy/mariadb/bootstrap.sh`, to run (as root) before and after loading.
    var bootstrapScript: String?
    /// A schema folder instead of the configuration's `general.schema_directory`.
    var schemaDirectory: String?
    var workParent: String
    /// Check the archive and the target only.
    var checkOnly: Bool
    var say: (String) -> Void

    func run() throws {
        let started = Date()
        say("decrypting and checking \(archivePath)")
        let archive = try BackupArchive.open(archivePath, identity: identity, workParent: workParent)
        defer { archive.close() }
        let manifest = archive.manifest
        say(
            "archive of \(manifest.host) taken \(ISO8601DateFormatter().string(from: manifest.createdAt)): "
                + manifest.databases.map { "\($0.name) at schema \($0.schemaHead)" }.joined(separator: ", ")
                + ", \(manifest.files.count - 1) files; every checksum matches")

        var configuration = try loadConfiguration(archive)
        let schemaRoot = schemaDirectory ?? configuration.schemaDirectory
        var pending: [String] = []
        for database in manifest.databases {
            let files: [MigrationFile]
            do {
                files = try MariaMigrator.loadFiles(directory: "\(schemaRoot)/\(database.role)")
            } catch let error as MigrationError {
                throw OperationsError("cannot read this binary's migrations: \(error.message) (set --schema)")
            }
            do {
                if case .behind(_, let names) = try SchemaCompatibility.check(files: files, applied: database.migrations.map(\.applied)) {
                    pending += names.map { "\(database.name): \($0)" }
                }
            } catch {
                throw OperationsError("refusing to restore \(database.name): \(error.message)")
            }
            let configured = database.role == "main" ? configuration.mainDatabase : configuration.developersDatabase
            guard configured == database.name else {
                throw OperationsError(
                    "the archive's \(database.role) database is \(database.name) but the configuration names \(configured): restore needs the same names"
                )
            }
        }

        let plan = try planFiles(archive, configuration: configuration)
        let conflicts = plan.filter { $0.state == .differs }
        if !conflicts.isEmpty && !force {
            throw OperationsError(
                "refusing to replace files that differ from the archive (add --force to replace them):\n"
                    + conflicts.map { "  \($0.destination) (\($0.role.rawValue))" }.joined(separator: "\n"))
        }

        if keepConfiguration {
            do { try configuration.loadPassword(for: .migrator) } catch { throw OperationsError(error.messages.joined(separator: "; ")) }
        } else {
            guard let data = FileManager.default.contents(atPath: archive.member(BackupFileRole.migratorPassword.memberPath)) else {
                throw OperationsError("the archive holds no migrator password file")
            }
            configuration.passwords[.migrator] = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        MariaClient.initializeLibrary()
        var checkedDatabases = false
        var refusal: String?
        switch databaseState(configuration) {
        case .reachable(let occupied):
            if !occupied.isEmpty && !force {
                refusal =
                    occupied.joined(separator: "; ")
                    + ": restore only into empty databases, or add --force to replace them (everything in them is lost)"
            }
            checkedDatabases = true
        case .accountMissing(let detail) where bootstrapScript != nil:
            say("cannot connect as \(configuration.accounts[.migrator]!.user) yet (\(detail)): the bootstrap will create the accounts")
        case .accountMissing(let detail):
            refusal =
                "cannot connect as \(configuration.accounts[.migrator]!.user): \(detail). On a new machine add --bootstrap <repository>/deploy/mariadb/bootstrap.sh "
                + "(run as root) so the restore creates the databases and accounts; nothing was changed"
        case .unreachable(let detail):
            refusal = "MariaDB is not reachable (\(detail)): start it (systemctl start mariadb); nothing was changed"
        }

        if checkOnly {
            // The archive is what --check-only vouches for; what this machine lacks is said, not fatal (an archive is
            // often checked on another machine).
            if let refusal { say("a restore here would stop: \(refusal)") }
            say(
                "check only: the archive is sound (\(plan.filter { $0.state == .missing }.count) files to create, \(conflicts.count) to replace here)"
            )
            return
        }
        if let refusal { throw OperationsError(refusal) }

        for item in plan where item.state != .same {
            let missing = try LocalFile.install(
                archive.member(item.role.memberPath), at: item.destination, mode: BackupFileRole.restoredMode(from: item.entry.mode),
                owner: item.entry.owner, group: item.entry.group)
            say(
                "restored \(item.destination)"
                    + (missing.isEmpty ? "" : " (owned by root: no \(missing.joined(separator: " or ")) here yet — create it, then chown)"))
        }

        if bootstrapScript != nil {
            try runBootstrap(configuration)
            if !checkedDatabases, case .reachable(let occupied) = databaseState(configuration), !occupied.isEmpty, !force {
                throw OperationsError(
                    occupied.joined(separator: "; ") + ": restore only into empty databases, or add --force (the files were restored already)")
            }
        }

        let loadStarted = Date()
        let operations = MariaOperations(database: MariaDatabase(options: configuration.connectionOptions(role: .migrator, database: "")))
        do {
            for database in manifest.databases { try operations.recreate(database.name) }
        } catch let error as StoreError {
            throw OperationsError("cannot empty the databases as \(configuration.accounts[.migrator]!.user): \(error.detail)")
        }
        say("loading both databases")
        let work = try LocalFile.makePrivateDirectory(in: archive.workDirectory, prefix: "client-")
        let tools = try MariaDBClientTools(configuration: configuration, folder: work)
        do {
            try tools.load(archive.member(BackupManifest.databaseDumpPath))
        } catch let error as OperationsError {
            throw OperationsError("\(error.message). The databases are incomplete: fix the cause and run the restore again with --force")
        }
        for database in manifest.databases {
            let applied = (try? operations.appliedMigrations(in: database.name)) ?? []
            guard applied == database.migrations.map(\.applied) else {
                throw OperationsError(
                    "\(database.name) does not hold the archive's migration history after loading: run the restore again with --force")
            }
        }
        let loadSeconds = Date().timeIntervalSince(loadStarted)

        if bootstrapScript != nil {
            try runBootstrap(configuration)
        }
        say(String(format: "restored in %.1f s (databases loaded in %.1f s)", Date().timeIntervalSince(started), loadSeconds))
        var next: [String] = []
        if bootstrapScript == nil {
            next.append(
                "grant the pools their table rights: deploy/mariadb/bootstrap.sh --socket \(configuration.databaseSocket) --secrets "
                    + (configuration.accounts[.migrator]!.passwordFile as NSString).deletingLastPathComponent)
        }
        if !pending.isEmpty {
            next.append("this binary knows newer migrations (\(pending.joined(separator: ", "))): catalystwells migrate, then the bootstrap again")
        }
        next.append("start (or reload) the pools: systemctl restart catalystwells-app catalystwells-developers")
        next.append("check everything: catalystwells doctor --config \(configurationPath)")
        say("next:\n" + next.map { "  - \($0)" }.joined(separator: "\n"))
    }

    // MARK: - Configuration and files

    private func loadConfiguration(_ archive: BackupArchive) throws -> Configuration {
        let path = keepConfiguration ? configurationPath : archive.member(BackupFileRole.configuration.memberPath)
        do {
            return try ConfigLoader.load(path: path, environment: ProcessInfo.processInfo.environment)
        } catch {
            let which = keepConfiguration ? "the configuration \(configurationPath)" : "the archive's configuration"
            throw OperationsError("\(which) is not valid here:\n" + error.messages.map { "  - \($0)" }.joined(separator: "\n"))
        }
    }

    struct PlannedFile {
        enum State { case missing, same, differs }
        var role: BackupFileRole
        var entry: BackupManifest.File
        var destination: String
        var state: State
    }

    /// Where each file of the archive goes: with `keepConfiguration` only the data keys, to the paths the kept
    /// configuration names (its own database passwords stay, since they match its accounts); otherwise every file,
    /// to the paths the archive's configuration names, and the configuration to `configurationPath`.
    private func planFiles(_ archive: BackupArchive, configuration: Configuration) throws -> [PlannedFile] {
        var plan: [PlannedFile] = []
        var problems: [String] = []
        let folder = (configurationPath as NSString).deletingLastPathComponent
        for entry in archive.manifest.files {
            guard let role = BackupFileRole(rawValue: entry.role) else { continue }
            if keepConfiguration && !role.isDataKey { continue }
            let destination = BackupWriter.path(of: role, in: configuration, configurationPath: configurationPath)
            // An archive is only encrypted, not signed: what it may write, and where, is checked like any input.
            if let problem = role.problem(withContent: Array(FileManager.default.contents(atPath: archive.member(role.memberPath)) ?? Data())) {
                problems.append(problem)
            }
            if !keepConfiguration, role != .configuration, !BackupFileRole.isInside(destination, folder: folder) {
                problems.append(
                    "the archive's configuration puts \(role.rawValue) at \(destination), outside \(folder): a restore writes only under the "
                        + "configuration's folder (move it there, or restore with --keep-config)")
            }
            let state: PlannedFile.State
            if LocalFile.status(destination) == nil {
                state = .missing
            } else if (try? LocalFile.sha256(destination)) == entry.sha256 {
                state = .same
            } else {
                state = .differs
            }
            plan.append(PlannedFile(role: role, entry: entry, destination: destination, state: state))
        }
        if !problems.isEmpty {
            throw OperationsError("refusing the archive's files; nothing was changed:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
        }
        return plan
    }

    // MARK: - Databases

    enum DatabaseState {
        /// Connected; the descriptions of databases that hold tables.
        case reachable(occupied: [String])
        case accountMissing(String)
        case unreachable(String)
    }

    private func databaseState(_ configuration: Configuration) -> DatabaseState {
        let operations = MariaOperations(database: MariaDatabase(options: configuration.connectionOptions(role: .migrator, database: "")))
        do {
            var occupied: [String] = []
            for name in [configuration.mainDatabase, configuration.developersDatabase] {
                let tables = try operations.tables(in: name)
                if !tables.isEmpty { occupied.append("\(name) holds \(tables.count) tables") }
            }
            return .reachable(occupied: occupied)
        } catch let error as StoreError {
            if error.kind == .unavailable { return .unreachable(error.detail) }
            return .accountMissing(error.detail)
        } catch {
            return .unreachable("\(error)")
        }
    }

    /// Runs `deploy/mariadb/bootstrap.sh` for the configuration's socket, password folder and database names.
    private func runBootstrap(_ configuration: Configuration) throws {
        guard let script = bootstrapScript else { return }
        guard !configuration.databaseSocket.isEmpty else {
            throw OperationsError("--bootstrap needs database.socket (the script connects as MariaDB's root over the unix socket)")
        }
        let folder = (configuration.accounts[.migrator]!.passwordFile as NSString).deletingLastPathComponent
        let expected: [Configuration.AccountRole: String] = [
            .migrator: "db-migrator.password", .app: "db-app.password", .developers: "db-developers.password",
        ]
        for (role, name) in expected where configuration.accounts[role]!.passwordFile != folder + "/" + name {
            throw OperationsError(
                "--bootstrap reads \(folder)/\(name), but database.\(role.rawValue).password_file is \(configuration.accounts[role]!.passwordFile): "
                    + "run the script yourself with matching files")
        }
        say("running \(script)")
        let result = try Subprocess(executable: "/bin/bash").run([
            script, "--socket", configuration.databaseSocket, "--secrets", folder, "--main-db", configuration.mainDatabase, "--developers-db",
            configuration.developersDatabase,
        ])
        guard result.succeeded else { throw OperationsError("\(script) failed: \(result.lastError)") }
    }
}
