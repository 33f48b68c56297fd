import Domain
import Foundation
import Testing

@testable import MariaStore

/// OneRoster's store on a real database: filters, sorts and pages in SQL, the schools' decisions, nested subsets,
/// and the gradebook's puts (one transaction, nothing written when refused).
@Suite(.serialized) struct OneRosterStoreTests {
    let db: TestDatabase
    let store: MariaOneRosterStore
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    var ids: [String: Int64] = [:]
    static let app = ClientID("roster-app")

    init() throws {
        db = try TestDatabase()
        store = MariaOneRosterStore(database: db.database)
        let d = db.database
        try db.insertTwoSchools(now: now)
        for (key, role, school) in [
            ("teacher", "teacher", Int64(1)), ("alice", "student", 1), ("bob", "student", 1), ("carol", "student", 1), ("parent", "parent", 1),
            ("dave", "student", 2),
        ] {
            ids[key] = try db.insertUser(key, role: role, school: school, now: now)
        }
        try d.execute(
            "INSERT INTO terms (school_id, sourced_id, title, kind, start_date, end_date) VALUES (1, 't', 'Fall', 'term', '2026-09-01', '2026-12-18')"
        )
        try d.execute("INSERT INTO courses (school_id, sourced_id, title) VALUES (1, 'c', 'Maths')")
        try d.execute("INSERT INTO classes (school_id, sourced_id, title, course_id, term_id) VALUES (1, 'k1', 'Maths A', 1, 1)")
        for (who, role) in [("teacher", "teacher"), ("alice", "student"), ("bob", "student")] {
            try d.execute("INSERT INTO enrollments (class_id, user_id, role) VALUES (1, \(ids[who]!), \(role))")
        }
        try d.execute("INSERT INTO guardianships (parent_id, student_id) VALUES (\(ids["parent"]!), \(ids["alice"]!))")
        try MariaClientStore(database: d).createClient(
            OAuthClient(
                clientID: Self.app, name: "Roster App", developerName: "Dev", kind: .confidential, redirectURIs: [],
                allowedScopes: [OneRosterAccess.rosterCore]), now: now)
    }

    let schools = [SchoolID(1), SchoolID(2)]

    func users(_ query: OneRosterListQuery, subsets: [OneRosterSubset] = []) throws -> (total: Int, records: [OneRosterRecord]) {
        try store.list(OneRosterListRequest(entity: .user, query: query, schools: schools, subsets: subsets))
    }

    func filter(_ text: String, _ entity: OneRosterEntity = .user) throws -> OneRosterFilter { try OneRosterFilter.parse(text, for: entity).get() }

    @Test func listsPageSortAndCountInTheDatabase() throws {
        let first = try users(OneRosterListQuery(limit: 2, offset: 0))
        #expect(first.total == 6)
        #expect(first.records.map(\.sourcedID) == ["alice", "bob"])
        let last = try users(OneRosterListQuery(limit: 2, offset: 4))
        #expect(last.records.map(\.sourcedID) == ["parent", "teacher"])
        let descending = try users(OneRosterListQuery(limit: 3, sort: OneRosterEntity.user.field(named: "givenName"), descending: true))
        #expect(descending.records.map(\.sourcedID) == ["teacher", "parent", "dave"])
        #expect(try users(OneRosterListQuery(offset: 100)).records.isEmpty)
        let alice = try #require(first.records.first)
        #expect(alice.personID == UserID(ids["alice"]!) && alice.schoolID == SchoolID(1))
        #expect(alice.values["role"] == "student" && alice.values["enabledUser"] == "true" && alice.values["primaryOrg"] == "s1")
        #expect(alice.lists["agents"] == ["parent"])
    }

    @Test func filtersBindTheirValuesAndCombineWithOneLogicalOperator() throws {
        #expect(try users(OneRosterListQuery(filter: filter("givenName='bob' OR givenName='carol'"))).records.map(\.sourcedID) == ["bob", "carol"])
        #expect(try users(OneRosterListQuery(filter: filter("email~'@x.test' AND role='student'"))).total == 4)
        #expect(try users(OneRosterListQuery(filter: filter("givenName~'%'"))).total == 0)
        #expect(try users(OneRosterListQuery(filter: filter("dateLastModified>='2026-01-01T00:00:00Z'"))).total == 6)
        #expect(try users(OneRosterListQuery(filter: filter("dateLastModified>'2030-01-01T00:00:00Z'"))).total == 0)
    }

