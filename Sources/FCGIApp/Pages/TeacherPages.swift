import Domain

/// A teacher's classes, class page, grade sheet and attendance sheet.
enum TeacherPages {
    /// "from <app>" after the title of a line item an app put through OneRoster's gradebook.
    static func fromApp(_ assessment: Assessment) -> HTML {
        guard let app = assessment.sourceApp else { return "" }
        return " <span class=\"muted from-app\">\(L("teacher.from_app", ["app": app]))</span>"
    }

    static func classes(session: SignedIn, classes: [ClassSummary]) -> HTML {
        let items = classes.map { c -> HTML in
            """
            <li data-class-id="\(c.id)"><a href="/teacher/classes/\(c.id)"><b>\(c.title)</b></a><br>
            <small>\(c.courseTitle) · \(c.termTitle) · \(L("teacher.student_count", count: c.studentCount ?? 0))</small></li>
            """
        }
        let list: HTML =
            classes.isEmpty
            ? "<p class=\"muted\" id=\"classes\">\(L("teacher.no_classes"))</p>" : "<ul class=\"cards\" id=\"classes\">\(items)</ul>"
        return Layout.page(title: L("nav.teacher.home"), session: session, "<h1>\(L("nav.teacher.home"))</h1>\(list)")
    }

    static func classPage(
        session: SignedIn, summary: ClassSummary, roster: [PersonSummary], assessments: [Assessment], canTeach: Bool,
        form: (title: String, max: String, due: String), errors: SchoolworkForms.FieldErrors, notice: Layout.Notice?, tools: HTML = ""
    ) -> HTML {
        let rosterRows = roster.map { p -> HTML in
            let reset: HTML =
                canTeach
                ? "<a class=\"reset-password\" href=\"/teacher/classes/\(summary.id)/students/\(p.id)/password\">\(L("school.users.reset_password"))</a>"
                : ""
            return
                "<tr data-student-id=\"\(p.id)\"><td>\(p.familyName)</td><td>\(p.givenName)</td><td>\(p.gradeLevel ?? "")</td><td>\(p.email ?? p.username ?? "")</td><td>\(reset)</td></tr>"
        }
        let assessmentRows = assessments.map { a -> HTML in
            let publish: HTML =
                canTeach
                ? """
                <form class="inline" method="post" action="/teacher/classes/\(summary.id)/assessments/\(a.id)/publish">\(Layout.csrfField(session.csrf))
                <input type="hidden" name="published" value="\(a.published ? "0" : "1")">
                <button class="secondary" type="submit">\(a.published ? L("teacher.unpublish") : L("teacher.publish"))</button></form>
                """ : ""
            return """
                <tr data-assessment-id="\(a.id)"><td><a href="/teacher/classes/\(summary.id)/assessments/\(a.id)">\(a.title)</a>\(fromApp(a))</td>
                <td>\(a.dueDate.map(Display.localDay) ?? "")</td><td class="num">\(StudentPages.decimal(a.maxScore))</td>
                <td class="num">\(SchoolAdminPages.number(a.gradedCount)) / \(SchoolAdminPages.number(roster.count))</td>
                <td class="published-state">\(a.published ? L("teacher.published") : L("teacher.draft"))</td><td>\(publish)</td></tr>
                """
        }
        let createForm: HTML =
            canTeach
            ? """
            <h2>\(L("teacher.new_assessment"))</h2>
            <form class="stack" id="new-assessment" method="post" action="/teacher/classes/\(summary.id)/assessments">\(Layout.csrfField(session.csrf))
            <label>\(L("teacher.field.title"))<input name="title" required maxlength="\(SchoolworkForms.maxTitleLength)" value="\(form.title)"\(Layout.errorAttributes(errors["title"], id: "title-error"))>\(Layout.fieldError(errors["title"], id: "title-error"))</label>
            <label>\(L("teacher.field.max_score"))<input name="max_score" inputmode="decimal" required value="\(form.max)"\(Layout.errorAttributes(errors["max_score"], id: "max-score-error"))>\(Layout.fieldError(errors["max_score"], id: "max-score-error"))</label>
            <label>\(L("teacher.field.due_date"))<input name="due_date" type="date" value="\(form.due)"\(Layout.errorAttributes(errors["due_date"], id: "due-date-error"))>\(Layout.fieldError(errors["due_date"], id: "due-date-error"))</label>
            <button type="submit">\(L("teacher.add_assessment"))</button>
            </form>
            """ : ""
        let attendanceLink: HTML =
            canTeach
            ? """
            <p><a id="take-attendance" href="/teacher/classes/\(summary.id)/attendance">\(L("teacher.take_attendance"))</a> ·
            <a id="sign-in-cards" href="/teacher/classes/\(summary.id)/cards">\(L("teacher.sign_in_cards"))</a></p>
            """ : ""
        return Layout.page(
            title: summary.title, session: session, notice: notice,
            """
            <p><a href="/teacher">\(L("teacher.back"))</a></p>
            <h1 id="class-title">\(summary.title)</h1>
            <p class="muted">\(summary.courseTitle) · \(summary.termTitle)\(summary.classCode.map { " · \($0)" } ?? "")</p>
            \(attendanceLink)
            \(tools)
            <h2>\(L("teacher.assessments"))</h2>
            \(assessments.isEmpty ? "<p class=\"muted\">\(L("teacher.no_assessments"))</p>" as HTML : """
            <div class="table-wrap"><table id="assessments"><thead><tr><th scope="col">\(L("teacher.field.title"))</th><th scope="col">\(L("record.due"))</th><th scope="col" class="num">\(L("teacher.max"))</th>
            <th scope="col" class="num">\(L("teacher.graded"))</th><th scope="col">\(L("teacher.state"))</th><th scope="col"><span class="visually-hidden">\(L("school.users.actions"))</span></th></tr></thead><tbody>\(assessmentRows)</tbody></table></div>
            """)
            \(createForm)
            <h2>\(L("teacher.roster", ["count": SchoolAdminPages.number(roster.count)]))</h2>
            <div class="table-wrap"><table id="roster"><thead><tr><th scope="col">\(L("school.users.family_name"))</th><th scope="col">\(L("school.users.given_name"))</th><th scope="col">\(L("teacher.grade_level"))</th><th scope="col">\(L("teacher.email_or_username"))</th><th scope="col"><span class="visually-hidden">\(L("school.users.actions"))</span></th></tr></thead>
            <tbody>\(rosterRows)</tbody></table></div>
            """)
    }

