import Domain
import Foundation
import Testing

@testable import MariaStore

/// LTI placements and launches against MariaDB (main 0052): one deployment per (tool, school), placements listed
/// for their class, a blocked tool no longer offered, and a launch's hint spent exactly once before it expires.
@Suite(.serialized) struct LTIStoreTests {
    let now = Date()
    static let tool = ClientID("cw_app_tool")

    /// School 1 with a class holding `ada` (student) and `tess` (teacher), and an LTI tool.
    func seed(_ db: TestDatabase) throws -> (ada: UserID, tess: UserID, classID: ClassID) {
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
        try db.database.execute(
            "INSERT INTO enrollments (class_id, user_id, role, sourced_id) VALUES (\(classID), \(ada), 'student', 'e1'), (\(classID), \(tess), 'teacher', 'e2')"
        )
        let client = try db.database.execute(
            """
            INSERT INTO oauth_clients (client_id, name, description, developer_name, kind, allowed_scopes, created_at, updated_at)
            VALUES (\(Self.tool.rawValue), 'Fraction Lab', '', 'Dev', 'confidential', 'openid', \(now), \(now))
            """
        ).insertID
        try db.database.execute(
            "INSERT INTO lti_tools (client_pk, login_initiation_url, target_link_uri) VALUES (\(client), 'https://t.example/login', 'https://t.example/launch')"
        )
        try db.database.execute("INSERT INTO lti_tool_redirect_uris (client_pk, position, uri) VALUES (\(client), 0, 'https://t.example/launch')")
        return (UserID(ada), UserID(tess), ClassID(classID))
    }

