/// Every configuration key, with its default and its documentation. `check-config --print-defaults` prints
/// this table as a config file, and a test checks that `deploy/catalystwells.conf.example` documents each key.
enum ConfigSchema {
    struct Key: Sendable {
        let section: String
        let name: String
        let defaultValue: String
        let help: String

        /// `section.name`, as messages name it.
        var path: String { "\(section).\(name)" }

        /// The environment variable that overrides it: `CATALYSTWELLS_POOL_APP_WORKERS` for `pool.app.workers`.
        var environmentVariable: String {
            "CATALYSTWELLS_" + path.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        }
    }

    /// Keys that meant something once and are now ignored, so a file written for an older release still loads:
    /// the data-access log's buffer settings (each call's entries are now written before it is answered).
    static let retired: Set<String> = ["api.access_log_batch_size", "api.access_log_flush_seconds"]

    static let sections = [
        "general", "pool.app", "pool.developers", "database", "database.app", "database.developers", "database.migrator",
        "accounts", "mail", "oauth", "api", "credentials", "portal", "cron", "sync", "webhooks", "federation", "audit",
        "privacy", "backup", "log",
    ]

    static let keys: [Key] =
        general + pool("app") + pool("developers") + database
        + account("app", user: "catalyst_app") + account("developers", user: "catalyst_dev")
        + account("migrator", user: "catalyst_migrator") + accounts + mail + oauth + api + credentials + portal + cron + sync + webhooks
        + federation + audit + privacy + backup + log

    private static let log: [Key] = [
        Key(
            section: "log", name: "format", defaultValue: "json",
            help: "json (one JSON object per line, for the journal and log shippers) or text; repeated warnings and errors are summarised either way")
    ]

    private static let general: [Key] = [
        Key(
            section: "general", name: "environment", defaultValue: "production",
            help: "production, development or test; development allows http URLs on localhost"),
        Key(
            section: "general", name: "log_level", defaultValue: "info",
            help: "trace, debug, info, notice, warning, error or critical; one line per request at info"),
        Key(
            section: "general", name: "app_url", defaultValue: "https://app.localhost:8443",
            help: "public base URL of the app site (the OAuth issuer)"),
        Key(
            section: "general", name: "developers_url", defaultValue: "https://developers.localhost:8443",
            help: "public base URL of the developer portal"),
        Key(
            section: "general", name: "request_body_limit", defaultValue: "1048576",
            help: "largest request body in bytes the workers read; keep nginx's client_max_body_size at or below it"),
        Key(
            section: "general", name: "upload_body_limit", defaultValue: "20971520",
            help: "largest roster upload in bytes (the school admin's import page only); nginx's limit for that page must match"),
        Key(
            section: "general", name: "schema_directory", defaultValue: "/usr/local/share/catalystwells/schema",
            help: "folder holding main/ and developers/ migration files, used by `catalystwells migrate`"),
        Key(
            section: "general", name: "locales_directory", defaultValue: "",
            help:
                "folder of the message catalogues (<lang>/LC_MESSAGES/catalystwells.po), read when a worker starts; empty: locales/ beside schema_directory"
        ),
        Key(
            section: "general", name: "pdf_font", defaultValue: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            help:
                "TrueType font the sign-in cards' PDF is set in, embedded (Debian: fonts-dejavu-core); empty or unreadable: Helvetica, Latin text only"
        ),
        Key(
            section: "general", name: "pdf_font_bold", defaultValue: "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
            help: "its bold face; both must be set for either to be used"),
    ]

    private static func pool(_ site: String) -> [Key] {
        let s = "pool.\(site)"
        return [
            Key(
                section: s, name: "socket", defaultValue: "/run/catalystwells/\(site).sock",
                help: "unix socket nginx connects to; empty to use a listening socket inherited on fd 0"),
            Key(section: s, name: "socket_mode", defaultValue: "0660", help: "permissions of the socket file (octal)"),
            Key(
                section: s, name: "socket_group", defaultValue: "www-data",
                help: "group given the socket file so nginx can connect; empty leaves it unchanged"),
            Key(section: s, name: "workers", defaultValue: "2", help: "worker processes (1 to 64)"),
            Key(
                section: s, name: "threads", defaultValue: "4",
                help: "request threads per worker, each with its own database connection (1 to 256)"),
            Key(
                section: s, name: "max_requests", defaultValue: "10000",
                help: "requests a worker serves before it is replaced (0: never)"),
            Key(
                section: s, name: "drain_timeout", defaultValue: "30",
                help: "seconds a stopping worker may take to finish in-flight requests (1 to 600)"),
        ]
    }

