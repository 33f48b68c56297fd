import Domain
import Foundation

/// A school admin's pages: overview, users, classes, roster import.
enum SchoolAdminPages {
    static func overview(session: SignedIn, schoolName: String, counts: [Role: Int], classCount: Int) -> HTML {
        let stats = [Role.student, .teacher, .parent, .schoolAdmin].map { role -> HTML in
            "<li data-role=\"\(role.rawValue)\"><b>\(counts[role] ?? 0)</b>\(role.label)s</li>"
        }
        return Layout.page(
            title: schoolName, session: session,
            """
            <h1 id="school-name">\(schoolName)</h1>
            <ul class="stats">\(stats)<li data-role="classes"><b>\(classCount)</b>Classes</li></ul>
            <p><a href="/school/users">Users</a> · <a href="/school/classes">Classes</a> · <a href="/school/roster">Import a roster</a> · <a href="/school/passwords">Passwords and sign-in cards</a></p>
            """)
    }

    static func users(session: SignedIn, users: [PersonSummary], role: Role?, page: Int, hasMore: Bool) -> HTML {
        let filters = ([nil] + [Role.student, .teacher, .parent, .schoolAdmin]).map { option -> HTML in
            let label = option.map { "\($0.label)s" } ?? "Everyone"
            let href = option.map { "/school/users?role=\($0.rawValue)" } ?? "/school/users"
            return option == role ? "<b>\(label)</b>" : "<a href=\"\(href)\">\(label)</a>"
        }
        let rows = users.map { u -> HTML in
            let reset: HTML =
                u.active && u.id != session.user.id ? "<a class=\"reset-password\" href=\"/school/users/\(u.id)/password\">Reset password</a>" : ""
            return """
                <tr data-user-id="\(u.id)"\(u.active ? "" : HTML(unsafeRaw: " class=\"muted\""))><td>\(u.familyName)</td><td>\(u.givenName)</td>
                <td>\(u.role.label)</td><td>\(u.email ?? "")</td><td>\(u.username ?? "")</td><td>\(u.active ? "Active" : "Deactivated")</td><td>\(reset)
                <a class="privacy" href="/school/users/\(u.id)/privacy">Export or erase</a></td></tr>
                """
        }
        let roleQuery = role.map { "role=\($0.rawValue)&" } ?? ""
        let pager: HTML = """
            <p>\(page > 1 ? "<a href=\"/school/users?\(roleQuery)page=\(page - 1)\">← Previous</a>" as HTML : "")
            \(hasMore ? "<a href=\"/school/users?\(roleQuery)page=\(page + 1)\">Next →</a>" as HTML : "")</p>
            """
        return Layout.page(
            title: "Users", session: session,
            """
            <h1>Users</h1><p>\(HTML(filters.flatMap { [$0, " · "] }.dropLast()))</p>
            <div class="table-wrap"><table id="users"><thead><tr><th scope="col">Family name</th><th scope="col">Given name</th><th scope="col">Role</th><th scope="col">Email</th>
            <th scope="col">Username</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table></div>\(pager)
            """)
    }

    static func classes(session: SignedIn, classes: [ClassSummary]) -> HTML {
        let rows = classes.map { c -> HTML in
            """
            <tr data-class-id="\(c.id)"><td>\(c.title)</td><td>\(c.classCode ?? "")</td><td>\(c.courseTitle)</td><td>\(c.termTitle)</td>
            <td>\(c.teacherNames.joined(separator: ", "))</td><td class="num">\(c.studentCount ?? 0)</td></tr>
            """
        }
        return Layout.page(
            title: "Classes", session: session,
            """
            <h1>Classes</h1>
            <div class="table-wrap"><table id="classes"><thead><tr><th scope="col">Class</th><th scope="col">Code</th><th scope="col">Course</th><th scope="col">Term</th><th scope="col">Teachers</th>
            <th scope="col" class="num">Students</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """)
    }

