/// One TCP server of a host list (``ConnectionOptions/servers``).
public struct DatabaseServer: Sendable, Equatable, CustomStringConvertible {
    /// A host name or address (an IPv6 address without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates a server entry.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How to reach one database as one account.
public struct ConnectionOptions: Sendable, CustomStringConvertible {
    /// The unix socket path; when set, `host` must be `localhost` for libmariadb to use it.
    public var socket: String
    /// The server host, `localhost` for the unix socket.
    public var host: String
    /// The TCP port when `socket` is empty.
    public var port: Int
    /// The account name.
    public var user: String
    /// The account password; never printed.
    public var password: String
    /// The database (schema) to use.
    public var database: String
    /// Seconds to wait for a connection.
    public var connectTimeout: Int
    /// Seconds to wait for a reply.
    public var readTimeout: Int
    /// Seconds to wait for a write to the server.
    public var writeTimeout: Int
    /// Allow several statements in one query text; only for the migration runner.
    public var multiStatements: Bool
    /// TCP servers tried in order, the next one after a connect error (a Galera cluster's nodes, or HAProxy
    /// and its spare); when not empty, `socket`, `host` and `port` are not used.
    public var servers: [DatabaseServer] = []
    /// A CA file (PEM): when set, the connection requires TLS and verifies the server's certificate and host name
    /// against it (`MYSQL_OPT_SSL_CA`, `MYSQL_OPT_SSL_VERIFY_SERVER_CERT`).
    public var tlsCAFile = ""
    /// `wsrep_sync_wait` for the session, set on connect (Galera causal reads: 1 makes a read wait until the
    /// node has applied every write committed anywhere before it); `nil` keeps the server's setting.
    public var syncWait: Int?

    /// Creates options; timeouts default to a few seconds so an outage turns into a fast 503.
    public init(
        socket: String, host: String = "localhost", port: Int = 3306, user: String, password: String,
        database: String, connectTimeout: Int = 3, readTimeout: Int = 10, writeTimeout: Int = 10,
        multiStatements: Bool = false
    ) {
        self.socket = socket
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.multiStatements = multiStatements
    }

    /// Where and as whom, without the password.
    public var description: String {
        let place = !servers.isEmpty ? servers.map(\.description).joined(separator: ",") : socket.isEmpty ? "\(host):\(port)" : socket
        return "\(user)@\(place)/\(database)\(tlsCAFile.isEmpty ? "" : " (TLS)")"
    }
}
