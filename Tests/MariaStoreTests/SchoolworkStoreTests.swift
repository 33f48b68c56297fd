import Domain
import Foundation
import Testing

@testable import MariaStore

/// The school data queries: each filtered by the student, class or school asked about.
@Suite(.serialized) struct SchoolworkStoreTests {
    let db: TestDatabase
    let store: MariaSchoolworkStore
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    var ids: [String: Int64] = [:]

    init() throws {
        db = try TestDatabase()
        store = MariaSchoolworkStore(database: db.database)
        let d = db.database
        let now = self.now
        try db.insertTwoSchools(now: now)
        func user(_ key: String, _ role: String, school: Int64 = 1) throws {
            ids[key] = try db.insertUser(key, role: role, school: school, now: now)
        }
        try user("teacher", "teacher")
        try user("other-teacher", "teacher")
        try user("alice", "student")
        try user("bob", "student")
        try user("carol", "student")
        try user("parent", "parent")
        try user("far-teacher", "teacher", school: 2)
        try d.execute(
            "INSERT INTO terms (school_id, sourced_id, title, kind, start_date, end_date) VALUES (1, 't', 'Fall', 'term', '2026-09-01', '2026-12-18')"
        )
        try d.execute("INSERT INTO courses (school_id, sourced_id, title) VALUES (1, 'c', 'Maths')")
        try d.execute(
            "INSERT INTO classes (school_id, sourced_id, title, course_id, term_id) VALUES (1, 'k1', 'Maths A', 1, 1), (1, 'k2', 'Maths B', 1, 1)")
        let enrol: [(Int64, String, String)] = [
            (1, "teacher", "teacher"), (1, "alice", "student"), (1, "bob", "student"),
            (2, "other-teacher", "teacher"), (2, "carol", "student"), (1, "far-teacher", "teacher"),
        ]
        for (klass, who, role) in enrol {
            try d.execute("INSERT INTO enrollments (class_id, user_id, role) VALUES (\(klass), \(ids[who]!), \(role))")
        }
        try d.execute("INSERT INTO guardianships (parent_id, student_id) VALUES (\(ids["parent"]!), \(ids["alice"]!))")
    }

    func account(_ key: String, _ role: Role, school: Int64 = 1) -> UserAccount {
        UserAccount(id: UserID(ids[key]!), role: role, schoolID: SchoolID(school), givenName: key, familyName: "F", email: nil, username: nil)
    }

    @Test func relationshipsAreLoadedForTheViewerAndStudentAsked() throws {
        let alice = UserID(ids["alice"]!)
        let carol = UserID(ids["carol"]!)
        #expect(try store.relationship(of: account("parent", .parent), toStudent: alice)?.isGuardian == true)
        #expect(try store.relationship(of: account("parent", .parent), toStudent: carol)?.isGuardian == false)
        #expect(try store.relationship(of: account("teacher", .teacher), toStudent: alice)?.teachesStudent == true)
        #expect(try store.relationship(of: account("teacher", .teacher), toStudent: carol)?.teachesStudent == false)
        #expect(try store.relationship(of: account("parent", .parent), toStudent: UserID(ids["teacher"]!)) == nil)
        #expect(try store.children(ofParent: UserID(ids["parent"]!)).map(\.id) == [alice])
    }

    @Test func onlyPublishedGradesReachTheStudentWithTheClassAverage() throws {
        let teacher = UserID(ids["teacher"]!)
        let alice = UserID(ids["alice"]!)
        let bob = UserID(ids["bob"]!)
        let quiz = try store.createAssessment(
            NewAssessment(title: "Quiz", maxScore: Score(hundredths: 2000), dueDate: CalendarDate("2026-10-01")), in: ClassID(1), by: teacher,
            now: now)
        try store.saveGrades(
            [
                GradeEntry(studentID: alice, score: Score(hundredths: 1800), comment: "Good"),
                GradeEntry(studentID: bob, score: Score(hundredths: 1250), comment: nil),
            ],
            cleared: [], assessment: quiz, in: ClassID(1), by: teacher, now: now)
        #expect(try store.publishedGrades(ofStudent: alice).isEmpty)
        try store.setPublished(true, assessment: quiz, in: ClassID(1), now: now)
        let grades = try store.publishedGrades(ofStudent: alice)
        #expect(grades.count == 1)
        #expect(grades.first?.score == Score(hundredths: 1800))
        #expect(grades.first?.classAverage == Score(hundredths: 1525))
        #expect(grades.first?.dueDate == CalendarDate("2026-10-01"))
        #expect(try store.assessment(quiz, in: ClassID(2)) == nil)
    }

