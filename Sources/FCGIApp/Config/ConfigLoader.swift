import Domain
import Foundation
import Logging

/// Reads an INI-style file, applies environment overrides and validates every key.
///
/// File syntax: `[section]` headers, `key = value` lines, whole-line comments starting with `#` or `;`.
/// Unknown sections and keys, repeated keys and lines outside a section are errors: a typo must not silently
/// fall back to a default.
enum ConfigLoader {
    /// The default file when neither `--config` nor `CATALYSTWELLS_CONFIG` names one.
    static let defaultPath = "/etc/catalystwells/catalystwells.conf"

    /// Loads the configuration from `path` (or the default) and `environment`.
    static func load(path: String?, environment: [String: String]) throws(ConfigError) -> Configuration {
        let explicit = path ?? environment["CATALYSTWELLS_CONFIG"]
        let file = explicit ?? defaultPath
        var values: [String: (value: String, origin: String)] = [:]
        if let data = FileManager.default.contents(atPath: file) {
            guard let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(["\(file): the file is not valid UTF-8"])
            }
            values = try parse(text, fileName: file)
        } else if explicit != nil || FileManager.default.fileExists(atPath: file) {
            throw ConfigError(["\(file): cannot read the configuration file"])
        }
        for key in ConfigSchema.keys {
            if let override = environment[key.environmentVariable] {
                values[key.path] = (override, "environment \(key.environmentVariable)")
            }
        }
        return try validate(values)
    }

    /// Parses the file into `section.key` → value with its `file:line` origin.
    static func parse(_ text: String, fileName: String) throws(ConfigError) -> [String: (value: String, origin: String)] {
        let known = Set(ConfigSchema.keys.map(\.path))
        var values: [String: (value: String, origin: String)] = [:]
        var errors: [String] = []
        var section: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(fileName):\(index + 1)"
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    errors.append("\(origin): a section header must end with ]")
                    continue
                }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard ConfigSchema.sections.contains(name) else {
                    errors.append("\(origin): unknown section [\(name)]; known: \(ConfigSchema.sections.joined(separator: ", "))")
                    section = nil
                    continue
                }
                section = name
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                errors.append("\(origin): expected `key = value`")
                continue
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let section else {
                errors.append("\(origin): \(name) is outside a known [section]")
                continue
            }
            let path = "\(section).\(name)"
            if ConfigSchema.retired.contains(path) { continue }
            guard known.contains(path) else {
                errors.append("\(origin): unknown key \(name) in [\(section)]")
                continue
            }
            if let previous = values[path] {
                errors.append("\(origin): \(path) is set again (first at \(previous.origin))")
                continue
            }
            values[path] = (value, origin)
        }
        if !errors.isEmpty { throw ConfigError(errors) }
        return values
    }

    /// Checks every key and builds the configuration, collecting all problems before failing.
    static func validate(_ values: [String: (value: String, origin: String)]) throws(ConfigError) -> Configuration {
        var reader = KeyReader(values: values)
        let environment = reader.choice("general.environment", Configuration.Environment.self)
        let logLevel = reader.choice("general.log_level", Logger.Level.self)
        let logFormat = reader.choice("log.format", LogFormat.self)
        let appURL = reader.url("general.app_url", environment: environment)
        let developersURL = reader.url("general.developers_url", environment: environment)
        let bodyLimit = reader.int("general.request_body_limit", 1024...(64 << 20))
        let uploadLimit = reader.int("general.upload_body_limit", 1024...(256 << 20))
        let schemaDirectory = reader.path("general.schema_directory")
        let localesDirectory =
            reader.string("general.locales_directory").isEmpty
            ? (schemaDirectory as NSString).deletingLastPathComponent + "/locales" : reader.path("general.locales_directory")
        var pools: [Site: Configuration.Pool] = [:]
        for site in Site.allCases {
            let s = "pool.\(site.rawValue)"
            let socket = reader.string(s + ".socket")
            if !socket.isEmpty, !socket.hasPrefix("/") {
                reader.fail(s + ".socket", "must be an absolute path, or empty to use fd 0")
            }
            if socket.utf8.count > 107 { reader.fail(s + ".socket", "is longer than the 107 bytes a unix socket path allows") }
            pools[site] = Configuration.Pool(
                socket: socket, socketMode: reader.octalMode(s + ".socket_mode"),
                socketGroup: reader.string(s + ".socket_group"), workers: reader.int(s + ".workers", 1...64),
                threads: reader.int(s + ".threads", 1...256), maxRequests: reader.int(s + ".max_requests", 0...100_000_000),
                drainTimeout: reader.int(s + ".drain_timeout", 1...600))
        }
        let databaseSocket = reader.string("database.socket")
        let mainDatabase = reader.identifier("database.main_database")
        let developersDatabase = reader.identifier("database.developers_database")
        if mainDatabase == developersDatabase, !mainDatabase.isEmpty {
            reader.fail("database.developers_database", "must differ from database.main_database (least privilege needs two databases)")
        }
        var accounts: [Configuration.AccountRole: Configuration.Account] = [:]
        for role in [Configuration.AccountRole.app, .developers, .migrator] {
            let s = "database.\(role.rawValue)"
            accounts[role] = Configuration.Account(user: reader.identifier(s + ".user"), passwordFile: reader.path(s + ".password_file"))
        }
        let signIn = Configuration.Accounts(
            sessionPolicy: SessionPolicy(
                idleTimeout: TimeInterval(reader.int("accounts.session_idle_minutes", 1...1440) * 60),
                absoluteLifetime: TimeInterval(reader.int("accounts.session_absolute_hours", 1...720) * 3600)),
            throttlePolicy: SignInThrottlePolicy(
                accountLimit: reader.int("accounts.throttle_account_failures", 1...100),
                addressLimit: reader.int("accounts.throttle_address_failures", 1...100_000),
                window: TimeInterval(reader.int("accounts.throttle_window_seconds", 1...86400)),
                lockout: TimeInterval(reader.int("accounts.throttle_lockout_seconds", 1...86400)),
                addressSlowdown: TimeInterval(reader.int("accounts.throttle_address_slowdown_seconds", 1...60))),
            resetLinkLifetime: TimeInterval(reader.int("accounts.reset_link_minutes", 5...1440) * 60),
            resetMailCooldown: TimeInterval(reader.int("accounts.reset_mail_cooldown_seconds", 10...3600)),
            passwordChecksPerWorker: reader.int("accounts.password_checks_per_worker", 1...64),
            setPasswordLinkLifetime: TimeInterval(reader.int("accounts.set_password_link_days", 1...30) * 86400),
            argon2Ops: reader.int("accounts.argon2_ops", 1...10),
            argon2MemoryKiB: reader.int("accounts.argon2_memory_kib", 8192...1_048_576))
        let sendmail = reader.string("mail.sendmail_command").split(separator: " ").map(String.init)
        if sendmail.first.map({ !$0.hasPrefix("/") }) ?? true {
            reader.fail("mail.sendmail_command", "must start with an absolute path to a sendmail-compatible program")
        }
        let from = reader.string("mail.from")
        if !from.contains("@") || from.contains(where: { $0 == "\r" || $0 == "\n" }) || from.utf8.count > 254 {
            reader.fail("mail.from", "must be one mail address, optionally with a display name")
        }
        let oauth = Configuration.OAuth(
            keyFile: reader.path("oauth.key_file"),
            accessTokenLifetime: TimeInterval(reader.int("oauth.access_token_seconds", 60...86400)),
            refreshTokenLifetime: TimeInterval(reader.int("oauth.refresh_token_days", 1...365) * 86400),
            refreshAbsoluteLifetime: TimeInterval(reader.int("oauth.refresh_absolute_days", 1...730) * 86400),
            codeLifetime: TimeInterval(reader.int("oauth.code_seconds", 10...600)),
            refreshReuseGrace: TimeInterval(reader.int("oauth.refresh_reuse_grace_seconds", 0...60)),
            dpopResourceNonce: reader.bool("oauth.dpop_resource_nonce"))
        let faultValue = reader.string("sync.test_fault")
        let syncFault: String? = faultValue.isEmpty ? nil : faultValue
        if let syncFault {
            if !["after_main_commit", "after_usage_collected", "after_events_queued"].contains(syncFault) {
                reader.fail("sync.test_fault", "must be after_main_commit, after_usage_collected or after_events_queued")
            } else if environment != .test {
                reader.fail("sync.test_fault", "is only allowed with environment = test")
            }
        }
        let portal = Configuration.Portal(
            keyFile: reader.path("portal.key_file"),
            verifyLinkLifetime: TimeInterval(reader.int("portal.verify_link_hours", 1...168) * 3600),
            resendCooldown: TimeInterval(reader.int("portal.resend_cooldown_seconds", 0...3600)))
        let api = Configuration.API(
            rateLimitPerMinute: reader.int("api.rate_limit_per_minute", 1...1_000_000),
            rateLimitBurst: reader.int("api.rate_limit_burst", 1...1_000_000),
            partnerClients: reader.clientList("api.partner_clients"),
            partnerRateLimitPerMinute: reader.int("api.partner_rate_limit_per_minute", 1...1_000_000),
            partnerRateLimitBurst: reader.int("api.partner_rate_limit_burst", 1...1_000_000),
            accessLogRetention: TimeInterval(reader.int("api.access_log_retention_days", 1...3650) * 86400))
        var configuration = Configuration(
            environment: environment ?? .production, logLevel: logLevel ?? .info, appURL: appURL,
            developersURL: developersURL, requestBodyLimit: bodyLimit, uploadBodyLimit: uploadLimit, schemaDirectory: schemaDirectory,
            localesDirectory: localesDirectory, pools: pools,
            databaseSocket: databaseSocket, databaseHost: reader.string("database.host"),
            databasePort: reader.int("database.port", 1...65535), mainDatabase: mainDatabase,
            developersDatabase: developersDatabase, connectTimeout: reader.int("database.connect_timeout", 1...60),
            readTimeout: reader.int("database.read_timeout", 1...600), writeTimeout: reader.int("database.write_timeout", 1...600),
            accounts: accounts, signIn: signIn,
            mail: Configuration.Mail(
                sendmailCommand: sendmail, from: from, retryBase: TimeInterval(reader.int("mail.retry_seconds", 1...3600)),
                lifetime: TimeInterval(reader.int("mail.give_up_hours", 1...168) * 3600)),
            oauth: oauth, credentialKeyFile: reader.path("credentials.key_file"),
            cronSecretFile: reader.path("cron.secret_file"), syncFault: syncFault, portal: portal, api: api)
        if let logFormat { configuration.logFormat = logFormat }
        configuration.pdfFonts = (reader.optionalPath("general.pdf_font"), reader.optionalPath("general.pdf_font_bold"))
        if let allowList = AddressAllowList(parsing: reader.string("cron.allowed_addresses")) {
            configuration.internalAllowList = allowList
        } else {
            reader.fail("cron.allowed_addresses", "must be addresses or networks (CIDR) separated by commas, e.g. 127.0.0.0/8, ::1/128, 10.0.3.0/24")
        }
        configuration.oauth.keyPublishDelay = TimeInterval(reader.int("oauth.key_publish_delay_seconds", 0...86400))
        if let servers = DatabaseCluster.servers(reader.string("database.hosts")) {
            configuration.databaseCluster.servers = servers
        } else {
            reader.fail(
                "database.hosts", "must be 1 to 16 servers as host:port separated by commas, e.g. db1.school.example:3306, [2001:db8::7]:3306")
        }
        let databaseCA = reader.string("database.tls_ca_file")
        if !databaseCA.isEmpty {
            if !databaseCA.hasPrefix("/") {
                reader.fail("database.tls_ca_file", "must be an absolute path, or empty for no TLS")
            } else if !FileManager.default.isReadableFile(atPath: databaseCA) {
                reader.fail("database.tls_ca_file", "cannot be read")
            }
        }
        configuration.databaseCluster.tlsCAFile = databaseCA
        if !reader.string("database.wsrep_sync_wait").isEmpty {
            configuration.databaseCluster.syncWait = reader.int("database.wsrep_sync_wait", 0...15)
        }
        let caFile = reader.string("webhooks.ca_file")
        if !caFile.isEmpty, !caFile.hasPrefix("/") { reader.fail("webhooks.ca_file", "must be an absolute path, or empty for the system store") }
        configuration.webhooks = Configuration.Webhooks(
            allowPrivateTargets: reader.bool("webhooks.allow_private_targets"), caFile: caFile.isEmpty ? nil : caFile)
        let federationCA = reader.string("federation.ca_file")
        if !federationCA.isEmpty, !federationCA.hasPrefix("/") {
            reader.fail("federation.ca_file", "must be an absolute path, or empty for the system store")
        }
        configuration.federation = Configuration.Federation(
            allowPrivateTargets: reader.bool("federation.allow_private_targets"), caFile: federationCA.isEmpty ? nil : federationCA)
        configuration.auditRetention = TimeInterval(
            reader.int("audit.retention_days", SecurityAuditRetention.minimumRetentionDays...3650) * 86400)
        let waitingDays = reader.int("privacy.erasure_waiting_days", 0...365)
        if waitingDays == 0, configuration.environment != .test {
            reader.fail("privacy.erasure_waiting_days", "may be 0 only with environment = test")
        }
        let devMailFolder = reader.string("privacy.dev_mail_folder")
        if !devMailFolder.isEmpty, !devMailFolder.hasPrefix("/") {
            reader.fail("privacy.dev_mail_folder", "must be an absolute path, or empty")
        }
        configuration.privacy = Configuration.Privacy(
            erasureWaiting: TimeInterval(waitingDays * 86400),
            erasureLogDeletionAge: TimeInterval(
                reader.int("privacy.erasure_log_deletion_days", SecurityAuditRetention.minimumRetentionDays...3650) * 86400),
            exportLinkLifetime: TimeInterval(reader.int("privacy.export_link_hours", 1...336) * 3600),
            exportInlineRows: reader.int("privacy.export_inline_rows", 0...1_000_000),
            devMailFolder: devMailFolder.isEmpty ? nil : devMailFolder)
        configuration.backup = Configuration.Backup(
            directory: reader.path("backup.directory"), recipientsFile: reader.path("backup.recipients_file"),
            retention: BackupRetention(
                daily: reader.int("backup.keep_daily", 0...366), weekly: reader.int("backup.keep_weekly", 0...520),
                monthly: reader.int("backup.keep_monthly", 0...240)))
        if !reader.errors.isEmpty { throw ConfigError(reader.errors) }
        return configuration
    }
}

