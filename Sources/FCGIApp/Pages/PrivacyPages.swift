import Domain
import Foundation

/// The pages of exports ("My data", the school's export page) and erasures (the school admin's).
enum PrivacyPages {
    /// `/account/export`: the person's own export, a parent's children's, and the exports being prepared.
    static func account(session: SignedIn, children: [PersonSummary], jobs: [ExportJob], notice: Layout.Notice?) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let childForms = children.map { child -> HTML in
            """
            <li data-student-id="\(child.id)"><form method="post" action="/parent/children/\(child.id)/export">\(csrf)
            <button type="submit" class="export-child">\(L("privacy.export_child", ["name": child.displayName]))</button></form></li>
            """
        }
        let forChildren: HTML =
            children.isEmpty ? "" : "<h2>\(L("privacy.your_children"))</h2><ul class=\"plain\" id=\"children-exports\">\(childForms)</ul>"
        return Layout.page(
            title: L("nav.my_data"), session: session, notice: notice,
            """
            <h1>\(L("nav.my_data"))</h1>
            <p>\(L("privacy.account.intro"))</p>
            <form method="post" action="/account/export">\(csrf)<button type="submit" id="export-me">\(L("privacy.export_me"))</button></form>
            \(forChildren)
            \(jobList(jobs))
            """)
    }

    /// `/school/export`: the whole school or one class as OneRoster CSV plus every person's files.
    static func school(session: SignedIn, classes: [ClassSummary], jobs: [ExportJob], notice: Layout.Notice?) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let rows = classes.map { c -> HTML in
            """
            <tr data-class-id="\(c.id)"><td>\(c.title)</td><td>\(c.termTitle)</td>
            <td><form method="post" action="/school/classes/\(c.id)/export">\(csrf)<button type="submit" class="export-class">\(L("privacy.export"))</button></form></td></tr>
            """
        }
        return Layout.page(
            title: L("privacy.export"), session: session, notice: notice,
            """
            <h1>\(L("privacy.export"))</h1>
            <p>\(LH("privacy.school.intro", ["command": "<code>catalystwells roster import</code>", "users": "<a href=\"/school/users\">\(L("nav.school.users"))</a>"]))</p>
            <form method="post" action="/school/export">\(csrf)<button type="submit" id="export-school">\(L("privacy.export_school"))</button></form>
            <p>\(LH("privacy.oneroster", ["link": "<a href=\"/school/export/oneroster.zip\" id=\"export-oneroster\">\(L("privacy.oneroster.link"))</a>"]))</p>
            <div class="table-wrap"><table id="export-classes"><thead><tr><th scope="col">\(L("school.classes.class"))</th><th scope="col">\(L("school.classes.term"))</th><th scope="col"><span class="visually-hidden">\(L("school.users.actions"))</span></th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(jobList(jobs))
            """)
    }

    /// The requester's exports, newest first.
    static func jobList(_ jobs: [ExportJob]) -> HTML {
        guard !jobs.isEmpty else { return "" }
        let rows = jobs.map { job -> HTML in
            let what: String =
                switch job.scope {
                case .person(let id): L("privacy.job.person", ["number": "\(id)"])
                case .schoolClass(let id): L("privacy.job.class", ["number": "\(id)"])
                case .school: L("privacy.job.school")
                }
            let state: String =
                switch job.status {
                case .pending: L("privacy.job.pending")
                case .ready: L("privacy.job.ready", ["until": job.linkExpiresAt.map(Display.localDateTime) ?? ""])
                case .downloaded: L("privacy.job.downloaded")
                case .expired: L("privacy.job.expired")
                case .failed: L("privacy.job.failed", ["error": job.error ?? ""])
                }
            return
                "<tr data-export-id=\"\(job.id)\" data-status=\"\(job.status.rawValue)\"><td>\(Display.localDateTime(job.requestedAt))</td><td>\(what)</td><td>\(state)</td></tr>"
        }
        return """
            <h2>\(L("privacy.jobs.title"))</h2>
            <div class="table-wrap"><table id="export-jobs"><thead><tr><th scope="col">\(L("privacy.asked"))</th><th scope="col">\(L("privacy.what"))</th><th scope="col">\(L("teacher.state"))</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    /// `/school/users/{id}/privacy`: export or erase one person.
    static func person(session: SignedIn, person: PersonRecord.Profile, open: Erasure?, waitingDays: Int) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let erase: HTML =
            if let open {
                "<p id=\"open-erasure\">\(LH("privacy.open_erasure", ["state": "\(label(open))", "link": "<a href=\"/school/erasures/\(open.id)\">\(L("privacy.see_it"))</a>"]))</p>"
            } else if person.id == session.user.id {
                "<p class=\"muted\">\(L("privacy.not_yourself"))</p>"
            } else {
                """
                <form method="post" action="/school/users/\(person.id)/erasure">\(csrf)
                <button type="submit" id="request-erasure">\(L("privacy.erase_person"))</button></form>
                """
            }
        return Layout.page(
            title: "\(person.givenName) \(person.familyName)", session: session,
            """
            <p><a href="/school/users">\(L("privacy.back_users"))</a></p>
            <h1 id="person-name">\(person.givenName) \(person.familyName)</h1>
            <p>\(roleLabel(person.role)) · \(person.active ? L("school.users.active") : L("school.users.deactivated")) · \(person.email ?? L("privacy.no_email"))</p>
            <h2>\(L("privacy.export"))</h2>
            <p>\(L("privacy.person.export_intro"))</p>
            <form method="post" action="/school/users/\(person.id)/export">\(csrf)<button type="submit" id="export-person">\(L("privacy.person.export"))</button></form>
            <h2>\(L("privacy.erase"))</h2>
            <p>\(L("privacy.person.erase_intro", count: waitingDays))</p>
            \(erase)
            """)
    }

    /// `/school/erasures`: the school's erasures.
    static func erasures(session: SignedIn, rows: [(erasure: Erasure, name: String)], notice: Layout.Notice?) -> HTML {
        let items = rows.map { row -> HTML in
            let e = row.erasure
            return """
                <tr data-erasure-id="\(e.id)" data-status="\(e.status.rawValue)"><td><a href="/school/erasures/\(e.id)">\(row.name)</a></td>
                <td>\(label(e))</td><td>\(Display.localDateTime(e.requestedAt))</td></tr>
                """
        }
        let table: HTML =
            rows.isEmpty
            ? "<p class=\"muted\">\(LH("privacy.erasures.none", ["users": "<a href=\"/school/users\">\(L("nav.school.users"))</a>"]))</p>"
            : """
            <div class="table-wrap"><table id="erasures"><thead><tr><th scope="col">\(L("log.person"))</th><th scope="col">\(L("teacher.state"))</th><th scope="col">\(L("privacy.asked"))</th></tr></thead>
            <tbody>\(items)</tbody></table></div>
            """
        return Layout.page(title: L("nav.school.erasures"), session: session, notice: notice, "<h1>\(L("nav.school.erasures"))</h1>\(table)")
    }

    /// `/school/erasures/{id}`: one erasure, with the confirm and cancel buttons its state allows.
    static func erasure(session: SignedIn, erasure e: Erasure, name: String, waitingDays: Int, notice: Layout.Notice?, status: Int = 200)
        -> HTML
    {
        let csrf = Layout.csrfField(session.csrf)
        let confirm: HTML =
            e.status == .requested
            ? """
            <p>\(L("privacy.confirm_intro", count: waitingDays))</p>
            <form method="post" action="/school/erasures/\(e.id)/confirm">\(csrf)<button type="submit" id="confirm-erasure">\(L("privacy.confirm", ["name": name]))</button></form>
            """ : ""
        let cancel: HTML =
            ErasureRules.cancel(e) == nil
            ? "<form method=\"post\" action=\"/school/erasures/\(e.id)/cancel\">\(csrf)<button type=\"submit\" id=\"cancel-erasure\">\(L("privacy.cancel"))</button></form>"
            : ""
        return Layout.page(
            title: L("privacy.erasure"), session: session, notice: notice,
            """
            <p><a href="/school/erasures">\(L("privacy.back_erasures"))</a></p>
            <h1>\(LH("privacy.erasure_of", ["name": "<span id=\"erasure-name\">\(name)</span>"]))</h1>
            <p id="erasure-state" data-status="\(e.status.rawValue)">\(label(e))</p>
            \(confirm)\(cancel)
            """)
    }

    static func label(_ e: Erasure) -> String {
        switch e.status {
        case .requested: L("erasure.requested")
        case .scheduled: L("erasure.scheduled", ["day": e.runsAfter.map(Display.localDateTime) ?? ""])
        case .running:
            L("erasure.running", ["done": SchoolAdminPages.number(e.completedSteps), "steps": SchoolAdminPages.number(ErasureStep.allCases.count)])
        case .completed: L("erasure.completed", ["day": e.completedAt.map(Display.localDateTime) ?? ""])
        case .cancelled: L("erasure.cancelled", ["day": e.cancelledAt.map(Display.localDateTime) ?? ""])
        }
    }
}