    static func gradeSheet(
        session: SignedIn, summary: ClassSummary, assessment: Assessment, roster: [PersonSummary], values: [UserID: (score: String, comment: String)],
        errors: SchoolworkForms.FieldErrors, notice: Layout.Notice?
    ) -> HTML {
        let rows = roster.map { p -> HTML in
            let value = values[p.id] ?? ("", "")
            return """
                <tr data-student-id="\(p.id)"><td>\(p.familyName), \(p.givenName)</td>
                <td><input class="score" name="score-\(p.id)" inputmode="decimal" value="\(value.score)" aria-label="\(L("teacher.score_of", ["name": p.displayName]))"\(Layout.errorAttributes(errors["score-\(p.id)"], id: "score-\(p.id)-error"))>
                \(Layout.fieldError(errors["score-\(p.id)"], id: "score-\(p.id)-error"))</td>
                <td><input name="comment-\(p.id)" maxlength="\(SchoolworkForms.maxNoteLength)" value="\(value.comment)" aria-label="\(L("teacher.comment_for", ["name": p.displayName]))"\(Layout.errorAttributes(errors["comment-\(p.id)"], id: "comment-\(p.id)-error"))>
                \(Layout.fieldError(errors["comment-\(p.id)"], id: "comment-\(p.id)-error"))</td></tr>
                """
        }
        return Layout.page(
            title: assessment.title, session: session, notice: notice,
            """
            <p><a href="/teacher/classes/\(summary.id)">← \(summary.title)</a></p>
            <h1>\(assessment.title)</h1>\(fromApp(assessment))
            <p class="muted">\(L("teacher.out_of", ["max": StudentPages.decimal(assessment.maxScore)]))\(assessment.dueDate.map { " · " + L("teacher.due_on", ["day": Display.localDay($0)]) } ?? "") ·
            <span id="published-state">\(assessment.published ? L("teacher.published_note") : L("teacher.draft_note"))</span></p>
            <form id="grades-form" method="post" action="/teacher/classes/\(summary.id)/assessments/\(assessment.id)">\(Layout.csrfField(session.csrf))
            <div class="table-wrap"><table id="grade-sheet"><thead><tr><th scope="col">\(L("teacher.student"))</th><th scope="col">\(L("teacher.score_range", ["max": StudentPages.decimal(assessment.maxScore)]))</th><th scope="col">\(L("record.comment"))</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            <p><button type="submit">\(L("teacher.save_grades"))</button> <small class="muted">\(L("teacher.empty_removes"))</small></p>
            </form>
            """)
    }

