import Domain
import Foundation
import Testing

/// LTI 1.3 placements (issue 19 item 2, slice 2): a placement's title, and who may start a launch of it.
@Suite struct LTIPlacementTests {
    static let school = SchoolID(3)
    static let pupil = UserAccount(
        id: UserID(42), role: .student, schoolID: school, givenName: "Ada", familyName: "Lovelace", email: nil, username: "ada")

    @Test func anEmptyTitleIsTheToolsNameAndALongOneIsRefused() {
        #expect(LTIPlacementRules.title("  ", toolName: "Fraction Lab") == "Fraction Lab")
        #expect(LTIPlacementRules.title(" Quiz 1 ", toolName: "Fraction Lab") == "Quiz 1")
        #expect(LTIPlacementRules.title(String(repeating: "x", count: 256), toolName: "Fraction Lab") == nil)
        #expect(LTIPlacementRules.title(String(repeating: "x", count: 255), toolName: "Fraction Lab")?.count == 255)
    }

    @Test func aMemberLaunchesWithTheirEnrolmentRoleUnlessTheSchoolBlocksTheTool() {
        #expect(LTIPlacementRules.mayLaunch(Self.pupil, enrolment: .student, schoolID: Self.school, policy: nil) == .success(.student))
        #expect(
            LTIPlacementRules.mayLaunch(Self.pupil, enrolment: .student, schoolID: Self.school, policy: .init(status: .allowed, scopeLimit: []))
                == .success(.student))
        #expect(
            LTIPlacementRules.mayLaunch(Self.pupil, enrolment: .student, schoolID: Self.school, policy: .init(status: .blocked, scopeLimit: nil))
                == .failure(.blocked))
    }

    @Test func someoneNotEnrolledOrOfAnotherSchoolIsNotInTheClass() {
        #expect(LTIPlacementRules.mayLaunch(Self.pupil, enrolment: nil, schoolID: Self.school, policy: nil) == .failure(.notInClass))
        #expect(LTIPlacementRules.mayLaunch(Self.pupil, enrolment: .student, schoolID: SchoolID(4), policy: nil) == .failure(.notInClass))
        // Not in the class comes first: a blocked tool says nothing to someone who is not a member.
        #expect(
            LTIPlacementRules.mayLaunch(Self.pupil, enrolment: nil, schoolID: Self.school, policy: .init(status: .blocked, scopeLimit: nil))
                == .failure(.notInClass))
    }
}

/// NRPS 2.0 (issue 19 item 2, slice 4): the membership container and when a school lends the scope.
@Suite struct LTIMembershipTests {
    static let context = LTIContext(classID: ClassID(9), schoolID: SchoolID(3), classCode: nil, title: "Maths 7")
    static let members = [
        LTIMember(user: UserID(2), role: .teacher, givenName: "Tess", familyName: "Teach"),
        LTIMember(user: UserID(42), role: .student, givenName: "Ada", familyName: "Lovelace"),
    ]

    @Test func theContainerNamesTheContextAndEachMemberBySubjectAndRole() {
        let url = LTIMembershipRules.url(base: "https://app.example", classID: ClassID(9))
        #expect(url == "https://app.example/api/lti/contexts/9/memberships")
        let json = LTIMembershipRules.container(url: url, context: Self.context, members: Self.members, names: false) { "sub-\($0)" }.text
        #expect(json.hasPrefix(#"{"id":"https://app.example/api/lti/contexts/9/memberships","context":{"id":"9","label":"Maths 7","#))
        #expect(json.contains(#"{"status":"Active","user_id":"sub-42","roles":["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner""#))
        #expect(!json.contains("Lovelace"), "no names unless the tool may see them")
        let named = LTIMembershipRules.container(url: url, context: Self.context, members: Self.members, names: true) { "sub-\($0)" }.text
        #expect(named.contains(#""name":"Ada Lovelace","given_name":"Ada","family_name":"Lovelace""#))
    }

    @Test func aSchoolLendsTheScopeUnlessItBlocksTheToolOrLimitsItsScopesWithoutIt() {
        #expect(LTIMembershipRules.schoolLends(nil))
        #expect(LTIMembershipRules.schoolLends(SchoolAppPolicy(status: .allowed, scopeLimit: [LTIScopes.contextMembershipRead])))
        #expect(!LTIMembershipRules.schoolLends(SchoolAppPolicy(status: .allowed, scopeLimit: ["openid"])))
        #expect(!LTIMembershipRules.schoolLends(SchoolAppPolicy(status: .blocked, scopeLimit: nil)))
    }
}

/// NRPS 2.0 §2.4 paging and filters of the memberships endpoint: `limit`, `page`, `role`, `rlid`.
@Suite struct LTIMembershipQueryTests {
    static let members = [
        LTIMember(user: UserID(2), role: .teacher, givenName: "Tess", familyName: "Teach"),
        LTIMember(user: UserID(40), role: .student, givenName: "Ada", familyName: "Lovelace"),
        LTIMember(user: UserID(41), role: .student, givenName: "Bo", familyName: "Mills"),
        LTIMember(user: UserID(42), role: .student, givenName: "Cy", familyName: "Noor"),
    ]

