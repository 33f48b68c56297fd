import Domain
import Testing

@testable import MariaStore

/// The one switch from MariaDB error numbers to ``StoreError`` kinds, including Galera's (issue 18): no database.
struct ErrorMappingTests {
    @Test(arguments: [
        // Galera: node not ready / left the primary component; the server gone mid-statement; shutting down.
        (1047, StoreError.Kind.unavailable), (2013, .unavailable), (1053, .unavailable), (2006, .unavailable),
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
