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
        #expect(messages[4].key == "roster.summary.users" && messages[4].arguments["unchanged"] == "4")
        let skippedLine = messages.first { $0.key == "roster.summary.skipped" }
        #expect(skippedLine?.english == "Skipped (other schools): 2 classes, 1 enrollment")
        #expect(skippedLine?.nested["list"]?.nested["first"]?.key == "roster.summary.count.class")
        #expect(skippedLine?.nested["list"]?.nested["rest"]?.count == 1)
        #expect(messages.last?.key == "roster.summary.ended_sessions" && messages.last?.count == 2)
        #expect(summary.lines.last == "Signed out deactivated users: 2 sessions ended")
    }
}
