import Domain
import Foundation
import Testing

@testable import MariaStore

/// The education API's stores on a real database: the bearer lookup, keyset pages, writes with their outbox
/// event in one transaction, school app policies that revoke, and the data-access log.
@Suite(.serialized) struct EducationAPIStoreTests {
    let db: TestDatabase
    let api: MariaEducationAPIStore
    let schoolwork: MariaSchoolworkStore
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    var ids: [String: Int64] = [:]
    static let app = ClientID("study-buddy")

    init() throws {
        db = try TestDatabase()
        api = MariaEducationAPIStore(database: db.database)
        schoolwork = MariaSchoolworkStore(database: db.database)
        let d = db.database
        let now = self.now
        try db.insertTwoSchools(now: now)
        func user(_ key: String, _ role: String, school: Int64 = 1) throws {
            ids[key] = try db.insertUser(key, role: role, school: school, now: now)
        }
        for key in ["teacher", "alice", "bob", "carol", "parent", "dave"] {
            try user(key, key == "teacher" ? "teacher" : key == "parent" ? "parent" : "student", school: key == "dave" ? 2 : 1)
        }
        try d.execute(
            "INSERT INTO terms (school_id, sourced_id, title, kind, start_date, end_date) VALUES (1, 't', 'Fall', 'term', '2026-09-01', '2026-12-18')"
        )
        try d.execute("INSERT INTO courses (school_id, sourced_id, title) VALUES (1, 'c', 'Maths')")
        try d.execute(
            "INSERT INTO classes (school_id, sourced_id, title, course_id, term_id) VALUES (1, 'k1', 'Maths A', 1, 1), (1, 'k2', 'Maths B', 1, 1)")
        for (klass, who, role) in [
            (1, "teacher", "teacher"), (1, "alice", "student"), (1, "bob", "student"), (2, "alice", "student"), (2, "carol", "student"),
        ] {
            try d.execute("INSERT INTO enrollments (class_id, user_id, role) VALUES (\(klass), \(ids[who]!), \(role))")
        }
        for child in ["alice", "bob"] {
            try d.execute("INSERT INTO guardianships (parent_id, student_id) VALUES (\(ids["parent"]!), \(ids[child]!))")
        }
        try MariaClientStore(database: d).createClient(
            OAuthClient(
                clientID: Self.app, name: "Study Buddy", developerName: "Dev", kind: .confidential, redirectURIs: ["https://x.test/cb"],
                allowedScopes: ["parent.grades.read"]), now: now)
    }

    func uid(_ key: String) -> UserID { UserID(ids[key]!) }
    func count(_ sql: SQLQuery) throws -> Int { try db.database.query(sql).first?.int("n") ?? -1 }

    func grant(_ user: String?, token: String, scopes: [String] = ["parent.grades.read"]) throws -> GrantID {
        try MariaTokenStore(database: db.database).createGrant(
            client: Self.app, user: user.map(uid), scopes: scopes, authTime: now,
            tokens: [NewToken(digest: SecretToken.digest(token), kind: .access, expiresAt: now.addingTimeInterval(3600))], now: now)
    }

    @Test func theBearerLookupBringsTheUserTheScopesAndTheClientState() throws {
        _ = try grant("parent", token: "t-parent")
        _ = try grant(nil, token: "t-app", scopes: ["school.read"])
        let bearers = MariaTokenStore(database: db.database)
        let parent = try #require(try bearers.bearer(digest: SecretToken.digest("t-parent")))
        #expect(parent.user?.id == uid("parent") && parent.user?.role == .parent && parent.user?.schoolID == SchoolID(1))
        #expect(parent.token.scopes == ["parent.grades.read"] && parent.clientStatus == .active && parent.hasUser)
        let app = try #require(try bearers.bearer(digest: SecretToken.digest("t-app")))
        #expect(app.user == nil && !app.hasUser)
        #expect(try bearers.bearer(digest: SecretToken.digest("unknown")) == nil)
        // A deactivated user's token carries no user (and is refused by the route), a suspended app reads as such.
        try db.database.execute("UPDATE users SET active = FALSE WHERE id = \(uid("parent").rawValue)")
        try db.database.execute("UPDATE oauth_clients SET status = 'suspended'")
        let dead = try #require(try bearers.bearer(digest: SecretToken.digest("t-parent")))
        #expect(dead.user == nil && dead.hasUser && dead.clientStatus == .suspended)
    }