    static func attendanceSheet(
        session: SignedIn, summary: ClassSummary, day: CalendarDate, roster: [PersonSummary], values: [UserID: (status: String, note: String)],
        errors: SchoolworkForms.FieldErrors, notice: Layout.Notice?
    ) -> HTML {
        let rows = roster.map { p -> HTML in
            let value = values[p.id] ?? ("", "")
            let options = ([("", "—")] + AttendanceStatus.allCases.map { ($0.rawValue, StudentPages.attendanceLabel($0)) }).map { option -> HTML in
                "<option value=\"\(option.0)\"\(option.0 == value.status ? HTML(unsafeRaw: " selected") : "")>\(option.1)</option>"
            }
            return """
                <tr data-student-id="\(p.id)"><td>\(p.familyName), \(p.givenName)</td>
                <td><select name="status-\(p.id)" aria-label="\(L("teacher.status_of", ["name": p.displayName]))"\(Layout.errorAttributes(errors["status-\(p.id)"], id: "status-\(p.id)-error"))>\(options)</select>
                \(Layout.fieldError(errors["status-\(p.id)"], id: "status-\(p.id)-error"))</td>
                <td><input name="note-\(p.id)" maxlength="\(SchoolworkForms.maxNoteLength)" value="\(value.note)" aria-label="\(L("teacher.note_for", ["name": p.displayName]))"\(Layout.errorAttributes(errors["note-\(p.id)"], id: "note-\(p.id)-error"))>
                \(Layout.fieldError(errors["note-\(p.id)"], id: "note-\(p.id)-error"))</td></tr>
                """
        }
        return Layout.page(
            title: L("teacher.attendance.title", ["class": summary.title]), session: session, notice: notice,
            """
            <p><a href="/teacher/classes/\(summary.id)">← \(summary.title)</a></p>
            <h1>\(L("teacher.attendance.heading", ["class": summary.title]))</h1>
            <form method="get" action="/teacher/classes/\(summary.id)/attendance" id="attendance-day">
            <label>\(L("teacher.attendance.day")) <input type="date" name="date" value="\(day.description)"></label> <button class="secondary" type="submit">\(L("teacher.attendance.open"))</button></form>
            <form id="attendance-form" method="post" action="/teacher/classes/\(summary.id)/attendance">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="date" value="\(day.description)">
            <div class="table-wrap"><table id="attendance-sheet"><thead><tr><th scope="col">\(L("teacher.student"))</th><th scope="col">\(L("record.status"))</th><th scope="col">\(L("record.note"))</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            <p><button type="submit">\(L("teacher.attendance.save", ["day": Display.localDay(day)]))</button></p>
            </form>
            """)
    }
}
