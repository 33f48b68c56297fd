import Domain
import Foundation
import Testing

@testable import MariaStore

/// Issue 17: every query on the paths a district leans on uses an index. The tables get a district's shape (a few
/// thousand people, most tokens expired, a long access log; generated with INSERT … SELECT from seq tables and
/// analysed, so the optimizer has statistics that make a full scan the wrong plan), then each path runs through
/// its real store function and the test counts what the server read by full table scans (`Handler_read_rnd_next`,
/// the rows an `EXPLAIN` `type=ALL` plan reads) on the same connection. A path fails when it scanned more rows
/// than the small tables hold; `explainNamesIndexesForTheSamePaths` shows the plans for the same statement shapes.
@Suite struct DistrictQueryPlanTests {
    /// People, tokens and log rows per table: enough that a full scan stands out from an index walk.
    static let rows = 3000
    /// What a path may read by scans: small tables (schools, the app, sync state) and a temporary table's rows.
    static let allowance = 200
    static let app = ClientID("district-app")

    let db: TestDatabase
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws {
        db = try TestDatabase()
        let d = db.database
        let now = self.now
        let old = now.addingTimeInterval(-400 * 86400)
        let n = Self.rows
        try db.insertTwoSchools(now: now)
        try MariaClientStore(database: d).createClient(
            OAuthClient(
                clientID: Self.app, name: "District App", developerName: "Dev", kind: .confidential, redirectURIs: ["https://x.test/cb"],
                allowedScopes: ["parent.grades.read", "student.grades.read"]), now: now)
        // People: every third a parent of the student before them, in two schools.
        try d.execute(
            """
            INSERT INTO users (school_id, sourced_id, role, given_name, family_name, email, created_at, updated_at)
            SELECT 1 + seq % 2, CONCAT('u', seq), IF(seq % 3 = 0, 'parent', 'student'), 'Given', CONCAT('F', seq),
                   CONCAT('u', seq, '@x.test'), \(now), \(now)
            FROM seq_1_to_\(unsafeRaw: String(n))
            """)
        try d.execute(
            """
            INSERT INTO guardianships (parent_id, student_id)
            SELECT p.id, s.id FROM users p JOIN users s ON s.sourced_id = CONCAT('u', CAST(SUBSTRING(p.sourced_id, 2) AS UNSIGNED) - 1)
            WHERE p.role = 'parent' AND s.role = 'student'
            """)
        try d.execute(
            "INSERT INTO terms (school_id, sourced_id, title, kind, start_date, end_date) VALUES (1, 't', 'Year', 'schoolYear', '2026-09-01', '2027-06-30')"
        )
        try d.execute("INSERT INTO courses (school_id, sourced_id, title) VALUES (1, 'c', 'Maths')")
        try d.execute(
            """
            INSERT INTO classes (school_id, sourced_id, title, course_id, term_id)
            SELECT 1, CONCAT('k', seq), CONCAT('Class ', seq), 1, 1 FROM seq_1_to_100
            """)
        try d.execute(
            """
            INSERT INTO enrollments (class_id, user_id, role)
            SELECT 1 + id % 100, id, 'student' FROM users WHERE role = 'student'
            """)
        try d.execute(
            """
            INSERT INTO assessments (class_id, title, max_score, published, created_by, created_at, updated_at)
            SELECT 1 + seq % 100, CONCAT('Test ', seq), 20, TRUE, 1, \(now), \(now) FROM seq_1_to_400
            """)
        try d.execute(
            """
            INSERT INTO grades (assessment_id, student_id, score, recorded_by, recorded_at)
            SELECT a.id, e.user_id, 15, 1, \(now) FROM assessments a JOIN enrollments e ON e.class_id = a.class_id
            """)
        // Grants and tokens: most expired a year ago, as on a district's server between purges.
        try d.execute(
            """
            INSERT INTO oauth_grants (client_pk, user_id, scopes, created_at, expires_at)
            SELECT c.id, u.id, 'parent.grades.read', \(old), IF(u.id % 10 = 0, \(now.addingTimeInterval(86400)), \(old))
            FROM users u JOIN oauth_clients c
            """)
        try d.execute(
            """
            INSERT INTO oauth_tokens (token_digest, kind, grant_id, issued_at, expires_at)
            SELECT UNHEX(SHA2(CONCAT('token-', g.id), 256)), 'access', g.id, g.created_at, g.expires_at FROM oauth_grants g
            """)
        // The access log: rows about every person, spread over a year and a half.
        try d.execute(
            """
            INSERT INTO data_access_log (occurred_at, client_id, actor_user_id, subject_user_id, school_id, operation, request, status)
            SELECT \(now) - INTERVAL (s.seq * 7 + u.id) % 540 DAY, \(Self.app.rawValue), u.id, u.id, u.school_id, 'grades.read',
                   'GET /api/v1/me/grades', 200
            FROM users u JOIN seq_1_to_3 s
            """)
        // A browser session per person, one in ten expired (idle or past its lifetime) and waiting for the sweep.
        try d.execute(
            """
            INSERT INTO sessions (token_digest, user_id, created_at, last_seen_at, expires_at, client_address, user_agent)
            SELECT UNHEX(SHA2(CONCAT('session-', u.id), 256)), u.id, \(now) - INTERVAL 1 HOUR,
                   IF(u.id % 20 = 0, \(now) - INTERVAL 1 DAY, \(now)), IF(u.id % 20 = 10, \(now) - INTERVAL 1 MINUTE, \(now) + INTERVAL 1 DAY),
                   '127.0.0.1', 't'
            FROM users u
            """)
        for table in [
            "users", "guardianships", "classes", "enrollments", "assessments", "grades", "oauth_grants", "oauth_tokens", "data_access_log",
            "sessions",
        ] {
            _ = try d.query("ANALYZE TABLE \(unsafeRaw: table)")
        }
    }

