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
        "\(user)@\(socket.isEmpty ? "\(host):\(port)" : socket)/\(database)"
    }
}
