import Domain
import Foundation

/// ``ExportJobStore`` over main's `export_jobs`.
public struct MariaExportJobStore: ExportJobStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    private static let columns = """
        id, school_id, requested_by, audience, kind, subject_user_id, class_id, status, requested_at, finished_at, link_expires_at, error
        """

    public func request(school: SchoolID, by requester: UserID, audience: ExportAudience, scope: ExportScope, now: Date) throws -> ExportJob {
        try database.transaction { tx in
            // The requester's row, locked, serialises their requests so the pending count cannot be raced past.
            _ = try tx.query("SELECT id FROM users WHERE id = \(requester.rawValue) FOR UPDATE")
            let pending =
                try tx.query(
                    "SELECT COUNT(*) AS n FROM export_jobs WHERE requested_by = \(requester.rawValue) AND status = 'pending'"
                ).first?.int("n") ?? 0
            if pending >= ExportRules.pendingPerRequester { throw StoreError(.conflict, detail: "too many pending exports") }
            var subject: Int64?
            var classID: Int64?
            switch scope {
            case .person(let person): subject = person.rawValue
            case .schoolClass(let id): classID = id.rawValue
            case .school: break
            }
            let inserted = try tx.execute(
                """
                INSERT INTO export_jobs (school_id, requested_by, audience, kind, subject_user_id, class_id, status, requested_at)
                VALUES (\(school.rawValue), \(requester.rawValue), \(audience.rawValue), \(scope.kind), \(subject), \(classID), 'pending', \(now))
                """)
            return ExportJob(
                id: inserted.insertID, school: school, requestedBy: requester, audience: audience, scope: scope, status: .pending,
                requestedAt: now, finishedAt: nil, linkExpiresAt: nil, error: nil)
        }
    }

    public func jobs(requestedBy requester: UserID, limit: Int) throws -> [ExportJob] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM export_jobs WHERE requested_by = \(requester.rawValue)
            ORDER BY requested_at DESC, id DESC LIMIT \(max(limit, 0))
            """
        ).compactMap(Self.job)
    }

    public func claimNext(now: Date, lease: TimeInterval) throws -> ExportJob? {
        try database.transaction { tx in
            guard
                let row = try tx.query(
                    """
                    SELECT \(unsafeRaw: Self.columns) FROM export_jobs
                    WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < \(now))
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """
                ).first, let job = Self.job(row)
            else { return nil }
            try tx.execute("UPDATE export_jobs SET lease_until = \(now.addingTimeInterval(lease)) WHERE id = \(job.id)")
            return job
        }
    }

    public func complete(job: Int64, sealedChunks: [[UInt8]], linkDigest: [UInt8], linkExpiresAt: Date, now: Date) throws {
        // One transaction that first locks the job row: a second runner (one whose lease ran out while it wrote) waits
        // for it and then finds the job no longer pending, so two runs' chunks can never mix. Each chunk is its own
        // statement, well under max_allowed_packet, so an archive of any size is written; the job turns ready, and
        // so downloadable, in the same commit as its chunks. Chunks a dead runner left are replaced.
        try database.transaction { tx in
            guard try !tx.query("SELECT id FROM export_jobs WHERE id = \(job) AND status = 'pending' FOR UPDATE").isEmpty else { return }
            try tx.execute("DELETE FROM export_archive_chunks WHERE export_id = \(job)")
            for (seq, chunk) in sealedChunks.enumerated() {
                try tx.execute("INSERT INTO export_archive_chunks (export_id, seq, bytes) VALUES (\(job), \(Int64(seq)), \(chunk))")
            }
            try tx.execute(
                """
                UPDATE export_jobs SET status = 'ready', archive_sealed = NULL, link_digest = \(linkDigest),
                    link_expires_at = \(linkExpiresAt), finished_at = \(now), lease_until = NULL
                WHERE id = \(job)
                """)
        }
    }

    public func fail(job: Int64, reason: String, now: Date) throws {
        // Only a job still pending fails, and only its chunks go: a late failure of a stale runner leaves a job
        // another runner completed (and its chunks) alone.
        try database.transaction { tx in
            let failed = try tx.execute(
                """
                UPDATE export_jobs SET status = 'failed', error = \(String(reason.prefix(300))), finished_at = \(now), lease_until = NULL
                WHERE id = \(job) AND status = 'pending'
                """
            ).affectedRows
            if failed > 0 { try tx.execute("DELETE FROM export_archive_chunks WHERE export_id = \(job)") }
        }
    }

    public func spendLink(digest: [UInt8], requester: UserID, now: Date) throws -> (job: ExportJob, sealedArchive: SealedExportArchive)? {
        try database.transaction { tx in
            guard
                let row = try tx.query(
                    """
                    SELECT \(unsafeRaw: Self.columns), archive_sealed FROM export_jobs
                    WHERE link_digest = \(digest) AND requested_by = \(requester.rawValue) AND status = 'ready' AND link_expires_at > \(now)
                    FOR UPDATE
                    """
                ).first, let job = Self.job(row)
            else { return nil }
            let archive: SealedExportArchive
            if let whole = row.bytes("archive_sealed") {
                archive = .whole(whole)  // stored before main 0034
            } else {
                // Each row is its own packet of at most 1 MiB; the caller checks every chunk's place when opening.
                let chunks = try tx.query("SELECT bytes FROM export_archive_chunks WHERE export_id = \(job.id) ORDER BY seq")
                archive = .chunks(chunks.map { $0.bytes("bytes") ?? [] })
            }
            try tx.execute("UPDATE export_jobs SET status = 'downloaded', archive_sealed = NULL, finished_at = \(now) WHERE id = \(job.id)")
            try tx.execute("DELETE FROM export_archive_chunks WHERE export_id = \(job.id)")
            return (job, archive)
        }
    }

    public func expireLinks(now: Date) throws -> Int {
        try database.transaction { tx in
            let expired = try tx.execute(
                "UPDATE export_jobs SET status = 'expired', archive_sealed = NULL WHERE status = 'ready' AND link_expires_at <= \(now)"
            ).affectedRows
            try tx.execute(
                """
                DELETE c FROM export_archive_chunks c JOIN export_jobs j ON j.id = c.export_id
                WHERE j.status IN ('downloaded', 'expired', 'failed')
                """)
            return expired
        }
    }

    private static func job(_ row: Row) -> ExportJob? {
        guard let id = row.int("id"), let school: SchoolID = row.id("school_id"), let requester: UserID = row.id("requested_by"),
            let audience = ExportAudience(rawValue: row.string("audience") ?? ""), let status = ExportJobStatus(rawValue: row.string("status") ?? ""),
            let at = row.date("requested_at")
        else { return nil }
        let scope: ExportScope
        switch row.string("kind") {
        case "person":
            guard let subject: UserID = row.id("subject_user_id") else { return nil }
            scope = .person(subject)
        case "class":
            guard let classID: ClassID = row.id("class_id") else { return nil }
            scope = .schoolClass(classID)
        default: scope = .school
        }
        return ExportJob(
            id: Int64(id), school: school, requestedBy: requester, audience: audience, scope: scope, status: status, requestedAt: at,
            finishedAt: row.date("finished_at"), linkExpiresAt: row.date("link_expires_at"), error: row.string("error"))
    }
}
