import Domain
import Foundation
import Logging
import MariaStore

/// The whole configuration, parsed and validated once at start-up. See ``ConfigSchema`` for every key.
struct Configuration: Sendable {
    enum Environment: String, Sendable, CaseIterable {
        case production, development, test
    }

    /// One worker pool.
    struct Pool: Sendable {
        var socket: String
        var socketMode: UInt32
        var socketGroup: String
        var workers: Int
        var threads: Int
        var maxRequests: Int
        var drainTimeout: Int
    }

    /// A database account: its name and where its password is kept.
    struct Account: Sendable {
        var user: String
        var passwordFile: String
    }

    /// Which account a connection uses.
    enum AccountRole: String, Sendable {
        case app, developers, migrator
    }

    /// Sign-in, sessions and password links.
    struct Accounts: Sendable {
        var sessionPolicy: SessionPolicy
        var throttlePolicy: SignInThrottlePolicy
        var resetLinkLifetime: TimeInterval
        /// At most one reset mail per account in this many seconds.
        var resetMailCooldown: TimeInterval
        /// Argon2id runs a worker does at once (``PasswordHashingGate``).
        var passwordChecksPerWorker: Int
        var setPasswordLinkLifetime: TimeInterval
        var argon2Ops: Int
        var argon2MemoryKiB: Int
    }

    /// The OAuth provider.
    struct OAuth: Sendable {
        var keyFile: String
        var accessTokenLifetime: TimeInterval
        var refreshTokenLifetime: TimeInterval
        /// How long after a grant was made its refresh tokens may live at most, however often rotated.
        var refreshAbsoluteLifetime: TimeInterval
        var codeLifetime: TimeInterval
        var refreshReuseGrace: TimeInterval
        /// `oauth.dpop_resource_nonce`: whether resources ask DPoP proofs for the server nonce (RFC 9449 §9).
        var dpopResourceNonce: Bool = true
        /// `oauth.key_publish_delay_seconds`: from a new signing key's publication to its first signature.
        var keyPublishDelay: TimeInterval = 600
    }

    /// The developer portal.
    struct Portal: Sendable {
        var keyFile: String
        var verifyLinkLifetime: TimeInterval
        var resendCooldown: TimeInterval
    }

    /// The education API: per-app rate limits and the data-access log.
    struct API: Sendable {
        /// The default tier's calls per minute and burst.
        var rateLimitPerMinute: Int
        var rateLimitBurst: Int
        /// Apps on the partner tier and its limits.
        var partnerClients: Set<String>
        var partnerRateLimitPerMinute: Int
        var partnerRateLimitBurst: Int
        var accessLogRetention: TimeInterval
    }

    /// Webhook delivery (`[webhooks]`).
    struct Webhooks: Sendable {
        /// Whether loopback and private networks may be webhook targets.
        var allowPrivateTargets = false
        /// Trusted CAs for receivers instead of the system store; `nil` for the system store.
        var caFile: String?
    }

    /// Sign-in with upstream OpenID providers (`[federation]`).
    struct Federation: Sendable {
        /// Whether providers on loopback and private networks may be reached.
        var allowPrivateTargets = false
        /// Trusted CAs for providers instead of the system store; `nil` for the system store.
        var caFile: String?
    }

    /// Backups (`[backup]`).
    struct Backup: Sendable {
        /// Where archives are written and pruned.
        var directory = "/var/backups/catalystwells"
        /// The age recipients file.
        var recipientsFile = "/etc/catalystwells/backup-recipients.txt"
        /// Which archives `backup prune` keeps.
        var retention = BackupRetention(daily: 7, weekly: 5, monthly: 12)
    }

    /// Outgoing mail.
    struct Mail: Sendable {
        /// The program and its arguments.
        var sendmailCommand: [String]
        var from: String
        /// Seconds after a failed delivery before the first retry (`mail.retry_seconds`); doubles after each.
        var retryBase: TimeInterval = 60
        /// How long a queued mail is retried at most (`mail.give_up_hours`).
        var lifetime: TimeInterval = 86400
    }

    /// Exports and erasures (`[privacy]`).
    struct Privacy: Sendable {
        /// Between an erasure's confirmation and its run.
        var erasureWaiting: TimeInterval = TimeInterval(ErasureRules.defaultWaitingDays * 86400)
        /// Log entries about an erased person older than this are deleted, younger ones pseudonymised.
        var erasureLogDeletionAge: TimeInterval = TimeInterval(ErasureRules.defaultLogDeletionDays * 86400)
        /// How long a mailed export link works.
        var exportLinkLifetime: TimeInterval = 72 * 3600
        /// One-person exports up to this many rows are made in the request.
        var exportInlineRows = ExportRules.defaultInlineRows
        /// The development mail folder, or `nil`.
        var devMailFolder: String?
    }