    @Test func listsArePagedByKeyWithoutGapsOrRepeats() throws {
        let teacher = uid("teacher")
        var assessments: [AssessmentID] = []
        for n in 1...5 {
            let a = try schoolwork.createAssessment(
                NewAssessment(title: "Q\(n)", maxScore: Score(hundredths: 1000), dueDate: nil), in: ClassID(1), by: teacher, now: now)
            try schoolwork.saveGrades(
                [GradeEntry(studentID: uid("alice"), score: Score(hundredths: 100 * n), comment: nil)], cleared: [], assessment: a, in: ClassID(1),
                by: teacher, now: now)
            if n != 3 { try schoolwork.setPublished(true, assessment: a, in: ClassID(1), now: now) }
            assessments.append(a)
        }
        let first = try api.publishedGrades(ofStudent: uid("alice"), before: nil, limit: 2)
        #expect(first.map(\.assessmentID) == [assessments[4], assessments[3]])
        let second = try api.publishedGrades(ofStudent: uid("alice"), before: first.last?.assessmentID, limit: 2)
        // The unpublished third assessment is skipped.
        #expect(second.map(\.assessmentID) == [assessments[1], assessments[0]])
        #expect(try api.publishedGrades(ofStudent: uid("bob"), before: nil, limit: 10).isEmpty)

        #expect(try api.children(ofParent: uid("parent"), after: nil, limit: 1).map(\.id) == [uid("alice")])
        #expect(try api.children(ofParent: uid("parent"), after: uid("alice"), limit: 5).map(\.id) == [uid("bob")])
        #expect(try api.roster(of: ClassID(1), after: nil, limit: 5).map(\.id) == [uid("alice"), uid("bob")])
        #expect(try api.classes(ofStudent: uid("alice"), after: ClassID(1), limit: 5).map(\.id) == [ClassID(2)])
        #expect(try api.classOfAssessment(assessments[0]) == ClassID(1))
        #expect(try api.classOfAssessment(AssessmentID(9999)) == nil)
    }

