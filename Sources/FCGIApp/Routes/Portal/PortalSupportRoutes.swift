import Domain
import Foundation

/// Support tickets of the developer portal. Staff answer from the app site's admin panel; a
/// developer sees and replies to their own tickets only (another's is a 404).
enum PortalSupportRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/support") { request, _, context in
            let session = try context.requireDeveloper(request)
            return .page(PortalSupportPages.list(session: session, tickets: try context.services.portal.tickets.tickets(of: session.account.id)))
        }

        router.add("GET", "/support/new") { request, _, context in
            let session = try context.requireDeveloper(request)
            var values = PortalSupportPages.FormValues()
            values.application = request.query["app"] ?? ""
            let apps = try context.services.portal.applications.applications(of: session.account.id)
            return .page(PortalSupportPages.form(session: session, apps: apps, values: values, errors: [:]))
        }

        router.add("POST", "/support") { request, _, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            let input = SupportTicketForm(
                subject: form["subject"] ?? "", category: form["category"] ?? "", application: form["application"] ?? "",
                message: form["message"] ?? "")
            let values = PortalSupportPages.FormValues(
                subject: input.subject, category: input.category, application: input.application, message: input.message)
            func again(_ errors: SchoolworkForms.FieldErrors) throws -> HTTPResponse {
                let apps = try context.services.portal.applications.applications(of: session.account.id)
                return .page(PortalSupportPages.form(session: session, apps: apps, values: values, errors: errors), status: 422)
            }
            switch input.validate() {
            case .failure(let errors): return try again(errors)
            case .success(let ticket):
                guard let id = try context.services.portal.tickets.openTicket(ticket, by: session.account.id, now: context.now) else {
                    return try again(["application": L("portal.msg.choose_app")])
                }
                context.logger.info("support ticket opened", metadata: ["developer.id": "\(session.account.id)", "ticket.id": "\(id)"])
                return .seeOther("/support/\(id)?done=opened")
            }
        }

        router.add("GET", "/support/{id}") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let thread = try ownTicket(parameters, session: session, context: context)
            let notice: Layout.Notice? =
                switch request.query["done"] {
                case "opened": .init(kind: .ok, text: L("portal.msg.ticket.opened"))
                case "replied": .init(kind: .ok, text: L("portal.msg.ticket.replied"))
                case "closed": .init(kind: .ok, text: L("portal.msg.ticket.closed"))
                default: nil
                }
            return .page(PortalSupportPages.thread(session: session, thread: thread, reply: "", error: nil, notice: notice))
        }

        router.add("POST", "/support/{id}/reply") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            let thread = try ownTicket(parameters, session: session, context: context)
            switch SupportTicketForm.message(form["message"] ?? "") {
            case .failure(let problem):
                return .page(
                    PortalSupportPages.thread(session: session, thread: thread, reply: form["message"] ?? "", error: problem.message, notice: nil),
                    status: 422)
            case .success(let body):
                guard
                    try context.services.portal.tickets.replyAsDeveloper(
                        to: thread.ticket.id, owner: session.account.id, body: body, now: context.now)
                else { throw HTTPError.notFound() }
                return .seeOther("/support/\(thread.ticket.id)?done=replied")
            }
        }

        router.add("POST", "/support/{id}/close") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            let thread = try ownTicket(parameters, session: session, context: context)
            _ = try context.services.portal.tickets.closeTicket(thread.ticket.id, owner: session.account.id, now: context.now)
            return .seeOther("/support/\(thread.ticket.id)?done=closed")
        }
    }

    private static func ownTicket(_ parameters: RouteParameters, session: DeveloperSignedIn, context: RequestContext) throws -> SupportTicketThread {
        guard let id = parameters["id"].flatMap(TicketID.init),
            let thread = try context.services.portal.tickets.ticket(id, owner: session.account.id)
        else { throw HTTPError.notFound() }
        return thread
    }
}
