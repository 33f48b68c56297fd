import Domain
import Testing

@testable import MariaStore

/// The one switch from MariaDB error numbers to ``StoreError`` kinds, including Galera's (issue 18): no database.
struct ErrorMappingTests {
    @Test(arguments: [
        // Galera: node not ready / left the primary component; the server gone mid-statement; shutting down.
        (1047, StoreError.Kind.unavailable), (2013, .unavailable), (1053, .unavailable), (2006, .unavailable),
        // Galera: a COMMIT on a node that has just left the primary component.
        (1180, .unavailable),
        // Deadlock and Galera's certification failure at COMMIT; lock wait timeout.
        (1213, .conflict), (1205, .conflict),
        // A statement the server refuses in its configuration (GET_LOCK under Galera).
        (1235, .unsupported),
        (1062, .duplicate), (1452, .constraint), (1142, .denied), (1146, .other),
    ])
    func eachErrorNumberHasItsKind(code: Int, kind: StoreError.Kind) {
        let error = MariaErrorMapping.storeError(code: UInt32(code), message: "m", context: "test")
        #expect(error.kind == kind)
        #expect(error.code == code)
    }
}

/// `ConnectionOptions.servers`: every server is tried in order and the error names each one (no server needed:
/// nothing listens on these ports).
struct ServerListTests {
    @Test func whenNoServerAnswersEachIsTriedAndNamed() throws {
        MariaClient.initializeLibrary()
        var options = ConnectionOptions(socket: "", user: "nobody", password: "x", database: "none", connectTimeout: 1)
        options.servers = [DatabaseServer(host: "127.0.0.1", port: 1), DatabaseServer(host: "::1", port: 1)]
        let error = #expect(throws: StoreError.self) {
            try MariaClient.withThread { _ = try MariaDatabase(options: options).query("SELECT 1 AS one") }
        }
        #expect(error?.kind == .unavailable)
        #expect(error?.detail.contains("on 127.0.0.1:1") == true && error?.detail.contains("on [::1]:1") == true)
    }
}
