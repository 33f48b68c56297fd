import Domain

/// A student's record: classes, published grades with class averages, attendance. Shown to the student and,
/// for a linked child, to a parent.
enum StudentPages {
    /// The record of one student: what is cached per (student, version) in ``RecordPageCache``.
    static func sections(classes: [ClassSummary], grades: [GradeLine], summary: AttendanceSummary, recentAttendance: [AttendanceLine]) -> HTML {
        """
        <h2>Classes</h2>
        \(classList(classes))
        <h2>Grades</h2>
        \(gradeTable(grades))
        <h2>Attendance</h2>
        \(attendanceSummary(summary))
        \(recentAttendance.isEmpty ? "" : "<h3>Most recent marks</h3>" as HTML)
        \(attendanceTable(recentAttendance))
        """
    }

    static func classList(_ classes: [ClassSummary]) -> HTML {
        guard !classes.isEmpty else { return "<p class=\"muted\" id=\"classes\">No classes yet.</p>" }
        let items = classes.map { c -> HTML in
            """
            <li data-class-id="\(c.id)"><b>\(c.title)</b><br><small>\(c.courseTitle) · \(c.termTitle)</small><br>
            <small>\(c.teacherNames.isEmpty ? "No teacher" : c.teacherNames.joined(separator: ", "))</small></li>
            """
        }
        return "<ul class=\"cards\" id=\"classes\">\(items)</ul>"
    }

    static func gradeTable(_ grades: [GradeLine]) -> HTML {
        guard !grades.isEmpty else { return "<p class=\"muted\" id=\"grades\">No published grades yet.</p>" }
        let rows = grades.map { g -> HTML in
            """
            <tr data-assessment-id="\(g.assessmentID)"><td>\(g.classTitle)</td><td>\(g.assessmentTitle)</td>
            <td>\(g.dueDate?.description ?? "")</td>
            <td class="num score">\(g.score.description) / \(g.maxScore.description)</td>
            <td class="num">\(percent(g.score.percent(of: g.maxScore)))</td>
            <td class="num average">\(g.classAverage.map { $0.description } ?? "–")</td><td>\(g.comment ?? "")</td></tr>
            """
        }
        return """
            <div class="table-wrap"><table id="grades"><thead><tr><th scope="col">Class</th><th scope="col">Assessment</th><th scope="col">Due</th>
            <th scope="col" class="num">Score</th><th scope="col" class="num">%</th><th scope="col" class="num">Class average</th><th scope="col">Comment</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    static func attendanceSummary(_ summary: AttendanceSummary) -> HTML {
        let items = AttendanceStatus.allCases.map { status -> HTML in
            "<li data-status=\"\(status.rawValue)\"><b>\(summary.counts[status] ?? 0)</b>\(status.label)</li>"
        }
        let rate: HTML = summary.attendanceRate.map { "<li data-status=\"rate\"><b>\(percent($0))</b>Attended</li>" } ?? ""
        return "<ul class=\"stats\" id=\"attendance-summary\">\(items)\(rate)</ul>"
    }

    static func attendanceTable(_ lines: [AttendanceLine]) -> HTML {
        guard !lines.isEmpty else { return "<p class=\"muted\" id=\"attendance\">No attendance recorded yet.</p>" }
        let rows = lines.map { line -> HTML in
            """
            <tr data-day="\(line.day.description)" data-class-id="\(line.classID)"><td>\(line.day.description)</td><td>\(line.classTitle)</td>
            <td class="status-\(line.status.rawValue)">\(line.status.label)</td><td>\(line.note ?? "")</td></tr>
            """
        }
        return """
            <div class="table-wrap"><table id="attendance"><thead><tr><th scope="col">Date</th><th scope="col">Class</th><th scope="col">Status</th><th scope="col">Note</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}
