import Domain
import Foundation

/// The platform admin's review panel on the app site: the queue, an app with its developer,
/// requested scopes and history, the decision forms, and support tickets.
enum ReviewPages {
    static func dashboard(
        session: SignedIn, queue: [ReviewQueueEntry], credentials: [PendingCredential], tickets: Int, notice: Layout.Notice?,
        syncReport: String?
    ) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let waiting = credentials.map { credential -> HTML in
            let what: HTML =
                credential.kind == .clientSecret
                ? "\(L("review.client_secret"))"
                : "\(L("review.api_key", ["label": credential.label])) <small class=\"muted\">\(credential.scopes.joined(separator: " "))</small>"
            return """
                <tr data-credential="\(credential.kind.rawValue)-\(credential.sourceID)"><td><a href="/platform/apps/\(credential.application)">\(credential.applicationName)</a></td>
                <td>\(what)</td><td>\(credential.developerName) &lt;\(credential.developerEmail)&gt;</td><td>\(Display.localDateTime(credential.createdAt))</td>
                <td><code>\(credential.fingerprint)</code></td>
                <td><form class="inline" method="post" action="/platform/credentials/\(credential.kind.rawValue)/\(credential.sourceID)/confirm">\(csrf)
                <input type="hidden" name="digest" value="\(credential.digestHex)"><button type="submit">\(L("review.confirm"))</button></form></td></tr>
                """
        }
        let rows = queue.map { entry -> HTML in
            """
            <tr data-app-id="\(entry.application.id)"><td><a href="/platform/apps/\(entry.application.id)">\(entry.application.name)</a></td>
            <td>\(entry.subject == .pendingChange ? L("review.change_to_live") : L("review.new_app"))</td>
            <td>\(entry.developerName) &lt;\(entry.developerEmail)&gt;</td><td>\(Display.localDateTime(entry.waitingSince))</td></tr>
            """
        }
        return Layout.page(
            title: L("review.title"), session: session, notice: notice,
            """
            <h1>\(L("review.heading"))</h1>
            <p>\(L("review.intro"))</p>
            <section><h2>\(L("review.waiting_apps"))</h2>
            \(queue.isEmpty ? "<p id=\"queue-empty\">\(L("review.nothing_waiting"))</p>" as HTML : "<table id=\"review-queue\"><thead><tr><th scope=\"col\">\(L("apps.app"))</th><th scope=\"col\">\(L("review.what"))</th><th scope=\"col\">\(L("review.developer"))</th><th scope=\"col\">\(L("review.waiting_since"))</th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            </section>
            <section><h2>\(L("review.credentials"))</h2>
            <p>\(L("review.credentials_intro"))</p>
            \(credentials.isEmpty ? "<p id=\"credentials-empty\">\(L("review.nothing_waiting"))</p>" as HTML : "<table id=\"waiting-credentials\"><thead><tr><th scope=\"col\">\(L("apps.app"))</th><th scope=\"col\">\(L("review.what"))</th><th scope=\"col\">\(L("review.developer"))</th><th scope=\"col\">\(L("review.made"))</th><th scope=\"col\">\(L("review.fingerprint"))</th><th scope=\"col\"><span class=\"visually-hidden\">\(L("school.users.actions"))</span></th></tr></thead><tbody>\(waiting)</tbody></table>" as HTML)
            </section>
            <section><h2>\(L("review.support"))</h2><p><a href="/platform/tickets" id="tickets-link">\(L("review.open_tickets", count: tickets))</a></p></section>
            <section><h2>\(L("review.developers"))</h2><p>\(LH("review.developers_intro", ["link": "<a href=\"/platform/developers\" id=\"developers-link\">\(L("review.developer_accounts"))</a>"]))</p></section>
            <section><h2>\(L("review.sync"))</h2><p>\(L("review.sync_intro"))</p>
            <form class="inline" id="sync-now" method="post" action="/platform/sync">\(Layout.csrfField(session.csrf))<button type="submit">\(L("review.sync_now"))</button></form>
            \(syncReport.map { "<pre id=\"sync-report\">\($0)</pre>" as HTML } ?? "")</section>
            """)
    }

    static func application(
        session: SignedIn, app: StoredApplication, developer: (name: String, email: String)?, history: [ApplicationHistoryEntry],
        problems: [String], notice: Layout.Notice?
    ) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let version: HTML = "<input type=\"hidden\" name=\"version\" value=\"\(app.version)\">"
        let review = app.review
        var sections: [HTML] = []
        var decisions: [HTML] = []
        func decide(_ action: String, _ label: String, reason: Bool, danger: Bool = false) -> HTML {
            """
            <form class="stack" id="\(action)-form" method="post" action="/platform/apps/\(app.id)/\(action)">\(csrf)\(version)
            \(reason ? "<label>\(L("review.reason"))<textarea name=\"reason\" rows=\"3\" maxlength=\"\(ApplicationReview.maximumReasonLength)\" required></textarea></label>" as HTML : "")
            <button\(danger ? HTML(unsafeRaw: " class=\"danger\"") : "") type="submit">\(label)</button></form>
            """
        }
        func approveForm(_ draft: ApplicationDraft) -> HTML {
            let boxes = draft.requestedScopes.map { name -> HTML in
                let definition = ScopeRegistry.standard.definition(named: name)
                return """
                    <label class="check"><input type="checkbox" name="scopes" value="\(name)" checked> <code>\(name)</code> — \(definition.map(scopeDescription) ?? "")
                    <small class="muted">\(L("review.sensitivity", ["level": definition.map { PortalAppPages.sensitivityWord($0.sensitivity) } ?? L("review.unknown")]))</small></label>
                    """
            }
            return """
                <form class="stack" id="approve-form" method="post" action="/platform/apps/\(app.id)/approve">\(csrf)\(version)
                <fieldset><legend>\(L("review.scopes_to_grant"))</legend>\(boxes)</fieldset>
                <button type="submit">\(L("review.approve"))</button></form>
                """
        }
        switch review.state {
        case .submitted(let draft):
            sections = [PortalAppPages.content(draft, heading: L("review.submitted"))]
            decisions = [approveForm(draft), decide("reject", L("review.reject"), reason: true, danger: true)]
        case .approved(let live):
            sections = [PortalAppPages.content(live.live, heading: L("review.live"), granted: live.grantedScopes)]
            if let change = live.pendingChange {
                sections.append(PortalAppPages.content(change.proposal, heading: L("review.pending_change")))
                if case .submitted = change.stage {
                    decisions = [approveForm(change.proposal), decide("reject", L("review.reject_change"), reason: true, danger: true)]
                }
            }
            decisions.append(decide("suspend", L("review.suspend_app"), reason: true, danger: true))
        case .suspended(let live, let reason):
            sections = [PortalAppPages.content(live.live, heading: L("review.suspended", ["reason": reason]), granted: live.grantedScopes)]
            decisions = [decide("reinstate", L("review.reinstate"), reason: false)]
        case .draft(let draft), .rejected(let draft, _):
            sections = [PortalAppPages.content(draft, heading: L("review.not_submitted"))]
        }
        let log = history.map { entry -> HTML in
            "<tr><td>\(Display.localDateTime(entry.record.at))</td><td>\(entry.record.subject == .pendingChange ? L("review.change_word") + " " : "")\(entry.record.from?.rawValue ?? "—") → \(entry.record.to?.rawValue ?? "—")</td><td>\(entry.actorName)</td><td>\(entry.record.reason ?? "")</td></tr>"
        }
        let logo: HTML =
            review.currentContent.logoSHA256.map { "<img class=\"logo\" src=\"/platform/logos/\($0)\" alt=\"\" width=\"48\" height=\"48\"> " } ?? ""
        return Layout.page(
            title: L("review.app_title", ["app": review.currentContent.name]), session: session, notice: notice,
            """
            <p><a href="/platform">\(L("review.back"))</a></p>
            <h1>\(logo)\(review.currentContent.name) <span id="app-status">\(PortalAppPages.statusBadge(review.status))</span></h1>
            <dl class="facts"><dt>\(L("review.developer"))</dt><dd id="developer">\(developer.map { "\($0.name) <\($0.email)>" } ?? L("review.unknown")) <a href="/platform/developers/\(review.owner)">\(L("review.account"))</a></dd>
            <dt>client_id</dt><dd><code>\(app.clientID.rawValue)</code></dd></dl>
            \(problems.isEmpty ? "" : HTML("<div class=\"notice bad\" id=\"review-problems\" role=\"alert\"><ul>\(problems.map { "<li>\($0)</li>" as HTML })</ul></div>"))
            \(sections)
            <section id="decisions"><h2>\(L("review.decision"))</h2>\(decisions.isEmpty ? "<p>\(L("review.nothing_to_decide"))</p>" as HTML : HTML(decisions))</section>
            <section><h2>\(L("review.log"))</h2><table id="app-history"><thead><tr><th scope="col">\(L("review.when"))</th><th scope="col">\(L("apps.change"))</th><th scope="col">\(L("roster.by"))</th><th scope="col">\(L("review.reason_column"))</th></tr></thead><tbody>\(log)</tbody></table></section>
            """)
    }

    static func tickets(session: SignedIn, tickets: [SupportTicketSummary]) -> HTML {
        let rows = tickets.map { ticket -> HTML in
            """
            <tr data-ticket-id="\(ticket.id)"><td><a href="/platform/tickets/\(ticket.id)">\(ticket.subject)</a></td><td>\(ticket.applicationName ?? "—")</td>
            <td>\(ticket.category.label)</td><td>\(ticket.status.rawValue)</td><td>\(Display.localDateTime(ticket.updatedAt))</td></tr>
            """
        }
        return Layout.page(
            title: L("review.tickets"), session: session,
            """
            <p><a href="/platform">\(L("review.back"))</a></p><h1>\(L("review.tickets"))</h1>
            \(tickets.isEmpty ? "<p id=\"no-tickets\">\(L("review.no_tickets"))</p>" as HTML : "<table id=\"tickets\"><thead><tr><th scope=\"col\">\(L("review.subject"))</th><th scope=\"col\">\(L("apps.app"))</th><th scope=\"col\">\(L("review.about"))</th><th scope=\"col\">\(L("school.users.status"))</th><th scope=\"col\">\(L("review.last_activity"))</th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            """)
    }

    static func ticket(session: SignedIn, thread: SupportTicketThread, error: String?) -> HTML {
        let messages = thread.messages.map { message -> HTML in
            "<article class=\"message \(message.authorKind.rawValue)\"><header><strong>\(message.authorName)</strong> <small>\(Display.localDateTime(message.createdAt))</small></header><p class=\"pre\">\(message.body)</p></article>"
        }
        return Layout.page(
            title: thread.ticket.subject, session: session,
            """
            <p><a href="/platform/tickets">\(L("review.back_tickets"))</a></p>
            <h1>\(thread.ticket.subject) <span class="badge \(thread.ticket.status.rawValue)">\(thread.ticket.status.rawValue)</span></h1>
            <div id="messages">\(messages)</div>
            <form class="stack" id="staff-reply" method="post" action="/platform/tickets/\(thread.ticket.id)/reply">\(Layout.csrfField(session.csrf))
            <label>\(L("review.reply"))<textarea name="message" rows="5" maxlength="\(SupportTicketForm.maximumMessageLength)" required\(Layout.errorAttributes(error, id: "message-error"))></textarea>\(Layout.fieldError(error, id: "message-error"))</label>
            <button type="submit">\(L("review.send_reply"))</button></form>
            """)
    }

    static func developers(session: SignedIn, search: String, developers: [StaffDeveloperListing], limit: Int) -> HTML {
        let rows = developers.map { developer -> HTML in
            """
            <tr data-developer-id="\(developer.id)"><td><a href="/platform/developers/\(developer.id)">\(developer.name)</a></td><td>\(developer.email)</td>
            <td>\(developer.company ?? "—")</td><td>\(developer.state.rawValue)</td><td>\(SchoolAdminPages.number(developer.applications))</td><td>\(Display.localDateTime(developer.createdAt))</td></tr>
            """
        }
        let more: HTML =
            developers.count == limit ? "<p class=\"muted\">\(L("review.showing_newest", ["limit": SchoolAdminPages.number(limit)]))</p>" : ""
        return Layout.page(
            title: L("review.developer_accounts"), session: session,
            """
            <p><a href="/platform">\(L("review.back"))</a></p><h1>\(L("review.developer_accounts"))</h1>
            <form class="inline" id="developer-search" method="get" action="/platform/developers">
            <label>\(L("review.email_or_name")) <input type="search" name="q" value="\(search)" maxlength="254"></label> <button type="submit">\(L("review.search"))</button></form>
            \(developers.isEmpty ? "<p id=\"no-developers\">\(L("review.no_developers"))</p>" as HTML : "<table id=\"developers\"><thead><tr><th scope=\"col\">\(L("passkeys.name"))</th><th scope=\"col\">\(L("review.email"))</th><th scope=\"col\">\(L("review.company"))</th><th scope=\"col\">\(L("teacher.state"))</th><th scope=\"col\">\(L("review.apps"))</th><th scope=\"col\">\(L("review.signed_up"))</th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            \(more)
            """)
    }

    static func developer(
        session: SignedIn, developer: StaffDeveloperListing, history: [DeveloperAccountHistoryEntry], problem: String?, notice: Layout.Notice?
    ) -> HTML {
        let log = history.map { entry -> HTML in
            "<tr><td>\(Display.localDateTime(entry.at))</td><td>\(entry.from.rawValue) → \(entry.to.rawValue)</td><td>\(entry.actorName)</td><td>\(entry.reason ?? "")</td></tr>"
        }
        let csrf = Layout.csrfField(session.csrf)
        let state: HTML = "<input type=\"hidden\" name=\"state\" value=\"\(developer.state.rawValue)\">"
        let decision: HTML =
            switch developer.state {
            case .active:
                """
                <form class="stack" id="suspend-developer" method="post" action="/platform/developers/\(developer.id)/suspend">\(csrf)\(state)
                <label>\(L("review.reason"))<textarea name="reason" rows="3" maxlength="\(DeveloperAccount.maximumReasonLength)" required\(Layout.errorAttributes(problem, id: "reason-error"))></textarea>\(Layout.fieldError(problem, id: "reason-error"))</label>
                <p class="muted">\(L("review.suspend_note"))</p>
                <button class="danger" type="submit">\(L("review.suspend_account"))</button></form>
                """
            case .suspended:
                """
                <form class="stack" id="reinstate-developer" method="post" action="/platform/developers/\(developer.id)/reinstate">\(csrf)\(state)
                \(problem.map { "<p class=\"field-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
                <button type="submit">\(L("review.reinstate_account"))</button></form>
                """
            case .unverified:
                "<p>\(L("review.unverified"))</p>"
            }
        return Layout.page(
            title: developer.name, session: session, notice: notice,
            """
            <p><a href="/platform/developers">\(L("review.back_developers"))</a></p>
            <h1>\(developer.name) <span class="badge \(developer.state.rawValue)" id="developer-state">\(developer.state.rawValue)</span></h1>
            <dl class="facts"><dt>\(L("review.email"))</dt><dd>\(developer.email)</dd><dt>\(L("review.company"))</dt><dd>\(developer.company ?? "—")</dd>
            <dt>\(L("review.apps"))</dt><dd>\(SchoolAdminPages.number(developer.applications))</dd><dt>\(L("review.signed_up"))</dt><dd>\(Display.localDateTime(developer.createdAt))</dd></dl>
            <section id="decisions"><h2>\(L("review.account_section"))</h2>\(decision)</section>
            <section><h2>\(L("review.account_log"))</h2>\(history.isEmpty ? "<p id=\"no-account-history\">\(L("review.no_account_history"))</p>" as HTML : "<table id=\"account-history\"><thead><tr><th scope=\"col\">\(L("review.when"))</th><th scope=\"col\">\(L("apps.change"))</th><th scope=\"col\">\(L("roster.by"))</th><th scope=\"col\">\(L("review.reason_column"))</th></tr></thead><tbody>\(log)</tbody></table>" as HTML)</section>
            """)
    }
}
