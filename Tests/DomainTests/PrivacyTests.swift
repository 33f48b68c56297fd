import Domain
import Foundation
import Testing

/// Exports and erasures: the file set and its formats, the OneRoster set (read back by the import), who may export
/// whom, the erasure's states and waiting period, and the pseudonymisation of free text.
@Suite struct PrivacyTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let school = SchoolID(1)

    static func record(grades: [PersonRecord.Grade]? = nil) -> PersonRecord {
        PersonRecord(
            profile: PersonRecord.Profile(
                id: UserID(42), sourcedID: "stu-42", role: .student, givenName: "Ana", familyName: "Okafor", email: "ana@school.example",
                username: "ana.okafor", gradeLevel: "7", active: true, schoolName: "Hillside", schoolSourcedID: "hill", createdAt: now,
                updatedAt: now, hasPassword: true, passwordChangedAt: nil),
            relatives: [PersonRecord.Relative(relation: "guardian", id: UserID(50), sourcedID: "par-50", givenName: "Ngozi", familyName: "Okafor")],
            enrolments: [
                PersonRecord.Enrolment(
                    classID: ClassID(7), classSourcedID: "cls-7", classTitle: "Maths 7B", courseTitle: "Maths", termTitle: "2026", role: "student",
                    active: true)
            ],
            grades: grades ?? [
                PersonRecord.Grade(
                    classTitle: "Maths 7B", assessmentID: AssessmentID(3), assessmentTitle: "Fractions", dueDate: CalendarDate("2026-03-01"),
                    score: Score("17.5")!, maxScore: Score("20")!, comment: "=HYPERLINK(\"x\")", published: true, recordedAt: now),
                PersonRecord.Grade(
                    classTitle: "Maths 7B", assessmentID: AssessmentID(4), assessmentTitle: "Draft quiz", dueDate: nil, score: Score("3")!,
                    maxScore: Score("10")!, comment: nil, published: false, recordedAt: now),
            ],
            attendance: [
                PersonRecord.Attendance(day: CalendarDate("2026-03-02")!, classTitle: "Maths 7B", status: .late, note: "bus", recordedAt: now)
            ],
            apps: [
                PersonRecord.ConnectedApp(
                    clientID: "study", name: "Study Buddy", developerName: "Dev", scopes: ["openid", "student.grades.read"], firstGrantedAt: now,
                    lastUsedAt: nil, revokedAt: nil)
            ])
    }

    @Test func aPersonsArchiveHoldsTheReadmeAndEveryFile() {
        let files = ExportArchive.person(Self.record(), audience: .person, generatedAt: Self.now)
        #expect(
            files.map(\.name) == [
                "README.txt", "profile.json", "family.json", "enrolments.csv", "grades.json", "grades.csv", "attendance.csv", "connected-apps.json",
                "data-access-log.csv", "sign-in-history.csv",
            ])
        let readme = String(decoding: files[0].bytes, as: UTF8.self)
        for name in files.dropFirst().map(\.name) { #expect(readme.contains(name), "the README describes \(name)") }
    }

    @Test func theJSONFilesParseAndHoldTheData() throws {
        let files = Dictionary(
            uniqueKeysWithValues: ExportArchive.person(Self.record(), audience: .person, generatedAt: Self.now).map { ($0.name, $0.bytes) })
        let profile = try JSONSerialization.jsonObject(with: Data(files["profile.json"]!)) as? [String: Any]
        #expect(profile?["email"] as? String == "ana@school.example")
        #expect(profile?["sourced_id"] as? String == "stu-42")
        #expect(profile?["password_hash"] == nil)
        let grades = try JSONSerialization.jsonObject(with: Data(files["grades.json"]!)) as? [[String: Any]]
        #expect(grades?.count == 1)
        #expect(grades?.first?["assessment"] as? String == "Fractions")
        #expect(grades?.first?["score"] as? Double == 17.5)
    }

    @Test func familiesSeePublishedGradesAndTheSchoolSeesDrafts() {
        for (audience, expected) in [(ExportAudience.person, 1), (.parent, 1), (.schoolAdmin, 2)] {
            let files = PersonExport.files(Self.record(), audience: audience, generatedAt: Self.now)
            let csv = String(decoding: files.first { $0.name == "grades.csv" }!.bytes, as: UTF8.self)
            #expect(csv.split(separator: "\r\n").count == 1 + expected, "\(audience)")
        }
    }

    @Test func csvCellsThatLookLikeFormulasAreGuarded() {
        let files = PersonExport.files(Self.record(), audience: .person, generatedAt: Self.now)
        let csv = String(decoding: files.first { $0.name == "grades.csv" }!.bytes, as: UTF8.self)
        #expect(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""))
        #expect(csv.hasPrefix("class,assessment_id,assessment,due_date,score,max_score,comment,published,recorded_at\r\n"))
    }

    @Test func theOneRosterSetImportsAgainUnchanged() throws {
        let roster = RosterExport(
            org: RosterExport.Org(sourcedID: "hill", name: "Hillside, \"North\"", identifier: "H1"),
            users: [
                RosterExport.User(
                    id: UserID(42), sourcedID: "stu-42", role: .student, enabled: true, givenName: "Ana", familyName: "Okafor",
                    email: "ana@school.example", username: "ana.okafor", gradeLevel: "7", agentSourcedIDs: ["par-50"]),
                RosterExport.User(
                    id: UserID(50), sourcedID: "par-50", role: .parent, enabled: true, givenName: "Ngozi", familyName: "Okafor", email: nil,
                    username: "ngozi", gradeLevel: nil, agentSourcedIDs: ["stu-42"]),
                RosterExport.User(
                    id: UserID(60), sourcedID: "tea-60", role: .teacher, enabled: false, givenName: "Tom", familyName: "Reed", email: nil,
                    username: "treed", gradeLevel: nil, agentSourcedIDs: []),
            ],
            terms: [
                RosterExport.Term(
                    sourcedID: "y2026", title: "2025/26", kind: "schoolYear", start: CalendarDate("2025-09-01")!, end: CalendarDate("2026-07-15")!,
                    active: true)
            ],
            courses: [RosterExport.Course(sourcedID: "maths", title: "Maths", courseCode: "MA", active: true)],
            classes: [
                RosterExport.Class(
                    sourcedID: "cls-7", title: "Maths 7B", classCode: nil, courseSourcedID: "maths", termSourcedID: "y2026", active: true)
            ],
            enrollments: [
                RosterExport.Enrollment(sourcedID: "e1", classSourcedID: "cls-7", userSourcedID: "stu-42", role: "student", active: true),
                RosterExport.Enrollment(sourcedID: nil, classSourcedID: "cls-7", userSourcedID: "tea-60", role: "teacher", active: true),
                RosterExport.Enrollment(sourcedID: "gone", classSourcedID: "cls-7", userSourcedID: "stu-42", role: "student", active: false),
            ])
        let files = OneRosterExport.files(roster, folder: "")
        #expect(Set(files.map(\.name)) == Set(["manifest.csv"] + RosterFile.allCases.map(\.fileName)))
        // Bulk files: status and dateLastModified blank in every record, so an unchanged roster exports the same bytes.
        for file in files where file.name != "manifest.csv" {
            let records = String(decoding: file.bytes, as: UTF8.self).split(separator: "\r\n").dropFirst()
            #expect(records.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().prefix(2).allSatisfy(\.isEmpty) })
        }
        let read = OneRosterImport.read(files: Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.bytes) }), schoolSourcedID: "hill")
        switch read {
        case .failure(let report): Issue.record("the export does not import: \(report)")
        case .success(let snapshot):
            #expect(snapshot.school.name == "Hillside, \"North\"")
            #expect(snapshot.users.map(\.sourcedID).sorted() == ["par-50", "stu-42", "tea-60"])
            #expect(snapshot.users.first { $0.sourcedID == "tea-60" }?.enabled == false)
            #expect(snapshot.users.first { $0.sourcedID == "stu-42" }?.email == "ana@school.example")
            #expect(snapshot.enrollments.count == 2)
            #expect(snapshot.guardianLinks.count == 1)
            #expect(snapshot.classes.map(\.sourcedID) == ["cls-7"])
        }
    }

    @Test func aClassOrSchoolArchiveHoldsOneRosterAndAFolderPerPerson() {
        let roster = RosterExport(
            org: RosterExport.Org(sourcedID: "hill", name: "Hillside", identifier: nil), users: [], terms: [], courses: [], classes: [],
            enrollments: [])
        let files = ExportArchive.roster(roster, people: [Self.record()], generatedAt: Self.now, classTitle: nil)
        #expect(files.first?.name == "README.txt")
        #expect(files.contains { $0.name == "oneroster/users.csv" })
        #expect(files.contains { $0.name == "people/42/grades.json" })
        // The school sees draft grades.
        let grades = files.first { $0.name == "people/42/grades.csv" }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
        #expect(grades.contains("Draft quiz"))
    }

    struct AccessCase: Sendable, CustomTestStringConvertible {
        let name: String
        let viewer: UserAccount
        let subject: UserID
        let subjectSchool: SchoolID
        let guardian: Bool
        let expected: ExportAudience?
        var testDescription: String { name }
    }

    static func viewer(_ role: Role, id: Int64, school: SchoolID? = PrivacyTests.school) -> UserAccount {
        UserAccount(id: UserID(id), role: role, schoolID: school, givenName: "V", familyName: "V", email: nil, username: nil)
    }

    static let accessCases: [AccessCase] = [
        .init(
            name: "a student exports themself", viewer: viewer(.student, id: 42), subject: UserID(42), subjectSchool: school, guardian: false,
            expected: .person),
        .init(
            name: "a student cannot export a classmate", viewer: viewer(.student, id: 43), subject: UserID(42), subjectSchool: school,
            guardian: false, expected: nil),
        .init(
            name: "a parent exports a linked child", viewer: viewer(.parent, id: 50), subject: UserID(42), subjectSchool: school, guardian: true,
            expected: .parent),
        .init(
            name: "a parent cannot export another family's child", viewer: viewer(.parent, id: 51), subject: UserID(42), subjectSchool: school,
            guardian: false, expected: nil),
        .init(
            name: "a teacher cannot export a student", viewer: viewer(.teacher, id: 60), subject: UserID(42), subjectSchool: school, guardian: false,
            expected: nil),
        .init(
            name: "the school admin exports anyone of the school", viewer: viewer(.schoolAdmin, id: 1), subject: UserID(42), subjectSchool: school,
            guardian: false, expected: .schoolAdmin),
        .init(
            name: "a school admin cannot export someone of another school", viewer: viewer(.schoolAdmin, id: 1), subject: UserID(42),
            subjectSchool: SchoolID(2), guardian: false, expected: nil),
        .init(
            name: "a platform admin exports nobody", viewer: viewer(.platformAdmin, id: 2, school: nil), subject: UserID(42), subjectSchool: school,
            guardian: false, expected: nil),
    ]

    @Test(arguments: accessCases) func whoMayExportWhom(_ c: AccessCase) {
        #expect(ExportAccess.audience(of: c.viewer, for: c.subject, subjectSchool: c.subjectSchool, isGuardian: c.guardian) == c.expected)
    }

    @Test func smallPersonExportsAreMadeAtOnceAndTheRestInTheBackground() {
        #expect(ExportRules.makeAtOnce(rows: 10, scope: .person(UserID(1)), inlineRows: 100))
        #expect(!ExportRules.makeAtOnce(rows: 101, scope: .person(UserID(1)), inlineRows: 100))
        #expect(!ExportRules.makeAtOnce(rows: 1, scope: .school, inlineRows: 100))
        #expect(!ExportRules.makeAtOnce(rows: 1, scope: .schoolClass(ClassID(1)), inlineRows: 100))
    }

    // MARK: erasure

    static func erasure(_ status: ErasureStatus, runsAfter: Date? = nil, steps: Int = 0) -> Erasure {
        Erasure(
            id: 1, school: school, subject: UserID(42), pseudonym: "erased-aaaaaaaaaaaaaaaa", status: status, requestedBy: UserID(1),
            requestedAt: now, confirmedAt: nil, runsAfter: runsAfter, cancelledAt: nil, completedSteps: steps, completedAt: nil)
    }

    @Test func confirmingStartsTheWaitingPeriod() throws {
        let waiting = TimeInterval(30 * 86400)
        #expect(try ErasureRules.confirm(Self.erasure(.requested), now: Self.now, waiting: waiting).get() == Self.now.addingTimeInterval(waiting))
        for status in [ErasureStatus.scheduled, .running, .completed, .cancelled] {
            #expect(throws: ErasureRefusal(.wrongStatus(status))) {
                try ErasureRules.confirm(Self.erasure(status), now: Self.now, waiting: waiting).get()
            }
        }
    }

    @Test func anErasureRunsOnlyAfterItsWaitingPeriodAndCanBeCancelledUntilThen() {
        let runsAfter = Self.now.addingTimeInterval(30 * 86400)
        let scheduled = Self.erasure(.scheduled, runsAfter: runsAfter)
        #expect(!ErasureRules.isDue(scheduled, now: runsAfter.addingTimeInterval(-1)))
        #expect(ErasureRules.isDue(scheduled, now: runsAfter))
        #expect(!ErasureRules.isDue(Self.erasure(.requested), now: runsAfter.addingTimeInterval(86400 * 365)))
        #expect(ErasureRules.isDue(Self.erasure(.running, runsAfter: runsAfter, steps: 2), now: Self.now))
        // Cancelling on the last day is allowed; once it runs it is not.
        #expect(ErasureRules.cancel(scheduled) == nil)
        #expect(ErasureRules.cancel(Self.erasure(.requested)) == nil)
        #expect(ErasureRules.cancel(Self.erasure(.running))?.message == "The erasure has started and cannot be cancelled or changed any more.")
        #expect(ErasureRules.cancel(Self.erasure(.completed)) != nil)
        #expect(ErasureRules.cancel(Self.erasure(.cancelled)) != nil)
    }

    @Test func aSecondRequestWhileOneIsOpenIsRefusedWithAClearMessage() {
        let refusal = ErasureRules.mayRequest(by: UserID(1), subject: UserID(42), role: .student, open: Self.erasure(.requested))
        #expect(refusal?.message.contains("already requested") == true)
        #expect(
            ErasureRules.mayRequest(by: UserID(1), subject: UserID(42), role: .student, open: Self.erasure(.scheduled, runsAfter: Self.now))?.reason
                == .alreadyOpen(.scheduled, runsAfter: Self.now))
        #expect(ErasureRules.mayRequest(by: UserID(1), subject: UserID(42), role: .student, open: nil) == nil)
        #expect(ErasureRules.mayRequest(by: UserID(42), subject: UserID(42), role: .schoolAdmin, open: nil)?.reason == .yourself)
    }

    @Test func theStepsRunInOrderAndEndAfterTheLast() {
        #expect(ErasureStep.next(afterCompleted: 0) == .revokeAccess)
        #expect(ErasureStep.next(afterCompleted: 1) == .scrubLogs)
        #expect(ErasureStep.next(afterCompleted: 3) == .pseudonymise)
        #expect(ErasureStep.next(afterCompleted: 4) == nil)
    }

    @Test func pseudonymsAreRandomAndMeanNothing() {
        var generator = SystemRandomNumberGenerator()
        let a = Pseudonym.make(using: &generator)
        let b = Pseudonym.make(using: &generator)
        #expect(a != b)
        #expect(Pseudonym.isPseudonym(a))
        #expect(!Pseudonym.isPseudonym("erased-ANA"))
    }

    @Test func scrubbingRemovesEveryIdentifierIgnoringCaseAndAccents() {
        let person = PersonIdentifiers(
            givenName: "Zoë", familyName: "Okafor", email: "zoe.okafor@school.example", username: "zokafor", sourcedID: "stu-42")
        let text = "sign-in of ZOE OKAFOR (zoe.okafor@school.example, zokafor) from roster stu-42; Okafor, Zoë; line 3: zoë"
        let scrubbed = person.scrub(text, pseudonym: "erased-x")
        for term in ["zoe", "zoë", "okafor", "stu-42", "zokafor", "school.example"] {
            #expect(!scrubbed.lowercased().contains(term), "\(term) is left in: \(scrubbed)")
        }
        #expect(scrubbed.contains("erased-x"))
        // A one-letter name is not a search term: it would rewrite every word.
        #expect(!PersonIdentifiers(givenName: "J", familyName: "Li", email: nil, username: nil, sourcedID: nil).searchTerms.contains("J"))
    }
}