    @Test func gradesForAStudentNotOnTheRosterAreRefusedAndNothingIsWritten() throws {
        let teacher = UserID(ids["teacher"]!)
        let quiz = try store.createAssessment(
            NewAssessment(title: "Quiz", maxScore: Score(hundredths: 2000), dueDate: nil), in: ClassID(1), by: teacher, now: now)
        #expect(throws: StoreError.self) {
            try store.saveGrades(
                [
                    GradeEntry(studentID: UserID(ids["alice"]!), score: Score(hundredths: 100), comment: nil),
                    GradeEntry(studentID: UserID(ids["carol"]!), score: Score(hundredths: 100), comment: nil),
                ],
                cleared: [], assessment: quiz, in: ClassID(1), by: teacher, now: now)
        }
        #expect(try store.grades(of: quiz).isEmpty)
    }

    @Test func attendanceIsOneMarkPerStudentAndDayAndCanBeCorrected() throws {
        let teacher = UserID(ids["teacher"]!)
        let alice = UserID(ids["alice"]!)
        let day = CalendarDate("2026-11-02")!
        try store.saveAttendance([AttendanceMark(studentID: alice, status: .absent, note: nil)], in: ClassID(1), on: day, by: teacher, now: now)
        try store.saveAttendance([AttendanceMark(studentID: alice, status: .late, note: "Bus")], in: ClassID(1), on: day, by: teacher, now: now)
        #expect(try store.attendanceSheet(of: ClassID(1), on: day)[alice] == AttendanceMark(studentID: alice, status: .late, note: "Bus"))
        let lines = try store.attendance(ofStudent: alice, limit: 10)
        #expect(lines.map(\.status) == [.late])
        #expect(lines.first?.day == day)
        #expect(throws: StoreError.self) {
            try store.saveAttendance(
                [AttendanceMark(studentID: UserID(ids["carol"]!), status: .present, note: nil)], in: ClassID(1), on: day, by: teacher, now: now)
        }
    }

    @Test func classListsFollowEnrolments() throws {
        let taught = try store.classes(taughtBy: UserID(ids["teacher"]!))
        #expect(taught.map(\.title) == ["Maths A"])
        #expect(taught.first?.studentCount == 2)
        #expect(try store.classes(ofStudent: UserID(ids["carol"]!)).map(\.title) == ["Maths B"])
        #expect(try store.roster(of: ClassID(1)).map(\.givenName) == ["alice", "bob"])
        let facts = try #require(try store.relationship(of: account("other-teacher", .teacher), toClass: ClassID(1)))
        #expect(!facts.teaches)
        #expect(try store.users(of: SchoolID(1), role: .student, limit: 10, offset: 0).count == 3)
        #expect(try store.userCounts(of: SchoolID(1))[.teacher] == 2)
    }

    func version(_ key: String) throws -> Int? {
        try db.database.query("SELECT record_version FROM users WHERE id = \(ids[key]!)").first?.int("record_version")
    }

    @Test func everyWriteThatChangesARecordPageChangesItsVersion() throws {
        let teacher = UserID(ids["teacher"]!)
        let alice = UserID(ids["alice"]!)
        let quiz = try store.createAssessment(
            NewAssessment(title: "Quiz", maxScore: Score(hundredths: 2000), dueDate: nil), in: ClassID(1), by: teacher, now: now)
        #expect(try version("alice") == 0)
        try store.saveGrades(
            [GradeEntry(studentID: alice, score: Score(hundredths: 100), comment: nil)], cleared: [], assessment: quiz, in: ClassID(1), by: teacher,
            now: now)
        // Bob's page shows the class average, which Alice's grade changed.
        #expect(try version("alice") == 1)
        #expect(try version("bob") == 1)
        #expect(try version("carol") == 0)
        try store.setPublished(true, assessment: quiz, in: ClassID(1), now: now)
        #expect(try version("bob") == 2)
        try store.setPublished(true, assessment: quiz, in: ClassID(1), now: now)
        #expect(try version("bob") == 2)
        try store.saveAttendance(
            [AttendanceMark(studentID: alice, status: .late, note: nil)], in: ClassID(1), on: CalendarDate("2026-11-02")!, by: teacher, now: now)
        #expect(try version("alice") == 3)
        #expect(try version("bob") == 2)
    }
}
