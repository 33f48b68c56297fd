import Domain
import Foundation
import MariaStore

/// `catalystwells doctor`: looks at a running installation the way its admin would, one finding per line
/// (``DoctorCheck``), judged by ``DoctorRules`` and ``DatabaseGrantPolicy``.
struct Doctor {
    var configurationPath: String
    var schemaDirectory: String?
    /// The pools' OS users (README "Production install"); checks of who may read a key are made only for users that
    /// exist on this machine.
    var appUser: String
    var developersUser: String
    var nginxConfig: String
    var certificates: [String]
    var cronFile: String
    var backupTimer: String
    var now: Date

    func run(report: (DoctorCheck) -> Void) -> [DoctorCheck] {
        var all: [DoctorCheck] = []
        func add(_ check: DoctorCheck) {
            all.append(check)
            report(check)
        }
        var configuration: Configuration
        do {
            configuration = try ConfigLoader.load(path: configurationPath, environment: ProcessInfo.processInfo.environment)
            add(DoctorCheck("config", .ok, "\(configurationPath) is valid (environment \(configuration.environment.rawValue))"))
        } catch {
            add(
                DoctorCheck(
                    "config", .fail, "\(configurationPath): " + error.messages.joined(separator: "; "),
                    fix: "fix the file (catalystwells check-config --config \(configurationPath))"))
            return all
        }
        keyChecks(&configuration).forEach(add)
        MariaClient.initializeLibrary()
        let migrator = databaseCheck(configuration, role: .migrator, database: "")
        add(migrator.check)
        if let operations = migrator.operations { add(transportCheck(configuration, operations)) }
        let app = databaseCheck(configuration, role: .app, database: configuration.mainDatabase)
        add(app.check)
        let developers = databaseCheck(configuration, role: .developers, database: configuration.developersDatabase)
        add(developers.check)
        if let migratorOps = migrator.operations {
            let tables = Set((try? migratorOps.tables(in: configuration.developersDatabase)) ?? [])
            if let ops = app.operations { add(grantCheck(configuration, role: .app, operations: ops, developersTables: tables)) }
            if let ops = developers.operations { add(grantCheck(configuration, role: .developers, operations: ops, developersTables: tables)) }
            add(grantCheck(configuration, role: .migrator, operations: migratorOps, developersTables: tables))
            schemaChecks(configuration, migratorOps).forEach(add)
        }
        nginxChecks().forEach(add)
        clockCheck().map(add)
        scheduleChecks(configuration).forEach(add)
        diskChecks(configuration, dataDirectory: try? migrator.operations?.dataDirectory()).forEach(add)
        return all
    }

    // MARK: - Keys

