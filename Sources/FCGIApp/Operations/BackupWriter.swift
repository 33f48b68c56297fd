import Domain
import Foundation
import MariaStore

/// `catalystwells backup`: both databases in one snapshot, the configuration and the files it names, in one archive
/// encrypted with `age` (``BackupManifest`` describes the layout).
///
/// Everything is assembled in a private folder (0700) inside the backup directory, the archive is written under a
/// dot-name ending in `.partial` and renamed to its final name only once `age` has finished, so a failure at any
/// step (a full disk, a file that cannot be read, a tool that fails) leaves no archive that looks complete; the
/// folder and the partial file are removed on every path out.
struct BackupWriter {
    /// What was written.
    struct Outcome {
        var path: String
        var size: Int64
        var manifest: BackupManifest
        var dumpSeconds: Double
        var totalSeconds: Double
    }

    var configuration: Configuration
    /// The configuration file's path, as loaded.
    var configurationPath: String
    /// Folder the archive goes into.
    var directory: String
    /// Recipients given on the command line (`--recipient`), besides `backup.recipients_file`.
    var recipients: [String]
    /// Progress lines.
    var say: (String) -> Void

    func run() throws -> Outcome {
        let started = Date()
        let age = try Subprocess.require("age", package: "age")
        let tar = try Subprocess.require("tar", package: "tar")
        _ = try Subprocess.require("gzip", package: "gzip")
        let recipientsFile = configuration.backup.recipientsFile
        let haveRecipientsFile = FileManager.default.isReadableFile(atPath: recipientsFile)
        guard haveRecipientsFile || !recipients.isEmpty else {
            throw OperationsError(
                "no age recipient: put your public key (age-keygen -y identity.txt) in \(recipientsFile) (backup.recipients_file), or pass --recipient"
            )
        }
        let files = try collectFiles()

        try ensureDirectory()
        let work = try LocalFile.makePrivateDirectory(in: directory, prefix: ".catalystwells-backup-")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let content = work + "/content"
        try FileManager.default.createDirectory(atPath: content + "/files", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        // The files first: an unreadable key stops the backup before the database is touched.
        var entries: [BackupManifest.File] = []
        for (role, path, status) in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw OperationsError("cannot read \(role.rawValue) \(path): run the backup as root")
            }
            try LocalFile.write(data, to: content + "/" + role.memberPath)
            entries.append(
                BackupManifest.File(
                    path: role.memberPath, role: role.rawValue, originalPath: path, sha256: try LocalFile.sha256(content + "/" + role.memberPath),
                    size: Int64(data.count), mode: status.mode, owner: status.owner, group: status.group))
        }

        MariaClient.initializeLibrary()
        let operations = MariaOperations(
            database: MariaDatabase(options: configuration.connectionOptions(role: .migrator, database: "")))
        let names = [("main", configuration.mainDatabase), ("developers", configuration.developersDatabase)]
        let before: [[AppliedMigration]]
        let serverVersion: String
        do {
            serverVersion = try operations.serverVersion()
            before = try names.map { try operations.appliedMigrations(in: $0.1) }
        } catch let error as StoreError {
            throw OperationsError("cannot read the databases as \(configuration.accounts[.migrator]!.user): \(error.detail)")
        }
        let tools = try MariaDBClientTools(configuration: configuration, folder: work)
        say("dumping \(names.map(\.1).joined(separator: " and ")) (one --single-transaction snapshot)")
        let dumpStarted = Date()
        try tools.dump(databases: names.map(\.1), to: content + "/" + BackupManifest.databaseDumpPath)
        let dumpSeconds = Date().timeIntervalSince(dumpStarted)
        let after = try names.map { try operations.appliedMigrations(in: $0.1) }
        guard after == before else {
            throw OperationsError("a migration ran while the databases were dumped: run the backup again once `catalystwells migrate` has finished")
        }
        let dumpPath = content + "/" + BackupManifest.databaseDumpPath
        entries.insert(
            BackupManifest.File(
                path: BackupManifest.databaseDumpPath, role: "database_dump", originalPath: "", sha256: try LocalFile.sha256(dumpPath),
                size: LocalFile.status(dumpPath)?.size ?? 0, mode: 0, owner: "", group: ""), at: 0)