    private static let database: [Key] = [
        Key(
            section: "database", name: "socket", defaultValue: "/run/mysqld/mysqld.sock",
            help: "MariaDB unix socket; empty to connect over TCP to host and port"),
        Key(section: "database", name: "host", defaultValue: "localhost", help: "MariaDB host when socket is empty"),
        Key(section: "database", name: "port", defaultValue: "3306", help: "MariaDB TCP port when socket is empty"),
        Key(
            section: "database", name: "main_database", defaultValue: "catalyst_main",
            help: "database of schools, users, OAuth and sync state"),
        Key(
            section: "database", name: "developers_database", defaultValue: "catalyst_developers",
            help: "database of the developer portal"),
        Key(section: "database", name: "connect_timeout", defaultValue: "3", help: "seconds to wait for a connection"),
        Key(section: "database", name: "read_timeout", defaultValue: "10", help: "seconds to wait for a reply"),
        Key(section: "database", name: "write_timeout", defaultValue: "10", help: "seconds to wait to send a query"),
        Key(
            section: "database", name: "hosts", defaultValue: "",
            help:
                "TCP servers as host:port separated by commas ([v6]:port for IPv6; the port defaults to 3306), tried in order, moving to the next on a connect error (HAProxy in front of a Galera cluster, and a spare); when set, socket, host and port are not used"
        ),
        Key(
            section: "database", name: "tls_ca_file", defaultValue: "",
            help:
                "CA certificate (PEM) of the database servers: when set, every connection requires TLS and verifies the server's certificate and host name against it; empty for none (the local unix socket needs none)"
        ),
        Key(
            section: "database", name: "wsrep_sync_wait", defaultValue: "",
            help:
                "Galera only: wsrep_sync_wait set for each session on connect (0 to 15; 1 makes reads causal: a read waits until the node applied every earlier commit of the cluster); empty keeps the server's setting"
        ),
    ]

    private static let accounts: [Key] = [
        Key(
            section: "accounts", name: "session_idle_minutes", defaultValue: "30",
            help: "a browser session ends after this many minutes without a request (1 to 1440)"),
        Key(
            section: "accounts", name: "session_absolute_hours", defaultValue: "12",
            help: "a browser session ends this many hours after sign-in, active or not (1 to 720)"),
        Key(
            section: "accounts", name: "throttle_account_failures", defaultValue: "5",
            help: "failed sign-ins for one email or username before it is locked (1 to 100)"),
        Key(
            section: "accounts", name: "throttle_address_failures", defaultValue: "50",
            help: "failed sign-ins from one client address (an IPv6 /64) before it is slowed, never locked (1 to 100000)"),
        Key(
            section: "accounts", name: "throttle_address_slowdown_seconds", defaultValue: "3",
            help: "seconds an address past its limit waits per further failure, up to ten times this (1 to 60)"),
        Key(
            section: "accounts", name: "throttle_window_seconds", defaultValue: "900",
            help: "seconds over which failed sign-ins are counted (1 to 86400)"),
        Key(
            section: "accounts", name: "throttle_lockout_seconds", defaultValue: "300",
            help: "seconds a locked name (or trusted device) must wait (1 to 86400)"),
        Key(
            section: "accounts", name: "reset_link_minutes", defaultValue: "60",
            help: "minutes a password reset link stays valid (5 to 1440)"),
        Key(
            section: "accounts", name: "reset_mail_cooldown_seconds", defaultValue: "60",
            help: "seconds before another reset mail goes to the same account, however often the form is sent (10 to 3600)"),
        Key(
            section: "accounts", name: "password_checks_per_worker", defaultValue: "2",
            help:
                "password hashes (argon2id) a worker process runs at once; more wait briefly or get 503 with Retry-After (1 to 64)"),
        Key(
            section: "accounts", name: "set_password_link_days", defaultValue: "7",
            help: "days the set-password link sent to a new account stays valid (1 to 30)"),
        Key(
            section: "accounts", name: "argon2_ops", defaultValue: "2",
            help: "argon2id passes over memory (1 to 10); raising it re-hashes passwords at next sign-in"),
        Key(
            section: "accounts", name: "argon2_memory_kib", defaultValue: "65536",
            help: "argon2id memory per hash in KiB (8192 to 1048576); each concurrent sign-in uses this much"),
    ]

    private static let mail: [Key] = [
        Key(
            section: "mail", name: "sendmail_command", defaultValue: "/usr/sbin/sendmail -t -i",
            help: "a sendmail-compatible program (words split on spaces) that reads a whole message on standard input"),
        Key(
            section: "mail", name: "from", defaultValue: "CatalystWells <no-reply@localhost>",
            help: "the From: address of mail the app site sends"),
        Key(
            section: "mail", name: "retry_seconds", defaultValue: "60",
            help: "seconds before a mail the program refused is tried again (1 to 3600); the wait doubles up to an hour"),
        Key(
            section: "mail", name: "give_up_hours", defaultValue: "24",
            help: "hours a queued mail is retried before it is dropped (1 to 168); a mail with a link stops at the link's expiry"),
    ]