    var environment: Environment
    var logLevel: Logger.Level
    /// `[log] format`: JSON lines (default) or text.
    var logFormat: LogFormat = .json
    /// `cron.allowed_addresses`: who may reach `/internal/`.
    var internalAllowList = AddressAllowList.loopback
    /// `[database] hosts`, `tls_ca_file`, `wsrep_sync_wait` (several hosts, a Galera cluster).
    var databaseCluster = DatabaseCluster()
    var appURL: String
    var developersURL: String
    var requestBodyLimit: Int
    var uploadBodyLimit: Int
    var schemaDirectory: String
    /// `general.locales_directory`: the message catalogues (``Translations``).
    var localesDirectory: String
    /// `general.pdf_font` and `general.pdf_font_bold`: the faces PDFs embed (``PDFFonts``); empty: Helvetica.
    var pdfFonts: (regular: String, bold: String) = ("", "")
    var pools: [Site: Pool]
    var databaseSocket: String
    var databaseHost: String
    var databasePort: Int
    var mainDatabase: String
    var developersDatabase: String
    var connectTimeout: Int
    var readTimeout: Int
    var writeTimeout: Int
    var accounts: [AccountRole: Account]
    var signIn: Accounts
    var mail: Mail
    var oauth: OAuth
    /// Where `credentials.key_file` is.
    var credentialKeyFile: String
    /// Where `cron.secret_file` is.
    var cronSecretFile: String
    /// `sync.test_fault`: where a sync run kills itself (test environment only); `nil` normally.
    var syncFault: String?
    var portal: Portal
    var api: API
    /// `[webhooks]`.
    var webhooks = Webhooks()
    /// `[federation]`.
    var federation = Federation()
    /// `[privacy]`.
    var privacy = Privacy()
    /// `[backup]`.
    var backup = Backup()
    /// `audit.retention_days`, in seconds.
    var auditRetention: TimeInterval = TimeInterval(SecurityAuditRetention.defaultRetentionDays * 86400)
    /// The 32 bytes of `oauth.key_file`, read by ``loadOAuthKey()``.
    var oauthKey: [UInt8]?
    /// The 32 bytes of `credentials.key_file`, read by ``loadKeys(for:)``.
    var credentialKey: [UInt8]?
    /// The bearer secret of the cron endpoints, read by ``loadKeys(for:)``; `nil` when the file is missing,
    /// which turns the endpoints off (404) rather than stopping the pool.
    var cronSecret: String?
    /// The 32 bytes of `portal.key_file`, read by ``loadPortalKey()``.
    var portalKey: [UInt8]?
    /// Passwords read by ``loadPassword(for:)``, kept so workers need not read files again.
    var passwords: [AccountRole: String] = [:]

    /// The app site's origin (`scheme://host[:port]`), which a form post's `Origin` header must equal.
    var appOrigin: String { Self.origin(of: appURL) }

    /// The developer portal's origin, which a form post's `Origin` header there must equal.
    var developersOrigin: String { Self.origin(of: developersURL) }

    /// The origin a form of `site` must come from.
    func origin(of site: Site) -> String {
        switch site {
        case .app: appOrigin
        case .developers: developersOrigin
        }
    }

    private static func origin(of base: String) -> String {
        guard let url = URL(string: base), let scheme = url.scheme, let host = url.host else { return base }
        return url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }

    /// Token lifetimes as the OAuth rules take them.
    var tokenLifetimes: TokenLifetimes {
        TokenLifetimes(
            accessToken: oauth.accessTokenLifetime, refreshToken: oauth.refreshTokenLifetime, authorizationCode: oauth.codeLifetime,
            idToken: oauth.accessTokenLifetime, refreshReuseGrace: oauth.refreshReuseGrace, refreshAbsolute: oauth.refreshAbsoluteLifetime)
    }

    /// The pool of a site.
    func pool(_ site: Site) -> Pool { pools[site]! }

    /// Reads an account's password file; the error names the key and the file.
    mutating func loadPassword(for role: AccountRole) throws(ConfigError) {
        let account = accounts[role]!
        let key = "database.\(role.rawValue).password_file"
        guard let data = FileManager.default.contents(atPath: account.passwordFile) else {
            throw ConfigError(["\(key): cannot read \(account.passwordFile) (missing, or not readable by this user)"])
        }
        let password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        guard !password.isEmpty, !password.contains("\n") else {
            throw ConfigError(["\(key): \(account.passwordFile) must hold exactly one non-empty line"])
        }
        passwords[role] = password
    }

    /// Reads `oauth.key_file`: 64 hex digits (32 bytes). The error names the key and the file.
    mutating func loadOAuthKey() throws(ConfigError) {
        oauthKey = try Self.readKeyFile("oauth.key_file", path: oauth.keyFile)
    }

