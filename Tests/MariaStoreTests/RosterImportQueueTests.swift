import Domain
import Foundation
import Testing

@testable import MariaStore

/// Queued roster uploads on a real database: claimed once, taken up again after a lost lease, ended with their
/// lines and without their files, and invisible to another school.
@Suite(.serialized) struct RosterImportQueueTests {
    let db: TestDatabase
    let queue: MariaRosterImportQueue
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let admin: UserID

    init() throws {
        db = try TestDatabase()
        queue = MariaRosterImportQueue(database: db.database)
        try db.insertTwoSchools(now: now)
        admin = UserID(try db.insertUser("admin", role: "school_admin", school: 1, now: now))
    }

    @Test func aJobIsClaimedOnceRetakenAfterItsLeaseAndEndsWithoutItsFiles() throws {
        let id = try queue.enqueue(
            school: SchoolID(1), requestedBy: admin, startedBy: "admin@x.test", source: "upload: r.zip", filesZip: [1, 2, 3], now: now)
        #expect(try queue.job(id, of: SchoolID(1))?.status == .pending)
        #expect(try queue.job(id, of: SchoolID(2)) == nil)

        let claimed = try #require(try queue.claimNext(now: now, lease: 60))
        #expect(claimed.job.id == id && claimed.job.status == .running && claimed.filesZip == [1, 2, 3])
        #expect(try queue.claimNext(now: now.addingTimeInterval(30), lease: 60) == nil)
        // The runner died: after the lease another run takes the job up again.
        #expect(try queue.claimNext(now: now.addingTimeInterval(61), lease: 60)?.job.id == id)

        let lines = [Message(verbatim: "Users: 3 created"), Message(verbatim: "Classes: 1 created")]
        try queue.finish(id, status: .done, lines: lines, now: now.addingTimeInterval(70))
        let done = try #require(try queue.job(id, of: SchoolID(1)))
        #expect(done.status == .done && done.lines == lines)
        #expect(try queue.claimNext(now: now.addingTimeInterval(9999), lease: 60) == nil)
        #expect(try db.database.query("SELECT files_zip IS NULL AS gone FROM roster_import_jobs WHERE id = \(id)").first?.int("gone") == 1)
    }

    @Test func aFinishedJobKeepsItsLinesAsMessageCodesAndAsEnglish() throws {
        let id = try queue.enqueue(
            school: SchoolID(1), requestedBy: admin, startedBy: "admin@x.test", source: "upload: r.zip", filesZip: [1], now: now)
        _ = try #require(try queue.claimNext(now: now, lease: 60))
        let problem = RosterProblem(
            file: "users.csv", line: 1234, column: "email",
            problem: Message("roster.problem.no_user", "there is no user 'u9' in users.csv", ["value": "u9"]))
        let counts = Message(
            "roster.summary.users", "Users: 3 created, 0 updated, 1 unchanged, 0 deactivated",
            numbers: ["created": 3, "updated": 0, "unchanged": 1, "deactivated": 0])
        let plural = Message("roster.problem.more", count: 2, "and 2 more problems")
        try queue.finish(id, status: .failed, lines: [problem.located, counts, plural], now: now.addingTimeInterval(5))

        let failed = try #require(try queue.job(id, of: SchoolID(1)))
        #expect(failed.status == .failed)
        #expect(failed.lines == [problem.located, counts, plural])
        #expect(failed.lines[0].numbers == ["line": 1234] && failed.lines[0].nested["problem"]?.arguments == ["value": "u9"])
        #expect(failed.lines[2].count == 2)
        // The English stays in `outcome` for the command line and older versions.
        let row = try #require(try db.database.query("SELECT outcome, outcome_messages FROM roster_import_jobs WHERE id = \(id)").first)
        #expect(
            row.string("outcome")
                == "users.csv line 1234, column email: there is no user 'u9' in users.csv\nUsers: 3 created, 0 updated, 1 unchanged, 0 deactivated\nand 2 more problems"
        )
        #expect(row.string("outcome_messages")?.contains("\"key\":\"roster.problem.at_line_column\"") == true)
    }

    @Test func aJobFinishedBeforeTheCodesKeepsItsStoredEnglishLines() throws {
        let id = try queue.enqueue(
            school: SchoolID(1), requestedBy: admin, startedBy: "admin@x.test", source: "upload: r.zip", filesZip: [1], now: now)
        // As an older version finished it: English lines only, no codes.
        try db.database.execute(
            """
            UPDATE roster_import_jobs SET status = 'done', finished_at = \(now), files_zip = NULL,
                outcome = \("School Northside: unchanged\nUsers: 0 created, 2 updated, 5 unchanged, 0 deactivated")
            WHERE id = \(id)
            """)
        let old = try #require(try queue.job(id, of: SchoolID(1)))
        #expect(
            old.lines == [
                Message(verbatim: "School Northside: unchanged"), Message(verbatim: "Users: 0 created, 2 updated, 5 unchanged, 0 deactivated"),
            ])
        #expect(old.lines.allSatisfy { $0.key.isEmpty })

        // Codes that are not a JSON array of messages (damaged) fall back to the English too.
        try db.database.execute("UPDATE roster_import_jobs SET outcome_messages = \("[{\"key\": 1}]") WHERE id = \(id)")
        #expect(try queue.job(id, of: SchoolID(1))?.lines == old.lines)
    }
}