/// Reads typed values by key, falling back to ``ConfigSchema`` defaults and collecting errors that name the key.
private struct KeyReader {
    let values: [String: (value: String, origin: String)]
    var errors: [String] = []

    private static let defaults = Dictionary(uniqueKeysWithValues: ConfigSchema.keys.map { ($0.path, $0.defaultValue) })

    mutating func fail(_ key: String, _ problem: String) {
        let value = values[key]
        let origin = value.map { " (\($0.origin))" } ?? ""
        let shown = value.map { " (got '\($0.value)')" } ?? ""
        errors.append("\(key) \(problem)\(shown)\(origin)")
    }

    func string(_ key: String) -> String { values[key]?.value ?? Self.defaults[key]! }

    mutating func int(_ key: String, _ range: ClosedRange<Int>) -> Int {
        guard let value = Int(string(key)), range.contains(value) else {
            fail(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return range.lowerBound
        }
        return value
    }

    mutating func bool(_ key: String) -> Bool {
        switch string(key) {
        case "true": return true
        case "false": return false
        default:
            fail(key, "must be true or false")
            return false
        }
    }

    mutating func choice<T: RawRepresentable>(_ key: String, _: T.Type) -> T? where T.RawValue == String, T: CaseIterable {
        guard let value = T(rawValue: string(key)) else {
            fail(key, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    mutating func url(_ key: String, environment: Configuration.Environment?) -> String {
        let text = string(key)
        guard let url = URL(string: text), let scheme = url.scheme, let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil, url.path.isEmpty || url.path == "/"
        else {
            fail(key, "must be an absolute URL like https://app.school.example, without path, query or fragment")
            return text
        }
        let loopback = host == "localhost" || host.hasSuffix(".localhost") || host == "127.0.0.1"
        if scheme != "https", !(scheme == "http" && loopback && environment != .production) {
            fail(key, "must use https (http is allowed only for localhost outside production)")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// An absolute path, or empty.
    mutating func optionalPath(_ key: String) -> String {
        let text = string(key)
        if !text.isEmpty, !text.hasPrefix("/") { fail(key, "must be an absolute path, or empty") }
        return text
    }

    mutating func path(_ key: String) -> String {
        let text = string(key)
        if !text.hasPrefix("/") { fail(key, "must be an absolute path") }
        return text
    }

    mutating func identifier(_ key: String) -> String {
        let text = string(key)
        let valid =
            !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
        if !valid { fail(key, "must be 1 to 64 letters, digits or underscores") }
        return text
    }

    /// Comma-separated OAuth client ids (printable ASCII without spaces or commas, at most 64 bytes each).
    mutating func clientList(_ key: String) -> Set<String> {
        let ids = string(key).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for id in ids where id.utf8.count > 64 || !id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) {
            fail(key, "must be client ids separated by commas (each 1 to 64 printable characters)")
            break
        }
        return Set(ids)
    }

    mutating func octalMode(_ key: String) -> UInt32 {
        guard let mode = UInt32(string(key), radix: 8), mode <= 0o777 else {
            fail(key, "must be an octal file mode such as 0660")
            return 0o660
        }
        return mode
    }
}