    /// Reads `cron.secret_file`. A missing file leaves the cron endpoints off; a file that is there but too
    /// short is a configuration error.
    mutating func loadCronSecret() throws(ConfigError) {
        guard let data = FileManager.default.contents(atPath: cronSecretFile) else {
            cronSecret = nil
            return
        }
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard secret.utf8.count >= 32, !secret.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw ConfigError(["cron.secret_file: \(cronSecretFile) must hold one line of at least 32 characters (openssl rand -hex 32)"])
        }
        cronSecret = secret
    }

    /// Reads `credentials.key_file` (both pools), like ``loadOAuthKey()``.
    mutating func loadCredentialKey() throws(ConfigError) {
        credentialKey = try Self.readKeyFile("credentials.key_file", path: credentialKeyFile)
    }

    /// Reads `portal.key_file` (the developers pool's keys), like ``loadOAuthKey()``.
    mutating func loadPortalKey() throws(ConfigError) {
        portalKey = try Self.readKeyFile("portal.key_file", path: portal.keyFile)
    }

    /// The keys a site's pool needs: each pool reads only its own key file (least privilege).
    mutating func loadKeys(for site: Site) throws(ConfigError) {
        try loadCredentialKey()
        try loadCronSecret()
        switch site {
        case .app: try loadOAuthKey()
        case .developers: try loadPortalKey()
        }
    }

    /// 32 bytes written as 64 hex digits, as `openssl rand -hex 32` makes them.
    private static func readKeyFile(_ key: String, path: String) throws(ConfigError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(["\(key): cannot read \(path) (missing, or not readable by this user); create it with `openssl rand -hex 32`"])
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex),
            let byte = UInt8(text[index..<next], radix: 16)
        {
            bytes.append(byte)
            index = next
        }
        guard bytes.count == 32, index == text.endIndex else {
            throw ConfigError(["\(key): \(path) must hold exactly 64 hex digits (openssl rand -hex 32)"])
        }
        return bytes
    }

    /// Connection options for a role against a database; the password must have been loaded.
    func connectionOptions(role: AccountRole, database: String, multiStatements: Bool = false) -> ConnectionOptions {
        var options = ConnectionOptions(
            socket: databaseSocket, host: databaseSocket.isEmpty ? databaseHost : "localhost", port: databasePort,
            user: accounts[role]!.user, password: passwords[role] ?? "", database: database,
            connectTimeout: connectTimeout, readTimeout: readTimeout, writeTimeout: writeTimeout,
            multiStatements: multiStatements)
        options.servers = databaseCluster.servers
        options.tlsCAFile = databaseCluster.tlsCAFile
        options.syncWait = databaseCluster.syncWait
        return options
    }

    /// The account and database a site's pool uses.
    func connectionOptions(for site: Site) -> ConnectionOptions {
        switch site {
        case .app: connectionOptions(role: .app, database: mainDatabase)
        case .developers: connectionOptions(role: .developers, database: developersDatabase)
        }
    }

    /// The role a site's pool connects as.
    static func role(for site: Site) -> AccountRole {
        switch site {
        case .app: .app
        case .developers: .developers
        }
    }
}

/// The `[database]` options for more than one database server (README "Database options").
struct DatabaseCluster: Equatable {
    /// TCP servers tried in order; empty uses `socket` or `host`/`port`.
    var servers: [DatabaseServer] = []
    /// CA file: TLS required and the server verified; empty for none.
    var tlsCAFile = ""
    /// `wsrep_sync_wait` set on connect; `nil` keeps the server's.
    var syncWait: Int?

    /// Parses `[database] hosts`: `host:port`, `[v6]:port` or `host` (port 3306), separated by commas; `nil` when an
    /// entry is malformed.
    static func servers(_ text: String) -> [DatabaseServer]? {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if entries == [""] { return [] }
        var servers: [DatabaseServer] = []
        for entry in entries {
            var host = Substring(entry)
            var port = 3306
            if host.hasPrefix("[") {
                guard let close = host.firstIndex(of: "]") else { return nil }
                let rest = host[host.index(after: close)...]
                host = host[host.index(after: host.startIndex)..<close]
                guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
                if !rest.isEmpty {
                    guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else { return nil }
                    port = number
                }
            } else {
                if let colon = host.firstIndex(of: ":") {
                    guard let number = Int(host[host.index(after: colon)...]) else { return nil }
                    port = number
                    host = host[..<colon]
                }
                let allowed = host.utf8.allSatisfy {
                    ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F
                }
                guard allowed, !host.hasPrefix("-"), !host.hasPrefix(".") else { return nil }
            }
            guard !host.isEmpty, host.utf8.count <= 253, (1...65535).contains(port) else { return nil }
            servers.append(DatabaseServer(host: String(host), port: port))
        }
        return servers.count <= 16 ? servers : nil
    }
}

/// Every problem found in a configuration; each line names the key (and the file line when there is one).
struct ConfigError: Error, CustomStringConvertible {
    let messages: [String]
    init(_ messages: [String]) { self.messages = messages }
    var description: String { messages.joined(separator: "\n") }
}
