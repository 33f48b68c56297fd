import Domain
import Foundation
import Testing

@testable import MariaStore

/// The fixture sets under `Tests/Fixtures/roster/`, read and edited as text.
private enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/roster")

    static func files(_ set: String) throws -> [String: [UInt8]] {
        let folder = root.appendingPathComponent(set)
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
        }
        return files
    }

    /// Applies text edits (each `old` must occur exactly once) to files of a set.
    static func edited(_ set: String, _ edits: [(file: String, old: String, new: String)]) throws -> [String: [UInt8]] {
        var files = try files(set)
        for edit in edits {
            let text = String(decoding: try #require(files[edit.file]), as: UTF8.self)
            try #require(
                text.components(separatedBy: edit.old).count == 2, "'\(edit.old)' must occur once in \(edit.file)")
            files[edit.file] = Array(text.replacingOccurrences(of: edit.old, with: edit.new).utf8)
        }
        return files
    }

    static func snapshot(_ files: [String: [UInt8]], school: String = "s1") throws -> RosterSnapshot {
        try OneRosterImport.read(files: files, schoolSourcedID: school).get()
    }
}

private let t0 = Date(timeIntervalSince1970: 1_760_000_000)
private let t1 = t0.addingTimeInterval(86_400)
private let t2 = t1.addingTimeInterval(86_400)

/// Applying rosters to a real MariaDB: what rows appear, what a re-import leaves alone, what is deactivated,
/// and that a failure leaves no trace.
@Suite struct RosterStoreTests {
    let test: TestDatabase
    let store: MariaRosterStore

    init() throws {
        test = try TestDatabase()
        store = MariaRosterStore(database: test.database)
    }

    private var db: MariaDatabase { test.database }

    private func count(_ table: String, _ condition: String = "1 = 1") throws -> Int {
        try db.query("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: condition)").first?.int("n")
            ?? -1
    }

    private func userID(_ sourcedID: String) throws -> Int64 {
        Int64(try #require(try db.query("SELECT id FROM users WHERE sourced_id = \(sourcedID)").first?.int("id")))
    }

    private func addSession(for sourcedID: String, token: UInt8) throws {
        try db.execute(
            """
            INSERT INTO sessions (token_digest, user_id, created_at, last_seen_at, expires_at, client_address, user_agent)
            VALUES (\(Array(repeating: token, count: 32)), \(try userID(sourcedID)), \(t0), \(t0), \(t2), '127.0.0.1', 'test')
            """)
    }

    private func importValid(now: Date = t0) throws -> RosterImportSummary {
        try store.apply(
            try Fixture.snapshot(try Fixture.files("valid")), startedBy: "admin@example.org", source: "valid.zip",
            now: now)
    }

    @Test func aValidSetWritesTheSchoolsRows() throws {
        let summary = try importValid()

        #expect(summary.school == .init(created: 1))
        #expect(summary.terms == .init(created: 2))
        #expect(summary.courses == .init(created: 2))
        #expect(summary.classes == .init(created: 3))
        #expect(summary.users == .init(created: 13))
        #expect(summary.enrollments == .init(created: 10))
        #expect(summary.guardianLinks == .init(created: 5))
        #expect(summary.changedAnything)
        #expect(
            summary.lines == [
                "School Northside Elementary: created",
                "Terms: 2 created, 0 updated, 0 unchanged, 0 deactivated",
                "Courses: 2 created, 0 updated, 0 unchanged, 0 deactivated",
                "Classes: 3 created, 0 updated, 0 unchanged, 0 deactivated",
                "Users: 13 created, 0 updated, 0 unchanged, 0 deactivated",
                "Enrollments: 10 created, 0 updated, 0 unchanged, 0 deactivated",
                "Guardian links: 5 created, 0 unchanged, 0 removed",
                "Skipped (other schools): 1 course, 1 class, 2 users, 2 enrollments",
                "Ignored: 1 administrator enrollment (school admins see every class)",
                "Ignored the password column of 1 user: passwords are never imported",
                "Set-password emails to send: 10",
            ])

        let school = try #require(
            try db.query("SELECT id, name, identifier FROM schools WHERE sourced_id = 's1'").first)
        #expect(school.int("id").map(Int64.init) == summary.schoolID.rawValue)
        #expect(school.string("identifier") == "NS-0101")
        #expect(try count("schools") == 1)

