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
