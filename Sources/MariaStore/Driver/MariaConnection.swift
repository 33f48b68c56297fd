import CMariaDB
import Domain
import Foundation

/// One libmariadb connection, owned by one thread. It caches prepared statements by their SQL text.
///
/// After any ``StoreError`` of kind `.unavailable` the connection must be discarded: ``MariaDatabase`` does that.
final class MariaConnection {
    private let handle: UnsafeMutablePointer<MYSQL>
    private var statements: [String: PreparedStatement] = [:]
    /// Most prepared statements kept per connection.
    static let maximumCachedStatements = 400

    /// Connects to the first server that answers: the unix socket or `host:port`, or each of
    /// ``ConnectionOptions/servers`` in order, moving to the next after any connect error (refused, timed out, a
    /// Galera node that is not ready, TLS refused). The last server's error is thrown, naming every one tried.
    init(options: ConnectionOptions) throws {
        let targets: [DatabaseServer?] = options.servers.isEmpty ? [nil] : options.servers
        var failures: [StoreError] = []
        for target in targets {
            do {
                // Assigned only after a successful connect: a throwing init must not leave a handle for deinit.
                self.handle = try Self.connect(options, to: target)
                return
            } catch let error as StoreError {
                failures.append(error)
            }
        }
        let last = failures.last!
        guard failures.count > 1 else { throw last }
        throw StoreError(last.kind, code: last.code, detail: failures.map(\.detail).joined(separator: "; "))
    }

    private static func connect(_ options: ConnectionOptions, to server: DatabaseServer?) throws -> UnsafeMutablePointer<MYSQL> {
        guard let mysql = mysql_init(nil) else {
            throw StoreError(.unavailable, detail: "mysql_init: out of memory")
        }
        var connectTimeout = UInt32(options.connectTimeout)
        var readTimeout = UInt32(options.readTimeout)
        var writeTimeout = UInt32(options.writeTimeout)
        mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &writeTimeout)
        "utf8mb4".withCString { _ = mysql_options(mysql, MYSQL_SET_CHARSET_NAME, $0) }
        if !options.tlsCAFile.isEmpty {
            // TLS is required (no fallback to plain text) and the server's certificate must chain to the CA and
            // name the host connected to.
            var on: my_bool = 1
            options.tlsCAFile.withCString { _ = mysql_options(mysql, MYSQL_OPT_SSL_CA, $0) }
            mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &on)
            mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on)
        }
        // All times are UTC in the database; strict mode turns silent truncation into errors; on Galera, the
        // causal-read level asked for.
        let syncWait = options.syncWait.map { ", wsrep_sync_wait = \($0)" } ?? ""
        "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'\(syncWait)"
            .withCString { _ = mysql_options(mysql, MYSQL_INIT_COMMAND, $0) }
        var flags: UInt = 0
        if options.multiStatements { flags |= UInt(CLIENT_MULTI_STATEMENTS) | UInt(CLIENT_MULTI_RESULTS) }
        let connected: UnsafeMutablePointer<MYSQL>?
        if let server {
            connected = mysql_real_connect(mysql, server.host, options.user, options.password, options.database, UInt32(server.port), nil, flags)
        } else {
            connected = mysql_real_connect(
                mysql, options.host, options.user, options.password, options.database,
                UInt32(options.port), options.socket.isEmpty ? nil : options.socket, flags)
        }
        guard connected != nil else {
            let error = MariaErrorMapping.storeError(
                code: mysql_errno(mysql), message: String(cString: mysql_error(mysql)),
                context: "connect to \(options.database) as \(options.user)\(server.map { " on \($0)" } ?? "")")
            mysql_close(mysql)
            // Access-denied at connect time is still "the database cannot be used": callers answer 503.
            throw error.kind == .denied ? StoreError(.unavailable, code: error.code, detail: error.detail) : error
        }
        return mysql
    }

    deinit {
        statements.removeAll()
        mysql_close(handle)
    }

    /// Runs one statement through the prepared-statement cache.
    ///
    /// The server answers 1615 (ER_NEED_REPREPARE) when a cached statement's tables left its table definition
    /// cache; the statement did not run, so it is prepared afresh and run once more.
    func execute(_ query: SQLQuery) throws -> QueryResult {
        let statement = try prepared(query.sql)
        do {
            return try statement.execute(query.binds)
        } catch let error as StoreError where error.code == 1615 {
            statements[query.sql] = nil
            return try prepared(query.sql).execute(query.binds)
        }
    }

    /// Whether the server still answers on this connection.
    func ping() -> Bool { mysql_ping(handle) == 0 }

    /// Whether the server has closed this idle connection (it restarted, was shut down, or timed the connection
    /// out), told without a round trip: between statements the protocol has nothing to read, so a readable or
    /// hung-up socket means the server went away. Nothing was sent on it yet, so a caller may open a new
    /// connection and run even a non-idempotent statement there.
    func closedByServer() -> Bool {
        let socket = mysql_get_socket(handle)
        guard socket >= 0 else { return true }
        var entry = pollfd(fd: Int32(socket), events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, 0)
        return ready != 0
    }

    /// Starts a transaction.
    func begin() throws { try runFixed("START TRANSACTION") }

    /// Commits the open transaction.
    func commit() throws {
        guard mysql_commit(handle) == 0 else { throw lastError("COMMIT") }
    }

    /// Rolls back the open transaction; failures are ignored because the connection is discarded after them.
    func rollback() { _ = mysql_rollback(handle) }

    /// Runs a multi-statement script (a migration file). Needs a connection opened with `multiStatements`.
    func executeScript(_ script: String, context: String) throws {
        let rc = script.utf8CString.withUnsafeBufferPointer {
            mysql_real_query(handle, $0.baseAddress, UInt(strlen($0.baseAddress!)))
        }
        guard rc == 0 else { throw lastError(context) }
        while true {
            if let result = mysql_store_result(handle) {
                mysql_free_result(result)
            } else if mysql_field_count(handle) != 0 {
                throw lastError(context)
            }
            let next = mysql_next_result(handle)
            if next == -1 { return }
            if next > 0 { throw lastError(context) }
        }
    }

    private func runFixed(_ sql: StaticString) throws {
        let rc = sql.withUTF8Buffer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mysql_real_query(handle, $0.baseAddress, UInt($0.count)) }
        }
        guard rc == 0 else { throw lastError("\(sql)") }
    }

    private func prepared(_ sql: String) throws -> PreparedStatement {
        if let statement = statements[sql] { return statement }
        // Statements built from a request's shape (OneRoster's filters and sorts) could otherwise fill the cache and
        // the server's max_prepared_stmt_count; the fixed statements are prepared again after a clear.
        if statements.count >= Self.maximumCachedStatements { statements.removeAll() }
        let statement = try PreparedStatement(connection: handle, sql: sql)
        statements[sql] = statement
        return statement
    }

    private func lastError(_ context: String) -> StoreError {
        MariaErrorMapping.storeError(
            code: mysql_errno(handle), message: String(cString: mysql_error(handle)), context: context)
    }
}
