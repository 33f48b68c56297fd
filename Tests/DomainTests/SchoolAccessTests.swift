import Domain
import Testing

/// Who may see whom: every role against every relationship, as a table.
@Suite struct SchoolAccessTests {
    static let school = SchoolID(1)
    static let otherSchool = SchoolID(2)
    static let student = UserID(10)

    static func viewer(_ role: Role, id: Int64 = 99, school: SchoolID? = SchoolAccessTests.school) -> UserAccount {
        UserAccount(id: UserID(id), role: role, schoolID: school, givenName: "V", familyName: "V", email: nil, username: nil)
    }

    static func facts(guardian: Bool = false, teaches: Bool = false, school: SchoolID = SchoolAccessTests.school) -> StudentRelationship {
        StudentRelationship(studentID: student, schoolID: school, isGuardian: guardian, teachesStudent: teaches)
    }

    struct StudentCase: Sendable, CustomTestStringConvertible {
        let name: String
        let viewer: UserAccount
        let facts: StudentRelationship
        let allowed: Bool
        var testDescription: String { name }
    }

    static let studentCases: [StudentCase] = [
        .init(name: "a student sees their own record", viewer: viewer(.student, id: 10), facts: facts(), allowed: true),
        .init(name: "a student does not see a classmate's record", viewer: viewer(.student, id: 11), facts: facts(), allowed: false),
        .init(name: "a parent sees a linked child", viewer: viewer(.parent), facts: facts(guardian: true), allowed: true),
        .init(name: "a parent does not see another child of the school", viewer: viewer(.parent), facts: facts(), allowed: false),
        .init(
            name: "a parent linked across schools still sees the child", viewer: viewer(.parent, school: otherSchool), facts: facts(guardian: true),
            allowed: true),
        .init(name: "a teacher sees a student in a class they teach", viewer: viewer(.teacher), facts: facts(teaches: true), allowed: true),
        .init(name: "a teacher does not see a student they do not teach", viewer: viewer(.teacher), facts: facts(), allowed: false),
        .init(
            name: "a teacher of another school does not see the student", viewer: viewer(.teacher, school: otherSchool), facts: facts(teaches: true),
            allowed: false),
        .init(name: "a school admin sees a student of their school", viewer: viewer(.schoolAdmin), facts: facts(), allowed: true),
        .init(
            name: "a school admin does not see a student of another school", viewer: viewer(.schoolAdmin, school: otherSchool), facts: facts(),
            allowed: false),
        .init(
            name: "a platform admin sees no pupil records", viewer: viewer(.platformAdmin, school: nil), facts: facts(guardian: true, teaches: true),
            allowed: false),
        .init(
            name: "a student who is also guardian-flagged is still only themself", viewer: viewer(.student, id: 11), facts: facts(guardian: true),
            allowed: false),
    ]

    @Test(arguments: studentCases)
    func studentRecords(_ c: StudentCase) {
        #expect(SchoolAccess.mayViewStudent(c.viewer, c.facts) == c.allowed)
    }

    struct ClassCase: Sendable, CustomTestStringConvertible {
        let name: String
        let viewer: UserAccount
        let facts: ClassRelationship
        let view: Bool
        let teach: Bool
        var testDescription: String { name }
    }

    static func classFacts(teaches: Bool, active: Bool = true, school: SchoolID = SchoolAccessTests.school) -> ClassRelationship {
        ClassRelationship(classID: ClassID(5), schoolID: school, teaches: teaches, active: active)
    }

    static let classCases: [ClassCase] = [
        .init(name: "the class's teacher views and teaches it", viewer: viewer(.teacher), facts: classFacts(teaches: true), view: true, teach: true),
        .init(
            name: "another teacher neither views nor teaches it", viewer: viewer(.teacher), facts: classFacts(teaches: false), view: false,
            teach: false),
        .init(
            name: "the teacher of a deactivated class views but cannot change it", viewer: viewer(.teacher),
            facts: classFacts(teaches: true, active: false), view: true, teach: false),
        .init(
            name: "a teacher enrolled in another school's class is refused", viewer: viewer(.teacher, school: otherSchool),
            facts: classFacts(teaches: true), view: false, teach: false),
        .init(
            name: "a school admin views classes of their school but does not teach them", viewer: viewer(.schoolAdmin),
            facts: classFacts(teaches: false), view: true, teach: false),
        .init(
            name: "a school admin of another school does not view it", viewer: viewer(.schoolAdmin, school: otherSchool),
            facts: classFacts(teaches: false), view: false, teach: false),
        .init(name: "a student does not open class pages", viewer: viewer(.student), facts: classFacts(teaches: false), view: false, teach: false),
        .init(name: "a parent does not open class pages", viewer: viewer(.parent), facts: classFacts(teaches: false), view: false, teach: false),
        .init(
            name: "a platform admin does not open class pages", viewer: viewer(.platformAdmin, school: nil), facts: classFacts(teaches: false),
            view: false, teach: false),
    ]

    @Test(arguments: classCases)
    func classPages(_ c: ClassCase) {
        #expect(SchoolAccess.mayViewClass(c.viewer, c.facts) == c.view)
        #expect(SchoolAccess.mayTeachClass(c.viewer, c.facts) == c.teach)
    }

    @Test func onlyTheSchoolsOwnAdminAdministersIt() {
        #expect(SchoolAccess.mayAdministerSchool(Self.viewer(.schoolAdmin), Self.school))
        #expect(!SchoolAccess.mayAdministerSchool(Self.viewer(.schoolAdmin, school: Self.otherSchool), Self.school))
        #expect(!SchoolAccess.mayAdministerSchool(Self.viewer(.teacher), Self.school))
        #expect(!SchoolAccess.mayAdministerSchool(Self.viewer(.platformAdmin, school: nil), Self.school))
    }
}
