import Domain

/// A teacher's classes, class page, grade sheet and attendance sheet.
enum TeacherPages {
    /// "from <app>" after the title of a line item an app put through OneRoster's gradebook.
    static func fromApp(_ assessment: Assessment) -> HTML {
        guard let app = assessment.sourceApp else { return "" }
        return " <span class=\"muted from-app\">from \(app)</span>"
    }

    static func classes(session: SignedIn, classes: [ClassSummary]) -> HTML {
        let items = classes.map { c -> HTML in
            """
            <li data-class-id="\(c.id)"><a href="/teacher/classes/\(c.id)"><b>\(c.title)</b></a><br>
            <small>\(c.courseTitle) · \(c.termTitle) · \(c.studentCount ?? 0) students</small></li>
            """
        }
        let list: HTML =
            classes.isEmpty
            ? "<p class=\"muted\" id=\"classes\">You teach no active classes.</p>" : "<ul class=\"cards\" id=\"classes\">\(items)</ul>"
        return Layout.page(title: "My classes", session: session, "<h1>My classes</h1>\(list)")
    }

    static func classPage(
        session: SignedIn, summary: ClassSummary, roster: [PersonSummary], assessments: [Assessment], canTeach: Bool,
        form: (title: String, max: String, due: String), errors: SchoolworkForms.FieldErrors, notice: Layout.Notice?
    ) -> HTML {
        let rosterRows = roster.map { p -> HTML in
            let reset: HTML =
                canTeach ? "<a class=\"reset-password\" href=\"/teacher/classes/\(summary.id)/students/\(p.id)/password\">Reset password</a>" : ""
            return
                "<tr data-student-id=\"\(p.id)\"><td>\(p.familyName)</td><td>\(p.givenName)</td><td>\(p.gradeLevel ?? "")</td><td>\(p.email ?? p.username ?? "")</td><td>\(reset)</td></tr>"
        }
        let assessmentRows = assessments.map { a -> HTML in
            let publish: HTML =
                canTeach
                ? """
                <form class="inline" method="post" action="/teacher/classes/\(summary.id)/assessments/\(a.id)/publish">\(Layout.csrfField(session.csrf))
                <input type="hidden" name="published" value="\(a.published ? "0" : "1")">
                <button class="secondary" type="submit">\(a.published ? "Unpublish" : "Publish")</button></form>
                """ : ""
            return """
                <tr data-assessment-id="\(a.id)"><td><a href="/teacher/classes/\(summary.id)/assessments/\(a.id)">\(a.title)</a>\(fromApp(a))</td>
                <td>\(a.dueDate?.description ?? "")</td><td class="num">\(a.maxScore.description)</td>
                <td class="num">\(a.gradedCount) / \(roster.count)</td>
                <td class="published-state">\(a.published ? "Published" : "Draft")</td><td>\(publish)</td></tr>
                """
        }
        let createForm: HTML =
            canTeach
            ? """
            <h2>New assessment</h2>
            <form class="stack" id="new-assessment" method="post" action="/teacher/classes/\(summary.id)/assessments">\(Layout.csrfField(session.csrf))
            <label>Title<input name="title" required maxlength="\(SchoolworkForms.maxTitleLength)" value="\(form.title)"\(Layout.errorAttributes(errors["title"], id: "title-error"))>\(Layout.fieldError(errors["title"], id: "title-error"))</label>
            <label>Maximum score<input name="max_score" inputmode="decimal" required value="\(form.max)"\(Layout.errorAttributes(errors["max_score"], id: "max-score-error"))>\(Layout.fieldError(errors["max_score"], id: "max-score-error"))</label>
            <label>Due date (optional)<input name="due_date" type="date" value="\(form.due)"\(Layout.errorAttributes(errors["due_date"], id: "due-date-error"))>\(Layout.fieldError(errors["due_date"], id: "due-date-error"))</label>
            <button type="submit">Add the assessment</button>
            </form>
            """ : ""
        let attendanceLink: HTML =
            canTeach
            ? """
            <p><a id="take-attendance" href="/teacher/classes/\(summary.id)/attendance">Take attendance</a> ·
            <a id="sign-in-cards" href="/teacher/classes/\(summary.id)/cards">Sign-in cards</a></p>
            """ : ""
        return Layout.page(
            title: summary.title, session: session, notice: notice,
            """
            <p><a href="/teacher">← My classes</a></p>
            <h1 id="class-title">\(summary.title)</h1>
            <p class="muted">\(summary.courseTitle) · \(summary.termTitle)\(summary.classCode.map { " · \($0)" } ?? "")</p>
            \(attendanceLink)
            <h2>Assessments</h2>
            \(assessments.isEmpty ? "<p class=\"muted\">No assessments yet.</p>" as HTML : """
            <div class="table-wrap"><table id="assessments"><thead><tr><th scope="col">Title</th><th scope="col">Due</th><th scope="col" class="num">Max</th>
            <th scope="col" class="num">Graded</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>\(assessmentRows)</tbody></table></div>
            """)
            \(createForm)
            <h2>Roster (\(roster.count))</h2>
            <div class="table-wrap"><table id="roster"><thead><tr><th scope="col">Family name</th><th scope="col">Given name</th><th scope="col">Grade</th><th scope="col">Email or username</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
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
                <td><input class="score" name="score-\(p.id)" inputmode="decimal" value="\(value.score)" aria-label="Score of \(p.displayName)"\(Layout.errorAttributes(errors["score-\(p.id)"], id: "score-\(p.id)-error"))>
                \(Layout.fieldError(errors["score-\(p.id)"], id: "score-\(p.id)-error"))</td>
                <td><input name="comment-\(p.id)" maxlength="\(SchoolworkForms.maxNoteLength)" value="\(value.comment)" aria-label="Comment for \(p.displayName)"\(Layout.errorAttributes(errors["comment-\(p.id)"], id: "comment-\(p.id)-error"))>
                \(Layout.fieldError(errors["comment-\(p.id)"], id: "comment-\(p.id)-error"))</td></tr>
                """
        }
        return Layout.page(
            title: assessment.title, session: session, notice: notice,
            """
            <p><a href="/teacher/classes/\(summary.id)">← \(summary.title)</a></p>
            <h1>\(assessment.title)</h1>\(fromApp(assessment))
            <p class="muted">Out of \(assessment.maxScore.description)\(assessment.dueDate.map { " · due \($0)" } ?? "") ·
            <span id="published-state">\(assessment.published ? "Published: students and parents see these grades" : "Draft: only teachers see these grades")</span></p>
            <form id="grades-form" method="post" action="/teacher/classes/\(summary.id)/assessments/\(assessment.id)">\(Layout.csrfField(session.csrf))
            <div class="table-wrap"><table id="grade-sheet"><thead><tr><th scope="col">Student</th><th scope="col">Score (0–\(assessment.maxScore.description))</th><th scope="col">Comment</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            <p><button type="submit">Save grades</button> <small class="muted">Leave a score empty to remove it.</small></p>
            </form>
            """)
    }