    /// A session counter of this connection (reading it costs a constant, which ``scans(_:counter:)`` subtracts).
    func counter(_ name: String) throws -> Int {
        Int(try db.database.query("SHOW SESSION STATUS LIKE '\(unsafeRaw: name)'").first?.string("Value") ?? "") ?? -1
    }

    /// What `body` added to `counter`: by default the rows read by full scans of tables (`Handler_read_rnd_next`).
    func scans(counter name: String = "Handler_read_rnd_next", _ body: () throws -> Void) throws -> Int {
        let first = try counter(name)
        let second = try counter(name)
        let overhead = second - first
        try body()
        let third = try counter(name)
        return third - second - overhead
    }

    func user(_ sourcedID: String) throws -> UserID {
        UserID(Int64(try db.database.query("SELECT id FROM users WHERE sourced_id = \(sourcedID)").first?.int("id") ?? 0))
    }

    /// One database for every path (building it is most of the suite's time).
    @Test func everyDistrictPathReadsThroughIndexes() throws {
        try introspectionAndUserinfoFindTheTokenByItsDigest()
        try theGradesAndClassesOfAStudentAndTheChildrenOfAParentWalkIndexes()
        try theAccessLogPageOfAParentAndTheSchoolCSVWalkTheirIndexes()
        try syncFoldsTheNewLogRowsByTheirIDs()
        try thePurgeDeletesThroughTheExpiryAndTimeIndexes()
        try theSweepOfExpiredSessionsFindsThemByItsIndexes()
        try explainNamesIndexesForTheSamePaths()
    }

    /// The back-channel cron's sweep (main 0048): expired by `expires_at` or idle by `last_seen_at`, each indexed.
    func theSweepOfExpiredSessionsFindsThemByItsIndexes() throws {
        let store = MariaLogoutStore(database: db.database)
        var ended = ExpiredSessionsEnded()
        let scanned = try scans {
            ended = try store.endExpiredSessions(now: now, idleSince: now.addingTimeInterval(-3600), limit: 500)
        }
        #expect(ended.sessions == Self.rows / 10)
        #expect(scanned <= Self.allowance, "the expired-session sweep scanned \(scanned) rows")
    }

    func introspectionAndUserinfoFindTheTokenByItsDigest() throws {
        let tokens = MariaTokenStore(database: db.database)
        let live = try db.database.query("SELECT token_digest FROM oauth_tokens WHERE expires_at > \(now) LIMIT 1").first?.bytes("token_digest")
        let digest = try #require(live)
        var found: BearerRecord?
        let read = try scans { found = try tokens.bearer(digest: digest) }
        #expect(found != nil)
        #expect(read < Self.allowance, "bearer lookup read \(read) rows by full scans")
    }

    func theGradesAndClassesOfAStudentAndTheChildrenOfAParentWalkIndexes() throws {
        let api = MariaEducationAPIStore(database: db.database)
        let student = try user("u2")
        let parent = try user("u3")
        var grades: [GradeLine] = []
        var children: [PersonSummary] = []
        var classes: [ClassSummary] = []
        let read = try scans {
            grades = try api.publishedGrades(ofStudent: student, before: nil, limit: 50)
            classes = try api.classes(ofStudent: student, after: nil, limit: 50)
            children = try api.children(ofParent: parent, after: nil, limit: 50)
        }
        #expect(!grades.isEmpty && !classes.isEmpty && children.count == 1)
        #expect(read < Self.allowance, "grades, classes and children read \(read) rows by full scans")
    }

