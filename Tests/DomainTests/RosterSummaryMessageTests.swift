import Domain
import Testing

/// A roster import's summary lines are message codes whose English is the stored and printed line.
@Suite struct RosterSummaryMessageTests {
    @Test func theSummaryYieldsItsCodesWithTheSkippedListNested() {
        var skipped = RosterSnapshot.Skipped()
        skipped.classes = 2
        skipped.enrollments = 1
        let summary = RosterImportSummary(
            schoolID: SchoolID(1), schoolName: "Northside", school: .init(updated: 1), terms: .init(), courses: .init(), classes: .init(),
            users: .init(unchanged: 4), enrollments: .init(), guardianLinks: .init(), skipped: skipped, ignoredPasswords: 0,
            endedSessions: 2, invitations: [])
        let messages = summary.messages
        #expect(messages.map(\.english) == summary.lines)
        #expect(messages.first?.key == "roster.summary.school_updated")
        #expect(messages.first?.arguments == ["name": "Northside"])
        #expect(messages[4].key == "roster.summary.users" && messages[4].numbers["unchanged"] == 4)
        let skippedLine = messages.first { $0.key == "roster.summary.skipped" }
        #expect(skippedLine?.english == "Skipped (other schools): 2 classes, 1 enrollment")
        #expect(skippedLine?.nested["list"]?.nested["first"]?.key == "roster.summary.count.class")
        #expect(skippedLine?.nested["list"]?.nested["rest"]?.count == 1)
        #expect(messages.last?.key == "roster.summary.ended_sessions" && messages.last?.count == 2)
        #expect(summary.lines.last == "Signed out deactivated users: 2 sessions ended")
    }
}

/// A roster set's problems are message codes placed after their file, line and column.
@Suite struct RosterProblemMessageTests {
    @Test func aProblemYieldsItsCodeInsideItsLocation() throws {
        let manifest = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.users,bulk\n"
        guard case .failure(let report) = OneRosterImport.read(files: ["manifest.csv": Array(manifest.utf8)], schoolSourcedID: nil)
        else {
            Issue.record("a set without users.csv was accepted")
            return
        }
        let messages = report.messages
        #expect(messages.map(\.english) == report.lines)
        let missing = try #require(messages.first { $0.nested["problem"]?.key == "roster.problem.file_missing_declared" })
        #expect(missing.key == "roster.problem.in_file" && missing.arguments == ["file": "users.csv"])
        #expect(missing.nested["problem"]?.arguments == ["mode": "bulk"] && missing.nested["problem"]?.numbers == ["line": 4])
        let located = RosterProblem(
            file: "users.csv", line: 4, column: "role", problem: Message("roster.problem.value_required", "a value is required"))
        #expect(located.located.key == "roster.problem.at_line_column")
        #expect(located.description == "users.csv line 4, column role: a value is required")
        #expect(RosterReport(problems: Array(repeating: located, count: RosterReport.limit + 2)).messages.last?.key == "roster.problem.more")
    }
}
