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
