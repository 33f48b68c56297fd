import Domain
import Foundation

/// A student's record: classes, published grades with class averages, attendance. Shown to the student and,
/// for a linked child, to a parent.
enum StudentPages {
    /// The record of one student: what is cached per (student, version) in ``RecordPageCache``.
    static func sections(classes: [ClassSummary], grades: [GradeLine], summary: AttendanceSummary, recentAttendance: [AttendanceLine]) -> HTML {
        """
        <h2>\(L("record.classes"))</h2>
        \(classList(classes))
        <h2>\(L("record.grades"))</h2>
        \(gradeTable(grades))
        <h2>\(L("record.attendance"))</h2>
        \(attendanceSummary(summary))
        \(recentAttendance.isEmpty ? "" : "<h3>\(L("record.recent_marks"))</h3>" as HTML)
        \(attendanceTable(recentAttendance))
        """
    }

    static func classList(_ classes: [ClassSummary]) -> HTML {
        guard !classes.isEmpty else { return "<p class=\"muted\" id=\"classes\">\(L("record.no_classes"))</p>" }
        let items = classes.map { c -> HTML in
            """
            <li data-class-id="\(c.id)"><b>\(c.title)</b><br><small>\(c.courseTitle) · \(c.termTitle)</small><br>
            <small>\(c.teacherNames.isEmpty ? L("record.no_teacher") : c.teacherNames.joined(separator: ", "))</small></li>
            """
        }
        return "<ul class=\"cards\" id=\"classes\">\(items)</ul>"
    }

    static func gradeTable(_ grades: [GradeLine]) -> HTML {
        guard !grades.isEmpty else { return "<p class=\"muted\" id=\"grades\">\(L("record.no_grades"))</p>" }
        let rows = grades.map { g -> HTML in
            """
            <tr data-assessment-id="\(g.assessmentID)"><td>\(g.classTitle)</td><td>\(g.assessmentTitle)</td>
            <td>\(g.dueDate.map(localDay) ?? "")</td>
            <td class="num score">\(decimal(g.score)) / \(decimal(g.maxScore))</td>
            <td class="num">\(percent(g.score.percent(of: g.maxScore)))</td>
            <td class="num average">\(g.classAverage.map(decimal) ?? "–")</td><td>\(g.comment ?? "")</td></tr>
            """
        }
        return """
            <div class="table-wrap"><table id="grades"><thead><tr><th scope="col">\(L("record.class"))</th><th scope="col">\(L("record.assessment"))</th><th scope="col">\(L("record.due"))</th>
            <th scope="col" class="num">\(L("record.score"))</th><th scope="col" class="num">%</th><th scope="col" class="num">\(L("record.class_average"))</th><th scope="col">\(L("record.comment"))</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    static func attendanceSummary(_ summary: AttendanceSummary) -> HTML {
        let items = AttendanceStatus.allCases.map { status -> HTML in
            "<li data-status=\"\(status.rawValue)\"><b>\(LocaleFormatting.number(summary.counts[status] ?? 0, language: pageLanguage))</b>\(attendanceLabel(status))</li>"
        }
        let rate: HTML = summary.attendanceRate.map { "<li data-status=\"rate\"><b>\(percent($0))</b>\(L("record.attended"))</li>" } ?? ""
        return "<ul class=\"stats\" id=\"attendance-summary\">\(items)\(rate)</ul>"
    }

    static func attendanceTable(_ lines: [AttendanceLine]) -> HTML {
        guard !lines.isEmpty else { return "<p class=\"muted\" id=\"attendance\">\(L("record.no_attendance"))</p>" }
        let rows = lines.map { line -> HTML in
            """
            <tr data-day="\(line.day.description)" data-class-id="\(line.classID)"><td>\(localDay(line.day))</td><td>\(line.classTitle)</td>
            <td class="status-\(line.status.rawValue)">\(attendanceLabel(line.status))</td><td>\(line.note ?? "")</td></tr>
            """
        }
        return """
            <div class="table-wrap"><table id="attendance"><thead><tr><th scope="col">\(L("record.date"))</th><th scope="col">\(L("record.class"))</th><th scope="col">\(L("record.status"))</th><th scope="col">\(L("record.note"))</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    /// A percentage in the page's language (`87%`, `87 %`, `٨٧٪`).
    static func percent(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: pageLanguage)
        formatter.numberStyle = .percent
        formatter.maximumFractionDigits = 2
        return formatter.string(from: NSNumber(value: value / 100)) ?? "\(value)%"
    }

    /// A score with the language's digits and decimal separator (`87.5`, `87,5`, `٨٧٫٥`).
    static func decimal(_ value: Score) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: pageLanguage)
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 2
        return formatter.string(from: NSNumber(value: Double(value.hundredths) / 100)) ?? value.description
    }

    /// A school day in the page's language.
    static func localDay(_ day: CalendarDate) -> String { Display.localDay(day) }

    /// An attendance mark's name in the page's language.
    static func attendanceLabel(_ status: AttendanceStatus) -> String {
        switch status {
        case .present: L("attendance.present")
        case .absent: L("attendance.absent")
        case .late: L("attendance.late")
        case .excused: L("attendance.excused")
        }
    }
}
