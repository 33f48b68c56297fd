import Crypto
import Domain
import Foundation
import Testing

@testable import MariaStore

/// Exports and erasures against MariaDB: a person's record read within their school only, the export jobs' one-time
/// links, and the erasure's conditional changes and resumable steps, including a step the audit log's trigger refuses
/// (the test server's admin is not the migration account), which leaves nothing half-done.
@Suite(.serialized) struct PrivacyStoreTests {
    let now = Date()

    /// Two schools; in school 1 a class with `ada` (student), her parent `pat`, a published grade and a mark.
    func seed(_ db: TestDatabase) throws -> (ada: UserID, pat: UserID, bob: UserID, classID: ClassID) {
        try db.insertTwoSchools(now: now)
        let ada = try db.insertUser("ada", role: "student", school: 1, now: now)
        let pat = try db.insertUser("pat", role: "parent", school: 1, now: now)
        let bob = try db.insertUser("bob", role: "student", school: 2, now: now)
        let teacher = try db.insertUser("tess", role: "teacher", school: 1, now: now)
        try db.database.execute(
            """
            INSERT INTO terms (school_id, sourced_id, title, kind, start_date, end_date) VALUES (1, 't1', 'Year', 'schoolYear', '2025-09-01', '2026-07-01')
            """)
        try db.database.execute("INSERT INTO courses (school_id, sourced_id, title) VALUES (1, 'c1', 'Maths')")
        let classID = try db.database.execute(
            "INSERT INTO classes (school_id, sourced_id, title, course_id, term_id) VALUES (1, 'k1', 'Maths 7', 1, 1)"
        ).insertID
        try db.database.execute(
            "INSERT INTO enrollments (class_id, user_id, role, sourced_id) VALUES (\(classID), \(ada), 'student', 'e1'), (\(classID), \(teacher), 'teacher', 'e2')"
        )
        try db.database.execute("INSERT INTO guardianships (parent_id, student_id) VALUES (\(pat), \(ada))")
        let assessment = try db.database.execute(
            """
            INSERT INTO assessments (class_id, title, max_score, published, created_by, created_at, updated_at)
            VALUES (\(classID), 'Quiz', 10, TRUE, \(teacher), \(now), \(now))
            """
        ).insertID
        try db.database.execute(
            "INSERT INTO grades (assessment_id, student_id, score, comment, recorded_by, recorded_at) VALUES (\(assessment), \(ada), 7.5, 'ada did well', \(teacher), \(now))"
        )
        try db.database.execute(
            """
            INSERT INTO attendance (class_id, student_id, day, status, note, recorded_by, recorded_at)
            VALUES (\(classID), \(ada), '2026-03-02', 'late', 'ada: bus', \(teacher), \(now))
            """)
        return (UserID(ada), UserID(pat), UserID(bob), ClassID(classID))
    }

    @Test func aRecordIsReadWithinItsSchoolOnly() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let store = MariaPersonExportStore(database: db.database)
        let record = try #require(try store.record(of: people.ada, in: SchoolID(1), logLimit: 10))
        #expect(record.profile.email == "ada@x.test" && record.profile.sourcedID == "ada")
        #expect(record.relatives.map(\.id) == [people.pat])
        #expect(record.enrolments.map(\.classTitle) == ["Maths 7"])
        #expect(record.grades.map(\.score) == [Score("7.5")!])
        #expect(record.attendance.map(\.status) == [.late])
        #expect(try store.record(of: people.ada, in: SchoolID(2), logLimit: 10) == nil, "another school's person is not found")
        #expect(try store.person(people.bob, in: SchoolID(1)) == nil)