    @Test func attendanceIsFilteredByDatesAndPagedByDayThenClass() throws {
        let teacher = uid("teacher")
        for day in ["2026-09-01", "2026-09-02", "2026-09-03"] {
            for klass in [ClassID(1), ClassID(2)] {
                try schoolwork.saveAttendance(
                    [AttendanceMark(studentID: uid("alice"), status: .present, note: nil)], in: klass, on: CalendarDate(day)!, by: teacher, now: now)
            }
        }
        let all = try api.attendance(ofStudent: uid("alice"), from: nil, to: nil, before: nil, limit: 10)
        #expect(
            all.map { "\($0.day) \($0.classID)" } == ["2026-09-03 2", "2026-09-03 1", "2026-09-02 2", "2026-09-02 1", "2026-09-01 2", "2026-09-01 1"])
        let page = try api.attendance(ofStudent: uid("alice"), from: nil, to: nil, before: (CalendarDate("2026-09-03")!, ClassID(1)), limit: 2)
        #expect(page.map { "\($0.day) \($0.classID)" } == ["2026-09-02 2", "2026-09-02 1"])
        let ranged = try api.attendance(
            ofStudent: uid("alice"), from: CalendarDate("2026-09-02"), to: CalendarDate("2026-09-02"), before: nil, limit: 10)
        #expect(ranged.count == 2)
    }

    /// A write call's entries, one per student, the first marking the call.
    private func writeLog(_ students: [UserID]) -> [DataAccessEntry] {
        students.enumerated().map { index, student in
            DataAccessEntry(
                occurredAt: now, clientID: Self.app, actorID: uid("teacher"), subjectID: student, schoolID: SchoolID(1),
                operation: APIEndpoint.Operation.recordAttendance.rawValue, request: "POST /api/v1/classes/1/attendance", status: 200,
                firstOfCall: index == 0)
        }
    }

    @Test func writesStoreTheirEventAndLogEntriesInTheSameTransactionAndNothingOnARefusal() throws {
        let teacher = uid("teacher")
        let event = APIEvent(
            type: EducationAPI.attendanceRecorded, clientID: Self.app, schoolID: SchoolID(1), classID: ClassID(1),
            day: CalendarDate("2026-09-04"), studentIDs: [uid("alice")], occurredAt: now)
        // Carol is not in class 1: nothing at all is written, the event included.
        #expect(throws: StoreError.self) {
            try api.recordAttendance(
                [
                    AttendanceMark(studentID: uid("alice"), status: .late, note: nil),
                    AttendanceMark(studentID: uid("carol"), status: .present, note: nil),
                ],
                in: ClassID(1), on: CalendarDate("2026-09-04")!, by: teacher, event: event, log: writeLog([uid("alice"), uid("carol")]),
                now: now)
        }
        #expect(try count("SELECT COUNT(*) AS n FROM attendance") == 0)
        #expect(try api.pendingEvents(limit: 10).isEmpty)
        #expect(try count("SELECT COUNT(*) AS n FROM data_access_log") == 0)
        try api.recordAttendance(
            [AttendanceMark(studentID: uid("alice"), status: .late, note: nil)], in: ClassID(1), on: CalendarDate("2026-09-04")!,
            by: teacher, event: event, log: writeLog([uid("alice")]), now: now)
        #expect(try api.pendingEvents(limit: 10) == [event])
        // The call's log entry committed with the write.
        #expect(
            try count("SELECT COUNT(*) AS n FROM data_access_log WHERE subject_user_id = \(uid("alice").rawValue) AND first_of_call") == 1)

        let quiz = try schoolwork.createAssessment(
            NewAssessment(title: "Q", maxScore: Score(hundredths: 1000), dueDate: nil), in: ClassID(1), by: teacher, now: now)
        let gradeEvent = APIEvent(
            type: EducationAPI.gradePublished, clientID: Self.app, schoolID: SchoolID(1), classID: ClassID(1),
            assessmentID: quiz, studentIDs: [uid("bob")], occurredAt: now)
        let entry = [GradeEntry(studentID: uid("bob"), score: Score(hundredths: 950), comment: nil)]
        // Unpublished: the grade is stored, no event (nobody can see it yet).
        #expect(
            try api.recordGrades(
                entry, assessment: quiz, in: ClassID(1), by: teacher, publish: false, event: gradeEvent, log: writeLog([uid("bob")]), now: now)
                == false)
        #expect(try api.pendingEvents(limit: 10).count == 1)
        #expect(
            try api.recordGrades(
                entry, assessment: quiz, in: ClassID(1), by: teacher, publish: true, event: gradeEvent, log: writeLog([uid("bob")]), now: now)
                == true)
        #expect(try count("SELECT COUNT(*) AS n FROM data_access_log WHERE subject_user_id = \(uid("bob").rawValue)") == 2)
        #expect(try api.pendingEvents(limit: 10).last == gradeEvent)
        #expect(try api.publishedGrades(ofStudent: uid("bob"), before: nil, limit: 5).first?.score == Score(hundredths: 950))
    }

    @Test func blockingAnAppRevokesItsTokensForThatSchoolsUsersOnly() throws {
        let policies = MariaSchoolAppPolicyStore(database: db.database)
        let tokens = MariaTokenStore(database: db.database)
        _ = try grant("parent", token: "t-parent")
        _ = try grant("dave", token: "t-dave")
        #expect(try policies.policy(school: SchoolID(1), client: Self.app) == nil)
        try policies.requestAccess(school: SchoolID(1), client: Self.app, user: uid("alice"), now: now)
        try policies.requestAccess(school: SchoolID(1), client: Self.app, user: uid("alice"), now: now)
        #expect(try policies.apps(for: SchoolID(1)).first { $0.client.clientID == Self.app }?.pendingRequests == 1)

        let revoked = try policies.setPolicy(
            SchoolAppPolicy(status: .blocked, scopeLimit: nil), school: SchoolID(1), client: Self.app, by: uid("teacher"), now: now)
        #expect(revoked == 1)
        #expect(try tokens.token(digest: SecretToken.digest("t-parent"))?.isActive(at: now.addingTimeInterval(1)) == false)
        #expect(try tokens.token(digest: SecretToken.digest("t-dave"))?.isActive(at: now.addingTimeInterval(1)) == true)
        let entry = try #require(try policies.apps(for: SchoolID(1)).first { $0.client.clientID == Self.app })
        #expect(entry.policy?.status == .blocked && entry.pendingRequests == 0)

        try policies.setPolicy(
            SchoolAppPolicy(status: .allowed, scopeLimit: ["openid", "parent.grades.read"]), school: SchoolID(1), client: Self.app,
            by: uid("teacher"), now: now)
        #expect(
            try policies.policy(school: SchoolID(1), client: Self.app)
                == SchoolAppPolicy(status: .allowed, scopeLimit: ["openid", "parent.grades.read"]))
        #expect(throws: StoreError.self) {
            try policies.setPolicy(.default, school: SchoolID(1), client: ClientID("nope"), by: uid("teacher"), now: now)
        }
    }

    @Test func theAccessLogIsAppendedInBatchesReadPerSubjectAndSchoolAndPurgedByAge() throws {
        let log = MariaDataAccessLogStore(database: db.database)
        func entry(_ subject: String?, school: Int64, at offset: TimeInterval, status: Int = 200) -> DataAccessEntry {
            DataAccessEntry(
                occurredAt: now.addingTimeInterval(offset), clientID: Self.app, actorID: uid("parent"), subjectID: subject.map(uid),
                schoolID: SchoolID(school), operation: APIEndpoint.Operation.studentGrades.rawValue, request: "GET /api/v1/students/x/grades",
                status: status)
        }
        try log.append([
            entry("alice", school: 1, at: -100 * 86400), entry("alice", school: 1, at: 0), entry("bob", school: 1, at: 10),
            entry(nil, school: 1, at: 20, status: 404), entry("dave", school: 2, at: 30),
        ])
        let mine = try log.entries(aboutAnyOf: [uid("alice")], limit: 10)
        #expect(mine.count == 2)
        #expect(mine.first?.sentence == "Study Buddy read alice F's grades")
        #expect(try log.entries(aboutAnyOf: [uid("alice"), uid("bob")], limit: 10).count == 3)
        #expect(try log.entries(aboutAnyOf: [], limit: 10).isEmpty)
        #expect(try log.entries(ofSchool: SchoolID(1), limit: 10).count == 4)
        #expect(try log.purge(before: now.addingTimeInterval(-86400), limit: 100) == 1)
        #expect(try log.entries(ofSchool: SchoolID(1), limit: 10).count == 3)
    }

    @Test func aLargeCallsEntriesAreWrittenInBoundedStatementsAndAllLand() throws {
        let log = MariaDataAccessLogStore(database: db.database)
        let entries = (0..<1_037).map { index in
            DataAccessEntry(
                occurredAt: now.addingTimeInterval(Double(index)), clientID: Self.app, actorID: uid("teacher"), subjectID: uid("bob"),
                schoolID: SchoolID(3), operation: APIEndpoint.Operation.studentGrades.rawValue, request: "GET /api/v1/classes/x/roster",
                status: 200)
        }
        // 1,037 rows: one full batch, then 32 + 4 + 1; four statement shapes in one transaction.
        #expect(MariaDataAccessLogStore.appendQueries(entries).count == 4)
        try log.append(entries)
        #expect(try log.entries(ofSchool: SchoolID(3), limit: 2_000).count == 1_037)
    }
}