    static func attendanceSheet(
        session: SignedIn, summary: ClassSummary, day: CalendarDate, roster: [PersonSummary], values: [UserID: (status: String, note: String)],
        errors: SchoolworkForms.FieldErrors, notice: Layout.Notice?
    ) -> HTML {
        let rows = roster.map { p -> HTML in
            let value = values[p.id] ?? ("", "")
            let options = ([("", "—")] + AttendanceStatus.allCases.map { ($0.rawValue, $0.label) }).map { option -> HTML in
                "<option value=\"\(option.0)\"\(option.0 == value.status ? HTML(unsafeRaw: " selected") : "")>\(option.1)</option>"
            }
            return """
                <tr data-student-id="\(p.id)"><td>\(p.familyName), \(p.givenName)</td>
                <td><select name="status-\(p.id)" aria-label="Status of \(p.displayName)"\(Layout.errorAttributes(errors["status-\(p.id)"], id: "status-\(p.id)-error"))>\(options)</select>
                \(Layout.fieldError(errors["status-\(p.id)"], id: "status-\(p.id)-error"))</td>
                <td><input name="note-\(p.id)" maxlength="\(SchoolworkForms.maxNoteLength)" value="\(value.note)" aria-label="Note for \(p.displayName)"\(Layout.errorAttributes(errors["note-\(p.id)"], id: "note-\(p.id)-error"))>
                \(Layout.fieldError(errors["note-\(p.id)"], id: "note-\(p.id)-error"))</td></tr>
                """
        }
        return Layout.page(
            title: "Attendance · \(summary.title)", session: session, notice: notice,
            """
            <p><a href="/teacher/classes/\(summary.id)">← \(summary.title)</a></p>
            <h1>Attendance for \(summary.title)</h1>
            <form method="get" action="/teacher/classes/\(summary.id)/attendance" id="attendance-day">
            <label>Day <input type="date" name="date" value="\(day.description)"></label> <button class="secondary" type="submit">Open</button></form>
            <form id="attendance-form" method="post" action="/teacher/classes/\(summary.id)/attendance">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="date" value="\(day.description)">
            <div class="table-wrap"><table id="attendance-sheet"><thead><tr><th scope="col">Student</th><th scope="col">Status</th><th scope="col">Note</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            <p><button type="submit">Save attendance for \(day.description)</button></p>
            </form>
            """)
    }
}