    private func keyChecks(_ configuration: inout Configuration) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let users = [appUser, developersUser].filter(LocalFile.userExists)
        let loaders: [BackupFileRole: (inout Configuration) throws(ConfigError) -> Void] = [
            .oauthKey: { c throws(ConfigError) in try c.loadOAuthKey() },
            .credentialsKey: { c throws(ConfigError) in try c.loadCredentialKey() },
            .portalKey: { c throws(ConfigError) in try c.loadPortalKey() },
            .cronSecret: { c throws(ConfigError) in try c.loadCronSecret() },
            .appPassword: { c throws(ConfigError) in try c.loadPassword(for: .app) },
            .developersPassword: { c throws(ConfigError) in try c.loadPassword(for: .developers) },
            .migratorPassword: { c throws(ConfigError) in try c.loadPassword(for: .migrator) },
        ]
        let readers: [BackupFileRole: (must: [String], mustNot: [String])] = [
            .oauthKey: ([appUser], [developersUser]), .portalKey: ([developersUser], [appUser]),
            .credentialsKey: ([appUser, developersUser], []), .cronSecret: ([appUser, developersUser], []),
            .appPassword: ([appUser], [developersUser]), .developersPassword: ([developersUser], [appUser]),
            .migratorPassword: ([], [appUser, developersUser]),
        ]
        for role in BackupFileRole.allCases {
            guard let load = loaders[role], let expected = readers[role] else { continue }
            let path = BackupWriter.path(of: role, in: configuration, configurationPath: configurationPath)
            guard let status = LocalFile.status(path) else {
                if role == .cronSecret {
                    checks.append(
                        DoctorCheck("keys", .ok, "\(role.rawValue) \(path) absent: the /internal/cron endpoints are off (cron runs the commands)"))
                } else {
                    checks.append(
                        DoctorCheck(
                            "keys", .fail, "\(role.rawValue) \(path) is missing",
                            fix: "see README \"Production install\" step 3, or restore it from a backup"))
                }
                continue
            }
            do {
                try load(&configuration)
            } catch {
                checks.append(DoctorCheck("keys", .fail, error.messages.joined(separator: "; "), fix: "see README \"Production install\" step 3"))
                continue
            }
            let groupsOf = Dictionary(uniqueKeysWithValues: users.map { ($0, Self.groups(of: $0)) })
            checks.append(
                DoctorRules.secretFile(
                    key: role.rawValue, path: path, mode: status.mode, owner: status.owner, group: status.group,
                    mustRead: expected.must.filter(users.contains), mustNotRead: expected.mustNot.filter(users.contains)
                ) { user in
                    (status.owner == user && status.mode & 0o400 != 0) || (groupsOf[user]?.contains(status.group) == true && status.mode & 0o040 != 0)
                })
        }
        let absent = [appUser, developersUser].filter { !users.contains($0) }
        if !absent.isEmpty {
            checks.append(
                DoctorCheck("keys", .skip, "no OS user \(absent.joined(separator: " or ")) here: who may read each key file was not checked"))
        }
        return checks
    }

    private static func groups(of user: String) -> Set<String> {
        guard let result = try? Subprocess.find("id")?.run(["-Gn", user]), result.succeeded else { return [] }
        return Set(result.output.split(whereSeparator: \.isWhitespace).map(String.init))
    }

    // MARK: - Database

    private func databaseCheck(
        _ configuration: Configuration, role: Configuration.AccountRole, database: String
    ) -> (check: DoctorCheck, operations: MariaOperations?) {
        let user = configuration.accounts[role]!.user
        guard configuration.passwords[role] != nil else {
            return (DoctorCheck("database", .skip, "\(user): its password file could not be read (see above)"), nil)
        }
        let operations = MariaOperations(database: MariaDatabase(options: configuration.connectionOptions(role: role, database: database)))
        do {
            let version = try operations.serverVersion()
            return (DoctorCheck("database", .ok, "\(user) connects\(database.isEmpty ? "" : " to \(database)") (MariaDB \(version))"), operations)
        } catch let error as StoreError {
            let fix =
                error.kind == .unavailable
                ? "start MariaDB (systemctl start mariadb) and check database.socket"
                : "run deploy/mariadb/bootstrap.sh, which sets the account's password from its password file"
            return (DoctorCheck("database", .fail, "\(user) cannot connect: \(error.detail)", fix: fix), nil)
        } catch {
            return (DoctorCheck("database", .fail, "\(user) cannot connect: \(error)"), nil)
        }
    }

    /// `[database] hosts`, `tls_ca_file` and `wsrep_sync_wait` as the migrator's connection found them.
    private func transportCheck(_ configuration: Configuration, _ operations: MariaOperations) -> DoctorCheck {
        let cluster = configuration.databaseCluster
        let place =
            !cluster.servers.isEmpty
            ? "servers " + cluster.servers.map(\.description).joined(separator: ", ")
            : configuration.databaseSocket.isEmpty
                ? "\(configuration.databaseHost):\(configuration.databasePort)" : "socket \(configuration.databaseSocket)"
        guard let transport = try? operations.sessionTransport() else {
            return DoctorCheck("database", .warn, "options: \(place): could not read the session's TLS and wsrep_sync_wait")
        }
        let tls = transport.cipher.isEmpty ? "no TLS" : "TLS (\(transport.cipher)) verified against \(cluster.tlsCAFile)"
        let syncWait = transport.syncWait.map { "wsrep_sync_wait \($0)" } ?? "no wsrep_sync_wait (not Galera)"
        let text = "options: \(place); \(tls); \(syncWait)"
        let remote = !cluster.servers.isEmpty || configuration.databaseSocket.isEmpty
        if remote, transport.cipher.isEmpty,
            !(cluster.servers.isEmpty ? [configuration.databaseHost] : cluster.servers.map(\.host)).allSatisfy(DoctorRules.isLoopback)
        {
            return DoctorCheck(
                "database", .warn, text + ": passwords and data cross the network in plain text",
                fix: "give the servers a certificate and set database.tls_ca_file")
        }
        return DoctorCheck("database", .ok, text)
    }

    private func grantCheck(
        _ configuration: Configuration, role: Configuration.AccountRole, operations: MariaOperations, developersTables: Set<String>
    ) -> DoctorCheck {
        let user = configuration.accounts[role]!.user
        let main = configuration.mainDatabase
        let developers = configuration.developersDatabase
        let fix =
            "run deploy/mariadb/bootstrap.sh --socket \(configuration.databaseSocket) --secrets "
            + (configuration.accounts[.migrator]!.passwordFile as NSString).deletingLastPathComponent
            + " (with --reset-grants to drop privileges it does not give)"
        let actual: [String: String]
        do {
            actual = try operations.ownGrants()
        } catch {
            return DoctorCheck("grants", .fail, "\(user): cannot read its privileges (\(error))", fix: fix)
        }
        var expected: [String: String] = [:]
        switch role {
        case .app:
            expected["\(main).*"] = DatabaseGrantPolicy.normalize(DatabaseGrantPolicy.appMainDatabase)
            for (table, privileges) in DatabaseGrantPolicy.tableGrants(DatabaseGrantPolicy.appDevelopersTables, existing: developersTables) {
                expected["\(developers).\(table)"] = privileges
            }
        case .developers:
            for (table, privileges) in DatabaseGrantPolicy.tableGrants(DatabaseGrantPolicy.developersTables, existing: developersTables) {
                expected["\(developers).\(table)"] = privileges
            }
        case .migrator:
            let minimum = Set(DatabaseGrantPolicy.privileges(DatabaseGrantPolicy.normalize(DatabaseGrantPolicy.migratorDatabaseMinimum)))
            let lacking = [main, developers].compactMap { name -> String? in
                let have = Set(DatabaseGrantPolicy.privileges(actual["\(name).*"]))
                let missing = minimum.subtracting(have)
                return missing.isEmpty ? nil : "\(name).* lacks \(missing.sorted().joined(separator: ", "))"
            }
            return lacking.isEmpty
                ? DoctorCheck("grants", .ok, "\(user) owns \(main) and \(developers)")
                : DoctorCheck("grants", .fail, "\(user): " + lacking.joined(separator: "; "), fix: fix)
        }
        let differences = DatabaseGrantPolicy.differences(expected: expected, actual: actual)
        guard !differences.isEmpty else {
            return DoctorCheck("grants", .ok, "\(user) holds exactly what bootstrap.sh grants (\(expected.count) objects)")
        }
        let shown = differences.prefix(4).map { difference -> String in
            var parts: [String] = []
            if !difference.missing.isEmpty { parts.append("lacks \(difference.missing.joined(separator: ", "))") }
            if !difference.extra.isEmpty { parts.append("also holds \(difference.extra.joined(separator: ", "))") }
            return "\(difference.object) " + parts.joined(separator: " and ")
        }
        let more = differences.count > 4 ? "; and \(differences.count - 4) more" : ""
        return DoctorCheck("grants", .fail, "\(user): " + shown.joined(separator: "; ") + more, fix: fix)
    }

    private func schemaChecks(_ configuration: Configuration, _ operations: MariaOperations) -> [DoctorCheck] {
        let root = schemaDirectory ?? configuration.schemaDirectory
        return [("main", configuration.mainDatabase), ("developers", configuration.developersDatabase)].map { folder, name in
            do {
                let files = try MariaMigrator.loadFiles(directory: "\(root)/\(folder)")
                let applied = try operations.appliedMigrations(in: name)
                switch try SchemaCompatibility.check(files: files, applied: applied) {
                case .current(let head):
                    return DoctorCheck("schema", .ok, "\(name) at version \(head), the newest this binary knows")
                case .behind(let head, let pending):
                    return DoctorCheck(
                        "schema", .fail, "\(name) at version \(head); \(pending.count) migration(s) not applied: \(pending.joined(separator: ", "))",
                        fix: "catalystwells migrate, then deploy/mariadb/bootstrap.sh")
                }
            } catch let error as MigrationError {
                return DoctorCheck("schema", .fail, "\(name): \(error.message)", fix: "install the binary that matches the database")
            } catch {
                return DoctorCheck("schema", .fail, "\(name): cannot read its history (\(error))")
            }
        }
    }

    // MARK: - The machine

    private func nginxChecks() -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        var certificatePaths = certificates
        if let nginx = Subprocess.find("nginx"), FileManager.default.fileExists(atPath: nginxConfig) {
            if let result = try? nginx.run(["-t", "-q", "-c", nginxConfig]) {
                checks.append(
                    result.succeeded
                        ? DoctorCheck("nginx", .ok, "nginx -t accepts \(nginxConfig)")
                        : DoctorCheck(
                            "nginx", .fail, "nginx -t rejects \(nginxConfig): \(result.lastError)",
                            fix: "fix the site file, then systemctl reload nginx"))
            }
            if certificatePaths.isEmpty, let dump = try? nginx.run(["-T", "-q", "-c", nginxConfig]), dump.succeeded {
                for line in dump.output.split(separator: "\n") {
                    let words = line.trimmingCharacters(in: .whitespaces).split(whereSeparator: \.isWhitespace)
                    if words.count == 2, words[0] == "ssl_certificate" {
                        let path = words[1].hasSuffix(";") ? String(words[1].dropLast()) : String(words[1])
                        if !certificatePaths.contains(path) { certificatePaths.append(path) }
                    }
                }
            }
        } else {
            checks.append(DoctorCheck("nginx", .skip, "no nginx or no \(nginxConfig) here (--nginx-config)"))
        }
        if certificatePaths.isEmpty { checks.append(DoctorCheck("tls", .skip, "no certificate found (--certificate)")) }
        for path in certificatePaths {
            guard let openssl = Subprocess.find("openssl"), let result = try? openssl.run(["x509", "-noout", "-enddate", "-in", path]),
                result.succeeded, let date = Self.opensslDate(result.output)
            else {
                checks.append(DoctorCheck("tls", .fail, "cannot read the certificate \(path)", fix: "check ssl_certificate in the nginx site"))
                continue
            }
            checks.append(DoctorRules.certificate(path: path, notAfter: date, now: now))
        }
        return checks
    }

    /// `notAfter=Apr 11 03:00:00 2027 GMT`.
    static func opensslDate(_ output: String) -> Date? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("notAfter=") }) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        let text = line.dropFirst("notAfter=".count).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return formatter.date(from: text)
    }

    private func clockCheck() -> DoctorCheck? {
        if let timedatectl = Subprocess.find("timedatectl"), let result = try? timedatectl.run(["show", "-p", "NTPSynchronized", "--value"]),
            result.succeeded
        {
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "yes"
                ? DoctorCheck("clock", .ok, "the clock is synchronised (timedatectl)")
                : DoctorCheck(
                    "clock", .warn, "the clock is not synchronised (timedatectl)",
                    fix: "timedatectl set-ntp true (TOTP codes and token lifetimes need the right time)")
        }
        if let chronyc = Subprocess.find("chronyc"), let result = try? chronyc.run(["tracking"]), result.succeeded {
            return result.output.contains("Normal")
                ? DoctorCheck("clock", .ok, "the clock is synchronised (chrony)")
                : DoctorCheck("clock", .warn, "chrony is not synchronised", fix: "check chronyc sources")
        }
        return DoctorCheck("clock", .skip, "neither timedatectl nor chrony answers here: clock sync not checked")
    }

    private func scheduleChecks(_ configuration: Configuration) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        checks.append(
            FileManager.default.fileExists(atPath: cronFile)
                ? DoctorCheck("schedule", .ok, "\(cronFile) is installed (sync, purge, webhooks, mail)")
                : DoctorCheck(
                    "schedule", .warn, "no \(cronFile): sync, purge, webhook and mail delivery do not run",
                    fix: "install -m 0644 deploy/cron/catalystwells \(cronFile)"))
        let unitFile = "/etc/systemd/system/\(backupTimer)"
        var timerInstalled = FileManager.default.fileExists(atPath: unitFile)
        if FileManager.default.fileExists(atPath: "/run/systemd/system"), let systemctl = Subprocess.find("systemctl"),
            let result = try? systemctl.run(["is-enabled", backupTimer])
        {
            timerInstalled = result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "enabled"
        }
        checks.append(
            timerInstalled
                ? DoctorCheck("schedule", .ok, "\(backupTimer) is installed")
                : DoctorCheck(
                    "schedule", .warn, "\(backupTimer) is not installed or not enabled: no nightly backups",
                    fix: "README \"Backups\": copy deploy/systemd/catalystwells-backup.* and systemctl enable --now \(backupTimer)"))
        let newest = ((try? FileManager.default.contentsOfDirectory(atPath: configuration.backup.directory)) ?? [])
            .compactMap(BackupArchiveName.date(of:)).max()
        if let newest {
            let hours = Int(now.timeIntervalSince(newest) / 3600)
            checks.append(
                hours <= 48
                    ? DoctorCheck("schedule", .ok, "newest backup in \(configuration.backup.directory) is \(hours) h old")
                    : DoctorCheck(
                        "schedule", .warn, "newest backup in \(configuration.backup.directory) is \(hours / 24) days old",
                        fix: "journalctl -u catalystwells-backup"))
        } else {
            checks.append(
                DoctorCheck(
                    "schedule", .warn, "no backup in \(configuration.backup.directory)", fix: "catalystwells backup (README \"Backups\")"))
        }
        return checks
    }

    private func diskChecks(_ configuration: Configuration, dataDirectory: String?) -> [DoctorCheck] {
        var places: [(String, String)] = []
        if let dataDirectory, !dataDirectory.isEmpty, FileManager.default.fileExists(atPath: dataDirectory) {
            places.append(("MariaDB data", dataDirectory))
        }
        var backups = configuration.backup.directory
        while !FileManager.default.fileExists(atPath: backups), backups != "/" { backups = (backups as NSString).deletingLastPathComponent }
        places.append(("backups", backups))
        return places.map { what, path in
            guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: path),
                let free = (attributes[.systemFreeSize] as? NSNumber)?.int64Value, let total = (attributes[.systemSize] as? NSNumber)?.int64Value
            else { return DoctorCheck("disk", .skip, "\(what) (\(path)): cannot read the file system's size") }
            return DoctorRules.disk(what: what, path: path, free: free, total: total)
        }
    }
}