    private static let oauth: [Key] = [
        Key(
            section: "oauth", name: "key_file", defaultValue: "/etc/catalystwells/secrets/oauth.key",
            help:
                "32 random bytes as 64 hex digits (openssl rand -hex 32): keys the client-secret digests and seals ID-token signing keys; app pool's user only"
        ),
        Key(section: "oauth", name: "access_token_seconds", defaultValue: "3600", help: "access token lifetime (60 to 86400)"),
        Key(section: "oauth", name: "refresh_token_days", defaultValue: "30", help: "refresh token lifetime; each use rotates it (1 to 365)"),
        Key(
            section: "oauth", name: "refresh_absolute_days", defaultValue: "90",
            help: "days after sign-in when a grant's refresh tokens end however often they were rotated; then the person signs in again (1 to 730)"),
        Key(section: "oauth", name: "code_seconds", defaultValue: "60", help: "authorization code lifetime (10 to 600)"),
        Key(
            section: "oauth", name: "key_publish_delay_seconds", defaultValue: "600",
            help:
                "a signing key made by `keys rotate` is published in the JWKS at once and signs only this many seconds later, so relying parties (and every host) have it first (0 to 86400; a first key signs at once)"
        ),
        Key(
            section: "oauth", name: "refresh_reuse_grace_seconds", defaultValue: "10",
            help: "a rotated refresh token presented again within this many seconds is a retry, later a theft: the grant is revoked (0 to 60)"),
        Key(
            section: "oauth", name: "dpop_resource_nonce", defaultValue: "true",
            help:
                "true: userinfo, /api/v1 and OneRoster ask DPoP proofs for the server nonce (RFC 9449 §9: 401 use_dpop_nonce with DPoP-Nonce, the client retries), as the token endpoint always does; false: resources take proofs without one"
        ),
    ]

    private static let credentials: [Key] = [
        Key(
            section: "credentials", name: "key_file", defaultValue: "/etc/catalystwells/secrets/credentials.key",
            help:
                "32 random bytes as 64 hex digits (openssl rand -hex 32): keys the digests of client secrets and API keys; both pools' users read it (the portal issues them, the app site checks them)"
        )
    ]

    private static let cron: [Key] = [
        Key(
            section: "cron", name: "secret_file", defaultValue: "/etc/catalystwells/secrets/cron.secret",
            help:
                "one line of 32+ random characters (openssl rand -hex 32): the bearer secret of POST /internal/cron/*, which nginx also limits to loopback; both pools read it"
        ),
        Key(
            section: "cron", name: "allowed_addresses", defaultValue: "127.0.0.0/8, ::1/128",
            help:
                "addresses and networks (CIDR) whose requests may reach /internal/ (cron endpoints, metrics), as nginx passes the peer (REMOTE_ADDR; behind a trusted front set real_ip in nginx); others get 404. Keep nginx's geo $cw_internal block the same"
        ),
    ]

    private static let sync: [Key] = [
        Key(
            section: "sync", name: "test_fault", defaultValue: "",
            help:
                "test environment only: after_main_commit, after_usage_collected or after_events_queued makes a sync run exit there, to prove the next run completes it"
        )
    ]

    private static let webhooks: [Key] = [
        Key(
            section: "webhooks", name: "allow_private_targets", defaultValue: "false",
            help:
                "true lets webhooks go to loopback, private (RFC 1918), CGNAT, link-local and unique-local addresses; only for test stacks and closed networks (public URLs only otherwise)"
        ),
        Key(
            section: "webhooks", name: "ca_file", defaultValue: "",
            help: "a PEM file of CAs trusted for webhook receivers instead of the system store (test stacks); empty for the system store"),
    ]

    private static let federation: [Key] = [
        Key(
            section: "federation", name: "allow_private_targets", defaultValue: "false",
            help:
                "true lets sign-in with upstream OpenID providers reach loopback and private addresses (discovery, keys, tokens); only for test stacks, the demo provider and closed networks"
        ),
        Key(
            section: "federation", name: "ca_file", defaultValue: "",
            help: "a PEM file of CAs trusted for upstream OpenID providers instead of the system store (test stacks); empty for the system store"),
    ]

    private static let audit: [Key] = [
        Key(
            section: "audit", name: "retention_days", defaultValue: "365",
            help:
                "days the security audit log keeps an entry before `catalystwells purge` deletes it (30 to 3650; the database refuses to delete younger entries)"
        )
    ]

