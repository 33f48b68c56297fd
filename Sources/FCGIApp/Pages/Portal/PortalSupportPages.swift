import Domain
import Foundation

/// Support tickets on the portal: the list, the form to open one, and a ticket's thread with replies.
enum PortalSupportPages {
    struct FormValues {
        var subject = ""
        var category = ""
        var application = ""
        var message = ""
    }

    static func list(session: DeveloperSignedIn, tickets: [SupportTicketSummary]) -> HTML {
        let rows = tickets.map { ticket -> HTML in
            """
            <tr data-ticket-id="\(ticket.id)"><td><a href="/support/\(ticket.id)">\(ticket.subject)</a></td><td>\(ticket.applicationName ?? "—")</td>
            <td>\(category(ticket.category))</td><td><span class="badge \(ticket.status.rawValue)">\(status(ticket.status))</span></td>
            <td>\(PortalFormat.dateTime(ticket.updatedAt))</td></tr>
            """
        }
        return PortalLayout.page(
            title: L("portal.nav.support"), session: session,
            """
            <h1>\(L("portal.nav.support"))</h1>
            <p>\(L("portal.support.intro"))</p>
            \(tickets.isEmpty ? "<p id=\"no-tickets\">\(L("portal.support.none"))</p>" as HTML : "<table id=\"tickets\"><thead><tr><th scope=\"col\">\(L("portal.support.subject"))</th><th scope=\"col\">\(L("portal.support.app"))</th><th scope=\"col\">\(L("portal.support.about"))</th><th scope=\"col\">\(L("portal.support.status"))</th><th scope=\"col\">\(L("portal.support.last_activity"))</th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            <p><a class="button" id="new-ticket" href="/support/new">\(L("portal.support.open"))</a></p>
            """)
    }

    static func form(session: DeveloperSignedIn, apps: [ApplicationSummary], values: FormValues, errors: SchoolworkForms.FieldErrors) -> HTML {
        let errors = PortalErrors.localised(errors)
        let categories = SupportTicketCategory.allCases.map { category -> HTML in
            "<option value=\"\(category.rawValue)\"\(values.category == category.rawValue ? HTML(unsafeRaw: " selected") : "")>\(Self.category(category))</option>"
        }
        let appOptions = apps.map { app -> HTML in
            "<option value=\"\(app.id)\"\(values.application == app.id.description ? HTML(unsafeRaw: " selected") : "")>\(app.name)</option>"
        }
        return PortalLayout.page(
            title: L("portal.support.open"), session: session, narrow: true,
            """
            <h1>\(L("portal.support.open"))</h1>
            <form class="stack" id="ticket-form" method="post" action="/support">\(Layout.csrfField(session.csrf))
            \(PortalLayout.field(L("portal.support.subject"), name: "subject", value: values.subject, error: errors["subject"], maxLength: SupportTicketForm.maximumSubjectLength, required: true))
            <label>\(L("portal.support.about"))<select name="category"\(Layout.errorAttributes(errors["category"], id: "category-error"))><option value="">\(L("portal.choose"))</option>\(categories)</select>\(Layout.fieldError(errors["category"], id: "category-error"))</label>
            <label>\(L("portal.support.app"))<select name="application"\(Layout.errorAttributes(errors["application"], id: "application-error"))><option value="">\(L("portal.support.no_app"))</option>\(appOptions)</select>\(Layout.fieldError(errors["application"], id: "application-error"))</label>
            <label>\(L("portal.support.message"))<textarea name="message" rows="8" maxlength="\(SupportTicketForm.maximumMessageLength)" required\(Layout.errorAttributes(errors["message"], id: "message-error"))>\(values.message)</textarea>
            \(Layout.fieldError(errors["message"], id: "message-error"))</label>
            <button type="submit">\(L("portal.support.send"))</button></form>
            """)
    }

    static func thread(session: DeveloperSignedIn, thread: SupportTicketThread, reply: String, error: String?, notice: Layout.Notice?) -> HTML {
        let error = PortalErrors.text(error)
        let ticket = thread.ticket
        let messages = thread.messages.map { message -> HTML in
            """
            <article class="message \(message.authorKind.rawValue)"><header><strong>\(message.authorName)</strong>\(message.authorKind == .staff ? " <span class=\"badge\">\(L("portal.support.staff"))</span>" as HTML : "")
            <small>\(PortalFormat.dateTime(message.createdAt))</small></header><p class="pre">\(message.body)</p></article>
            """
        }
        let csrf = Layout.csrfField(session.csrf)
        return PortalLayout.page(
            title: ticket.subject, session: session, notice: notice,
            """
            <p><a href="/support">← \(L("portal.nav.support"))</a></p>
            <h1>\(ticket.subject) <span class="badge \(ticket.status.rawValue)" id="ticket-status">\(status(ticket.status))</span></h1>
            <p class="muted">\(category(ticket.category))\(ticket.applicationName.map { " · \($0)" } ?? "")</p>
            <div id="messages">\(messages)</div>
            <form class="stack" id="reply-form" method="post" action="/support/\(ticket.id)/reply">\(csrf)
            <label>\(L("portal.support.reply"))<textarea name="message" rows="5" maxlength="\(SupportTicketForm.maximumMessageLength)" required aria-describedby="message-error"\(Layout.invalidFlag(error))>\(reply)</textarea>
            \(Layout.fieldError(error, id: "message-error"))</label>
            <button type="submit">\(ticket.status == .closed ? L("portal.support.reopen") : L("portal.support.send_reply"))</button></form>
            \(ticket.status == .closed ? "" : "<form class=\"inline\" id=\"close-ticket\" method=\"post\" action=\"/support/\(ticket.id)/close\">\(csrf)<button type=\"submit\">\(L("portal.support.close"))</button></form>" as HTML)
            """)
    }

    /// A ticket's category in the page's language.
    static func category(_ category: SupportTicketCategory) -> String {
        switch category {
        case .integration: L("portal.support.category.integration")
        case .review: L("portal.support.category.review")
        case .account: L("portal.support.category.account")
        case .security: L("portal.support.category.security")
        case .other: L("portal.support.category.other")
        }
    }

    /// A ticket's status in the page's language.
    static func status(_ status: SupportTicketSummary.Status) -> String {
        switch status {
        case .open: L("portal.support.status.open")
        case .answered: L("portal.support.status.answered")
        case .closed: L("portal.support.status.closed")
        }
    }
}
