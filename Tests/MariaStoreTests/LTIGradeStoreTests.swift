import Domain
import Foundation
import Testing

@testable import MariaStore

/// LTI Assignment and Grade Services against MariaDB (main 0053): a line item is an assessment of the class's
/// gradebook from the tool (a draft unless the school publishes apps' results), a FullyGraded score is a grade in it,
/// other progress and stale scores change no grade, and another tool or class sees nothing.
@Suite(.serialized) struct LTIGradeStoreTests {
    let now = Date()
    static let tool = ClientID("cw_app_tool")
    static let other = ClientID("cw_app_other")

    /// School 1 with a class holding `ada` (student) and `tess` (teacher), a second class, two LTI tools, and the first
    /// tool placed in the class as `rl_1`.
    func seed(_ db: TestDatabase) throws -> (ada: UserID, tess: UserID, classID: ClassID, otherClass: ClassID) {
        try db.insertTwoSchools(now: now)
        let ada = try db.insertUser("ada", role: "student", school: 1, now: now)
        let tess = try db.insertUser("tess", role: "teacher", school: 1, now: now)
        try db.database.execute(
            """
            INSERT INTO terms (school_id, sourced_id, title, kind, start_date, end_date) VALUES (1, 't1', 'Year', 'schoolYear', '2025-09-01', '2026-07-01')
            """)
        try db.database.execute("INSERT INTO courses (school_id, sourced_id, title) VALUES (1, 'c1', 'Maths')")
        let classID = try db.database.execute(
            "INSERT INTO classes (school_id, sourced_id, title, class_code, course_id, term_id) VALUES (1, 'k1', 'Maths 7', 'M7', 1, 1)"
        ).insertID
        let otherClass = try db.database.execute(
            "INSERT INTO classes (school_id, sourced_id, title, class_code, course_id, term_id) VALUES (1, 'k2', 'Maths 8', 'M8', 1, 1)"
        ).insertID
        try db.database.execute(
            "INSERT INTO enrollments (class_id, user_id, role, sourced_id) VALUES (\(classID), \(ada), 'student', 'e1'), (\(classID), \(tess), 'teacher', 'e2'), (\(otherClass), \(tess), 'teacher', 'e3')"
        )
        for tool in [Self.tool, Self.other] {
            let client = try db.database.execute(
                """
                INSERT INTO oauth_clients (client_id, name, description, developer_name, kind, allowed_scopes, created_at, updated_at)
                VALUES (\(tool.rawValue), 'Fraction Lab', '', 'Dev', 'confidential', 'openid', \(now), \(now))
                """
            ).insertID
            try db.database.execute(
                "INSERT INTO lti_tools (client_pk, login_initiation_url, target_link_uri) VALUES (\(client), 'https://t.example/login', 'https://t.example/launch')"
            )
        }
        _ = try MariaLTIStore(database: db.database).place(
            tool: Self.tool, in: ClassID(classID), school: SchoolID(1), title: "Quiz", linkID: "rl_1", deploymentID: "dep_1", by: UserID(tess),
            now: now)
        return (UserID(ada), UserID(tess), ClassID(classID), ClassID(otherClass))
    }

    func score(_ given: Double?, grading: LTIGradingProgress = .fullyGraded, at offset: TimeInterval = 0, comment: String? = nil) -> LTIScorePost {
        LTIScorePost(
            userID: "sub", given: given.map { ($0, 10) }, comment: comment, timestamp: now.addingTimeInterval(offset), activityProgress: .completed,
            gradingProgress: grading)
    }

