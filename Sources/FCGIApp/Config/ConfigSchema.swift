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

    static let sections = ["general", "pool.app", "pool.developers", "database", "database.app", "database.developers", "database.migrator"]

    static let keys: [Key] = general + pool("app") + pool("developers") + database
        + account("app", user: "catalyst_app") + account("developers", user: "catalyst_dev")
        + account("migrator", user: "catalyst_migrator")

    private static let general: [Key] = [
        Key(section: "general", name: "environment", defaultValue: "production",
            help: "production, development or test; development allows http URLs on localhost"),
        Key(section: "general", name: "log_level", defaultValue: "info",
            help: "trace, debug, info, notice, warning, error or critical; requests are logged at debug"),
        Key(section: "general", name: "app_url", defaultValue: "https://app.localhost:8443",
            help: "public base URL of the app site (the OAuth issuer)"),
        Key(section: "general", name: "developers_url", defaultValue: "https://developers.localhost:8443",
            help: "public base URL of the developer portal"),
        Key(section: "general", name: "request_body_limit", defaultValue: "1048576",
            help: "largest request body in bytes the workers read; keep nginx's client_max_body_size at or below it"),
        Key(section: "general", name: "schema_directory", defaultValue: "/usr/local/share/catalystwells/schema",
            help: "folder holding main/ and developers/ migration files, used by `catalystwells migrate`"),
    ]

    private static func pool(_ site: String) -> [Key] {
        let s = "pool.\(site)"
        return [
            Key(section: s, name: "socket", defaultValue: "/run/catalystwells/\(site).sock",
                help: "unix socket nginx connects to; empty to use a listening socket inherited on fd 0"),
            Key(section: s, name: "socket_mode", defaultValue: "0660", help: "permissions of the socket file (octal)"),
            Key(section: s, name: "socket_group", defaultValue: "www-data",
                help: "group given the socket file so nginx can connect; empty leaves it unchanged"),
            Key(section: s, name: "workers", defaultValue: "2", help: "worker processes (1 to 64)"),
            Key(section: s, name: "threads", defaultValue: "4",
                help: "request threads per worker, each with its own database connection (1 to 256)"),
            Key(section: s, name: "max_requests", defaultValue: "10000",
                help: "requests a worker serves before it is replaced (0: never)"),
            Key(section: s, name: "drain_timeout", defaultValue: "30",
                help: "seconds a stopping worker may take to finish in-flight requests (1 to 600)"),
        ]
    }

    private static let database: [Key] = [
        Key(section: "database", name: "socket", defaultValue: "/run/mysqld/mysqld.sock",
            help: "MariaDB unix socket; empty to connect over TCP to host and port"),
        Key(section: "database", name: "host", defaultValue: "localhost", help: "MariaDB host when socket is empty"),
        Key(section: "database", name: "port", defaultValue: "3306", help: "MariaDB TCP port when socket is empty"),
        Key(section: "database", name: "main_database", defaultValue: "catalyst_main",
            help: "database of schools, users, OAuth and sync state"),
        Key(section: "database", name: "developers_database", defaultValue: "catalyst_developers",
            help: "database of the developer portal"),
        Key(section: "database", name: "connect_timeout", defaultValue: "3", help: "seconds to wait for a connection"),
        Key(section: "database", name: "read_timeout", defaultValue: "10", help: "seconds to wait for a reply"),
        Key(section: "database", name: "write_timeout", defaultValue: "10", help: "seconds to wait to send a query"),
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
            Key(section: "database.\(role)", name: "password_file",
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
