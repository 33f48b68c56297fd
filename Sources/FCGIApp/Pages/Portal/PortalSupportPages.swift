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
            <td>\(ticket.category.label)</td><td><span class="badge \(ticket.status.rawValue)">\(ticket.status.rawValue)</span></td>
            <td>\(Display.dateTime(ticket.updatedAt))</td></tr>
            """
        }
        return PortalLayout.page(
            title: "Support", session: session,
            """
            <h1>Support</h1>
            <p>Ask the platform's administrators about integration, reviews or your account. You get an email when they answer.</p>
            \(tickets.isEmpty ? HTML("<p id=\"no-tickets\">No tickets yet.</p>") : HTML("<table id=\"tickets\"><thead><tr><th scope=\"col\">Subject</th><th scope=\"col\">App</th><th scope=\"col\">About</th><th scope=\"col\">Status</th><th scope=\"col\">Last activity</th></tr></thead><tbody>\(rows)</tbody></table>"))
            <p><a class="button" id="new-ticket" href="/support/new">Open a ticket</a></p>
            """)
    }

    static func form(session: DeveloperSignedIn, apps: [ApplicationSummary], values: FormValues, errors: SchoolworkForms.FieldErrors) -> HTML {
        let categories = SupportTicketCategory.allCases.map { category -> HTML in
            "<option value=\"\(category.rawValue)\"\(values.category == category.rawValue ? HTML(unsafeRaw: " selected") : "")>\(category.label)</option>"
        }
        let appOptions = apps.map { app -> HTML in
            "<option value=\"\(app.id)\"\(values.application == app.id.description ? HTML(unsafeRaw: " selected") : "")>\(app.name)</option>"
        }
        return PortalLayout.page(
            title: "Open a ticket", session: session, narrow: true,
            """
            <h1>Open a ticket</h1>
            <form class="stack" id="ticket-form" method="post" action="/support">\(Layout.csrfField(session.csrf))
            \(PortalLayout.field("Subject", name: "subject", value: values.subject, error: errors["subject"], maxLength: SupportTicketForm.maximumSubjectLength, required: true))
            <label>About<select name="category"\(Layout.errorAttributes(errors["category"], id: "category-error"))><option value="">Choose…</option>\(categories)</select>\(Layout.fieldError(errors["category"], id: "category-error"))</label>
            <label>App<select name="application"\(Layout.errorAttributes(errors["application"], id: "application-error"))><option value="">No particular app</option>\(appOptions)</select>\(Layout.fieldError(errors["application"], id: "application-error"))</label>
            <label>Message<textarea name="message" rows="8" maxlength="\(SupportTicketForm.maximumMessageLength)" required\(Layout.errorAttributes(errors["message"], id: "message-error"))>\(values.message)</textarea>
            \(Layout.fieldError(errors["message"], id: "message-error"))</label>
            <button type="submit">Send</button></form>
            """)
    }

    static func thread(session: DeveloperSignedIn, thread: SupportTicketThread, reply: String, error: String?, notice: Layout.Notice?) -> HTML {
        let ticket = thread.ticket
        let messages = thread.messages.map { message -> HTML in
            """
            <article class="message \(message.authorKind.rawValue)"><header><strong>\(message.authorName)</strong>\(message.authorKind == .staff ? HTML(" <span class=\"badge\">staff</span>") : "")
            <small>\(Display.dateTime(message.createdAt))</small></header><p class="pre">\(message.body)</p></article>
            """
        }
        let csrf = Layout.csrfField(session.csrf)
        return PortalLayout.page(
            title: ticket.subject, session: session, notice: notice,
            """
            <p><a href="/support">← Support</a></p>
            <h1>\(ticket.subject) <span class="badge \(ticket.status.rawValue)" id="ticket-status">\(ticket.status.rawValue)</span></h1>
            <p class="muted">\(ticket.category.label)\(ticket.applicationName.map { " · \($0)" } ?? "")</p>
            <div id="messages">\(messages)</div>
            <form class="stack" id="reply-form" method="post" action="/support/\(ticket.id)/reply">\(csrf)
            <label>Reply<textarea name="message" rows="5" maxlength="\(SupportTicketForm.maximumMessageLength)" required aria-describedby="message-error"\(Layout.invalidFlag(error))>\(reply)</textarea>
            \(Layout.fieldError(error, id: "message-error"))</label>
            <button type="submit">\(ticket.status == .closed ? "Reopen with this reply" : "Send the reply")</button></form>
            \(ticket.status == .closed ? "" : HTML("<form class=\"inline\" id=\"close-ticket\" method=\"post\" action=\"/support/\(ticket.id)/close\">\(csrf)<button type=\"submit\">Close the ticket</button></form>"))
            """)
    }
}
