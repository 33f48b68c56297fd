import Domain
import Foundation

/// The review panel of platform admins on the app site.
///
/// Decisions go through ``ApplicationReview`` like the developer's own actions and are written to the
/// developers database through the app pool's narrow grants, with the version the page was loaded at: a
/// decision on an app that changed meanwhile is refused with a message. Each decision that leaves the app with a
/// live version is also recorded in the main database (``ReviewAttestation``), which is what sync checks. The developer is
/// mailed every decision, and the app's webhook endpoints get `app.approved`, `app.rejected` or
/// `app.suspended`.
enum ReviewRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/platform") { request, _, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            let notice: Layout.Notice? =
                request.query["done"] == "confirmed"
                ? .init(kind: .ok, text: L("review.credential_confirmed")) : nil
            return try dashboard(session: session, context: context, notice: notice, report: nil)
        }

        router.add("POST", "/platform/sync") { request, _, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            _ = try context.verifiedForm(request, session: session)
            guard let report = try SyncRun(services: context.services, logger: context.logger).run(now: context.now) else {
                return try dashboard(
                    session: session, context: context, notice: .init(kind: .bad, text: L("review.sync_running")),
                    report: nil, status: 409)
            }
            return try dashboard(
                session: session, context: context, notice: .init(kind: .ok, text: L("review.sync_finished")),
                report: String(decoding: report.json.serialized(), as: UTF8.self))
        }

        router.add("POST", "/platform/credentials/{kind}/{id}/confirm") { request, parameters, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            let form = try context.verifiedForm(request, session: session)
            return try confirmCredential(parameters, digest: form["digest"] ?? "", session: session, context: context)
        }

        router.add("GET", "/platform/apps/{id}") { request, parameters, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            let app = try reviewedApp(parameters, context: context)
            let notice: Layout.Notice? = request.query["done"].map {
                .init(kind: .ok, text: L("review.decision_recorded", ["decision": $0]))
            }
            return try appPage(session: session, app: app, problems: [], notice: notice, context: context)
        }

        for action in ["approve", "reject", "suspend", "reinstate"] {
            router.add("POST", "/platform/apps/{id}/\(action)") { request, parameters, context in
                let session = try context.requireSignIn(request, .platformAdmin)
                let form = try context.verifiedForm(request, session: session)
                let app = try reviewedApp(parameters, context: context)
                let reason = form["reason"] ?? ""
                let event: ApplicationReview.Event =
                    switch action {
                    case "approve": .approve(narrowedScopes: form.all("scopes"))
                    case "reject": .reject(reason: reason)
                    case "suspend": .suspend(reason: reason)
                    default: .reinstate
                    }
                return try decide(event, on: app, version: form["version"], session: session, context: context)
            }
        }

        router.add("GET", "/platform/logos/{sha256}") { request, parameters, context in
            _ = try context.requireSignIn(request, .platformAdmin)
            guard let logo = try context.services.portal.logos.logo(sha256: parameters["sha256"] ?? "", reach: .anyApplication) else {
                throw HTTPError.notFound()
            }
            return .logo(logo)
        }

        router.add("GET", "/platform/developers") { request, _, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            let search = String((request.query["q"] ?? "").trimmingCharacters(in: .whitespaces).prefix(254))
            let limit = 200
            return .page(
                ReviewPages.developers(
                    session: session, search: search,
                    developers: try context.services.portal.review.developersForStaff(matching: search, limit: limit),
                    limit: limit))
        }

        router.add("GET", "/platform/developers/{id}") { request, parameters, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            let developer = try staffDeveloper(parameters, context: context)
            let notice: Layout.Notice? = request.query["done"].map { .init(kind: .ok, text: L("review.account_done", ["state": $0])) }
            return .page(
                ReviewPages.developer(
                    session: session, developer: developer, history: try context.services.portal.review.developerAccountHistory(developer.id),
                    problem: nil, notice: notice))
        }

        for action in ["suspend", "reinstate"] {
            router.add("POST", "/platform/developers/{id}/\(action)") { request, parameters, context in
                let session = try context.requireSignIn(request, .platformAdmin)
                let form = try context.verifiedForm(request, session: session)
                let developer = try staffDeveloper(parameters, context: context)
                let event: DeveloperAccount.LifecycleEvent = action == "suspend" ? .suspend(reason: form["reason"] ?? "") : .reinstate
                return try decide(event, on: developer, loadedIn: form["state"], session: session, context: context)
            }
        }

        router.add("GET", "/platform/tickets") { request, _, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            return .page(ReviewPages.tickets(session: session, tickets: try context.services.portal.tickets.ticketsForStaff()))
        }

        router.add("GET", "/platform/tickets/{id}") { request, parameters, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            return .page(ReviewPages.ticket(session: session, thread: try staffTicket(parameters, context: context), error: nil))
        }

        router.add("POST", "/platform/tickets/{id}/reply") { request, parameters, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            let form = try context.verifiedForm(request, session: session)
            let thread = try staffTicket(parameters, context: context)
            switch SupportTicketForm.message(form["message"] ?? "") {
            case .failure(let problem):
                return .page(ReviewPages.ticket(session: session, thread: thread, error: L(problem.problem)), status: 422)
            case .success(let body):
                let portal = context.services.portal
                guard try portal.tickets.replyAsStaff(to: thread.ticket.id, authorName: "CatalystWells support", body: body, now: context.now)
                else { throw HTTPError.notFound() }
                if let contact = try portal.review.developerContact(thread.ticket.developer) {
                    // In the developer's saved language, else the staff member's (``MailLanguage``).
                    let reply = ReviewMail.ticketReply(
                        developerName: contact.name, subject: thread.ticket.subject, body: body,
                        link: "\(context.services.configuration.developersURL)/support/\(thread.ticket.id)",
                        language: MailLanguage.of(developer: contact.language))
                    mail(context) { try context.services.mailer.send(to: contact.email, subject: reply.subject, body: reply.text) }
                }
                return .seeOther("/platform/tickets/\(thread.ticket.id)")
            }
        }
    }

    private static func dashboard(
        session: SignedIn, context: RequestContext, notice: Layout.Notice?, report: String?, status: Int = 200
    ) throws -> HTTPResponse {
        let portal = context.services.portal
        // Those main already holds a confirmation for (the portal's copy was not written) are not asked again.
        let waiting = try portal.syncSource.credentialsAwaitingConfirmation(limit: maximumListedCredentials)
        let confirmed = try context.services.syncTarget.attestedCredentialDigests(waiting.map(\.digest))
        return .page(
            ReviewPages.dashboard(
                session: session, queue: try portal.review.reviewQueue(), credentials: waiting.filter { !confirmed.contains($0.digest) },
                tickets: try portal.tickets.ticketsForStaff().count, notice: notice, syncReport: report),
            status: status)
    }

    /// Most waiting credentials the dashboard lists at once (oldest first).
    static let maximumListedCredentials = 100

    /// Records an admin's confirmation of a new client secret or API key (``CredentialAttestation``) in main,
    /// then marks it in the developers database and asks for a sync. The form names the digest the admin was
    /// shown: a credential that was revoked, or whose app is no longer approved, or whose row changed meanwhile,
    /// is not confirmed (409).
    private static func confirmCredential(
        _ parameters: RouteParameters, digest: String, session: SignedIn, context: RequestContext
    ) throws -> HTTPResponse {
        guard let kind = parameters["kind"].flatMap(CredentialAttestation.Kind.init(rawValue:)),
            let id = parameters["id"].flatMap({ Int64($0) }), id > 0
        else { throw HTTPError.notFound() }
        let conflict = { (text: String) throws -> HTTPResponse in
            try dashboard(session: session, context: context, notice: .init(kind: .bad, text: text), report: nil, status: 409)
        }
        guard let credential = try context.services.portal.syncSource.activeCredential(kind, id: id) else {
            return try conflict(L("review.conflict.revoked"))
        }
        guard let shown = PendingCredential.digest(hex: digest), SecretToken.constantTimeEquals(shown, credential.digest) else {
            return try conflict(L("review.conflict.changed"))
        }
        let attestation = credential.attestation
        do {
            try context.services.syncTarget.recordCredentialAttestation(attestation, decidedBy: session.user.id, now: context.now)
        } catch let error as StoreError where error.kind == .duplicate {
            context.logger.critical(
                "a credential's digest is confirmed for another app; refused",
                metadata: ["application.id": "\(credential.application)", "credential.kind": "\(kind.rawValue)"])
            return try conflict(L("review.conflict.duplicate"))
        }
        try context.services.portal.syncSource.markCredentialConfirmed(attestation, now: context.now)
        try context.audit(
            .reviewDecision, by: session, detail: "application \(credential.application): \(kind.rawValue) \(id) confirmed")
        context.logger.notice(
            "credential confirmed",
            metadata: [
                "application.id": "\(credential.application)", "credential.kind": "\(kind.rawValue)", "credential.id": "\(id)",
                "user.id": "\(session.user.id)",
            ])
        return .seeOther("/platform?done=confirmed")
    }

    private static func reviewedApp(_ parameters: RouteParameters, context: RequestContext) throws -> StoredApplication {
        guard let id = parameters["id"].flatMap(ApplicationID.init), let app = try context.services.portal.review.applicationForReview(id)
        else { throw HTTPError.notFound() }
        return app
    }

    private static func staffDeveloper(_ parameters: RouteParameters, context: RequestContext) throws -> StaffDeveloperListing {
        guard let id = parameters["id"].flatMap(DeveloperID.init), let developer = try context.services.portal.review.developerForStaff(id)
        else { throw HTTPError.notFound() }
        return developer
    }

    /// Suspends or reinstates a developer account: the state the page showed must still hold (else 409 with
    /// the current one), sessions end with a suspension, and the developer is mailed.
    private static func decide(
        _ event: DeveloperAccount.LifecycleEvent, on developer: StaffDeveloperListing, loadedIn state: String?, session: SignedIn,
        context: RequestContext
    ) throws -> HTTPResponse {
        let page = { (current: StaffDeveloperListing, problem: String, status: Int) throws -> HTTPResponse in
            .page(
                ReviewPages.developer(
                    session: session, developer: current, history: try context.services.portal.review.developerAccountHistory(current.id),
                    problem: problem, notice: nil),
                status: status)
        }
        let conflict =
            L("review.account_changed")
        guard state == developer.state.rawValue else { return try page(developer, conflict, 409) }
        let outcome: DeveloperAccount.LifecycleOutcome
        switch developer.state.transition(event, account: developer.id, by: .platformAdmin(session.user.id), at: context.now) {
        case .success(let value): outcome = value
        case .failure(.invalidReason):
            return try page(developer, L("review.reason_needed", ["limit": SchoolAdminPages.number(DeveloperAccount.maximumReasonLength)]), 422)
        case .failure:
            return try page(developer, L("review.not_applicable", ["state": developer.state.rawValue]), 422)
        }
        let portal = context.services.portal
        guard
            try portal.review.applyDeveloperLifecycle(
                outcome, to: developer.id, from: developer.state, actorName: session.user.displayName, now: context.now)
        else {
            return try page(try portal.review.developerForStaff(developer.id) ?? developer, conflict, 409)
        }
        let done = outcome.state == .suspended ? "suspended" : "reinstated"
        try context.audit(.reviewDecision, by: session, detail: "developer \(developer.id) (\(developer.email)): \(done)")
        context.logger.notice(
            "developer account \(done)",
            metadata: ["developer.id": "\(developer.id)", "user.id": "\(session.user.id)"])
        for effect in outcome.effects {
            guard
                let message = ReviewMail.account(
                    effect, name: developer.name, developersURL: context.services.configuration.developersURL,
                    language: MailLanguage.of(developer: developer.language))
            else { continue }
            mail(context) { try context.services.mailer.send(to: developer.email, subject: message.subject, body: message.text) }
        }
        return .seeOther("/platform/developers/\(developer.id)?done=\(done)")
    }

    private static func staffTicket(_ parameters: RouteParameters, context: RequestContext) throws -> SupportTicketThread {
        guard let id = parameters["id"].flatMap(TicketID.init), let thread = try context.services.portal.tickets.ticketForStaff(id)
        else { throw HTTPError.notFound() }
        return thread
    }

    private static func appPage(
        session: SignedIn, app: StoredApplication, problems: [String], notice: Layout.Notice?, context: RequestContext, status: Int = 200
    ) throws -> HTTPResponse {
        let portal = context.services.portal
        var problems = problems
        if let current = ReviewAttestation(application: app.id, clientID: app.clientID, after: app.review),
            try context.services.syncTarget.reviewAttestations(of: [app.id])[app.id] != current
        {
            problems.append(
                L("review.live_drift")
            )
        }
        return .page(
            ReviewPages.application(
                session: session, app: app, developer: try portal.review.developerContact(app.review.owner),
                history: try portal.review.reviewHistory(of: app.id), problems: problems, notice: notice),
            status: status)
    }

    /// Renders ``ReviewDecisionFlow``'s outcome: the decision's page with its conflict or problem, or mail to the
    /// developer and back to the app.
    private static func decide(
        _ event: ApplicationReview.Event, on app: StoredApplication, version: String?, session: SignedIn, context: RequestContext
    ) throws -> HTTPResponse {
        let portal = context.services.portal
        let conflict =
            L("review.app_changed")
        let current = { try portal.review.applicationForReview(app.id) ?? app }
        let flow = ReviewDecisionFlow(applications: portal.applications, attestations: context.services.syncTarget)
        switch try flow.run(
            event, on: app, loadedVersion: version.flatMap(Int64.init), admin: session.user.id, adminName: session.user.displayName,
            now: context.now)
        {
        case .invalid(let message):
            return try appPage(session: session, app: app, problems: [L(message)], notice: nil, context: context, status: 422)
        case .conflict:
            return try appPage(session: session, app: try current(), problems: [conflict], notice: nil, context: context, status: 409)
        case .notFound:
            throw HTTPError.notFound()
        case .notRecorded(let detail):
            context.logger.error(
                "review decision saved but not recorded in main", metadata: ["application.id": "\(app.id)", "error.detail": "\(detail)"])
            return try appPage(
                session: session, app: try current(),
                problems: [
                    L("review.not_recorded")
                ],
                notice: nil, context: context, status: 503)
        case .decided(let notices):
            try context.audit(
                .reviewDecision, by: session, detail: "application \(app.id) (\(app.review.currentContent.name)): \(event.kind.rawValue)")
            context.logger.notice(
                "application review decision",
                metadata: ["application.id": "\(app.id)", "review.event": "\(event.kind.rawValue)", "user.id": "\(session.user.id)"])
            if !notices.isEmpty, let contact = try portal.review.developerContact(app.review.owner) {
                let link = "\(context.services.configuration.developersURL)/apps/\(app.id)"
                let language = MailLanguage.of(developer: contact.language)
                for notice in notices {
                    let (subject, text) = ReviewMail.application(notice, name: app.review.currentContent.name, language: language)
                    let body = ReviewMail.decision(name: contact.name, text: text, link: link, language: language)
                    mail(context) { try context.services.mailer.send(to: contact.email, subject: subject, body: body) }
                }
            }
            return .seeOther("/platform/apps/\(app.id)?done=\(event.kind.rawValue)")
        }
    }

    /// A mail failure is logged; the decision stands.
    private static func mail(_ context: RequestContext, _ send: () throws -> Void) {
        do { try send() } catch { context.logger.error("review mail failed", metadata: ["error.detail": "\(error)"]) }
    }
}