        let roster = try #require(try store.roster(of: SchoolID(1), onlyClass: people.classID))
        #expect(roster.users.map(\.sourcedID).sorted() == ["ada", "pat", "tess"])
        #expect(roster.users.first { $0.sourcedID == "pat" }?.agentSourcedIDs == ["ada"])
        #expect(roster.enrollments.count == 2)
        #expect(try store.roster(of: SchoolID(2), onlyClass: people.classID) == nil, "another school's class is not found")
    }

    @Test func anExportLinkWorksOnceForItsRequesterUntilItExpires() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let jobs = MariaExportJobStore(database: db.database)
        let job = try jobs.request(school: SchoolID(1), by: people.pat, audience: .parent, scope: .person(people.ada), now: now)
        _ = try jobs.request(school: SchoolID(1), by: people.pat, audience: .parent, scope: .person(people.ada), now: now)
        _ = try jobs.request(school: SchoolID(1), by: people.pat, audience: .parent, scope: .person(people.ada), now: now)
        #expect {
            try jobs.request(school: SchoolID(1), by: people.pat, audience: .parent, scope: .person(people.ada), now: now)
        } throws: { ($0 as? StoreError)?.kind == .conflict }

        let claimed = try #require(try jobs.claimNext(now: now, lease: 60))
        #expect(claimed.id == job.id && claimed.scope == .person(people.ada))
        #expect(try jobs.claimNext(now: now, lease: 60)?.id != job.id, "a claimed job is not claimed again during its lease")
        let digest = SecretToken.digest("cw_exp_x")
        try jobs.complete(job: job.id, sealedChunks: [[1, 2], [3]], linkDigest: digest, linkExpiresAt: now.addingTimeInterval(3600), now: now)
        #expect(try jobs.spendLink(digest: digest, requester: people.ada, now: now) == nil, "someone else's link")
        #expect(try jobs.spendLink(digest: digest, requester: people.pat, now: now)?.sealedArchive == .chunks([[1, 2], [3]]))
        #expect(try jobs.spendLink(digest: digest, requester: people.pat, now: now) == nil, "the link works once")
        #expect(try db.database.query("SELECT archive_sealed FROM export_jobs WHERE id = \(job.id)").first?.bytes("archive_sealed") == nil)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM export_archive_chunks WHERE export_id = \(job.id)").first?.int("n") == 0)

        let second = try #require(try jobs.claimNext(now: now.addingTimeInterval(120), lease: 60))
        let other = SecretToken.digest("cw_exp_y")
        try jobs.complete(job: second.id, sealedChunks: [[9]], linkDigest: other, linkExpiresAt: now.addingTimeInterval(60), now: now)
        #expect(try jobs.expireLinks(now: now.addingTimeInterval(61)) == 1)
        #expect(try jobs.spendLink(digest: other, requester: people.pat, now: now) == nil, "an expired link")
        #expect(
            try jobs.jobs(requestedBy: people.pat, limit: 10).map(\.status).sorted { $0.rawValue < $1.rawValue } == [.downloaded, .expired, .pending])
    }

    @Test func anArchiveLargerThanAPacketIsStoredInSealedChunksAndReadBackWhole() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let jobs = MariaExportJobStore(database: db.database)
        let key = SymmetricKey(size: .bits256)
        var generator = SystemRandomNumberGenerator()
        // 20 MiB of incompressible bytes: more than the 16 MiB max_allowed_packet a single row would need.
        var archive = [UInt8](repeating: 0, count: 20 * 1_048_576)
        for index in stride(from: 0, to: archive.count, by: 8) {
            withUnsafeBytes(of: generator.next()) { archive.replaceSubrange(index..<index + 8, with: $0) }
        }
        let job = try jobs.request(school: SchoolID(1), by: people.pat, audience: .parent, scope: .person(people.ada), now: now)
        _ = try #require(try jobs.claimNext(now: now, lease: 60))
        let chunks = try ExportArchiveSealing.seal(archive, job: job.id, key: key, using: &generator)
        #expect(chunks.count == 21 && chunks.allSatisfy { $0.count <= 1_048_576 })
        // A runner that died half-way left chunks behind; the job stays pending and they are replaced.
        try jobs.complete(job: job.id, sealedChunks: [[1]], linkDigest: SecretToken.digest("cw_exp_dead"), linkExpiresAt: now, now: now)
        try db.database.execute("UPDATE export_jobs SET status = 'pending', link_digest = NULL WHERE id = \(job.id)")
        let digest = SecretToken.digest("cw_exp_big")
        try jobs.complete(job: job.id, sealedChunks: chunks, linkDigest: digest, linkExpiresAt: now.addingTimeInterval(3600), now: now)
        let spent = try #require(try jobs.spendLink(digest: digest, requester: people.pat, now: now))
        #expect(spent.sealedArchive == .chunks(chunks))
        #expect(try ExportArchiveSealing.open(spent.sealedArchive, job: job.id, key: key) == archive)

        // Tampered, reordered, missing, cut-off, extra, another job's, or under another key: refused.
        let small = try ExportArchiveSealing.seal(Array(archive.prefix(40)), job: job.id, key: key, chunkSize: 16, using: &generator)
        #expect(small.count == 3)
        #expect(try ExportArchiveSealing.open(.chunks(small), job: job.id, key: key) == Array(archive.prefix(40)))
        var flipped = small
        flipped[1][20] ^= 1
        for refused: [[UInt8]] in [flipped, [small[1], small[0], small[2]], [small[0], small[2]], [small[0], small[1]], small + [small[2]], []] {
            #expect(throws: SigningKeyError.sealedKeyRejected) { try ExportArchiveSealing.open(.chunks(refused), job: job.id, key: key) }
        }
        #expect(throws: SigningKeyError.sealedKeyRejected) { try ExportArchiveSealing.open(.chunks(small), job: job.id + 1, key: key) }
        #expect(throws: SigningKeyError.sealedKeyRejected) {
            try ExportArchiveSealing.open(.chunks(small), job: job.id, key: SymmetricKey(size: .bits256))
        }
        // An archive stored whole before main 0034 is still read from its old column.
        let old = try jobs.request(school: SchoolID(1), by: people.pat, audience: .parent, scope: .person(people.ada), now: now)
        let whole = try KeySealing.seal([7, 7], key: key, associatedData: ExportRules.sealingContext(job: old.id), using: &generator)
        try db.database.execute(
            """
            UPDATE export_jobs SET status = 'ready', archive_sealed = \(whole), link_digest = \(SecretToken.digest("cw_exp_old")),
                link_expires_at = \(now.addingTimeInterval(60)) WHERE id = \(old.id)
            """)
        let legacy = try #require(try jobs.spendLink(digest: SecretToken.digest("cw_exp_old"), requester: people.pat, now: now))
        #expect(try ExportArchiveSealing.open(legacy.sealedArchive, job: old.id, key: key) == [7, 7])
    }

    @Test func erasuresAreRequestedConfirmedAndCancelledByConditionalChanges() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let store = MariaErasureStore(database: db.database, subjects: SubjectIdentifiers(key: SymmetricKey(size: .bits256)))
        let admin = UserID(try db.insertUser("head", role: "school_admin", school: 1, now: now))
        let erasure = try store.request(subject: people.ada, school: SchoolID(1), by: admin, pseudonym: "erased-aaaaaaaaaaaaaaaa", now: now)
        #expect(throws: ErasureRefusal(.alreadyOpen(.requested, runsAfter: nil))) {
            try store.request(subject: people.ada, school: SchoolID(1), by: admin, pseudonym: "erased-bbbbbbbbbbbbbbbb", now: now)
        }
        #expect(throws: StoreError.self) {
            try store.request(subject: people.bob, school: SchoolID(1), by: admin, pseudonym: "erased-cccccccccccccccc", now: now)
        }
        #expect(throws: StoreError.self) { try store.confirm(erasure.id, of: SchoolID(2), by: admin, runsAfter: now, now: now) }
        try store.confirm(erasure.id, of: SchoolID(1), by: admin, runsAfter: now.addingTimeInterval(86400), now: now)
        #expect(throws: ErasureRefusal(.wrongStatus(.scheduled))) {
            try store.confirm(erasure.id, of: SchoolID(1), by: admin, runsAfter: now, now: now)
        }
        #expect(try store.claimDue(dueBy: now, now: now, lease: 60) == nil, "not before the waiting period ends")
        // Cancelling on the last day works; afterwards a new request may be made.
        try store.cancel(erasure.id, of: SchoolID(1), by: admin, now: now.addingTimeInterval(86399))
        #expect(throws: ErasureRefusal(.wrongStatus(.cancelled))) { try store.cancel(erasure.id, of: SchoolID(1), by: admin, now: now) }
        #expect(try store.openErasure(of: people.ada) == nil)
        let again = try store.request(subject: people.ada, school: SchoolID(1), by: admin, pseudonym: "erased-dddddddddddddddd", now: now)
        try store.confirm(again.id, of: SchoolID(1), by: admin, runsAfter: now, now: now)
        let running = try #require(try store.claimDue(dueBy: now, now: now, lease: 60))
        #expect(running.status == .running)
        #expect(throws: ErasureRefusal(.wrongStatus(.running))) { try store.cancel(again.id, of: SchoolID(1), by: admin, now: now) }
    }

    @Test func theStepsRunOnceEachAndARefusedStepLeavesNothingHalfDone() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let store = MariaErasureStore(database: db.database, subjects: SubjectIdentifiers(key: SymmetricKey(size: .bits256)))
        let admin = UserID(try db.insertUser("head", role: "school_admin", school: 1, now: now))
        try db.database.execute(
            """
            INSERT INTO oauth_clients (client_id, name, description, developer_name, kind, allowed_scopes, created_at, updated_at)
            VALUES ('study', 'Study', '', 'Dev', 'public', 'openid', \(now), \(now))
            """)
        try db.database.execute(
            "INSERT INTO oauth_consents (user_id, client_pk, scopes, first_granted_at) VALUES (\(people.ada.rawValue), 1, 'openid', \(now))")
        let grant = try db.database.execute(
            "INSERT INTO oauth_grants (client_pk, user_id, scopes, created_at, expires_at) VALUES (1, \(people.ada.rawValue), 'openid', \(now), \(now.addingTimeInterval(3600)))"
        ).insertID
        try db.database.execute(
            "INSERT INTO oauth_tokens (token_digest, kind, grant_id, issued_at, expires_at) VALUES (RANDOM_BYTES(32), 'access', \(grant), \(now), \(now.addingTimeInterval(3600)))"
        )
        try db.database.execute(
            """
            INSERT INTO data_access_log (occurred_at, client_id, subject_user_id, school_id, operation, request, status)
            VALUES (\(now.addingTimeInterval(-200 * 86400)), 'study', \(people.ada.rawValue), 1, 'grades', 'GET /x', 200),
                   (\(now), 'study', \(people.ada.rawValue), 1, 'grades', 'GET /y', 200)
            """)
        let erasure = try store.request(subject: people.ada, school: SchoolID(1), by: admin, pseudonym: "erased-aaaaaaaaaaaaaaaa", now: now)
        try store.confirm(erasure.id, of: SchoolID(1), by: admin, runsAfter: now, now: now)
        let running = try #require(try store.claimDue(dueBy: now, now: now, lease: 60))
        let identifiers = try #require(try store.identifiers(of: people.ada))

        #expect(try store.revokeAccess(running, now: now))
        #expect(try !store.revokeAccess(running, now: now), "a step runs once")
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM oauth_tokens WHERE revoked_at IS NULL").first?.int("n") == 0)
        #expect(try db.database.query("SELECT revoked_at FROM oauth_consents").first?.date("revoked_at") != nil)

        // An audit entry about her: this account may not rewrite it, so the whole step rolls back.
        try MariaSecurityAuditStore(database: db.database).append(
            SecurityAuditEntry(
                occurredAt: now, event: .signIn, school: SchoolID(1), actor: people.ada, subject: people.ada, clientAddress: "192.0.2.1"))
        #expect(throws: StoreError.self) {
            try store.scrubLogs(running, identifiers: identifiers, deleteBefore: now.addingTimeInterval(-90 * 86400), now: now)
        }
        #expect(try db.database.query("SELECT step FROM erasures WHERE id = \(erasure.id)").first?.int("step") == 1)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM data_access_log").first?.int("n") == 2, "the old entry's deletion rolled back")
    }

    @Test func aPersonWithoutAuditEntriesIsErasedAndTheAppsAreToldOnlyTheSubject() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let store = MariaErasureStore(database: db.database, subjects: SubjectIdentifiers(key: SymmetricKey(size: .bits256)))
        let admin = UserID(try db.insertUser("head", role: "school_admin", school: 1, now: now))
        try db.database.execute(
            """
            INSERT INTO oauth_clients (client_id, name, description, developer_name, kind, allowed_scopes, created_at, updated_at)
            VALUES ('study', 'Study', '', 'Dev', 'public', 'openid', \(now), \(now))
            """)
        try db.database.execute(
            "INSERT INTO oauth_consents (user_id, client_pk, scopes, first_granted_at) VALUES (\(people.ada.rawValue), 1, 'openid', \(now))")
        try db.database.execute(
            "INSERT INTO roster_imports (school_id, started_by, source, summary, created_at) VALUES (1, 'head', 'up', 'users.csv line 2: ada F', \(now))"
        )
        let erasure = try store.request(subject: people.ada, school: SchoolID(1), by: admin, pseudonym: "erased-aaaaaaaaaaaaaaaa", now: now)
        try store.confirm(erasure.id, of: SchoolID(1), by: admin, runsAfter: now, now: now)
        let running = try #require(try store.claimDue(dueBy: now, now: now, lease: 60))
        let identifiers = try #require(try store.identifiers(of: people.ada))
        #expect(try store.revokeAccess(running, now: now))
        #expect(try store.scrubLogs(running, identifiers: identifiers, deleteBefore: now.addingTimeInterval(-90 * 86400), now: now))
        #expect(try store.markStepDone(running, step: .removeMail, now: now))
        #expect(try store.pseudonymise(running, now: now))
        #expect(try !store.pseudonymise(running, now: now))

        let row = try #require(
            try db.database.query("SELECT given_name, family_name, email, username, sourced_id, active FROM users WHERE id = \(people.ada.rawValue)")
                .first)
        #expect(row.string("family_name") == "erased-aaaaaaaaaaaaaaaa" && row.string("username") == "erased-aaaaaaaaaaaaaaaa")
        #expect(row.string("sourced_id") == "erased-aaaaaaaaaaaaaaaa" && row.string("email") == nil && !row.flag("active"))
        #expect(try db.database.query("SELECT summary FROM roster_imports").first?.string("summary") == "users.csv line 2: erased-aaaaaaaaaaaaaaaa")
        #expect(try db.database.query("SELECT comment FROM grades").first?.string("comment") == nil)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM guardianships").first?.int("n") == 0)
        #expect(try store.erasure(erasure.id, of: SchoolID(1))?.status == .completed)

        let events = try MariaSyncTargetStore(database: db.database).pendingEvents(limit: 10)
        #expect(events.map(\.type) == ["person.erased"])
        let payload = try JSONSerialization.jsonObject(with: Data(events[0].payload.utf8)) as? [String: Any]
        let data = payload?["data"] as? [String: Any]
        #expect(data?.keys.sorted() == ["client_id", "sub"])
        #expect(data?["sub"] as? String == String(people.ada.rawValue))
    }
}
