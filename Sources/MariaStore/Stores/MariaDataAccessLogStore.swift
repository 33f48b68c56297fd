import Domain
import Foundation

/// ``DataAccessLogStore`` over the main database's `data_access_log`.
public struct MariaDataAccessLogStore: DataAccessLogStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// Multi-row `INSERT`s of at most a dozen shapes (``MultiRowStatement``): one statement for a call that concerned
    /// one person, or a power-of-two count of people; otherwise a few, written in one transaction so a call's entries
    /// are all there or none are.
    public func append(_ entries: [DataAccessEntry]) throws {
        let queries = Self.appendQueries(entries)
        if queries.count == 1 {
            try database.execute(queries[0])
        } else if !queries.isEmpty {
            try database.transaction { tx in
                for query in queries { try tx.execute(query) }
            }
        }
    }

    /// The `INSERT`s of `entries`, for ``append(_:)`` and for a write's own transaction; none for no entries.
    static func appendQueries(_ entries: [DataAccessEntry]) -> [SQLQuery] {
        MultiRowStatement.queries(
            "INSERT INTO data_access_log (occurred_at, client_id, actor_user_id, subject_user_id, school_id, operation, request, status, api_key_id, first_of_call) VALUES ",
            entries.map { entry in
                [
                    entry.occurredAt.sqlValue, entry.clientID.rawValue.sqlValue, entry.actorID?.rawValue.sqlValue ?? .null,
                    entry.subjectID?.rawValue.sqlValue ?? .null, entry.schoolID?.rawValue.sqlValue ?? .null, entry.operation.sqlValue,
                    String(entry.request.prefix(300)).sqlValue, entry.status.sqlValue, entry.apiKeyID?.sqlValue ?? .null,
                    entry.firstOfCall.sqlValue,
                ]
            })
    }

    private static let recordColumns = """
        l.occurred_at, l.client_id, l.actor_user_id, l.subject_user_id, l.school_id, l.operation, l.request, l.status,
        c.name AS app_name, CONCAT(u.given_name, ' ', u.family_name) AS subject_name
        FROM data_access_log l LEFT JOIN oauth_clients c ON c.client_id = l.client_id LEFT JOIN users u ON u.id = l.subject_user_id
        """

    public func entries(aboutAnyOf subjects: [UserID], limit: Int) throws -> [DataAccessRecord] {
        guard !subjects.isEmpty else { return [] }
        return try database.query(
            "SELECT \(unsafeRaw: Self.recordColumns) WHERE l.subject_user_id IN (\(list: subjects.map(\.rawValue))) ORDER BY l.occurred_at DESC, l.id DESC LIMIT \(limit)"
        ).compactMap(Self.record)
    }

    public func entries(ofSchool school: SchoolID, limit: Int) throws -> [DataAccessRecord] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.recordColumns)
            WHERE l.school_id = \(school.rawValue) ORDER BY l.occurred_at DESC, l.id DESC LIMIT \(limit)
            """
        ).compactMap(Self.record)
    }

    /// Deletes through `ix_data_access_log_time`, oldest first, so each call is one short range delete.
    public func purge(before: Date, limit: Int) throws -> Int {
        try database.execute(
            "DELETE FROM data_access_log WHERE occurred_at < \(before) ORDER BY occurred_at LIMIT \(limit)"
        ).affectedRows
    }

    private static func record(_ row: Row) -> DataAccessRecord? {
        guard let at = row.date("occurred_at"), let client = row.string("client_id") else { return nil }
        let entry = DataAccessEntry(
            occurredAt: at, clientID: ClientID(client), actorID: row.id("actor_user_id"), subjectID: row.id("subject_user_id"),
            schoolID: row.id("school_id"), operation: row.string("operation") ?? "", request: row.string("request") ?? "",
            status: row.int("status") ?? 0)
        return DataAccessRecord(entry: entry, appName: row.string("app_name") ?? client, subjectName: row.string("subject_name"))
    }
}
