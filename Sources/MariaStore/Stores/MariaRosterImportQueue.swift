import Domain
import Foundation

/// ``RosterImportQueue`` over main's `roster_import_jobs`.
public struct MariaRosterImportQueue: RosterImportQueue {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    private static let columns = "id, school_id, started_by, source, status, requested_at, started_at, finished_at, outcome, outcome_messages"

    public func enqueue(
        school: SchoolID, requestedBy: UserID, startedBy: String, source: String, filesZip: [UInt8], now: Date
    ) throws -> Int64 {
        try database.execute(
            """
            INSERT INTO roster_import_jobs (school_id, requested_by, started_by, source, status, requested_at, files_zip)
            VALUES (\(school.rawValue), \(requestedBy.rawValue), \(String(startedBy.prefix(255))), \(String(source.prefix(255))),
                    'pending', \(now), \(filesZip))
            """
        ).insertID
    }

    public func job(_ id: Int64, of school: SchoolID) throws -> QueuedRosterImport? {
        try database.query(
            "SELECT \(unsafeRaw: Self.columns) FROM roster_import_jobs WHERE id = \(id) AND school_id = \(school.rawValue)"
        ).first.flatMap(Self.job)
    }

    public func claimNext(now: Date, lease: TimeInterval) throws -> (job: QueuedRosterImport, filesZip: [UInt8])? {
        try database.transaction { tx in
            guard
                let row = try tx.query(
                    """
                    SELECT \(unsafeRaw: Self.columns), files_zip FROM roster_import_jobs
                    WHERE status = 'pending' OR (status = 'running' AND lease_until < \(now))
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """
                ).first, let job = Self.job(row)
            else { return nil }
            try tx.execute(
                """
                UPDATE roster_import_jobs SET status = 'running', started_at = \(now), lease_until = \(now.addingTimeInterval(lease)),
                    attempts = attempts + 1
                WHERE id = \(job.id)
                """)
            let running = QueuedRosterImport(
                id: job.id, school: job.school, startedBy: job.startedBy, source: job.source, status: .running, requestedAt: job.requestedAt,
                startedAt: now, finishedAt: nil, lines: [])
            return (running, row.bytes("files_zip") ?? [])
        }
    }

    public func finish(_ id: Int64, status: RosterImportJobStatus, lines: [Message], now: Date) throws {
        // The English stays beside the codes, for an operator reading the table and for older versions. A report is at most
        // RosterReport.limit lines, far below the MEDIUMTEXT column; codes that would not fit are left out whole
        // (never cut into invalid JSON), and the page then shows the English.
        let text = String(lines.map(\.english).joined(separator: "\n").prefix(100_000))
        let messages = Message.stored(lines).flatMap { $0.utf8.count <= Self.messagesLimit ? $0 : nil }
        try database.execute(
            """
            UPDATE roster_import_jobs SET status = \(status.rawValue), finished_at = \(now), lease_until = NULL, files_zip = NULL,
                outcome = \(text), outcome_messages = \(messages)
            WHERE id = \(id)
            """)
    }

    /// The most bytes of `outcome_messages` written (MEDIUMTEXT holds 16 MiB).
    static let messagesLimit = 4_000_000

    private static func job(_ row: Row) -> QueuedRosterImport? {
        guard let id = row.int("id"), let school = row.int("school_id"), let status = row.string("status").flatMap(RosterImportJobStatus.init),
            let requestedAt = row.date("requested_at")
        else { return nil }
        // A job finished before migration 55 (or whose codes did not fit) has only its English lines.
        let lines: [Message]
        if let stored = row.string("outcome_messages"), let messages = Message.restored(stored) {
            lines = messages
        } else {
            let outcome = row.string("outcome") ?? ""
            lines = outcome.isEmpty ? [] : outcome.components(separatedBy: "\n").map(Message.init(verbatim:))
        }
        return QueuedRosterImport(
            id: Int64(id), school: SchoolID(Int64(school)), startedBy: row.string("started_by") ?? "", source: row.string("source") ?? "",
            status: status, requestedAt: requestedAt, startedAt: row.date("started_at"), finishedAt: row.date("finished_at"),
            lines: lines)
    }
}
