import Foundation
import Testing

@testable import Domain

/// The fixture sets under `Tests/Fixtures/roster/`.
enum RosterFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/roster")

    /// Every file of a set, by name.
    static func files(_ set: String) throws -> [String: [UInt8]] {
        let folder = root.appendingPathComponent(set)
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
        }
        return files
    }

    /// The valid set with one text replacement in one file (which must match exactly once).
    static func valid(_ file: String, replacing old: String, with new: String) throws -> [String: [UInt8]] {
        var files = try files("valid")
        let text = String(decoding: try #require(files[file]), as: UTF8.self)
        try #require(text.components(separatedBy: old).count == 2, "'\(old)' must occur once in \(file)")
        files[file] = Array(text.replacingOccurrences(of: old, with: new).utf8)
        return files
    }
}

private func problems(_ files: [String: [UInt8]], school: String? = "s1") -> [RosterProblem] {
    switch OneRosterImport.read(files: files, schoolSourcedID: school) {
    case .success: []
    case .failure(let report): report.problems
    }
}

/// Each defect is reported once, at the file, line and column where the administrator can fix it.
@Suite struct RosterValidationTests {
    @Test func theValidSetReadsIntoTheSchoolsSnapshot() throws {
        let snapshot = try OneRosterImport.read(files: try RosterFixture.files("valid"), schoolSourcedID: "s1").get()
        #expect(
            snapshot.school
                == RosterSnapshot.School(sourcedID: "s1", name: "Northside Elementary", identifier: "NS-0101"))
        #expect(snapshot.terms.map(\.sourcedID) == ["t-2025", "t-fall"])
        #expect(snapshot.courses.map(\.sourcedID) == ["c-math", "c-sci"])
        #expect(snapshot.classes.map(\.sourcedID) == ["cl-math-a", "cl-math-b", "cl-sci"])
        #expect(snapshot.classes[0].termSourcedID == "t-fall")
        #expect(
            snapshot.users.map(\.sourcedID) == [
                "tch-1", "tch-2", "adm-1", "stu-1", "stu-2", "stu-3", "stu-4", "stu-5", "stu-6", "par-1", "par-2",
                "par-3", "par-4",
            ])
        #expect(snapshot.enrollments.map(\.sourcedID) == (1...10).map { "e-\($0)" })
        #expect(
            Set(snapshot.guardianLinks.map { "\($0.parentSourcedID)>\($0.studentSourcedID)" }) == [
                "par-1>stu-1", "par-1>stu-2", "par-2>stu-3", "par-3>stu-4", "par-4>stu-5",
            ])
        var skipped = RosterSnapshot.Skipped()
        skipped.courses = 1
        skipped.classes = 1
        skipped.users = 2
        skipped.enrollments = 2
        skipped.administratorEnrollments = 1
        #expect(snapshot.skipped == skipped)
        #expect(snapshot.ignoredPasswords == 1)
        #expect(snapshot.mode(of: .users) == .bulk)
        #expect(snapshot.removals.isEmpty)
    }

    @Test func usersAreMappedLowerCasedAndNamedExactly() throws {
        let snapshot = try OneRosterImport.read(files: try RosterFixture.files("valid"), schoolSourcedID: "s1").get()
        let byID = Dictionary(uniqueKeysWithValues: snapshot.users.map { ($0.sourcedID, $0) })
        #expect(byID["tch-1"]?.username == "alovelace")
        #expect(byID["tch-1"]?.email == "ada.lovelace@northside.example")
        #expect(byID["stu-3"]?.givenName == "Chloé")
        #expect(byID["stu-3"]?.familyName == "O'Neil, Jr.")
        #expect(byID["stu-3"]?.gradeLevel == "05")
        #expect(byID.mapValues(\.role)["adm-1"] == .schoolAdmin)
        #expect(byID.mapValues(\.role)["par-2"] == .parent)  // guardian
        #expect(byID.mapValues(\.role)["par-4"] == .parent)  // relative, district org, pulled in by its student
        #expect(byID.mapValues(\.role)["tch-2"] == .teacher)  // district org, pulled in by its enrollment
    }

    @Test func withoutASchoolNamedAndTwoSchoolsInOrgsTheAdministratorMustChoose() throws {
        #expect(
            problems(try RosterFixture.files("valid"), school: nil) == [
                RosterProblem(
                    file: "orgs.csv", line: nil, column: nil,
                    message:
                        "there are 2 schools, 's1' (Northside Elementary), 's2' (Southside Middle): choose which one to import"
                )
            ])
    }

    @Test func theOtherSchoolOfTheSameSetReadsToo() throws {
        let snapshot = try OneRosterImport.read(files: try RosterFixture.files("valid"), schoolSourcedID: "s2").get()
        #expect(snapshot.users.map(\.sourcedID) == ["tch-s2", "stu-s2"])
        #expect(snapshot.courses.map(\.sourcedID) == ["c-art"])
    }

    @Test func aFolderPrefixIsIgnored() throws {
        let files = try RosterFixture.files("valid")
        let prefixed = Dictionary(uniqueKeysWithValues: files.map { ("export-2025/" + $0.key, $0.value) })
        #expect(try OneRosterImport.read(files: prefixed, schoolSourcedID: "s1").get().users.count == 13)
    }

    @Test func theDeltaSetListsChangesAndRemovals() throws {
        let snapshot = try OneRosterImport.read(files: try RosterFixture.files("delta"), schoolSourcedID: "s1").get()
        #expect(snapshot.school.name == nil)
        #expect(snapshot.mode(of: .users) == .delta)
        #expect(snapshot.mode(of: .classes) == .absent)
        #expect(snapshot.users.map(\.sourcedID) == ["stu-4", "stu-7"])
        #expect(snapshot.removals.users == ["stu-6"])
        #expect(snapshot.removals.enrollments == ["e-7"])
        #expect(snapshot.enrollments.map(\.sourcedID) == ["e-14"])
        #expect(
            snapshot.guardianLinks == [
                RosterSnapshot.GuardianLink(parentSourcedID: "par-3", studentSourcedID: "stu-7", line: 4)
            ])
    }

    /// One defect per fixture set.
    @Test(arguments: [
        (
            "broken-missing-column",
            RosterProblem(file: "users.csv", line: 1, column: "role", message: "the header has no column 'role'")
        ),
        (
            "broken-bad-enum",
            RosterProblem(
                file: "users.csv", line: 6, column: "role",
                message:
                    "'wizard' is not one of administrator, aide, guardian, parent, proctor, relative, student, teacher")
        ),
        (
            "broken-dangling-reference",
            RosterProblem(
                file: "enrollments.csv", line: 8, column: "userSourcedId",
                message: "there is no user 'stu-99' in users.csv")
        ),
        (
            "broken-duplicate-id",
            RosterProblem(
                file: "academicSessions.csv", line: 4, column: "sourcedId",
                message: "'t-fall' is already used on line 3")
        ),
        (
            "broken-bad-date",
            RosterProblem(
                file: "academicSessions.csv", line: 3, column: "endDate",
                message: "'2025-13-01' is not a date in the form YYYY-MM-DD")
        ),
        (
            "broken-invalid-utf8",
            RosterProblem(
                file: "users.csv", line: 7, column: "givenName",
                message: "the text is not valid UTF-8: save the file as UTF-8")
        ),
        (
            "broken-missing-file",
            RosterProblem(
                file: "enrollments.csv", line: nil, column: nil,
                message: "the file is missing, but manifest.csv line 11 declares it bulk")
        ),
        (
            "broken-duplicate-email",
            RosterProblem(
                file: "users.csv", line: 7, column: "email",
                message: "'alice.brown@students.northside.example' is also the email of the user on line 5")
        ),
    ])
    func eachBrokenFixtureReportsExactlyItsDefect(set: String, expected: RosterProblem) throws {
        #expect(problems(try RosterFixture.files(set)) == [expected])
    }

    /// Defects made by one edit of the valid set: (what, file, text, replacement, file:line column: message).
    @Test(arguments: [
        (
            "a disabled flag that is not a boolean", "users.csv", "stu-4,,,true,", "stu-4,,,yes,",
            "users.csv line 8, column enabledUser: 'yes' is not true or false"
        ),
        (
            "an email without an at sign", "users.csv", "carol.brown@example.net", "carol.brown.example.net",
            "users.csv line 11, column email: 'carol.brown.example.net' is not an email address"
        ),
        (
            "a username used twice, in other case", "users.csv", ",stu2,", ",STU1,",
            "users.csv line 6, column username: 'stu1' is also the username of the user on line 5"
        ),
        (
            "a name longer than the column", "users.csv", ",Ada,", ",\(String(repeating: "a", count: 256)),",
            "users.csv line 2, column givenName: the value is 256 characters long; at most 255 are allowed"
        ),
        (
            "a blank family name", "users.csv", ",Ben,Brown,", ",Ben,,",
            "users.csv line 6, column familyName: a value is required"
        ),
        (
            "an agent who is not in the file", "users.csv", "stu-1,stu-2", "stu-1,stu-9",
            "users.csv line 11, column agentSourcedIds: there is no user 'stu-9' in users.csv"
        ),
        (
            "a class of an unknown course", "classes.csv", ",c-sci,,homeroom,", ",c-bio,,homeroom,",
            "classes.csv line 4, column courseSourcedId: there is no course 'c-bio' in courses.csv"
        ),
        (
            "a class of an unknown term", "classes.csv", "t-fall,t-2025", "t-fall,t-spring",
            "classes.csv line 2, column termSourcedIds: there is no academic session 't-spring' in academicSessions.csv"
        ),
        (
            "a class type outside the enumeration", "classes.csv", ",homeroom,", ",lab,",
            "classes.csv line 4, column classType: 'lab' is not one of homeroom, scheduled"
        ),
        (
            "an enrollment in another school's class", "enrollments.csv", "e-13,,,cl-art,s2,", "e-13,,,cl-art,s1,",
            "enrollments.csv line 14, column classSourcedId: class 'cl-art' belongs to school 's2' (classes.csv line 5), not to 's1'"
        ),
        (
            "a session that ends before it starts", "academicSessions.csv", "2025-08-18,2025-12-19",
            "2025-12-19,2025-08-18",
            "academicSessions.csv line 3, column endDate: the session ends (2025-08-18) before it starts (2025-12-19)"
        ),
        (
            "an org type outside the enumeration", "orgs.csv", ",district,", ",county,",
            "orgs.csv line 2, column type: 'county' is not one of department, school, district, local, state, national"
        ),
        (
            "tobedeleted in a bulk file", "enrollments.csv", "e-6,,", "e-6,tobedeleted,",
            "enrollments.csv line 7, column status: 'tobedeleted' has no meaning in a bulk file: leave the row out, or declare the file delta in manifest.csv"
        ),
        (
            "a bad modification date", "courses.csv", "c-math,,", "c-math,,last week",
            "courses.csv line 2, column dateLastModified: 'last week' is not an ISO 8601 date-time such as 2024-08-21T14:02:37Z"
        ),
        (
            "another OneRoster version", "manifest.csv", "oneroster.version,1.1", "oneroster.version,1.2",
            "manifest.csv line 3, column value: oneroster.version is '1.2'; this import reads 1.1"
        ),
        (
            "a file mode outside the enumeration", "manifest.csv", "file.courses,bulk", "file.courses,full",
            "manifest.csv line 8, column value: 'full' is not one of bulk, delta, absent"
        ),
        (
            "an undeclared file", "manifest.csv", "file.classes,bulk\n", "",
            "manifest.csv: the property 'file.classes' is missing (bulk, delta or absent)"
        ),
        (
            // The field runs on to the next quote in the file, two lines further; the record is still reported
            // where it starts.
            "an unclosed quote", "classes.csv", "\"Mathematics 5, group A\"", "\"Mathematics 5, group A",
            "classes.csv line 2: text follows the closing quote of a field: a quote inside a quoted field must be doubled (\"\")"
        ),
    ])
    func eachEditedDefectIsReportedWhereItIs(
        what: String, file: String, old: String, new: String, expected: String
    ) throws {
        let found = problems(try RosterFixture.valid(file, replacing: old, with: new)).map(\.description)
        #expect(found == [expected], "\(what)")
    }

    @Test func everyProblemIsReportedNotJustTheFirst() throws {
        var files = try RosterFixture.valid("users.csv", replacing: ",stu2,", with: ",stu1,")
        let users = String(decoding: files["users.csv"]!, as: UTF8.self)
            .replacingOccurrences(of: "student,stu4", with: "pupil,stu4")
        files["users.csv"] = Array(users.utf8)
        files["academicSessions.csv"] = nil
        #expect(
            problems(files).map(\.description) == [
                "academicSessions.csv: the file is missing, but manifest.csv line 4 declares it bulk",
                "users.csv line 8, column role: 'pupil' is not one of administrator, aide, guardian, parent, proctor, relative, student, teacher",
                "users.csv line 6, column username: 'stu1' is also the username of the user on line 5",
            ])
    }

    @Test func aMissingManifestStopsEverything() throws {
        var files = try RosterFixture.files("valid")
        files["manifest.csv"] = nil
        #expect(
            problems(files) == [
                RosterProblem(
                    file: "manifest.csv", line: nil, column: nil,
                    message: "the file is missing: a OneRoster set starts with manifest.csv")
            ])
    }

    @Test func aSchoolThatIsNotASchoolIsRefused() throws {
        #expect(
            problems(try RosterFixture.files("valid"), school: "d1").map(\.description) == [
                "orgs.csv line 2, column type: 'd1' is a district, not a school"
            ])
        #expect(
            problems(try RosterFixture.files("valid"), school: "s9").map(\.description) == [
                "orgs.csv: there is no org 's9'"
            ])
    }

    @Test func aDeltaRowNeedsStatusAndModificationDate() throws {
        var files = try RosterFixture.files("delta")
        let users = String(decoding: files["users.csv"]!, as: UTF8.self)
            .replacingOccurrences(of: "stu-4,active,2025-10-01T08:00:00.000Z,", with: "stu-4,,,")
        files["users.csv"] = Array(users.utf8)
        #expect(
            problems(files).map(\.description) == [
                "users.csv line 3, column status: a value is required in a delta file (active or tobedeleted)",
                "users.csv line 3, column dateLastModified: a value is required in a delta file (ISO 8601)",
            ])
    }
}
