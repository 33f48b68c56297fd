import Domain
import Foundation

/// A school admin's pages: overview, users, classes, roster import.
enum SchoolAdminPages {
    /// The school's overview, with the form that sets the school's default language (`language`: the saved one,
    /// `nil` for each person's browser).
    static func overview(
        session: SignedIn, schoolName: String, counts: [Role: Int], classCount: Int, language: String?, notice: Layout.Notice? = nil
    ) -> HTML {
        let stats = [Role.student, .teacher, .parent, .schoolAdmin].map { role -> HTML in
            "<li data-role=\"\(role.rawValue)\"><b>\(number(counts[role] ?? 0))</b>\(rolePlural(role))</li>"
        }
        return Layout.page(
            title: schoolName, session: session, notice: notice,
            """
            <h1 id="school-name">\(schoolName)</h1>
            <ul class="stats">\(stats)<li data-role="classes"><b>\(number(classCount))</b>\(L("school.stats.classes"))</li></ul>
            <p><a href="/school/users">\(L("nav.school.users"))</a> · <a href="/school/classes">\(L("nav.school.classes"))</a> · <a href="/school/roster">\(L("school.overview.import_roster"))</a> · <a href="/school/passwords">\(L("school.overview.passwords"))</a></p>
            \(languageForm(csrf: session.csrf, language: language))
            """)
    }

    /// The school's default language: a choice among the shipped languages (each in its own name), or none.
    private static func languageForm(csrf: String, language: String?) -> HTML {
        let shipped = PageLanguage.current?.translations
        let options = (shipped?.languages ?? [Translations.source]).map { tag -> HTML in
            "<option value=\"\(tag)\" lang=\"\(tag)\"\(tag == language ? HTML(unsafeRaw: " selected") : "")>\(shipped?.name(of: tag) ?? tag)</option>"
        }
        return """
            <section aria-labelledby="school-language-title"><h2 id="school-language-title">\(L("school.language.title"))</h2>
            <p>\(L("school.language.intro"))</p>
            <form class="stack" id="school-language" method="post" action="/school/language">\(Layout.csrfField(csrf))
            <label>\(L("school.language.label"))<select name="language" id="school-language-select">\
            <option value=""\(language == nil ? HTML(unsafeRaw: " selected") : "")>\(L("school.language.browser"))</option>\(options)</select></label>
            <button type="submit">\(L("school.language.save"))</button>
            </form></section>
            """
    }

    /// "Students", "Teachers", … as the school's pages list them.
    static func rolePlural(_ role: Role) -> String {
        switch role {
        case .student: L("school.role.students")
        case .teacher: L("school.role.teachers")
        case .parent: L("school.role.parents")
        case .schoolAdmin, .platformAdmin: L("school.role.school_admins")
        }
    }

    /// A count in the page's language.
    static func number(_ value: Int) -> String { LocaleFormatting.number(value, language: pageLanguage) }

    static func users(session: SignedIn, users: [PersonSummary], role: Role?, page: Int, hasMore: Bool) -> HTML {
        let filters = ([nil] + [Role.student, .teacher, .parent, .schoolAdmin]).map { option -> HTML in
            let label = option.map(rolePlural) ?? L("school.users.everyone")
            let href = option.map { "/school/users?role=\($0.rawValue)" } ?? "/school/users"
            return option == role ? "<b>\(label)</b>" : "<a href=\"\(href)\">\(label)</a>"
        }
        let rows = users.map { u -> HTML in
            let reset: HTML =
                u.active && u.id != session.user.id
                ? "<a class=\"reset-password\" href=\"/school/users/\(u.id)/password\">\(L("school.users.reset_password"))</a>" : ""
            return """
                <tr data-user-id="\(u.id)"\(u.active ? "" : HTML(unsafeRaw: " class=\"muted\""))><td>\(u.familyName)</td><td>\(u.givenName)</td>
                <td>\(roleLabel(u.role))</td><td>\(u.email ?? "")</td><td>\(u.username ?? "")</td><td>\(u.active ? L("school.users.active") : L("school.users.deactivated"))</td><td>\(reset)
                <a class="privacy" href="/school/users/\(u.id)/privacy">\(L("school.users.export_or_erase"))</a></td></tr>
                """
        }
        let roleQuery = role.map { "role=\($0.rawValue)&" } ?? ""
        let pager: HTML = """
            <p>\(page > 1 ? "<a href=\"/school/users?\(roleQuery)page=\(page - 1)\">\(L("pager.previous"))</a>" as HTML : "")
            \(hasMore ? "<a href=\"/school/users?\(roleQuery)page=\(page + 1)\">\(L("pager.next"))</a>" as HTML : "")</p>
            """
        return Layout.page(
            title: L("nav.school.users"), session: session,
            """
            <h1>\(L("nav.school.users"))</h1><p>\(HTML(filters.flatMap { [$0, " · "] }.dropLast()))</p>
            <div class="table-wrap"><table id="users"><thead><tr><th scope="col">\(L("school.users.family_name"))</th><th scope="col">\(L("school.users.given_name"))</th><th scope="col">\(L("school.users.role"))</th><th scope="col">\(L("school.users.email"))</th>
            <th scope="col">\(L("school.users.username"))</th><th scope="col">\(L("school.users.status"))</th><th scope="col"><span class="visually-hidden">\(L("school.users.actions"))</span></th></tr></thead><tbody>\(rows)</tbody></table></div>\(pager)
            """)
    }

