import Domain
import Foundation

/// A developer's applications: create and edit (with a logo upload), submit, withdraw, discard
/// a pending change, and the public logo images.
///
/// Every app URL carries the row id; the store answers only for the signed-in owner, so another developer's
/// app is a 404 exactly like a missing one. Every save goes through ``ApplicationReview`` and is written with
/// the version the page was loaded at: a save from a stale tab is refused with a message, never merged.
enum PortalAppRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/apps") { request, _, context in
            let session = try context.requireDeveloper(request)
            return .page(PortalAppPages.list(session: session, apps: try context.services.portal.applications.applications(of: session.account.id)))
        }

        router.add("GET", "/apps/new") { request, _, context in
            let session = try context.requireDeveloper(request)
            let memberships = try context.services.portal.organisations.organisations(of: session.account.id)
            let choice = PortalAppPages.organisationChoice(teamsForNewApps(memberships), chosen: "")
            return .page(
                PortalAppPages.form(
                    session: session, title: "Create an app", action: "/apps", version: nil, values: .init(), errors: [:],
                    organisationChoice: choice))
        }

        router.add("POST", "/apps") { request, _, context in
            let session = try context.requireDeveloper(request)
            let upload = try readForm(request, context: context, keepLogo: nil)
            let form = upload.form
            let memberships = try context.services.portal.organisations.organisations(of: session.account.id)
            let teams = teamsForNewApps(memberships)
            func again(_ errors: SchoolworkForms.FieldErrors) -> HTTPResponse {
                let (values, errors) = unsaved(upload, errors, keepLogo: nil)
                return .page(
                    PortalAppPages.form(
                        session: session, title: "Create an app", action: "/apps", version: nil, values: values, errors: errors,
                        organisationChoice: PortalAppPages.organisationChoice(teams, chosen: upload.organisation)),
                    status: 422)
            }
            // Personal by default; another organisation only where the developer may create apps (a member without
            // the role gets 403, a non-member 404, as for every team page). The store checks the role again.
            var organisation: OrganisationID?
            if !upload.organisation.isEmpty {
                guard let id = OrganisationID(upload.organisation), let membership = memberships.first(where: { $0.id == id }) else {
                    throw HTTPError.notFound()
                }
                guard membership.role.permits(.editApp) else { throw HTTPError(status: 403, code: "forbidden", notAllowedToCreate) }
                organisation = membership.isPersonal ? nil : id
            }
            if let logoProblem = upload.logoProblem { return again(["logo": logoProblem]) }
            let draft: ApplicationDraft
            switch form.validate() {
            case .failure(let errors): return again(errors)
            case .success(let valid): draft = valid
            }
            if let problem = try store(upload.newLogo, by: session, context: context) { return again(["logo": Message(verbatim: problem)]) }
            var generator = SystemRandomNumberGenerator()
            // A duplicate of 128 random bits is not expected; draw again rather than fail if it happens.
            for _ in 0..<3 {
                do {
                    guard
                        let id = try context.services.portal.applications.createApplication(
                            owner: session.account.id, in: organisation, clientID: ApplicationClientID.make(using: &generator), draft: draft,
                            now: context.now)
                    else { throw HTTPError(status: 403, code: "forbidden", notAllowedToCreate) }
                    context.logger.info("application created", metadata: ["developer.id": "\(session.account.id)", "application.id": "\(id)"])
                    return .seeOther("/apps/\(id)?done=created")
                } catch let error as StoreError where error.kind == .duplicate {
                    continue
                }
            }
            throw HTTPError(status: 500, code: "server_error", "The app could not be created; try again.", logDetail: "client id collisions")
        }

        router.add("GET", "/apps/{id}") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let app = try ownApp(parameters, session: session, context: context)
            // The Activity's page: `before`/`after` a row's cursor (keyset paging, ActivityCursor).
            guard let page = ActivityPageRequest(before: request.query["before"], after: request.query["after"]) else {
                throw HTTPError(status: 400, code: "invalid_request", L("portal.activity.bad_page"))
            }
            return try detailPage(
                session: session, app: app, problems: [], notice: notice(request.query["done"]), context: context, activityPage: page)
        }

        router.add("GET", "/apps/{id}/edit") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let app = try ownApp(parameters, session: session, context: context, may: .editApp)
            guard let content = app.review.editableContent else { return .seeOther("/apps/\(app.id)") }
            return .page(editForm(session: session, app: app, values: .init(content), errors: [:]))
        }

        router.add("POST", "/apps/{id}/edit") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let app = try ownApp(parameters, session: session, context: context, may: .editApp)
            let keepLogo = app.review.editableContent?.logoSHA256
            let upload = try readForm(request, context: context, keepLogo: keepLogo)
            func again(_ errors: SchoolworkForms.FieldErrors) -> HTTPResponse {
                let (values, errors) = unsaved(upload, errors, keepLogo: keepLogo)
                return .page(editForm(session: session, app: app, values: values, errors: errors), status: 422)
            }
            if let logoProblem = upload.logoProblem { return again(["logo": logoProblem]) }
            let draft: ApplicationDraft
            switch upload.form.validate() {
            case .failure(let errors): return again(errors)
            case .success(let valid): draft = valid
            }
            if let problem = try store(upload.newLogo, by: session, context: context) { return again(["logo": Message(verbatim: problem)]) }
            return try apply(.edit(draft), to: app, version: upload.version, session: session, context: context, done: "saved")
        }

        for (path, event, done) in [
            ("submit", ApplicationReview.Event.submit, "submitted"), ("withdraw", .withdraw, "withdrawn"), ("discard", .discardChange, "discarded"),
        ] {
            router.add("POST", "/apps/{id}/\(path)") { request, parameters, context in
                let session = try context.requireDeveloper(request)
                let form = try context.verifiedForm(request, developer: session)
                let app = try ownApp(parameters, session: session, context: context, may: .editApp)
                return try apply(event, to: app, version: form["version"], session: session, context: context, done: done)
            }
        }
    }

    /// The app of the URL if the developer is a member of its organisation; 404 otherwise (an app of an
    /// organisation they do not belong to looks missing). A member whose role does not permit `action` gets 403
    /// (they can see the app exists); the store checks the role again in the statement that writes.
    static func ownApp(
        _ parameters: RouteParameters, session: DeveloperSignedIn, context: RequestContext, may action: OrganisationAction = .viewApp
    ) throws -> StoredApplication {
        guard let id = parameters["id"].flatMap(ApplicationID.init),
            let app = try context.services.portal.applications.application(id, owner: session.account.id)
        else { throw HTTPError.notFound() }
        guard app.role?.permits(action) == true else { throw HTTPError.roleForbids(action) }
        return app
    }

    private static func editForm(
        session: DeveloperSignedIn, app: StoredApplication, values: PortalAppPages.FormValues, errors: SchoolworkForms.FieldErrors,
        notice: Layout.Notice? = nil
    ) -> HTML {
        let intro: HTML =
            app.review.status == .approved
            ? "<p class=\"notice\" id=\"change-note\">This app is live. Your edits become a pending change that is reviewed again; until it is approved, users keep seeing the approved version.</p>"
            : ""
        return PortalAppPages.form(
            session: session, title: "Edit \(app.review.currentContent.name)", action: "/apps/\(app.id)/edit", version: app.version,
            values: values, errors: errors, notice: notice, intro: intro)
    }

    /// Runs an event through the review rules and saves the outcome at the version the form was loaded with
    /// (its `version` field).
    private static func apply(
        _ event: ApplicationReview.Event, to app: StoredApplication, version field: String?, session: DeveloperSignedIn,
        context: RequestContext, done: String
    ) throws -> HTTPResponse {
        guard let version = field.flatMap(Int64.init) else {
            throw HTTPError(status: 400, code: "invalid_request", "The form is missing its version; reload the page and try again.")
        }
        guard version == app.version else { return try conflict(app, session: session, context: context) }
        switch app.review.transition(event, by: .developer(session.account.id), at: context.now) {
        case .failure(let error):
            var problems = [L(error.problem)]
            if let fields = error.fieldProblems { problems = fields.problems.sorted { $0.key < $1.key }.map { L($0.value) } }
            return try detailPage(session: session, app: app, problems: problems, notice: nil, context: context, status: 422)
        case .success(let outcome):
            switch try context.services.portal.applications.applyTransition(
                outcome, to: app.id, expectedVersion: version, actorName: session.account.name, now: context.now)
            {
            case .saved: break
            case .conflict: return try conflict(app, session: session, context: context)
            case .notFound: throw HTTPError.notFound()
            }
            context.logger.info(
                "application \(event.kind.rawValue)", metadata: ["developer.id": "\(session.account.id)", "application.id": "\(app.id)"])
            return .seeOther("/apps/\(app.id)?done=\(done)")
        }
    }

    private static func conflict(_ app: StoredApplication, session: DeveloperSignedIn, context: RequestContext) throws -> HTTPResponse {
        let current = try context.services.portal.applications.application(app.id, owner: session.account.id) ?? app
        return try detailPage(
            session: session, app: current,
            problems: [
                L("portal.msg.conflict")
            ],
            notice: nil, context: context, status: 409)
    }

    private static func detailPage(
        session: DeveloperSignedIn, app: StoredApplication, problems: [String], notice: Layout.Notice?, context: RequestContext, status: Int = 200,
        activityPage: ActivityPageRequest = .newest
    ) throws -> HTTPResponse {
        let history = try context.services.portal.applications.history(of: app.id, owner: session.account.id) ?? []
        let activity =
            try context.services.portal.applications.activity(
                of: app.id, member: session.account.id, page: activityPage, limit: ActivityDetail.pageLimit)
            ?? ActivityPage(entries: [], older: nil, newer: nil)
        return .page(
            PortalAppPages.detail(session: session, app: app, history: history, activity: activity, problems: problems, notice: notice),
            status: status)
    }

    private static var notAllowedToCreate: String { L("portal.msg.not_allowed_to_create") }

    /// The organisations other than the personal one where the developer's role permits creating apps.
    private static func teamsForNewApps(_ memberships: [OrganisationMembership]) -> [OrganisationMembership] {
        memberships.filter { !$0.isPersonal && $0.role.permits(.editApp) }
    }

    private static func notice(_ done: String?) -> Layout.Notice? {
        let text: String? =
            switch done {
            case "created": L("portal.msg.app.created")
            case "saved": L("portal.msg.app.saved")
            case "submitted": L("portal.msg.app.submitted")
            case "withdrawn": L("portal.msg.app.withdrawn")
            case "discarded": L("portal.msg.app.discarded")
            default: nil
            }
        return text.map { .init(kind: .ok, text: $0) }
    }

    private static func multipart(_ request: HTTPRequest) throws -> MultipartForm {
        do {
            return try MultipartForm(contentType: request.headers["content-type"], body: request.body)
        } catch let error as MultipartForm.Failure {
            throw HTTPError(status: 400, code: "invalid_request", error.message)
        }
    }

    /// The multipart app form as read: the fields, a new logo upload that passed inspection (not stored yet),
    /// the upload's problem if it did not, and the `version` field.
    private struct Upload {
        let form: ApplicationForm
        let newLogo: ApplicationLogo?
        let logoProblem: Message?
        let version: String?
        /// The new-app form's organisation choice: empty for the personal organisation.
        let organisation: String
    }

    /// Reads the multipart app form (with its `version` field) after the CSRF checks. A logo upload is inspected by
    /// content (never by its name or declared type) but not stored: ``store(_:by:context:)`` stores it once the
    /// whole form is valid. Without an upload the form keeps `keepLogo` (the stored app's logo) unless the page
    /// sent none; a digest naming another app's logo is kept only while some application refers to it.
    private static func readForm(_ request: HTTPRequest, context: RequestContext, keepLogo: String?) throws -> Upload {
        let body = try multipart(request)
        try context.checkCSRF(request, submitted: body["csrf"], signedIn: true)
        var logoSHA256 = body["logo_sha256"].flatMap { $0.isEmpty ? nil : $0 }
        if let kept = logoSHA256, kept != keepLogo, try context.services.portal.logos.logo(sha256: kept, reach: .anyApplication) == nil {
            logoSHA256 = nil
        }
        var logoProblem: Message?
        var newLogo: ApplicationLogo?
        if let upload = body.files.first(where: { $0.fieldName == "logo" }), !upload.content.isEmpty {
            switch LogoImage.inspect(upload.content) {
            case .failure(let problem): logoProblem = problem.problem
            case .success(let image):
                let logo = ApplicationLogo(bytes: upload.content, image: image)
                newLogo = logo
                logoSHA256 = logo.sha256
            }
        }
        var form = ApplicationForm(
            name: body["name"] ?? "", description: body["description"] ?? "", homepageURL: body["homepage_url"] ?? "",
            privacyPolicyURL: body["privacy_policy_url"] ?? "", termsURL: body["terms_url"] ?? "", redirectURIs: body["redirect_uris"] ?? "",
            scopes: body.all("scopes"), clientType: body["client_type"] ?? "", logoSHA256: logoSHA256,
            declarations: ScopeRegistry.standard.definitions.map { scope in
                let name = scope.name
                return DataDeclarationForm(
                    scope: name, purpose: body["purpose.\(name)"] ?? "", retention: body["retention.\(name)"] ?? "",
                    retentionDays: body["retention_days.\(name)"] ?? "", shares: body["shares.\(name)"] ?? "",
                    subProcessors: body["subprocessors.\(name)"] ?? "")
            })
        form.tokenEndpointAuthMethod = body["token_endpoint_auth_method"] ?? ""
        form.jwks = body["jwks"] ?? ""
        form.jwksURI = body["jwks_uri"] ?? ""
        form.requirePAR = body["require_par"] == "1"
        form.requireDPoP = body["dpop_bound_access_tokens"] == "1"
        form.postLogoutRedirectURIs = body["post_logout_redirect_uris"] ?? ""
        form.backchannelLogoutURI = body["backchannel_logout_uri"] ?? ""
        form.backchannelLogoutSessionRequired = body["backchannel_logout_session_required"] == "1"
        form.idTokenSignedResponseAlg = body["id_token_signed_response_alg"] ?? ""
        form.lti = LTIToolForm(
            isTool: body[LTIToolSettings.Field.isTool] == "1", loginInitiationURL: body[LTIToolSettings.Field.loginInitiationURL] ?? "",
            targetLinkURI: body[LTIToolSettings.Field.targetLinkURI] ?? "", redirectURIs: body[LTIToolSettings.Field.redirectURIs] ?? "",
            deepLinkingURL: body[LTIToolSettings.Field.deepLinkingURL] ?? "")
        return Upload(
            form: form, newLogo: newLogo, logoProblem: logoProblem, version: body["version"], organisation: body["organisation"] ?? "")
    }

    /// What a refused form shows again: its values with the logo it had before (a new upload was not stored, so
    /// the page cannot show it), and a word on the logo field when an upload was dropped.
    private static func unsaved(
        _ upload: Upload, _ errors: SchoolworkForms.FieldErrors, keepLogo: String?
    ) -> (PortalAppPages.FormValues, SchoolworkForms.FieldErrors) {
        var values = PortalAppPages.FormValues(upload.form)
        var errors = errors
        if upload.newLogo != nil {
            values.logoSHA256 = keepLogo
            if errors["logo"] == nil { errors["logo"] = Message(verbatim: L("portal.msg.logo_again")) }
        }
        return (values, errors)
    }

    /// Stores a valid form's new logo, within the developer's upload quota (``LogoQuota``); the quota's problem
    /// for the logo field when it is used up.
    private static func store(_ logo: ApplicationLogo?, by session: DeveloperSignedIn, context: RequestContext) throws -> String? {
        guard let logo else { return nil }
        let logos = context.services.portal.logos
        let recent = try logos.uploadCount(by: session.account.id, since: context.now.addingTimeInterval(-LogoQuota.window))
        // Past the quota, only bytes some application already shows may be stored (again).
        if recent >= LogoQuota.uploads, try logos.logo(sha256: logo.sha256, reach: .anyApplication) == nil {
            return L("portal.msg.logo_quota", count: LogoQuota.uploads)
        }
        try logos.storeLogo(logo, uploadedBy: session.account.id, now: context.now)
        return nil
    }
}

extension HTTPResponse {
    /// An uploaded logo with its recognised type and `nosniff`, so a browser never reinterprets the bytes.
    /// Named by the digest of its bytes, it never changes: cacheable for a year.
    static func logo(_ logo: ApplicationLogo) -> HTTPResponse {
        var response = HTTPResponse(status: 200, body: logo.bytes)
        response.headers.set("Content-Type", logo.image.format.contentType)
        response.headers.set("X-Content-Type-Options", "nosniff")
        response.headers.set("Cache-Control", "public, max-age=31536000, immutable")
        return response
    }
}
