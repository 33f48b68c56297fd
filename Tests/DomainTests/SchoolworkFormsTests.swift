import Domain
import Foundation
import Testing

@Suite struct ScoreAndDateTests {
    @Test(arguments: [("87", 8700), ("87.5", 8750), ("87.25", 8725), ("0", 0), (" 9.05 ", 905), ("99999.99", 9_999_999)])
    func scoresParseToHundredths(text: String, hundredths: Int) {
        #expect(Score(text)?.hundredths == hundredths)
    }

    @Test(arguments: ["", "-1", "1.234", "abc", "1e3", "1,5", "100000", ".5", "5.", "NaN"])
    func malformedScoresAreRefused(text: String) {
        #expect(Score(text) == nil)
    }

    @Test func scoresPrintWithoutTrailingZeros() {
        #expect(Score(hundredths: 8700).description == "87")
        #expect(Score(hundredths: 8750).description == "87.5")
        #expect(Score(hundredths: 8705).description == "87.05")
        #expect(Score(hundredths: 8705).decimalText == "87.05")
        #expect(Score(hundredths: 5000).percent(of: Score(hundredths: 8000)) == 62.5)
    }

    @Test(arguments: ["2026-02-28", "2024-02-29", "2026-12-31"])
    func realDaysParse(text: String) {
        #expect(CalendarDate(text)?.description == text)
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-04-31", "26-01-01", "2026-1-1", "2026-01-01T00:00", "", "1800-01-01"])
    func impossibleDaysAreRefused(text: String) {
        #expect(CalendarDate(text) == nil)
    }
}

@Suite struct SchoolworkFormsTests {
    let max = Score(hundredths: 10_000)

    @Test func aValidAssessmentIsAccepted() throws {
        let assessment = try SchoolworkForms.assessment(title: " Quiz 1 ", maxScore: "20", dueDate: "2026-10-01").get()
        #expect(assessment == NewAssessment(title: "Quiz 1", maxScore: Score(hundredths: 2000), dueDate: CalendarDate("2026-10-01")))
    }

    @Test func everyBadAssessmentFieldIsReported() {
        guard case .failure(let errors) = SchoolworkForms.assessment(title: "", maxScore: "0", dueDate: "2026-02-30") else {
            Issue.record("expected a failure")
            return
        }
        #expect(Set(errors.messages.keys) == ["title", "max_score", "due_date"])
    }

    @Test func aGradeSheetSplitsScoresFromClearedRows() throws {
        let rows = [
            SchoolworkForms.GradeInput(studentID: UserID(1), score: "95", comment: "Well done"),
            SchoolworkForms.GradeInput(studentID: UserID(2), score: "", comment: ""),
        ]
        let sheet = try SchoolworkForms.gradeSheet(rows, maxScore: max).get()
        #expect(sheet.entries == [GradeEntry(studentID: UserID(1), score: Score(hundredths: 9500), comment: "Well done")])
        #expect(sheet.cleared == [UserID(2)])
    }

    @Test(arguments: ["101", "-3", "abc", "50.555"])
    func aScoreOutsideZeroToMaxIsAFieldError(score: String) {
        let rows = [
            SchoolworkForms.GradeInput(studentID: UserID(1), score: "90", comment: ""),
            SchoolworkForms.GradeInput(studentID: UserID(7), score: score, comment: ""),
        ]
        guard case .failure(let errors) = SchoolworkForms.gradeSheet(rows, maxScore: max) else {
            Issue.record("expected a failure")
            return
        }
        #expect(Array(errors.messages.keys) == ["score-7"])
    }

    @Test func anOverlongCommentOrNoteIsAFieldError() {
        let long = String(repeating: "x", count: 501)
        guard case .failure(let grades) = SchoolworkForms.gradeSheet([.init(studentID: UserID(3), score: "1", comment: long)], maxScore: max),
            case .failure(let marks) = SchoolworkForms.attendanceSheet([.init(studentID: UserID(3), status: "late", note: long)])
        else {
            Issue.record("expected failures")
            return
        }
        #expect(grades["comment-3"] != nil)
        #expect(marks["note-3"] != nil)
    }

    @Test func attendanceRowsWithoutAStatusAreLeftOut() throws {
        let marks = try SchoolworkForms.attendanceSheet([
            .init(studentID: UserID(1), status: "late", note: "Bus"), .init(studentID: UserID(2), status: "", note: ""),
        ]).get()
        #expect(marks == [AttendanceMark(studentID: UserID(1), status: .late, note: "Bus")])
        guard case .failure(let errors) = SchoolworkForms.attendanceSheet([.init(studentID: UserID(4), status: "asleep", note: "")]) else {
            Issue.record("expected a failure")
            return
        }
        #expect(errors["status-4"] != nil)
    }

    @Test func attendanceCannotBeTakenForAFutureDay() {
        let today = CalendarDate("2026-11-25")!
        #expect((try? SchoolworkForms.attendanceDay(nil, today: today).get()) == today)
        #expect((try? SchoolworkForms.attendanceDay("2026-11-24", today: today).get()) == CalendarDate("2026-11-24"))
        #expect((try? SchoolworkForms.attendanceDay("2026-11-26", today: today).get()) == nil)
        #expect((try? SchoolworkForms.attendanceDay("yesterday", today: today).get()) == nil)
    }

    @Test func theAttendanceRateLeavesExcusedAbsencesOut() {
        let day = CalendarDate("2026-11-02")!
        let lines = [AttendanceStatus.present, .late, .absent, .excused].map {
            AttendanceLine(day: day, classID: ClassID(1), classTitle: "Maths", status: $0, note: nil)
        }
        let summary = AttendanceSummary(lines)
        #expect(summary.total == 4)
        #expect(summary.attendanceRate == 66.7)
        #expect(AttendanceSummary([]).attendanceRate == nil)
    }
}

@Suite struct CalendarDateConversionTests {
    @Test(arguments: [
        (0.0, "1970-01-01"), (86399, "1970-01-01"), (951_782_400, "2000-02-29"), (1_795_000_000, "2026-11-18"),
        (4_107_542_400, "2100-03-01"), (-86400, "1969-12-31"),
    ])
    func instantsBecomeTheirUTCDay(seconds: Double, day: String) {
        #expect(CalendarDate(Date(timeIntervalSince1970: seconds)).description == day)
    }
}
