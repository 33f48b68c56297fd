import CMariaDB
import Synchronization

/// Process- and thread-level set-up of libmariadb.
public enum MariaClient {
    private static let initialized = Mutex(false)

    /// Initialises the client library. Call once on the main thread before any thread opens a connection;
    /// later calls do nothing.
    public static func initializeLibrary() {
        initialized.withLock { done in
            guard !done else { return }
            let rc = mysql_server_init(0, nil, nil)
            precondition(rc == 0, "mysql_library_init failed: the client library cannot work in this process")
            done = true
        }
    }

    /// Runs `body` with the calling thread registered with libmariadb, as each thread owning a connection must.
    public static func withThread<T>(_ body: () throws -> T) rethrows -> T {
        initializeLibrary()
        _ = mysql_thread_init()
        defer { mysql_thread_end() }
        return try body()
    }
}
