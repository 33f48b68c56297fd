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

        try queue.finish(id, status: .done, lines: ["Users: 3 created", "Classes: 1 created"], now: now.addingTimeInterval(70))
        let done = try #require(try queue.job(id, of: SchoolID(1)))
        #expect(done.status == .done && done.lines == ["Users: 3 created", "Classes: 1 created"])
        #expect(try queue.claimNext(now: now.addingTimeInterval(9999), lease: 60) == nil)
        #expect(try db.database.query("SELECT files_zip IS NULL AS gone FROM roster_import_jobs WHERE id = \(id)").first?.int("gone") == 1)
    }
}