    private static let privacy: [Key] = [
        Key(
            section: "privacy", name: "erasure_waiting_days", defaultValue: "30",
            help:
                "days between a school admin's confirmation of an erasure and `catalystwells erasures run` carrying it out; cancellable until then (1 to 365; 0 only with environment = test)"
        ),
        Key(
            section: "privacy", name: "erasure_log_deletion_days", defaultValue: "90",
            help:
                "an erasure deletes the person's data-access log and security log entries older than this many days and pseudonymises the younger ones (30 to 3650; the security log refuses to delete entries younger than 30 days)"
        ),
        Key(
            section: "privacy", name: "export_link_hours", defaultValue: "72",
            help: "how long the mailed link to an export made in the background works (it works once) (1 to 336)"),
        Key(
            section: "privacy", name: "export_inline_rows", defaultValue: "5000",
            help:
                "a one-person export of at most this many rows is made at once and downloaded in the same request; bigger ones, and class and school exports, are made by `catalystwells exports run` and linked by mail (0 to 1000000)"
        ),
        Key(
            section: "privacy", name: "dev_mail_folder", defaultValue: "",
            help:
                "the folder the development mail program writes messages to (deploy/dev/mail-to-folder); an erasure deletes the messages to the person there. Empty in production, where sent mail has left the server"
        ),
    ]

    private static let backup: [Key] = [
        Key(
            section: "backup", name: "directory", defaultValue: "/var/backups/catalystwells",
            help: "folder `catalystwells backup` writes its encrypted archives to and `backup prune` thins out (root only, 0700)"),
        Key(
            section: "backup", name: "recipients_file", defaultValue: "/etc/catalystwells/backup-recipients.txt",
            help:
                "age recipients (public keys from `age-keygen`, one per line) every archive is encrypted for; keep the matching identity files off this machine"
        ),
        Key(
            section: "backup", name: "keep_daily", defaultValue: "7",
            help: "`backup prune` keeps the newest archive of each of this many days (0 to 366)"),
        Key(section: "backup", name: "keep_weekly", defaultValue: "5", help: "...and of this many ISO weeks (0 to 520)"),
        Key(section: "backup", name: "keep_monthly", defaultValue: "12", help: "...and of this many months (0 to 240)"),
    ]

    private static let portal: [Key] = [
        Key(
            section: "portal", name: "key_file", defaultValue: "/etc/catalystwells/secrets/developers.key",
            help:
                "32 random bytes as 64 hex digits (openssl rand -hex 32): seals developers' TOTP seeds and webhook secrets; developers pool's user only"
        ),
        Key(
            section: "portal", name: "verify_link_hours", defaultValue: "48",
            help: "how long an email verification link of the developer portal works (1 to 168)"),
        Key(
            section: "portal", name: "resend_cooldown_seconds", defaultValue: "60",
            help: "the least time between two verification mails for one developer (0 to 3600)"),
    ]

    private static let api: [Key] = [
        Key(
            section: "api", name: "rate_limit_per_minute", defaultValue: "600",
            help: "education API calls per minute per app, one bucket in the main database shared by every worker on every host (1 to 1000000)"),
        Key(
            section: "api", name: "rate_limit_burst", defaultValue: "60",
            help: "education API calls an app may make at once before the per-minute rate applies (1 to 1000000)"),
        Key(
            section: "api", name: "partner_clients", defaultValue: "",
            help: "client ids (comma-separated) of apps on the partner tier, which get the partner limits below instead"),
        Key(
            section: "api", name: "partner_rate_limit_per_minute", defaultValue: "6000",
            help: "education API calls per minute per partner-tier app, one shared bucket as above (1 to 1000000)"),
        Key(
            section: "api", name: "partner_rate_limit_burst", defaultValue: "600",
            help: "burst of a partner-tier app (1 to 1000000)"),
        Key(
            section: "api", name: "access_log_retention_days", defaultValue: "365",
            help: "days the data-access log keeps an entry before `catalystwells purge` deletes it (1 to 3650)"),
    ]

    private static func account(_ role: String, user: String) -> [Key] {
        let purpose =
            switch role {
            case "app": "the app pool's account"
            case "developers": "the developers pool's account (rights on the developers database only)"
            default: "the account that owns both schemas and runs migrations"
            }
        return [
            Key(section: "database.\(role)", name: "user", defaultValue: user, help: purpose),
            Key(
                section: "database.\(role)", name: "password_file",
                defaultValue: "/etc/catalystwells/secrets/db-\(role).password",
                help: "file holding the password (one line, mode 0600 or 0640)"),
        ]
    }

    /// The keys as a commented config file.
    static func exampleFile() -> String {
        var out = "# CatalystWells configuration. Every key is shown with its default.\n"
        out += "# Environment variables override keys: CATALYSTWELLS_<SECTION>_<KEY>, e.g. CATALYSTWELLS_POOL_APP_WORKERS.\n"
        for section in sections {
            out += "\n[\(section)]\n"
            for key in keys where key.section == section {
                out += "# \(key.help)\n\(key.name) = \(key.defaultValue)\n"
            }
        }
        return out
    }
}