    @Test func subsetsAndSchoolsNarrowTheRows() throws {
        #expect(try users(OneRosterListQuery(), subsets: [.role("student"), .inClass("k1")]).records.map(\.sourcedID) == ["alice", "bob"])
        #expect(try users(OneRosterListQuery(), subsets: [.school("s2")]).records.map(\.sourcedID) == ["dave"])
        #expect(try store.list(OneRosterListRequest(entity: .user, query: OneRosterListQuery(), schools: [SchoolID(2)])).total == 1)
        #expect(try store.list(OneRosterListRequest(entity: .user, query: OneRosterListQuery(), schools: [])).total == 0)
        let classes = try store.list(
            OneRosterListRequest(entity: .class, query: OneRosterListQuery(), schools: schools, subsets: [.classesOf("alice")]))
        #expect(classes.records.map(\.sourcedID) == ["k1"])
        #expect(classes.records.first?.values["course"] == "c" && classes.records.first?.lists["terms"] == ["t"])
        #expect(try store.object(.user, sourcedID: "dave", schools: [SchoolID(1)], subsets: []) == nil)
        #expect(try store.object(.user, sourcedID: "dave", schools: schools, subsets: [.role("teacher")]) == nil)
        #expect(try store.object(.user, sourcedID: "dave", schools: schools, subsets: [.role("student")])?.schoolID == SchoolID(2))
        let enrollments = try store.list(OneRosterListRequest(entity: .enrollment, query: OneRosterListQuery(), schools: schools))
        #expect(enrollments.records.map(\.sourcedID) == ["k1-alice", "k1-bob", "k1-teacher"])
    }

    @Test func schoolPoliciesMirrorTheSchoolsDecisions() throws {
        let blocked = SchoolAppPolicy(status: .blocked, scopeLimit: nil)
        _ = try MariaSchoolAppPolicyStore(database: db.database).setPolicy(
            blocked, school: SchoolID(2), client: Self.app, by: UserID(ids["teacher"]!), now: now)
        let policies = try store.schoolPolicies(client: Self.app)
        #expect(policies.map(\.school) == schools)
        #expect(policies[0].policy == nil && policies[1].policy == blocked)
        #expect(try store.schoolPolicies(client: ClientID("nobody")).isEmpty)
    }

