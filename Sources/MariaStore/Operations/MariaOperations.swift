import Domain

/// What the operator's tools (`backup`, `restore`, `doctor`) ask the server about itself: versions, histories,
/// tables and an account's own privileges; and, for `restore --force`, emptying a database.
///
/// Database names come from the validated configuration (`[A-Za-z0-9_]`), which is why they may be spliced into
/// statements as identifiers.
public struct MariaOperations {
    let database: MariaDatabase

    /// Creates the helper over a connection (any account; what it may see depends on its privileges).
    public init(database: MariaDatabase) {
        self.database = database
    }

    /// The server's version string.
    public func serverVersion() throws -> String {
        try database.query("SELECT VERSION() AS v").first?.string("v") ?? "unknown"
    }

    /// The TLS cipher of this connection (empty without TLS) and the session's `wsrep_sync_wait` (`nil` on a
    /// server without Galera's variables).
    public func sessionTransport() throws -> (cipher: String, syncWait: Int?) {
        let cipher = try database.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").first?.string("Value") ?? ""
        let syncWait = try? database.query("SELECT @@session.wsrep_sync_wait AS w").first?.int("w")
        return (cipher, syncWait ?? nil)
    }

    /// The server's data directory (`@@datadir`).
    public func dataDirectory() throws -> String {
        try database.query("SELECT @@datadir AS d").first?.string("d") ?? ""
    }

    /// Whether a database exists (as far as this account may see).
    public func databaseExists(_ name: String) throws -> Bool {
        try database.query("SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = \(name)").first?.int("n") ?? 0 > 0
    }

    /// The base tables of a database.
    public func tables(in name: String) throws -> [String] {
        try database.query(
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = \(name) AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).compactMap { $0.string("t") }
    }

    /// The applied migrations of a database; empty before its first migration.
    public func appliedMigrations(in name: String) throws -> [AppliedMigration] {
        guard try tables(in: name).contains("schema_migrations") else { return [] }
        return try database.query(
            "SELECT version, file_name, checksum FROM \(unsafeRaw: Self.identifier(name)).schema_migrations ORDER BY version"
        ).map {
            AppliedMigration(version: $0.int("version") ?? 0, fileName: $0.string("file_name") ?? "", checksum: $0.string("checksum") ?? "")
        }
    }

    /// Drops a database and creates it again, empty, as `deploy/mariadb/bootstrap.sh` creates it. Grants on it (kept
    /// in the `mysql` schema) survive; table grants come back when the script runs again.
    public func recreate(_ name: String) throws {
        let quoted = Self.identifier(name)
        try database.execute("DROP DATABASE IF EXISTS \(unsafeRaw: quoted)")
        try database.execute("CREATE DATABASE \(unsafeRaw: quoted) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    }

    /// The privileges of the connected account, as `*.*`, `db.*` or `db.table` → normalized privilege list
    /// (``DatabaseGrantPolicy/normalize(_:)``, column privileges as `UPDATE(a,b)`), `USAGE` left out.
    ///
    /// `information_schema`'s privilege tables show an account its own grants.
    public func ownGrants() throws -> [String: String] {
        guard let current = try database.query("SELECT CURRENT_USER() AS u").first?.string("u"),
            let at = current.lastIndex(of: "@")
        else { return [:] }
        let grantee = "'\(current[..<at])'@'\(current[current.index(after: at)...])'"
        var found: [String: Set<String>] = [:]
        for row in try database.query(
            "SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = \(grantee) AND PRIVILEGE_TYPE <> 'USAGE'")
        {
            found["*.*", default: []].insert(row.string("p") ?? "?")
        }
        for row in try database.query(
            "SELECT TABLE_SCHEMA AS s, PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = \(grantee)")
        {
            found["\(row.string("s") ?? "?").*", default: []].insert(row.string("p") ?? "?")
        }
        for row in try database.query(
            "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, PRIVILEGE_TYPE AS p FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = \(grantee)")
        {
            found["\(row.string("s") ?? "?").\(row.string("t") ?? "?")", default: []].insert(row.string("p") ?? "?")
        }
        var columns: [String: [String: [String]]] = [:]
        for row in try database.query(
            """
            SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c, PRIVILEGE_TYPE AS p FROM information_schema.COLUMN_PRIVILEGES
            WHERE GRANTEE = \(grantee)
            """)
        {
            columns["\(row.string("s") ?? "?").\(row.string("t") ?? "?")", default: [:]][row.string("p") ?? "?", default: []].append(
                row.string("c") ?? "?")
        }
        for (table, privileges) in columns {
            for (privilege, names) in privileges { found[table, default: []].insert("\(privilege)(\(names.joined(separator: ",")))") }
        }
        return found.mapValues { DatabaseGrantPolicy.normalize($0.joined(separator: ", ")) }
    }

    /// A database name as a quoted identifier; names are validated by the configuration, the check here is a guard.
    static func identifier(_ name: String) -> String {
        precondition(!name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "not a plain database name")
        return "`\(name)`"
    }
}
