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
                ? "client secret" : "API key \(credential.label) <small class=\"muted\">\(credential.scopes.joined(separator: " "))</small>"
            return """
                <tr data-credential="\(credential.kind.rawValue)-\(credential.sourceID)"><td><a href="/platform/apps/\(credential.application)">\(credential.applicationName)</a></td>
                <td>\(what)</td><td>\(credential.developerName) &lt;\(credential.developerEmail)&gt;</td><td>\(Display.dateTime(credential.createdAt))</td>
                <td><code>\(credential.fingerprint)</code></td>
                <td><form class="inline" method="post" action="/platform/credentials/\(credential.kind.rawValue)/\(credential.sourceID)/confirm">\(csrf)
                <input type="hidden" name="digest" value="\(credential.digestHex)"><button type="submit">Confirm</button></form></td></tr>
                """
        }
        let rows = queue.map { entry -> HTML in
            """
            <tr data-app-id="\(entry.application.id)"><td><a href="/platform/apps/\(entry.application.id)">\(entry.application.name)</a></td>
            <td>\(entry.subject == .pendingChange ? "change to a live app" : "new app")</td>
            <td>\(entry.developerName) &lt;\(entry.developerEmail)&gt;</td><td>\(Display.dateTime(entry.waitingSince))</td></tr>
            """
        }
        return Layout.page(
            title: "Platform", session: session, notice: notice,
            """
            <h1>Platform administration</h1>
            <p>You run this CatalystWells installation. Schools manage their own people and rosters; platform
            admins see no pupil records.</p>
            <section><h2>Apps waiting for review</h2>
            \(queue.isEmpty ? HTML("<p id=\"queue-empty\">Nothing is waiting.</p>") : HTML("<table id=\"review-queue\"><thead><tr><th scope=\"col\">App</th><th scope=\"col\">What</th><th scope=\"col\">Developer</th><th scope=\"col\">Waiting since</th></tr></thead><tbody>\(rows)</tbody></table>"))
            </section>
            <section><h2>Credentials waiting for confirmation</h2>
            <p>New client secrets and API keys of approved apps work only once confirmed here. Whoever gets into the
            developer portal can ask for one in any developer's name: when in doubt, ask the developer (by a channel
            you already know) whether they made it, and when.</p>
            \(credentials.isEmpty ? HTML("<p id=\"credentials-empty\">Nothing is waiting.</p>") : HTML("<table id=\"waiting-credentials\"><thead><tr><th scope=\"col\">App</th><th scope=\"col\">What</th><th scope=\"col\">Developer</th><th scope=\"col\">Made</th><th scope=\"col\">Fingerprint</th><th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>\(waiting)</tbody></table>"))
            </section>
            <section><h2>Support</h2><p><a href="/platform/tickets" id="tickets-link">\(tickets) open support tickets</a></p></section>
            <section><h2>Developers</h2><p><a href="/platform/developers" id="developers-link">Developer accounts</a>: find one, suspend or reinstate it.</p></section>
            <section><h2>Sync</h2><p>Approved apps reach the sign-in server with the next sync; cron runs it every minute.</p>
            <form class="inline" id="sync-now" method="post" action="/platform/sync">\(Layout.csrfField(session.csrf))<button type="submit">Sync now</button></form>
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
            \(reason ? HTML("<label>Reason for the developer<textarea name=\"reason\" rows=\"3\" maxlength=\"\(ApplicationReview.maximumReasonLength)\" required></textarea></label>") : "")
            <button\(danger ? HTML(unsafeRaw: " class=\"danger\"") : "") type="submit">\(label)</button></form>
            """
        }
        func approveForm(_ draft: ApplicationDraft) -> HTML {
            let boxes = draft.requestedScopes.map { name -> HTML in
                let definition = ScopeRegistry.standard.definition(named: name)
                return """
                    <label class="check"><input type="checkbox" name="scopes" value="\(name)" checked> <code>\(name)</code> — \(definition?.description ?? "")
                    <small class="muted">(\(definition.map { PortalAppPages.sensitivityWord($0.sensitivity) } ?? "unknown") sensitivity)</small></label>
                    """
            }
            return """
                <form class="stack" id="approve-form" method="post" action="/platform/apps/\(app.id)/approve">\(csrf)\(version)
                <fieldset><legend>Scopes to grant (untick to narrow)</legend>\(boxes)</fieldset>
                <button type="submit">Approve</button></form>
                """
        }
        switch review.state {
        case .submitted(let draft):
            sections = [PortalAppPages.content(draft, heading: "Submitted for review")]
            decisions = [approveForm(draft), decide("reject", "Reject", reason: true, danger: true)]
        case .approved(let live):
            sections = [PortalAppPages.content(live.live, heading: "Live version", granted: live.grantedScopes)]
            if let change = live.pendingChange {
                sections.append(PortalAppPages.content(change.proposal, heading: "Pending change"))
                if case .submitted = change.stage {
                    decisions = [approveForm(change.proposal), decide("reject", "Reject the change", reason: true, danger: true)]
                }
            }
            decisions.append(decide("suspend", "Suspend the app", reason: true, danger: true))
        case .suspended(let live, let reason):
            sections = [PortalAppPages.content(live.live, heading: "Suspended (\(reason))", granted: live.grantedScopes)]
            decisions = [decide("reinstate", "Reinstate", reason: false)]
        case .draft(let draft), .rejected(let draft, _):
            sections = [PortalAppPages.content(draft, heading: "Not submitted")]
        }
        let log = history.map { entry -> HTML in
            "<tr><td>\(Display.dateTime(entry.record.at))</td><td>\(entry.record.subject == .pendingChange ? "change " : "")\(entry.record.from?.rawValue ?? "—") → \(entry.record.to?.rawValue ?? "—")</td><td>\(entry.actorName)</td><td>\(entry.record.reason ?? "")</td></tr>"
        }
        let logo: HTML =
            review.currentContent.logoSHA256.map { "<img class=\"logo\" src=\"/platform/logos/\($0)\" alt=\"\" width=\"48\" height=\"48\"> " } ?? ""
        return Layout.page(
            title: "Review \(review.currentContent.name)", session: session, notice: notice,
            """
            <p><a href="/platform">← Platform</a></p>
            <h1>\(logo)\(review.currentContent.name) <span id="app-status">\(PortalAppPages.statusBadge(review.status))</span></h1>
            <dl class="facts"><dt>Developer</dt><dd id="developer">\(developer.map { "\($0.name) <\($0.email)>" } ?? "unknown") <a href="/platform/developers/\(review.owner)">account</a></dd>
            <dt>client_id</dt><dd><code>\(app.clientID.rawValue)</code></dd></dl>
            \(problems.isEmpty ? "" : HTML("<div class=\"notice bad\" id=\"review-problems\" role=\"alert\"><ul>\(problems.map { "<li>\($0)</li>" as HTML })</ul></div>"))
            \(sections)
            <section id="decisions"><h2>Decision</h2>\(decisions.isEmpty ? HTML("<p>Nothing to decide now.</p>") : HTML(decisions))</section>
            <section><h2>Review log</h2><table id="app-history"><thead><tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead><tbody>\(log)</tbody></table></section>
            """)
    }

    static func tickets(session: SignedIn, tickets: [SupportTicketSummary]) -> HTML {
        let rows = tickets.map { ticket -> HTML in
            """
            <tr data-ticket-id="\(ticket.id)"><td><a href="/platform/tickets/\(ticket.id)">\(ticket.subject)</a></td><td>\(ticket.applicationName ?? "—")</td>
            <td>\(ticket.category.label)</td><td>\(ticket.status.rawValue)</td><td>\(Display.dateTime(ticket.updatedAt))</td></tr>
            """
        }
        return Layout.page(
            title: "Support tickets", session: session,
            """
            <p><a href="/platform">← Platform</a></p><h1>Support tickets</h1>
            \(tickets.isEmpty ? HTML("<p id=\"no-tickets\">No open tickets.</p>") : HTML("<table id=\"tickets\"><thead><tr><th scope=\"col\">Subject</th><th scope=\"col\">App</th><th scope=\"col\">About</th><th scope=\"col\">Status</th><th scope=\"col\">Last activity</th></tr></thead><tbody>\(rows)</tbody></table>"))
            """)
    }

    static func ticket(session: SignedIn, thread: SupportTicketThread, error: String?) -> HTML {
        let messages = thread.messages.map { message -> HTML in
            "<article class=\"message \(message.authorKind.rawValue)\"><header><strong>\(message.authorName)</strong> <small>\(Display.dateTime(message.createdAt))</small></header><p class=\"pre\">\(message.body)</p></article>"
        }
        return Layout.page(
            title: thread.ticket.subject, session: session,
            """
            <p><a href="/platform/tickets">← Support tickets</a></p>
            <h1>\(thread.ticket.subject) <span class="badge \(thread.ticket.status.rawValue)">\(thread.ticket.status.rawValue)</span></h1>
            <div id="messages">\(messages)</div>
            <form class="stack" id="staff-reply" method="post" action="/platform/tickets/\(thread.ticket.id)/reply">\(Layout.csrfField(session.csrf))
            <label>Reply<textarea name="message" rows="5" maxlength="\(SupportTicketForm.maximumMessageLength)" required\(Layout.errorAttributes(error, id: "message-error"))></textarea>\(Layout.fieldError(error, id: "message-error"))</label>
            <button type="submit">Send the reply</button></form>
            """)
    }

    static func developers(session: SignedIn, search: String, developers: [StaffDeveloperListing], limit: Int) -> HTML {
        let rows = developers.map { developer -> HTML in
            """
            <tr data-developer-id="\(developer.id)"><td><a href="/platform/developers/\(developer.id)">\(developer.name)</a></td><td>\(developer.email)</td>
            <td>\(developer.company ?? "—")</td><td>\(developer.state.rawValue)</td><td>\(developer.applications)</td><td>\(Display.dateTime(developer.createdAt))</td></tr>
            """
        }
        let more: HTML = developers.count == limit ? "<p class=\"muted\">Showing the newest \(limit); search to narrow.</p>" : ""
        return Layout.page(
            title: "Developer accounts", session: session,
            """
            <p><a href="/platform">← Platform</a></p><h1>Developer accounts</h1>
            <form class="inline" id="developer-search" method="get" action="/platform/developers">
            <label>Email or name <input type="search" name="q" value="\(search)" maxlength="254"></label> <button type="submit">Search</button></form>
            \(developers.isEmpty ? HTML("<p id=\"no-developers\">No developer accounts match.</p>") : HTML("<table id=\"developers\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Email</th><th scope=\"col\">Company</th><th scope=\"col\">State</th><th scope=\"col\">Apps</th><th scope=\"col\">Signed up</th></tr></thead><tbody>\(rows)</tbody></table>"))
            \(more)
            """)
    }

    static func developer(
        session: SignedIn, developer: StaffDeveloperListing, history: [DeveloperAccountHistoryEntry], problem: String?, notice: Layout.Notice?
    ) -> HTML {
        let log = history.map { entry -> HTML in
            "<tr><td>\(Display.dateTime(entry.at))</td><td>\(entry.from.rawValue) → \(entry.to.rawValue)</td><td>\(entry.actorName)</td><td>\(entry.reason ?? "")</td></tr>"
        }
        let csrf = Layout.csrfField(session.csrf)
        let state: HTML = "<input type=\"hidden\" name=\"state\" value=\"\(developer.state.rawValue)\">"
        let decision: HTML =
            switch developer.state {
            case .active:
                """
                <form class="stack" id="suspend-developer" method="post" action="/platform/developers/\(developer.id)/suspend">\(csrf)\(state)
                <label>Reason for the developer<textarea name="reason" rows="3" maxlength="\(DeveloperAccount.maximumReasonLength)" required\(Layout.errorAttributes(problem, id: "reason-error"))></textarea>\(Layout.fieldError(problem, id: "reason-error"))</label>
                <p class="muted">They are signed out everywhere and cannot sign in until reinstated. Their apps keep running: suspend an app on its own page.</p>
                <button class="danger" type="submit">Suspend the account</button></form>
                """
            case .suspended:
                """
                <form class="stack" id="reinstate-developer" method="post" action="/platform/developers/\(developer.id)/reinstate">\(csrf)\(state)
                \(problem.map { "<p class=\"field-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
                <button type="submit">Reinstate the account</button></form>
                """
            case .unverified:
                "<p>The email address is not confirmed yet; there is nothing to decide.</p>"
            }
        return Layout.page(
            title: developer.name, session: session, notice: notice,
            """
            <p><a href="/platform/developers">← Developer accounts</a></p>
            <h1>\(developer.name) <span class="badge \(developer.state.rawValue)" id="developer-state">\(developer.state.rawValue)</span></h1>
            <dl class="facts"><dt>Email</dt><dd>\(developer.email)</dd><dt>Company</dt><dd>\(developer.company ?? "—")</dd>
            <dt>Apps</dt><dd>\(developer.applications)</dd><dt>Signed up</dt><dd>\(Display.dateTime(developer.createdAt))</dd></dl>
            <section id="decisions"><h2>Account</h2>\(decision)</section>
            <section><h2>Account log</h2>\(history.isEmpty ? HTML("<p id=\"no-account-history\">No staff decisions yet.</p>") : HTML("<table id=\"account-history\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Change</th><th scope=\"col\">By</th><th scope=\"col\">Reason</th></tr></thead><tbody>\(log)</tbody></table>"))</section>
            """)
    }
}