        let ada = try #require(
            try db.query(
                """
                SELECT role, given_name, family_name, email, username, grade_level, active, password_hash, school_id
                FROM users WHERE sourced_id = 'tch-1'
                """
            ).first)
        #expect(ada.string("role") == "teacher")
        #expect(ada.string("username") == "alovelace")
        #expect(ada.string("email") == "ada.lovelace@northside.example")
        #expect(ada.int("active") == 1)
        #expect(ada.string("password_hash") == nil)
        #expect(ada.int("school_id").map(Int64.init) == summary.schoolID.rawValue)
        let chloe = try #require(
            try db.query("SELECT given_name, family_name, grade_level FROM users WHERE sourced_id = 'stu-3'").first)
        #expect(chloe.string("given_name") == "Chloé")
        #expect(chloe.string("family_name") == "O'Neil, Jr.")
        #expect(chloe.string("grade_level") == "05")
        #expect(
            try db.query("SELECT role FROM users WHERE sourced_id = 'adm-1'").first?.string("role") == "school_admin")
        #expect(try db.query("SELECT role FROM users WHERE sourced_id = 'par-2'").first?.string("role") == "parent")
        #expect(try count("users", "sourced_id IN ('tch-s2', 'stu-s2')") == 0)

        let term = try #require(
            try db.query(
                """
                SELECT t.sourced_id, DATE_FORMAT(t.start_date, '%Y-%m-%d') AS start_date, t.kind
                FROM classes c JOIN terms t ON t.id = c.term_id WHERE c.sourced_id = 'cl-math-a'
                """
            ).first)
        #expect(term.string("sourced_id") == "t-fall")
        #expect(term.string("start_date") == "2025-08-18")
        #expect(term.string("kind") == "semester")
        #expect(
            try db.query(
                "SELECT co.sourced_id FROM classes c JOIN courses co ON co.id = c.course_id WHERE c.sourced_id = 'cl-sci'"
            )
            .first?.string("sourced_id") == "c-sci")

        let enrollments = try db.query(
            """
            SELECT c.sourced_id AS class, u.sourced_id AS user, e.role, e.sourced_id FROM enrollments e
            JOIN classes c ON c.id = e.class_id JOIN users u ON u.id = e.user_id ORDER BY e.sourced_id
            """)
        #expect(enrollments.count == 10)
        #expect(
            enrollments.contains {
                $0.string("class") == "cl-sci" && $0.string("user") == "tch-2" && $0.string("role") == "teacher"
                    && $0.string("sourced_id") == "e-8"
            })

        let links = try db.query(
            """
            SELECT p.sourced_id AS parent, s.sourced_id AS student FROM guardianships g
            JOIN users p ON p.id = g.parent_id JOIN users s ON s.id = g.student_id
            """
        ).map { "\($0.string("parent") ?? "")>\($0.string("student") ?? "")" }
        #expect(Set(links) == ["par-1>stu-1", "par-1>stu-2", "par-2>stu-3", "par-3>stu-4", "par-4>stu-5"])

        #expect(
            Set(summary.invitations.map(\.email)) == [
                "ada.lovelace@northside.example", "grace.hopper@northside.example", "k.johnson@northside.example",
                "alice.brown@students.northside.example", "ben.brown@students.northside.example",
                "chloe.oneil@students.northside.example", "carol.brown@example.net", "liam.oneil@example.net",
                "priya.patel@example.net", "minh.nguyen@example.net",
            ])
        #expect(
            summary.invitations.first
                == PasswordInvitation(
                    userID: UserID(try userID("tch-1")), email: "ada.lovelace@northside.example",
                    displayName: "Ada Lovelace"))

        let history = try #require(
            try db.query("SELECT started_by, source, summary, created_at FROM roster_imports").first)
        #expect(history.string("started_by") == "admin@example.org")
        #expect(history.string("source") == "valid.zip")
        #expect(history.string("summary") == summary.lines.joined(separator: "\n"))
        #expect(history.date("created_at") == t0)
    }

    @Test func reimportingTheSameSetChangesNothing() throws {
        _ = try importValid(now: t0)
        let second = try importValid(now: t1)

        #expect(!second.changedAnything)
        #expect(second.school == .init(unchanged: 1))
        #expect(second.terms == .init(unchanged: 2))
        #expect(second.courses == .init(unchanged: 2))
        #expect(second.classes == .init(unchanged: 3))
        #expect(second.users == .init(unchanged: 13))
        #expect(second.enrollments == .init(unchanged: 10))
        #expect(second.guardianLinks == .init(unchanged: 5))
        // Still nobody has a password, so the invitations stand.
        #expect(second.invitations.count == 10)
        #expect(try count("users", "updated_at <> created_at") == 0)
        #expect(try count("schools", "updated_at <> created_at") == 0)
        #expect(try count("roster_imports") == 2)
        // The first import changed every student's record page; the second changed nothing.
        #expect(try count("users", "role = 'student' AND record_version <> 1") == 0)
    }

    @Test func brokenSetsNeverReachTheStore() throws {
        for set in [
            "broken-missing-column", "broken-bad-enum", "broken-dangling-reference", "broken-duplicate-id",
            "broken-bad-date", "broken-invalid-utf8", "broken-missing-file", "broken-duplicate-email",
        ] {
            guard case .failure(let report) = OneRosterImport.read(files: try Fixture.files(set), schoolSourcedID: "s1")
            else {
                Issue.record("\(set) was read without problems")
                continue
            }
            #expect(report.problems.count == 1, "\(set)")
        }
    }

    @Test func anEmailOfAnotherSchoolRollsTheWholeImportBack() throws {
        let other = try db.execute(
            "INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('elsewhere', 'Elsewhere', \(t0), \(t0))"
        ).insertID
        try db.execute(
            """
            INSERT INTO users (school_id, sourced_id, role, given_name, family_name, email, username, created_at, updated_at)
            VALUES (\(other), 'x-1', 'teacher', 'Ada', 'Elsewhere', 'ada.lovelace@northside.example', 'ada2', \(t0), \(t0))
            """)

        #expect {
            try importValid()
        } throws: { error in
            (error as? RosterReport)?.problems == [
                RosterProblem(
                    file: "users.csv", line: 2, column: "email",
                    message:
                        "'ada.lovelace@northside.example' is already the sign-in name of an account of another school")
            ]
        }
        #expect(try count("schools") == 1)
        #expect(try count("users") == 1)
        for table in ["terms", "courses", "classes", "enrollments", "guardianships", "roster_imports"] {
            #expect(try count(table) == 0, "\(table)")
        }
        #expect(try db.query("SELECT school_id FROM users").first?.int("school_id").map(Int64.init) == other)
    }

    @Test func aBulkReimportDeactivatesWhoIsLeftOutAndSignsThemOut() throws {
        _ = try importValid(now: t0)
        try addSession(for: "stu-6", token: 1)
        try addSession(for: "stu-6", token: 2)
        try addSession(for: "stu-5", token: 3)
        try db.execute(
            "UPDATE users SET password_hash = '$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA' WHERE sourced_id = 'stu-6'"
        )

        let files = try Fixture.edited(
            "valid",
            [
                ("users.csv", "stu-6,,,true,s1,student,stu6,,Femi,Adeyemi,,,,,,,05,changeme\r\n", ""),
                ("enrollments.csv", "e-10,,,cl-sci,s1,stu-6,student,false,,\n", ""),
                ("users.csv", "\"stu-1,stu-2\"", "stu-1"),
            ])
        let summary = try store.apply(try Fixture.snapshot(files), startedBy: "admin", source: "second.zip", now: t1)

        #expect(summary.users == .init(unchanged: 12, deactivated: 1))
        #expect(summary.enrollments == .init(unchanged: 9, deactivated: 1))
        #expect(summary.guardianLinks == .init(unchanged: 4, deactivated: 1))
        #expect(summary.endedSessions == 2)
        #expect(summary.lines.contains("Signed out deactivated users: 2 sessions ended"))

        let femi = try #require(
            try db.query("SELECT active, password_hash, updated_at FROM users WHERE sourced_id = 'stu-6'").first)
        #expect(femi.int("active") == 0)
        #expect(femi.string("password_hash") == "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA")
        #expect(femi.date("updated_at") == t1)
        #expect(try count("sessions", "user_id = \(try userID("stu-6"))") == 0)
        #expect(try count("sessions", "user_id = \(try userID("stu-5"))") == 1)
        #expect(try count("enrollments", "user_id = \(try userID("stu-6")) AND active = FALSE") == 1)
        #expect(try count("guardianships", "student_id = \(try userID("stu-2"))") == 0)
        #expect(try count("users", "updated_at = created_at") == 12)

        // Back in the file: re-activated, not re-created.
        let third = try importValid(now: t2)
        #expect(third.users == .init(updated: 1, unchanged: 12))
        #expect(third.enrollments == .init(updated: 1, unchanged: 9))
        #expect(third.guardianLinks == .init(created: 1, unchanged: 4))
        #expect(try count("users") == 13)
    }

    @Test func aDeltaSetChangesOnlyWhatItLists() throws {
        _ = try importValid(now: t0)
        try addSession(for: "stu-6", token: 9)

        let summary = try store.apply(
            try Fixture.snapshot(try Fixture.files("delta")), startedBy: "sync", source: "delta.zip", now: t1)

        #expect(summary.school == .init(unchanged: 1))
        #expect(summary.schoolName == "Northside Elementary")
        #expect(summary.terms == .init())
        #expect(summary.classes == .init())
        #expect(summary.users == .init(created: 1, updated: 1, deactivated: 1))
        #expect(summary.enrollments == .init(created: 1, deactivated: 1))
        #expect(summary.guardianLinks == .init(created: 1))
        #expect(summary.endedSessions == 1)
        #expect(summary.invitations.map(\.email) == ["devan.patel@students.northside.example"])

        let dev = try #require(
            try db.query("SELECT given_name, email, updated_at FROM users WHERE sourced_id = 'stu-4'").first)
        #expect(dev.string("given_name") == "Devan")
        #expect(dev.date("updated_at") == t1)
        #expect(try db.query("SELECT active FROM users WHERE sourced_id = 'stu-6'").first?.int("active") == 0)
        #expect(try db.query("SELECT COUNT(*) AS n FROM users WHERE updated_at = \(t1)").first?.int("n") == 3)
        #expect(try count("users") == 14)
        #expect(
            try count(
                "enrollments",
                "user_id = \(try userID("stu-7")) AND role = 'student' AND sourced_id = 'e-14' AND active")
                == 1)
        #expect(try count("enrollments", "sourced_id = 'e-7' AND active = FALSE") == 1)
        #expect(try count("enrollments", "active") == 10)
        #expect(
            try count("guardianships", "parent_id = \(try userID("par-3")) AND student_id = \(try userID("stu-7"))")
                == 1)
        #expect(try count("guardianships") == 6)
    }

    @Test func aDeltaForASchoolNeverImportedIsRefused() throws {
        #expect {
            try store.apply(
                try Fixture.snapshot(try Fixture.files("delta")), startedBy: "sync", source: "delta.zip", now: t0)
        } throws: { error in
            (error as? RosterReport)?.problems.map(\.description) == [
                "orgs.csv: school 's1' is neither in orgs.csv nor imported before"
            ]
        }
        #expect(try count("schools") == 0)
    }

    @Test func aDeltaReferenceThatNothingResolvesIsReported() throws {
        _ = try importValid(now: t0)
        let files = try Fixture.edited("delta", [("enrollments.csv", ",cl-math-b,s1,stu-7,", ",cl-gone,s1,stu-7,")])
        #expect {
            try store.apply(try Fixture.snapshot(files), startedBy: "sync", source: "delta.zip", now: t1)
        } throws: { error in
            (error as? RosterReport)?.problems.map(\.description) == [
                "enrollments.csv line 3, column classSourcedId: there is no class 'cl-gone' in classes.csv or in earlier imports of this school"
            ]
        }
        #expect(try count("users", "sourced_id = 'stu-7'") == 0)
        #expect(try count("users", "active = FALSE") == 0)
    }

    @Test func anAccountMadeByHandWithTheSameRoleAndEmailIsAdoptedWithItsPassword() throws {
        let school = try db.execute(
            "INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('s1', 'Northside', \(t0), \(t0))"
        ).insertID
        let admin = try db.execute(
            """
            INSERT INTO users (school_id, role, given_name, family_name, email, password_hash, created_at, updated_at)
            VALUES (\(school), 'school_admin', 'Kathy', 'Johnson', 'k.johnson@northside.example', '$argon2id$x', \(t0), \(t0))
            """
        ).insertID

        let summary = try importValid(now: t1)

        #expect(summary.school == .init(updated: 1))
        #expect(summary.users == .init(created: 12, updated: 1))
        #expect(!summary.invitations.contains { $0.email == "k.johnson@northside.example" })
        let row = try #require(
            try db.query("SELECT sourced_id, given_name, username, password_hash FROM users WHERE id = \(admin)").first)
        #expect(row.string("sourced_id") == "adm-1")
        #expect(row.string("given_name") == "Katherine")
        #expect(row.string("username") == "kjohnson")
        #expect(row.string("password_hash") == "$argon2id$x")
        #expect(try count("users") == 13)
    }

    @Test func anAccountMadeByHandWithAnotherRoleIsAConflict() throws {
        let school = try db.execute(
            "INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('s1', 'Northside', \(t0), \(t0))"
        ).insertID
        try db.execute(
            """
            INSERT INTO users (school_id, role, given_name, family_name, email, created_at, updated_at)
            VALUES (\(school), 'school_admin', 'Ada', 'Lovelace', 'ada.lovelace@northside.example', \(t0), \(t0))
            """)
        #expect {
            try importValid(now: t1)
        } throws: { error in
            (error as? RosterReport)?.problems.map(\.description) == [
                "users.csv line 2, column email: 'ada.lovelace@northside.example' is already the sign-in name of an account of this school created by hand (role School admin)"
            ]
        }
        #expect(try db.query("SELECT name FROM schools").first?.string("name") == "Northside")
    }

    @Test func twoUsersMayTradeEmailsAndPasswordsStayPut() throws {
        _ = try importValid(now: t0)
        try db.execute("UPDATE users SET password_hash = '$argon2id$ada' WHERE sourced_id = 'tch-1'")
        let files = try Fixture.edited(
            "valid",
            [
                ("users.csv", "alice.brown@students.northside.example", "ben.brown@students.northside.example#"),
                ("users.csv", ",ben.brown@students.northside.example,", ",alice.brown@students.northside.example,"),
                ("users.csv", "ben.brown@students.northside.example#", "ben.brown@students.northside.example"),
                ("users.csv", ",Ada,Lovelace,", ",Ada,King,"),
            ])
        let summary = try store.apply(try Fixture.snapshot(files), startedBy: "admin", source: "swap.zip", now: t1)

        #expect(summary.users == .init(updated: 3, unchanged: 10))
        #expect(
            try db.query("SELECT email FROM users WHERE sourced_id = 'stu-1'").first?.string("email")
                == "ben.brown@students.northside.example")
        #expect(
            try db.query("SELECT email FROM users WHERE sourced_id = 'stu-2'").first?.string("email")
                == "alice.brown@students.northside.example")
        let ada = try #require(
            try db.query("SELECT family_name, password_hash FROM users WHERE sourced_id = 'tch-1'").first)
        #expect(ada.string("family_name") == "King")
        #expect(ada.string("password_hash") == "$argon2id$ada")
        #expect(!summary.invitations.contains { $0.email == "ada.lovelace@northside.example" })
    }
}