    /// A queued roster import: waiting, running (the page reloads itself), imported or refused.
    static func rosterJob(session: SignedIn, job: QueuedRosterImport, now: Date) -> HTML {
        let formatter = ISO8601DateFormatter()
        let state: HTML =
            switch job.status {
            case .pending:
                "<p class=\"notice\" role=\"status\" id=\"job-status\" data-status=\"pending\">Checked and waiting to be imported (queued \(String(Int(now.timeIntervalSince(job.requestedAt)))) s ago). This page reloads itself.</p>"
            case .running:
                "<p class=\"notice\" role=\"status\" id=\"job-status\" data-status=\"running\">Importing since \(formatter.string(from: job.startedAt ?? now)) (\(String(Int(now.timeIntervalSince(job.startedAt ?? now)))) s). This page reloads itself.</p>"
            case .done:
                "<div id=\"import-result\"><p class=\"notice ok\" role=\"status\" id=\"job-status\" data-status=\"done\">The roster was imported.</p><pre>\(job.lines.joined(separator: "\n"))</pre></div>"
            case .failed:
                """
                <div id="import-problems"><p class="notice bad" role="alert" id="job-status" data-status="failed">Nothing was imported. Correct these problems and upload again:</p>
                <ul class="problems">\(job.lines.map { "<li>\($0)</li>" as HTML })</ul></div>
                """
            }
        return Layout.page(
            title: "Roster import", session: session,
            """
            <h1>Roster import \(String(job.id))</h1>
            <p>\(job.source), queued \(formatter.string(from: job.requestedAt)) by \(job.startedBy).</p>
            \(state)
            <p><a href="/school/roster/jobs/\(String(job.id))">Refresh</a> · <a href="/school/roster">Back to roster import</a></p>
            """)
    }

    static func roster(
        session: SignedIn, recent: [(at: Date, by: String, source: String, summary: String)], problems: [String]?,
        result: [String]?, uploadLimit: Int
    ) -> HTML {
        let problemsHTML: HTML =
            problems.map { lines in
                """
                <div id="import-problems"><p class="notice bad" role="alert">Nothing was imported. Correct these problems and upload again:</p>
                <ul class="problems">\(lines.map { "<li>\($0)</li>" as HTML })</ul></div>
                """
            } ?? ""
        let resultHTML: HTML =
            result.map { lines in
                "<div id=\"import-result\"><p class=\"notice ok\" role=\"status\">The roster was imported.</p><pre>\(lines.joined(separator: "\n"))</pre></div>"
            } ?? ""
        let formatter = ISO8601DateFormatter()
        let history = recent.map { item -> HTML in
            "<tr><td>\(formatter.string(from: item.at))</td><td>\(item.by)</td><td>\(item.source)</td><td><pre>\(item.summary)</pre></td></tr>"
        }
        return Layout.page(
            title: "Roster import", session: session,
            """
            <h1>Roster import</h1>
            \(problemsHTML)\(resultHTML)
            <p>Upload a OneRoster 1.1 CSV export: one <b>.zip</b> file, or the CSV files themselves (<code>manifest.csv</code>,
            <code>orgs.csv</code>, <code>users.csv</code>, <code>classes.csv</code>, <code>courses.csv</code>,
            <code>academicSessions.csv</code>, <code>enrollments.csv</code>). Everything is checked before anything is written;
            people missing from a bulk file are deactivated, not deleted. New people with an email address get a link to choose their password.</p>
            <form class="stack" id="roster-upload" method="post" action="/school/roster" enctype="multipart/form-data">\(Layout.csrfField(session.csrf))
            <label>Files (up to \(uploadLimit / 1_048_576) MB)<input type="file" name="files" multiple required accept=".zip,.csv"></label>
            <button type="submit">Check and import</button>
            </form>
            <h2>Recent imports</h2>
            \(recent.isEmpty ? "<p class=\"muted\">None yet.</p>" as HTML : "<div class=\"table-wrap\"><table id=\"imports\"><thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">By</th><th scope=\"col\">Source</th><th scope=\"col\">Summary</th></tr></thead><tbody>\(history)</tbody></table></div>")
            """)
    }
}