    static func classes(session: SignedIn, classes: [ClassSummary]) -> HTML {
        let rows = classes.map { c -> HTML in
            """
            <tr data-class-id="\(c.id)"><td>\(c.title)</td><td>\(c.classCode ?? "")</td><td>\(c.courseTitle)</td><td>\(c.termTitle)</td>
            <td>\(c.teacherNames.joined(separator: ", "))</td><td class="num">\(number(c.studentCount ?? 0))</td></tr>
            """
        }
        return Layout.page(
            title: L("nav.school.classes"), session: session,
            """
            <h1>\(L("nav.school.classes"))</h1>
            <div class="table-wrap"><table id="classes"><thead><tr><th scope="col">\(L("school.classes.class"))</th><th scope="col">\(L("school.classes.code"))</th><th scope="col">\(L("school.classes.course"))</th><th scope="col">\(L("school.classes.term"))</th><th scope="col">\(L("school.classes.teachers"))</th>
            <th scope="col" class="num">\(L("school.role.students"))</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """)
    }

    /// A queued roster import: waiting, running (the page reloads itself), imported or refused.
    static func rosterJob(session: SignedIn, job: QueuedRosterImport, now: Date) -> HTML {
        let state: HTML =
            switch job.status {
            case .pending:
                "<p class=\"notice\" role=\"status\" id=\"job-status\" data-status=\"pending\">\(L("roster.job.pending", ["seconds": number(Int(now.timeIntervalSince(job.requestedAt)))]))</p>"
            case .running:
                "<p class=\"notice\" role=\"status\" id=\"job-status\" data-status=\"running\">\(L("roster.job.running", ["since": Display.localDateTime(job.startedAt ?? now), "seconds": number(Int(now.timeIntervalSince(job.startedAt ?? now)))]))</p>"
            case .done:
                "<div id=\"import-result\"><p class=\"notice ok\" role=\"status\" id=\"job-status\" data-status=\"done\">\(L("roster.imported"))</p><pre>\(job.lines.map { L($0) }.joined(separator: "\n"))</pre></div>"
            case .failed:
                """
                <div id="import-problems"><p class="notice bad" role="alert" id="job-status" data-status="failed">\(L("roster.nothing_imported"))</p>
                <ul class="problems">\(job.lines.map { "<li>\($0)</li>" as HTML })</ul></div>
                """
            }
        return Layout.page(
            title: L("roster.title"), session: session,
            """
            <h1>\(L("roster.job.heading", ["number": String(job.id)]))</h1>
            <p>\(L("roster.job.queued", ["source": job.source, "when": Display.localDateTime(job.requestedAt), "by": job.startedBy]))</p>
            \(state)
            <p><a href="/school/roster/jobs/\(String(job.id))">\(L("roster.job.refresh"))</a> · <a href="/school/roster">\(L("roster.job.back"))</a></p>
            """)
    }

    static func roster(
        session: SignedIn, recent: [(at: Date, by: String, source: String, summary: String)], problems: [String]?,
        result: [String]?, uploadLimit: Int
    ) -> HTML {
        let problemsHTML: HTML =
            problems.map { lines in
                """
                <div id="import-problems"><p class="notice bad" role="alert">\(L("roster.nothing_imported"))</p>
                <ul class="problems">\(lines.map { "<li>\($0)</li>" as HTML })</ul></div>
                """
            } ?? ""
        let resultHTML: HTML =
            result.map { lines in
                "<div id=\"import-result\"><p class=\"notice ok\" role=\"status\">\(L("roster.imported"))</p><pre>\(lines.joined(separator: "\n"))</pre></div>"
            } ?? ""
        let history = recent.map { item -> HTML in
            "<tr><td>\(Display.localDateTime(item.at))</td><td>\(item.by)</td><td>\(item.source)</td><td><pre>\(item.summary)</pre></td></tr>"
        }
        let files: HTML =
            "<b>.zip</b>"
        let csvs: HTML =
            "<code>manifest.csv</code>, <code>orgs.csv</code>, <code>users.csv</code>, <code>classes.csv</code>, <code>courses.csv</code>, <code>academicSessions.csv</code>, <code>enrollments.csv</code>"
        return Layout.page(
            title: L("roster.title"), session: session,
            """
            <h1>\(L("roster.title"))</h1>
            \(problemsHTML)\(resultHTML)
            <p>\(LH("roster.intro", ["zip": files, "files": csvs]))</p>
            <form class="stack" id="roster-upload" method="post" action="/school/roster" enctype="multipart/form-data">\(Layout.csrfField(session.csrf))
            <label>\(L("roster.files", ["megabytes": number(uploadLimit / 1_048_576)]))<input type="file" name="files" multiple required accept=".zip,.csv"></label>
            <button type="submit">\(L("roster.submit"))</button>
            </form>
            <h2>\(L("roster.recent"))</h2>
            \(recent.isEmpty ? "<p class=\"muted\">\(L("roster.none_yet"))</p>" as HTML : "<div class=\"table-wrap\"><table id=\"imports\"><thead><tr><th scope=\"col\">\(L("roster.when"))</th><th scope=\"col\">\(L("roster.by"))</th><th scope=\"col\">\(L("roster.source"))</th><th scope=\"col\">\(L("roster.summary"))</th></tr></thead><tbody>\(history)</tbody></table></div>")
            """)
    }
}