    @Test func aPlacementMakesOneDeploymentPerSchoolAndIsListedForItsClass() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let store = MariaLTIStore(database: db.database)
        #expect(try store.placeableTools(school: SchoolID(1)) == [LTIPlaceableTool(clientID: Self.tool, name: "Fraction Lab")])
        let first = try #require(
            try store.place(
                tool: Self.tool, in: people.classID, school: SchoolID(1), title: "Quiz", linkID: "rl_1", deploymentID: "dep_1", by: people.tess,
                now: now))
        _ = try store.place(
            tool: Self.tool, in: people.classID, school: SchoolID(1), title: "Atlas", linkID: "rl_2", deploymentID: "dep_2", by: people.tess, now: now
        )
        #expect(first.toolName == "Fraction Lab")
        #expect(try store.links(in: [people.classID]).map(\.linkID) == ["rl_2", "rl_1"])
        #expect(try store.removeLink("rl_2", in: ClassID(people.classID.rawValue + 1)) == false, "only from its own class")
        let target = try #require(try store.launchTarget(linkID: "rl_2"))
        #expect(target.deploymentID == "dep_1", "the school's first deployment is kept")
        #expect(target.classCode == "M7" && target.classTitle == "Maths 7" && target.schoolID == SchoolID(1))
        #expect(target.settings.redirectURIs == ["https://t.example/launch"])
        #expect(try store.enrolment(of: people.ada, in: people.classID) == .student)
        #expect(try store.enrolment(of: people.tess, in: people.classID) == .teacher)
        // A class of another school, or an unknown tool, places nothing.
        #expect(
            try store.place(
                tool: Self.tool, in: people.classID, school: SchoolID(2), title: "x", linkID: "rl_3", deploymentID: "dep_3", by: people.tess, now: now
            )
                == nil)
        #expect(
            try store.place(
                tool: ClientID("nope"), in: people.classID, school: SchoolID(1), title: "x", linkID: "rl_4", deploymentID: "dep_4", by: people.tess,
                now: now) == nil)
        // A school that blocks the tool is not offered it.
        try db.database.execute(
            "INSERT INTO school_app_policies (school_id, client_pk, status, updated_by, updated_at) VALUES (1, 1, 'blocked', \(people.tess.rawValue), \(now))"
        )
        #expect(try store.placeableTools(school: SchoolID(1)).isEmpty)
        #expect(try store.removeLink("rl_2", in: people.classID))
        #expect(try store.removeLink("rl_2", in: people.classID) == false)
        #expect(try store.links(in: [people.classID]).map(\.linkID) == ["rl_1"])
        #expect(try store.redirectURIs(of: Self.tool) == ["https://t.example/launch"])
        #expect(try store.redirectURIs(of: ClientID("nope")) == nil)
    }

    @Test func aLaunchIsSpentOnceAndNotAfterItExpires() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let store = MariaLTIStore(database: db.database)
        _ = try store.place(
            tool: Self.tool, in: people.classID, school: SchoolID(1), title: "Quiz", linkID: "rl_1", deploymentID: "dep_1", by: people.tess, now: now)
        let digest = SecretToken.digest("cw_lti_hint")
        let pending = LTIPendingLaunch(
            clientID: Self.tool, resourceLink: "rl_1", user: people.ada, loginHint: "sub-ada", expiresAt: now.addingTimeInterval(300))
        try store.createLaunch(digest: digest, pending)
        #expect(try store.launch(digest: digest)?.expiresAt.timeIntervalSince(pending.expiresAt).magnitude ?? 1 < 0.001)
        #expect(try store.launch(digest: digest)?.used == false)
        #expect(try store.spendLaunch(digest: digest, now: now))
        #expect(try store.spendLaunch(digest: digest, now: now) == false)
        #expect(try store.launch(digest: digest)?.used == true)

        let late = SecretToken.digest("cw_lti_late")
        try store.createLaunch(digest: late, pending)
        #expect(try store.spendLaunch(digest: late, now: now.addingTimeInterval(301)) == false)
        #expect(try MariaRetentionStore(database: db.database).purgeLTILaunches(before: now.addingTimeInterval(301)) == 2)
        #expect(try store.launch(digest: late) == nil)
        // A launch of an unknown placement is refused and writes nothing.
        var unknown = pending
        unknown.resourceLink = "rl_nope"
        #expect(throws: StoreError.self) { try store.createLaunch(digest: SecretToken.digest("cw_lti_x"), unknown) }
    }

    /// The tool of ``seed(_:)`` with a Deep Linking URL.
    func enableDeepLinking(_ db: TestDatabase) throws {
        try db.database.execute("UPDATE lti_tools SET deep_linking_url = 'https://t.example/deep-link'")
    }

    @Test func aDeepLinkingRequestIsBoundToItsTeacherAndClassAndPlacesItsItemsOnce() throws {
        let db = try TestDatabase()
        let people = try seed(db)
        let store = MariaLTIStore(database: db.database)
        let hint = SecretToken.digest("cw_ltidl_hint")
        let data = SecretToken.digest("cw_ltidd_data")
        func start(_ hint: [UInt8], _ data: [UInt8], expires: Date) throws -> LTIDeepLinkingRequest? {
            try store.startDeepLinking(
                tool: Self.tool, in: people.classID, school: SchoolID(1), teacher: people.tess, loginHint: "sub-tess", hintDigest: hint,
                dataDigest: data, deploymentID: "dep_dl", expiresAt: expires, now: now)
        }
        // Without a Deep Linking URL the tool offers none.
        #expect(try store.placeableTools(school: SchoolID(1)).first?.supportsDeepLinking == false)
        #expect(try start(hint, data, expires: now.addingTimeInterval(900)) == nil)
        try enableDeepLinking(db)
        #expect(try store.placeableTools(school: SchoolID(1)).first?.supportsDeepLinking == true)
        let started = try #require(try start(hint, data, expires: now.addingTimeInterval(900)))
        #expect(started.teacher == people.tess && started.classID == people.classID && started.deploymentID == "dep_dl")
        #expect(started.deepLinkingURL == "https://t.example/deep-link" && started.loginInitiationURL == "https://t.example/login")
        #expect(started.classTitle == "Maths 7" && started.toolName == "Fraction Lab" && !started.hintUsed && !started.returned)
        #expect(try store.deepLinkingRequest(dataDigest: data) == started)
        #expect(try store.deepLinkingRequest(dataDigest: hint) == nil, "each digest in its own column")
        // A class of another school starts nothing.
        #expect(
            try store.startDeepLinking(
                tool: Self.tool, in: people.classID, school: SchoolID(2), teacher: people.tess, loginHint: "x", hintDigest: SecretToken.digest("h2"),
                dataDigest: SecretToken.digest("d2"), deploymentID: "dep_x", expiresAt: now.addingTimeInterval(900), now: now) == nil)

        let item = LTIResourceLink(
            linkID: "rl_dl1", classID: people.classID, clientID: Self.tool, toolName: "Fraction Lab", title: "Quiz 1",
            targetLinkURI: "https://t.example/launch?q=1", custom: ["q": "1"])
        // Not before the launch spent the hint.
        #expect(try store.completeDeepLinking(dataDigest: data, links: [item], now: now) == nil)
        #expect(try store.spendDeepLinkingHint(digest: hint, now: now))
        #expect(try store.spendDeepLinkingHint(digest: hint, now: now) == false)
        #expect(try store.deepLinkingRequest(hintDigest: hint)?.hintUsed == true)
        let placed = try #require(try store.completeDeepLinking(dataDigest: data, links: [item], now: now))
        #expect(placed == [item])
        // A replay places nothing.
        var again = item
        again.linkID = "rl_dl2"
        #expect(try store.completeDeepLinking(dataDigest: data, links: [again], now: now) == nil)
        #expect(try store.deepLinkingRequest(dataDigest: data)?.returned == true)
        #expect(try store.links(in: [people.classID]) == [item])
        let target = try #require(try store.launchTarget(linkID: "rl_dl1"))
        #expect(target.link.targetLinkURI == "https://t.example/launch?q=1" && target.link.custom == ["q": "1"])
        #expect(target.deploymentID == "dep_dl" && target.settings.deepLinkingURL == "https://t.example/deep-link")
        #expect(
            try db.database.query("SELECT created_by FROM lti_resource_links WHERE link_id = 'rl_dl1'").first?.int("created_by")
                == Int(people.tess.rawValue))

        // An expired request can neither be launched nor answered, and purge removes it.
        let lateHint = SecretToken.digest("cw_ltidl_late")
        let lateData = SecretToken.digest("cw_ltidd_late")
        _ = try #require(try start(lateHint, lateData, expires: now.addingTimeInterval(10)))
        #expect(try store.spendDeepLinkingHint(digest: lateHint, now: now.addingTimeInterval(11)) == false)
        #expect(try store.completeDeepLinking(dataDigest: lateData, links: [again], now: now.addingTimeInterval(11)) == nil)
        #expect(try MariaRetentionStore(database: db.database).purgeLTILaunches(before: now.addingTimeInterval(11)) == 1)
        #expect(try store.deepLinkingRequest(dataDigest: lateData) == nil)
        #expect(try store.links(in: [people.classID]).map(\.linkID) == ["rl_dl1"])
    }
}