    @Test func putsLandAsDraftGradesInTheClassAndRefuseWithoutWriting() throws {
        let item = try OneRosterLineItemPut.validate(
            pathID: "quiz-1", sourcedID: nil, title: "Quiz 1", classSourcedID: "k1", dueDate: "2026-10-01", resultValueMin: 0, resultValueMax: 20
        ).get()
        #expect(try store.putLineItem(item, client: Self.app, schools: schools, now: now) == .created(SchoolID(1), nil))
        #expect(try store.putLineItem(item, client: Self.app, schools: schools, now: now) == .replaced(SchoolID(1), nil))
        let row = try #require(try db.database.query("SELECT published, created_by, max_score FROM assessments WHERE sourced_id = 'quiz-1'").first)
        #expect(row.int("published") == 0 && row.int("created_by").map(Int64.init) == ids["teacher"])
        func result(_ id: String, student: String, score: Double) throws -> OneRosterResultPut {
            try OneRosterResultPut.validate(
                pathID: id, sourcedID: id, lineItem: "quiz-1", student: student, score: score, scoreStatus: "fully graded", comment: "ok"
            ).get()
        }
        #expect(
            try store.putResult(result("r1", student: "alice", score: 18), client: Self.app, schools: schools, now: now)
                == .created(SchoolID(1), UserID(ids["alice"]!)))
        #expect(
            try store.putResult(result("r1", student: "alice", score: 19), client: Self.app, schools: schools, now: now)
                == .replaced(SchoolID(1), UserID(ids["alice"]!)))
        // carol is of the school but not in the class; dave of another school.
        #expect(try store.putResult(result("r2", student: "carol", score: 5), client: Self.app, schools: schools, now: now) == .notFound)
        #expect(try store.putResult(result("r2", student: "dave", score: 5), client: Self.app, schools: schools, now: now) == .notFound)
        if case .refused = try store.putResult(result("r2", student: "bob", score: 21), client: Self.app, schools: schools, now: now) {
        } else {
            Issue.record("a score above the maximum was accepted")
        }
        if case .refused = try store.putResult(result("r1", student: "bob", score: 2), client: Self.app, schools: schools, now: now) {
        } else {
            Issue.record("a result id was reused for another student")
        }
        #expect(try store.putResult(result("r3", student: "alice", score: 1), client: ClientID("other"), schools: schools, now: now) == .notFound)
        let grades = try db.database.query("SELECT student_id, score, sourced_id FROM grades")
        #expect(grades.count == 1 && grades[0].string("sourced_id") == "r1" && grades[0].string("score") == "19.00")
        let average = try db.database.query("SELECT graded_count, average_score FROM assessments WHERE sourced_id = 'quiz-1'").first
        #expect(average?.int("graded_count") == 1 && average?.string("average_score") == "19.00")
        // A draft is the teacher's until published: not in the gradebook's reads yet.
        #expect(try store.list(OneRosterListRequest(entity: .lineItem, query: OneRosterListQuery(), schools: schools)).total == 0)
        try db.database.execute("UPDATE assessments SET published = TRUE")
        let items = try store.list(OneRosterListRequest(entity: .lineItem, query: OneRosterListQuery(), schools: schools))
        #expect(items.records.map(\.sourcedID) == ["quiz-1"] && items.records[0].values["resultValueMax"] == "20.00")
        let results = try store.list(OneRosterListRequest(entity: .result, query: OneRosterListQuery(), schools: schools, subsets: [.inClass("k1")]))
        #expect(results.records.map(\.sourcedID) == ["r1"] && results.records[0].values["lineItem"] == "quiz-1")
        let moved = try OneRosterLineItemPut.validate(
            pathID: "quiz-1", sourcedID: nil, title: "Quiz 1", classSourcedID: "k1", dueDate: nil, resultValueMin: nil, resultValueMax: 10
        ).get()
        if case .refused = try store.putLineItem(moved, client: Self.app, schools: schools, now: now) {
        } else {
            Issue.record("a maximum below a held score was accepted")
        }
    }

    @Test func aSchoolThatPublishesAppResultsGetsNewLineItemsPublishedAndKeepsExistingOnes() throws {
        let settings = MariaGradebookSettingsStore(database: db.database)
        #expect(try settings.appResultsPublication(school: SchoolID(1)) == .draft)
        func item(_ id: String) throws -> OneRosterLineItemPut {
            try OneRosterLineItemPut.validate(
                pathID: id, sourcedID: nil, title: id, classSourcedID: "k1", dueDate: nil, resultValueMin: 0, resultValueMax: 10
            ).get()
        }
        #expect(try store.putLineItem(item("before"), client: Self.app, schools: schools, now: now) == .created(SchoolID(1), nil))
        try settings.setAppResultsPublication(.published, school: SchoolID(1), by: UserID(ids["teacher"]!), now: now)
        // Saved once per school, replaced on change; the other school keeps the default.
        try settings.setAppResultsPublication(.published, school: SchoolID(1), by: UserID(ids["teacher"]!), now: now)
        #expect(try settings.appResultsPublication(school: SchoolID(1)) == .published)
        #expect(try settings.appResultsPublication(school: SchoolID(2)) == .draft)
        #expect(try store.putLineItem(item("after"), client: Self.app, schools: schools, now: now) == .created(SchoolID(1), nil))
        #expect(try store.putLineItem(item("before"), client: Self.app, schools: schools, now: now) == .replaced(SchoolID(1), nil))
        let published = try db.database.query("SELECT sourced_id, published FROM assessments ORDER BY sourced_id").map {
            "\($0.string("sourced_id") ?? "?")=\($0.int("published") ?? -1)"
        }
        #expect(published == ["after=1", "before=0"])
        // Published line items are in the gradebook's reads at once.
        #expect(
            try store.list(OneRosterListRequest(entity: .lineItem, query: OneRosterListQuery(), schools: schools)).records.map(\.sourcedID) == [
                "after"
            ])
        try settings.setAppResultsPublication(.draft, school: SchoolID(1), by: UserID(ids["teacher"]!), now: now)
        #expect(try settings.appResultsPublication(school: SchoolID(1)) == .draft)
    }
}