    @Test func aLineItemIsADraftAssessmentFromTheToolAndItsFullyGradedScoreAGrade() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let store = MariaLTIGradeStore(database: db.database)
        let input = LTILineItemInput(label: "Quiz 1", scoreMaximum: Score(hundredths: 2000), resourceLinkID: "rl_1", tag: "grade")
        let item = try store.createLineItem(input, itemID: "li_1", tool: Self.tool, classID: people.classID, now: now).get()
        #expect(item.resourceLinkID == "rl_1")
        #expect(
            try db.database.query("SELECT title, max_score, published, created_by, source_client_id FROM assessments").map {
                [$0.string("title"), $0.string("max_score"), $0.string("published"), $0.string("created_by"), $0.string("source_client_id")]
            } == [["Quiz 1", "20.00", "0", "\(people.tess.rawValue)", Self.tool.rawValue]])
        #expect(try store.defaultLineItem(linkID: "rl_1") == "li_1")
        #expect(
            try store.lineItems(
                tool: Self.tool, classID: people.classID, filter: LTILineItemFilter(tag: "grade"), page: LTIPage(offset: 0, limit: 10)) == [item])
        #expect(
            try store.lineItems(
                tool: Self.tool, classID: people.classID, filter: LTILineItemFilter(tag: "other"), page: LTIPage(offset: 0, limit: 10)
            ).isEmpty)
        #expect(try store.lineItem("li_1", tool: Self.other, classID: people.classID) == nil, "another tool's")
        #expect(try store.lineItem("li_1", tool: Self.tool, classID: people.otherClass) == nil, "another class's")

        // Progress alone records, and changes no grade.
        #expect(
            try store.postScore(
                score(nil, grading: .pending), student: people.ada, itemID: "li_1", tool: Self.tool, classID: people.classID, now: now)
                == .written(.recordOnly, SchoolID(1)))
        #expect(try db.database.query("SELECT 1 AS x FROM grades").isEmpty)
        // A final score is a grade scaled to the line item, marked as the tool's.
        #expect(
            try store.postScore(
                score(7, at: 1, comment: "good"), student: people.ada, itemID: "li_1", tool: Self.tool, classID: people.classID, now: now)
                == .written(.grade(Score(hundredths: 1400), comment: "good"), SchoolID(1)))
        #expect(
            try db.database.query("SELECT student_id, score, comment, source_client_id FROM grades").map {
                [$0.string("student_id"), $0.string("score"), $0.string("comment"), $0.string("source_client_id")]
            } == [["\(people.ada.rawValue)", "14.00", "good", Self.tool.rawValue]])
        #expect(
            try store.results(itemID: "li_1", tool: Self.tool, classID: people.classID, student: nil, page: LTIPage(offset: 0, limit: 10))
                == [LTIResult(student: people.ada, score: Score(hundredths: 1400), maximum: Score(hundredths: 2000), comment: "good")])
        // An older score changes nothing.
        #expect(
            try store.postScore(score(9, at: -5), student: people.ada, itemID: "li_1", tool: Self.tool, classID: people.classID, now: now)
                == .declined(.stale))
        #expect(try db.database.query("SELECT score FROM grades").first?.string("score") == "14.00")
        // The teacher (not a student) is not found; another tool cannot post to the line item.
        #expect(
            try store.postScore(score(1, at: 9), student: people.tess, itemID: "li_1", tool: Self.tool, classID: people.classID, now: now)
                == .notFound)
        #expect(
            try store.postScore(score(1, at: 9), student: people.ada, itemID: "li_1", tool: Self.other, classID: people.classID, now: now)
                == .notFound)
        // The scoreMaximum cannot go under a grade; the placement cannot change.
        #expect(
            (try? store.updateLineItem(
                "li_1", LTILineItemInput(label: "Q", scoreMaximum: Score(hundredths: 1000)), tool: Self.tool, classID: people.classID, now: now
            ).get()) == nil)
        #expect(
            (try? store.updateLineItem(
                "li_1", LTILineItemInput(label: "Q", scoreMaximum: Score(hundredths: 3000), resourceLinkID: "rl_9"), tool: Self.tool,
                classID: people.classID, now: now
            ).get()) == nil)
        let renamed = try store.updateLineItem(
            "li_1", LTILineItemInput(label: "Quiz one", scoreMaximum: Score(hundredths: 3000)), tool: Self.tool, classID: people.classID, now: now
        ).get()
        #expect(renamed.label == "Quiz one" && renamed.resourceLinkID == "rl_1")
        // FullyGraded without a score clears the grade.
        #expect(
            try store.postScore(score(nil, at: 10), student: people.ada, itemID: "li_1", tool: Self.tool, classID: people.classID, now: now)
                == .written(.clear, SchoolID(1)))
        #expect(try db.database.query("SELECT 1 AS x FROM grades").isEmpty)
        // Deleting takes the assessment, its grades and scores.
        #expect(try store.deleteLineItem("li_1", tool: Self.other, classID: people.classID) == false)
        #expect(try store.deleteLineItem("li_1", tool: Self.tool, classID: people.classID))
        #expect(try db.database.query("SELECT 1 AS x FROM assessments").isEmpty && db.database.query("SELECT 1 AS x FROM lti_scores").isEmpty)
    }

    @Test func aSchoolThatPublishesAppsResultsGetsAPublishedAssessmentAndABadPlacementIsRefused() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        try db.database.execute(
            "INSERT INTO school_gradebook_settings (school_id, publish_app_results, updated_by, updated_at) VALUES (1, TRUE, \(people.tess.rawValue), \(now))"
        )
        let store = MariaLTIGradeStore(database: db.database)
        _ = try store.createLineItem(
            LTILineItemInput(label: "Quiz", scoreMaximum: Score(hundredths: 1000)), itemID: "li_2", tool: Self.tool, classID: people.classID, now: now
        ).get()
        #expect(try db.database.query("SELECT published FROM assessments").first?.string("published") == "1")
        #expect(try store.defaultLineItem(linkID: "rl_1") == nil, "a line item of the class is no placement's")
        let refused = try store.createLineItem(
            LTILineItemInput(label: "Quiz", scoreMaximum: Score(hundredths: 1000), resourceLinkID: "rl_1"), itemID: "li_3", tool: Self.other,
            classID: people.classID, now: now)
        #expect((try? refused.get()) == nil, "another tool's placement")
        let pages = try (0..<2).map {
            try store.lineItems(tool: Self.tool, classID: people.classID, filter: LTILineItemFilter(), page: LTIPage(offset: $0, limit: 1))
        }
        #expect(pages.map { $0.map(\.itemID) } == [["li_2"], []])
    }
}
