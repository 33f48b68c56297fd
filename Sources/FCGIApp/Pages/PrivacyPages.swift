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
            <button type="submit" class="export-child">Download everything held about \(child.displayName)</button></form></li>
            """
        }
        let forChildren: HTML =
            children.isEmpty ? "" : "<h2>Your children</h2><ul class=\"plain\" id=\"children-exports\">\(childForms)</ul>"
        return Layout.page(
            title: "My data", session: session, notice: notice,
            """
            <h1>My data</h1>
            <p>Download a copy of everything the school's CatalystWells holds: the profile, classes, grades, attendance,
            the apps that were allowed to read it, every app's reads (the data-access log) and the sign-in history, as
            a zip of JSON and CSV files with a README that explains each file. A small export downloads at once; a
            large one is prepared in the background and a link is mailed to you (it works once).</p>
            <form method="post" action="/account/export">\(csrf)<button type="submit" id="export-me">Download everything held about me</button></form>
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
            <td><form method="post" action="/school/classes/\(c.id)/export">\(csrf)<button type="submit" class="export-class">Export</button></form></td></tr>
            """
        }
        return Layout.page(
            title: "Export", session: session, notice: notice,
            """
            <h1>Export</h1>
            <p>An export of the whole school, or of one class, holds the roster as a OneRoster 1.1 CSV set (which
            <code>catalystwells roster import</code> and other systems read) and, for each person, the same files a
            family gets: profile, classes, grades (drafts included), attendance, connected apps, data-access log and
            sign-in history. It is prepared in the background; the link is mailed to you and works once.
            To export one person, open them under <a href="/school/users">Users</a>.</p>
            <form method="post" action="/school/export">\(csrf)<button type="submit" id="export-school">Export the whole school</button></form>
            <p>For a system the school feeds: <a href="/school/export/oneroster.zip" id="export-oneroster">download the roster alone as
            OneRoster 1.1 CSV</a> (orgs, academic sessions, courses, classes, users, enrollments; at once, no personal files).</p>
            <div class="table-wrap"><table id="export-classes"><thead><tr><th scope="col">Class</th><th scope="col">Term</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
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
                case .person(let id): "person \(id)"
                case .schoolClass(let id): "class \(id)"
                case .school: "whole school"
                }
            let state: String =
                switch job.status {
                case .pending: "Being prepared"
                case .ready: "Ready: the link is in your mail (until \(job.linkExpiresAt.map(AccessLogPages.day) ?? "")) UTC"
                case .downloaded: "Downloaded"
                case .expired: "Expired"
                case .failed: "Could not be made: \(job.error ?? "")"
                }
            return
                "<tr data-export-id=\"\(job.id)\" data-status=\"\(job.status.rawValue)\"><td>\(AccessLogPages.day(job.requestedAt))</td><td>\(what)</td><td>\(state)</td></tr>"
        }
        return """
            <h2>Exports you asked for</h2>
            <div class="table-wrap"><table id="export-jobs"><thead><tr><th scope="col">Asked (UTC)</th><th scope="col">What</th><th scope="col">State</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    /// `/school/users/{id}/privacy`: export or erase one person.
    static func person(session: SignedIn, person: PersonRecord.Profile, open: Erasure?, waitingDays: Int) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let erase: HTML =
            if let open {
                "<p id=\"open-erasure\">An erasure of this person is \(open.status.rawValue): <a href=\"/school/erasures/\(open.id)\">see it</a>.</p>"
            } else if person.id == session.user.id {
                "<p class=\"muted\">You cannot erase your own account.</p>"
            } else {
                """
                <form method="post" action="/school/users/\(person.id)/erasure">\(csrf)
                <button type="submit" id="request-erasure">Erase this person…</button></form>
                """
            }
        return Layout.page(
            title: "\(person.givenName) \(person.familyName)", session: session,
            """
            <p><a href="/school/users">← Users</a></p>
            <h1 id="person-name">\(person.givenName) \(person.familyName)</h1>
            <p>\(person.role.label) · \(person.active ? "Active" : "Deactivated") · \(person.email ?? "no email")</p>
            <h2>Export</h2>
            <p>Everything held about this person, for them or their family (GDPR Art. 15 and 20, FERPA).</p>
            <form method="post" action="/school/users/\(person.id)/export">\(csrf)<button type="submit" id="export-person">Download everything held</button></form>
            <h2>Erase</h2>
            <p>For a person who left: their sign-in ends and their apps lose access at once; after a waiting period of
            \(waitingDays) days (you can cancel until then) their names, email, username and roster ids are replaced by a
            pseudonym in every table, teachers' notes about them are cleared, older log entries about them are deleted and
            the rest pseudonymised, and their apps are told. Grades and attendance stay, under the pseudonym, so class
            figures stay right.</p>
            \(erase)
            """)
    }

    /// `/school/erasures`: the school's erasures.
    static func erasures(session: SignedIn, rows: [(erasure: Erasure, name: String)], notice: Layout.Notice?) -> HTML {
        let items = rows.map { row -> HTML in
            let e = row.erasure
            return """
                <tr data-erasure-id="\(e.id)" data-status="\(e.status.rawValue)"><td><a href="/school/erasures/\(e.id)">\(row.name)</a></td>
                <td>\(label(e))</td><td>\(AccessLogPages.day(e.requestedAt))</td></tr>
                """
        }
        let table: HTML =
            rows.isEmpty
            ? "<p class=\"muted\">No erasures yet. Start one from a person's page under <a href=\"/school/users\">Users</a>.</p>"
            : """
            <div class="table-wrap"><table id="erasures"><thead><tr><th scope="col">Person</th><th scope="col">State</th><th scope="col">Asked (UTC)</th></tr></thead>
            <tbody>\(items)</tbody></table></div>
            """
        return Layout.page(title: "Erasures", session: session, notice: notice, "<h1>Erasures</h1>\(table)")
    }

    /// `/school/erasures/{id}`: one erasure, with the confirm and cancel buttons its state allows.
    static func erasure(session: SignedIn, erasure e: Erasure, name: String, waitingDays: Int, notice: Layout.Notice?, status: Int = 200)
        -> HTML
    {
        let csrf = Layout.csrfField(session.csrf)
        let confirm: HTML =
            e.status == .requested
            ? """
            <p>Confirming starts the waiting period of \(waitingDays) days. Until it ends you can cancel; then the erasure runs
            and cannot be undone.</p>
            <form method="post" action="/school/erasures/\(e.id)/confirm">\(csrf)<button type="submit" id="confirm-erasure">Confirm the erasure of \(name)</button></form>
            """ : ""
        let cancel: HTML =
            ErasureRules.cancel(e) == nil
            ? "<form method=\"post\" action=\"/school/erasures/\(e.id)/cancel\">\(csrf)<button type=\"submit\" id=\"cancel-erasure\">Cancel the erasure</button></form>"
            : ""
        return Layout.page(
            title: "Erasure", session: session, notice: notice,
            """
            <p><a href="/school/erasures">← Erasures</a></p>
            <h1>Erasure of <span id="erasure-name">\(name)</span></h1>
            <p id="erasure-state" data-status="\(e.status.rawValue)">\(label(e))</p>
            \(confirm)\(cancel)
            """)
    }

    static func label(_ e: Erasure) -> String {
        switch e.status {
        case .requested: "Requested, waiting for confirmation"
        case .scheduled: "Confirmed: runs after \(e.runsAfter.map(ErasureRules.dayText) ?? "")"
        case .running: "Running (step \(e.completedSteps) of \(ErasureStep.allCases.count) done)"
        case .completed: "Erased on \(e.completedAt.map(ErasureRules.dayText) ?? "")"
        case .cancelled: "Cancelled on \(e.cancelledAt.map(ErasureRules.dayText) ?? "")"
        }
    }
}
