import CMariaDB
import Domain

/// The one place where MariaDB and client-library error numbers become ``StoreError`` kinds.
enum MariaErrorMapping {
    static func storeError(code: UInt32, message: String, context: String) -> StoreError {
        let kind: StoreError.Kind =
            switch code {
            // Duplicate entry for a unique key.
            case 1062, 1586: .duplicate
            // Lock wait timeout, deadlock, and on Galera a certification failure (1213 at COMMIT: another node
            // committed a write to the same rows first): the whole transaction may be retried.
            case 1205, 1213: .conflict
            // Client-side connection failures (CR_*), a killed connection, the server shutting down or timing
            // the client out, and a statement handle the server no longer knows (it restarted): the connection
            // is unusable and is rebuilt.
            case 2002, 2003, 2005, 2006, 2013, 2026, 2055, 2056, 1053, 1927, 4031, 1243: .unavailable
            // Galera: 1047 "WSREP has not yet prepared node for application use" — the node left the primary
            // component or is still joining. It answers nothing useful until it rejoins: drop the connection and
            // reconnect (to the next host of `database.hosts`); the request meanwhile gets 503 with Retry-After.
            case 1047: .unavailable
            // 1180 "Got error … during COMMIT": on Galera, a commit on a node that has just left the primary
            // component ("Error while appending streaming replication fragment … Not connected to Primary
            // Component"). The transaction was rolled back; like 1047, reconnect and answer 503 meanwhile.
            case 1180: .unavailable
            // The server's disk is full: a table or temporary file cannot grow (1114 "table is full", 1021 disk
            // full, 3 "error writing file", 1030 an engine's errno such as 28 ENOSPC). The statement was rolled
            // back and a retry after the operator frees space works: 503 with Retry-After, like an outage.
            case 1114, 1021, 3, 1030: .unavailable
            // Access denied to an account, database or table: a deployment error.
            case 1044, 1045, 1142, 1143, 1227, 1370: .denied
            // 1235 "This version of MariaDB doesn't yet support …": a statement the server refuses in its
            // configuration (GET_LOCK under Galera, for one): a deployment error too, never worth retrying.
            case 1235: .unsupported
            // Foreign keys, NOT NULL, range, length, check constraints.
            case 1048, 1264, 1366, 1406, 1451, 1452, 3819, 4025: .constraint
            default: .other
            }
        return StoreError(kind, code: Int(code), detail: "\(context): MariaDB error \(code): \(message)")
    }
}