    static func query(limit: String? = nil, page: String? = nil, role: String? = nil, rlid: String? = nil) -> LTIMembershipQuery? {
        try? LTIMembershipQuery.parse(limit: limit, page: page, role: role, rlid: rlid).get()
    }

    @Test func theDefaultPageIsTheFirstThousandAndALargerLimitIsLowered() {
        #expect(Self.query()?.page == LTIPage(offset: 0, limit: 1000))
        #expect(Self.query(limit: "5000")?.page == LTIPage(offset: 0, limit: 1000))
        #expect(Self.query(limit: "2", page: "3")?.page == LTIPage(offset: 4, limit: 2))
    }

    @Test func aBadLimitOrPageIsAnInvalidRequest() {
        for (limit, page) in [("0", "1"), ("-1", "1"), ("x", "1"), ("", "1"), ("2", "0"), ("2", "abc"), ("2", "9999999"), ("2", "1.5")] {
            guard case .failure(let failure) = LTIMembershipQuery.parse(limit: limit, page: page, role: nil, rlid: nil) else {
                Issue.record("limit \(limit) page \(page) was accepted")
                continue
            }
            #expect(failure.status == 400 && failure.error == "invalid_request")
        }
    }

    @Test func pagesSplitTheMembersAndSayWhetherMoreFollow() throws {
        let first = try #require(Self.query(limit: "3")).select(Self.members)
        #expect(first.members.map(\.user) == [UserID(2), UserID(40), UserID(41)] && first.more)
        let second = try #require(Self.query(limit: "3", page: "2")).select(Self.members)
        #expect(second.members.map(\.user) == [UserID(42)] && !second.more)
        let past = try #require(Self.query(limit: "3", page: "7")).select(Self.members)
        #expect(past.members.isEmpty && !past.more)
        let exact = try #require(Self.query(limit: "4")).select(Self.members)
        #expect(exact.members.count == 4 && !exact.more)
    }

    @Test func aRoleIsAContextRoleURIOrItsShortName() {
        #expect(LTIRoleFilter("Learner")?.uri == "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner")
        #expect(
            LTIRoleFilter("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor")?.uri
                == "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor")
        #expect(LTIRoleFilter("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant") != nil)
        // Case is ignored (pylti1p3 lower-cases the Link header it follows); the filter is the canonical URI.
        #expect(LTIRoleFilter("learner")?.uri == "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner")
        #expect(
            LTIRoleFilter("HTTP://purl.imsglobal.org/vocab/lis/v2/membership#contentdeveloper")?.uri
                == "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper")
        for bad in [
            "Student", "Learners", "", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Wizard", "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#",
            "http://purl.imsglobal.org/vocab/lis/v2/membership/Wizard#Apprentice", String(repeating: "L", count: 201),
        ] {
            #expect(LTIRoleFilter(bad) == nil, "\(bad)")
            #expect((try? LTIMembershipQuery.parse(limit: nil, page: nil, role: bad, rlid: nil).get()) == nil)
        }
    }

    @Test func theRoleFilterKeepsItsHoldersAndPagesThem() throws {
        let learners = try #require(Self.query(limit: "2", role: "Learner")).select(Self.members)
        #expect(learners.members.map(\.user) == [UserID(40), UserID(41)] && learners.more)
        let rest = try #require(Self.query(limit: "2", page: "2", role: "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"))
            .select(Self.members)
        #expect(rest.members.map(\.user) == [UserID(42)] && !rest.more)
        let teachers = try #require(Self.query(role: "Instructor")).select(Self.members)
        #expect(teachers.members.map(\.user) == [UserID(2)])
        // A context role no one in a class holds is a valid filter with an empty answer.
        #expect(try #require(Self.query(role: "Mentor")).select(Self.members).members.isEmpty)
        #expect(
            try #require(Self.query(role: "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant")).select(Self.members)
                .members.isEmpty)
    }

    @Test func theNextLinkKeepsTheQueryAndAdvancesThePage() throws {
        let query = try #require(Self.query(limit: "2", page: "2", role: "Learner"))
        let next = query.nextURL(
            base: "https://app.example/api/lti/contexts/9/memberships",
            parameters: [("role", "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"), ("page", "2"), ("limit", "2")])
        #expect(
            next
                == "https://app.example/api/lti/contexts/9/memberships?role=http%3A//purl.imsglobal.org/vocab/lis/v2/membership%23Learner&limit=2&page=3"
        )
    }

    @Test func anEmptyOrLongRlidIsRefused() {
        #expect(Self.query(rlid: "") == nil)
        #expect(Self.query(rlid: String(repeating: "a", count: 256)) == nil)
        #expect(Self.query(rlid: "abc")?.resourceLinkID == "abc")
    }
}