        let manifest = BackupManifest(
            createdAt: started, host: ProcessInfo.processInfo.hostName,
            binary: BackupManifest.Binary(sha256: (try? LocalFile.sha256("/proc/self/exe")) ?? "", knownSchemaHeads: knownSchemaHeads()),
            dump: BackupManifest.Dump(method: "mariadb-dump --single-transaction", serverVersion: serverVersion),
            databases: zip(names, before).map { name, applied in
                BackupManifest.Database(
                    role: name.0, name: name.1,
                    migrations: applied.map { .init(version: $0.version, fileName: $0.fileName, checksum: $0.checksum) })
            },
            files: entries)
        try manifest.validate()
        try LocalFile.write(try manifest.encoded(), to: content + "/" + BackupManifest.manifestPath)
        var sums = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0.sha256) })
        sums[BackupManifest.manifestPath] = try LocalFile.sha256(content + "/" + BackupManifest.manifestPath)
        try LocalFile.write(Data(BackupManifest.checksumList(sums).utf8), to: content + "/" + BackupManifest.checksumsPath)

        say("packing and encrypting")
        let packed = work + "/archive.tar.gz"
        let packing = try tar.run([
            "-C", content, "--owner=0", "--group=0", "--numeric-owner", "-czf", packed, BackupManifest.manifestPath, BackupManifest.checksumsPath,
            BackupManifest.databaseDumpPath, "files",
        ])
        guard packing.succeeded else { throw OperationsError("tar failed: \(MariaDBClientTools.plain(packing.errors, packing.lastError))") }
        let name = BackupArchiveName.name(for: started)
        let final = directory + "/" + name
        guard !FileManager.default.fileExists(atPath: final) else { throw OperationsError("\(final) already exists: wait a second and try again") }
        let partial = directory + "/." + name + ".partial"
        defer { try? FileManager.default.removeItem(atPath: partial) }
        var arguments = ["--encrypt", "--output", partial]
        if haveRecipientsFile { arguments += ["--recipients-file", recipientsFile] }
        for recipient in recipients { arguments += ["--recipient", recipient] }
        let encrypting = try age.run(arguments + [packed])
        guard encrypting.succeeded else {
            throw OperationsError("age could not encrypt the archive: \(MariaDBClientTools.plain(encrypting.errors, encrypting.lastError))")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: partial)
        if let handle = FileHandle(forUpdatingAtPath: partial) {
            try? handle.synchronize()
            try? handle.close()
        }
        guard rename(partial, final) == 0 else { throw OperationsError("cannot rename \(partial) to \(final): \(String(cString: strerror(errno)))") }
        return Outcome(
            path: final, size: LocalFile.status(final)?.size ?? 0, manifest: manifest, dumpSeconds: dumpSeconds,
            totalSeconds: Date().timeIntervalSince(started))
    }

    /// Every file to carry, checked before anything is written: a required file that is missing or unreadable stops
    /// the backup with its key and path named.
    private func collectFiles() throws -> [(BackupFileRole, String, LocalFile.Status)] {
        var found: [(BackupFileRole, String, LocalFile.Status)] = []
        var problems: [String] = []
        for role in BackupFileRole.allCases {
            let path = Self.path(of: role, in: configuration, configurationPath: configurationPath)
            guard let status = LocalFile.status(path), status.isRegularFile, FileManager.default.isReadableFile(atPath: path) else {
                if role.isRequired {
                    problems.append(
                        "\(role == .configuration ? "the configuration" : role.rawValue) \(path) cannot be read (missing, not a file, or not readable by this user: run the backup as root)"
                    )
                }
                continue
            }
            found.append((role, path, status))
        }
        if !problems.isEmpty { throw OperationsError(problems.joined(separator: "\n")) }
        return found
    }

    /// Where a configuration names a role's file.
    static func path(of role: BackupFileRole, in configuration: Configuration, configurationPath: String) -> String {
        switch role {
        case .configuration: configurationPath
        case .oauthKey: configuration.oauth.keyFile
        case .credentialsKey: configuration.credentialKeyFile
        case .portalKey: configuration.portal.keyFile
        case .cronSecret: configuration.cronSecretFile
        case .appPassword: configuration.accounts[.app]!.passwordFile
        case .developersPassword: configuration.accounts[.developers]!.passwordFile
        case .migratorPassword: configuration.accounts[.migrator]!.passwordFile
        case .backupRecipients: configuration.backup.recipientsFile
        }
    }

    private func ensureDirectory() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw OperationsError("\(directory) is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw OperationsError("cannot create the backup folder \(directory): \(error.localizedDescription)")
        }
    }

    private func knownSchemaHeads() -> [String: Int] {
        var heads: [String: Int] = [:]
        for folder in ["main", "developers"] {
            heads[folder] = (try? MariaMigrator.loadFiles(directory: "\(configuration.schemaDirectory)/\(folder)"))?.map(\.version).max() ?? 0
        }
        return heads
    }
}