    func theAccessLogPageOfAParentAndTheSchoolCSVWalkTheirIndexes() throws {
        let log = MariaDataAccessLogStore(database: db.database)
        let child = try user("u2")
        var page: [DataAccessRecord] = []
        var school: [DataAccessRecord] = []
        let read = try scans {
            page = try log.entries(aboutAnyOf: [child], limit: 100)
            school = try log.entries(ofSchool: SchoolID(1), limit: 1000)
        }
        #expect(page.count == 3 && school.count == 1000)
        #expect(read < Self.allowance, "the access-log page and CSV read \(read) rows by full scans")
    }

    func thePurgeDeletesThroughTheExpiryAndTimeIndexes() throws {
        let tokens = MariaTokenStore(database: db.database)
        let log = MariaDataAccessLogStore(database: db.database)
        var deleted = 0
        let read = try scans {
            deleted += try tokens.purgeExpired(before: now.addingTimeInterval(-86400), limit: 500)
            deleted += try log.purge(before: now.addingTimeInterval(-365 * 86400), limit: 500)
        }
        #expect(deleted == 1000)
        #expect(read < Self.allowance, "the purge read \(read) rows by full scans")
    }

    func syncFoldsTheNewLogRowsByTheirIDs() throws {
        let target = MariaSyncTargetStore(database: db.database)
        var folded = 0
        // The log rows were written "now" by the server's clock, which the fold compares with: no settle time.
        // Its GROUP BY and DISTINCT fill temporary tables, which it reads back row by row, so rows read by scans say
        // nothing here: no join may lack an index, and its range reads are in the EXPLAIN list below.
        let fullJoins = try scans(counter: "Select_full_join") {
            folded = try target.collectUsage(now: Date(), settle: 0)
        }
        #expect(folded >= Self.rows * 3)
        #expect(fullJoins == 0, "collecting usage joined \(fullJoins) time(s) without an index")
    }

    /// The plans of the hot statements' shapes (the bearer lookup and the access-log reads): none is `ALL` on a
    /// large table.
    func explainNamesIndexesForTheSamePaths() throws {
        let statements: [(String, SQLQuery)] = [
            (
                "bearer",
                """
                EXPLAIN SELECT t.kind FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN oauth_clients c ON c.id = g.client_pk
                LEFT JOIN users u ON u.id = g.user_id LEFT JOIN school_app_policies p ON p.school_id = u.school_id AND p.client_pk = g.client_pk
                WHERE t.token_digest = \(Array(repeating: UInt8(7), count: 32))
                """
            ),
            (
                "access log of a child",
                "EXPLAIN SELECT l.id FROM data_access_log l WHERE l.subject_user_id IN (\(list: [5, 8])) ORDER BY l.occurred_at DESC, l.id DESC LIMIT 100"
            ),
            (
                "access log of a school",
                "EXPLAIN SELECT l.id FROM data_access_log l WHERE l.school_id = 1 ORDER BY l.occurred_at DESC, l.id DESC LIMIT 1000"
            ),
            ("token purge", "EXPLAIN DELETE FROM oauth_tokens WHERE expires_at < \(now) ORDER BY expires_at LIMIT 500"),
            ("grant purge", "EXPLAIN DELETE FROM oauth_grants WHERE expires_at < \(now) ORDER BY expires_at LIMIT 500"),
            ("log purge", "EXPLAIN DELETE FROM data_access_log WHERE occurred_at < \(now) ORDER BY occurred_at LIMIT 500"),
            (
                "sync's log fold",
                "EXPLAIN SELECT client_id, DATE(occurred_at), SUM(first_of_call) FROM data_access_log WHERE id > 10 AND id <= 200 GROUP BY client_id, DATE(occurred_at)"
            ),
            (
                "sync's settled end",
                "EXPLAIN SELECT MAX(id), MIN(IF(written_at >= \(now), id, NULL)) FROM data_access_log WHERE id > \(Self.rows * 3 - 20)"
            ),
            (
                "sync's grant fold",
                "EXPLAIN SELECT c.client_id, COUNT(*) FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_pk WHERE g.id > 10 AND g.id <= 200 GROUP BY c.client_id"
            ),
        ]
        let large: Set<String> = ["t", "g", "u", "l", "oauth_tokens", "oauth_grants", "data_access_log"]
        for (name, statement) in statements {
            for row in try db.database.query(statement) where large.contains(row.string("table") ?? "") {
                #expect(row.string("type") != "ALL", "\(name): full scan of \(row.string("table") ?? "?")")
            }
        }
    }
}
