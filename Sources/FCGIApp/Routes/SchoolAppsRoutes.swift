import Domain
import Foundation

/// `GET /school/apps` and `POST /school/apps/{client_id}`: a school admin allows or blocks apps for their school,
/// optionally limiting the scopes the school's users may grant; sees each app's data label; records the
/// school's data-privacy agreement with each app (`POST /school/agreements`, multipart with the signed PDF;
/// `GET /school/agreements/{client_id}/document`; `POST /school/agreements/{client_id}/remove`) and chooses
/// whether agreements are required and whether expiry blocks (`POST /school/agreement-settings`); and chooses whether
/// grades apps write through the OneRoster gradebook service are drafts or published at once (`POST
/// /school/gradebook-settings`).
///
/// Everything is the admin's own school's: another school's agreement or document is a 404.
enum SchoolAppsRoutes {
    /// The agreement upload path (nginx and ``RequestLimits/uploadPaths`` allow it a larger body).
    static let agreementUploadPath = "/school/agreements"

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/school/apps") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let notice: Layout.Notice? =
                switch request.query["saved"] {
                case "blocked": .init(kind: .ok, text: L("apps.blocked_notice"))
                case "allowed": .init(kind: .ok, text: L("apps.allowed_notice"))
                case "agreement": .init(kind: .ok, text: L("apps.agreement_saved"))
                case "agreement-removed": .init(kind: .ok, text: L("apps.agreement_removed"))
                case "settings": .init(kind: .ok, text: L("apps.settings_saved"))
                case "gradebook": .init(kind: .ok, text: L("apps.gradebook_saved"))
                default: nil
                }
            return try listPage(session: session, school: school, notice: notice, context: context)
        }

        router.add("POST", "/school/apps/{client}") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let client = try activeClient(parameters["client"], context: context)
            guard let status = form["status"].flatMap(SchoolAppPolicy.Status.init(rawValue:)) else {
                throw HTTPError(status: 400, code: "invalid_request", L("apps.choose_status"))
            }
            let ticked = Set(form.pairs.filter { $0.name == "scope" }.map(\.value))
            let offered = client.allowedScopes.filter { ScopeRegistry.standard.definition(named: $0) != nil }
            guard ticked.isSubset(of: offered) else {
                throw HTTPError(status: 400, code: "invalid_request", L("apps.scope_not_offered"))
            }
            // First-party clients are the installation's own: no agreement is asked for them.
            if status == .allowed, !client.firstParty {
                let agreements = context.services.api.agreements
                if let refusal = try agreements.settings(school: school).refusalToAllow(
                    agreements.agreement(school: school, client: client.clientID), appName: client.name, on: CalendarDate(context.now))
                {
                    return try listPage(session: session, school: school, notice: .init(kind: .bad, text: refusal), context: context, status: 409)
                }
            }
            // Every offered scope ticked means no limit, so scopes the app is granted later are not silently excluded.
            let limit: Set<String>? = ticked == offered ? nil : ticked
            let revoked = try context.services.api.appPolicies.setPolicy(
                SchoolAppPolicy(status: status, scopeLimit: limit), school: school, client: client.clientID, by: session.user.id,
                now: context.now)
            try context.audit(
                .appDecision, request, by: session, subject: nil,
                detail:
                    "\(client.clientID): \(status.rawValue)\(limit.map { " (scopes: \($0.sorted().joined(separator: " ")))" } ?? ""), \(revoked) grants revoked"
            )
            context.logger.info(
                "school app policy changed",
                metadata: [
                    "oauth.client_id": "\(client.clientID)", "school.id": "\(school)", "policy.status": "\(status.rawValue)",
                    "oauth.grants_revoked": "\(revoked)",
                ])
            return .seeOther("/school/apps?saved=\(status.rawValue)")
        }

        router.add("POST", agreementUploadPath) { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let body: MultipartForm
            do {
                body = try MultipartForm(contentType: request.headers["content-type"], body: request.body)
            } catch let error as MultipartForm.Failure {
                throw HTTPError(status: 400, code: "invalid_request", error.message)
            }
            try context.checkCSRF(request, submitted: body["csrf"], signedIn: true)
            let client = try activeClient(body["client_id"], context: context)
            let form = AppAgreementForm(kind: body["kind"] ?? "", signedOn: body["signed_on"] ?? "", expiresOn: body["expires_on"] ?? "")
            var errors: SchoolworkForms.FieldErrors = [:]
            var document: AgreementDocument?
            if let upload = body.files.first(where: { $0.fieldName == "document" }), !upload.content.isEmpty {
                switch AgreementDocument.inspect(upload.content) {
                case .success(let value): document = value
                case .failure(let problem): errors["document"] = problem.message
                }
            }
            let today = CalendarDate(context.now)
            switch form.validate(today: today) {
            case .failure(let problems):
                for (field, message) in problems.messages { errors[field] = message }
            case .success(let valid) where errors.isEmpty:
                try context.services.api.agreements.saveAgreement(
                    school: school, client: client.clientID, kind: valid.kind, signedOn: valid.signedOn, expiresOn: valid.expiresOn,
                    document: document, keepDocument: true, by: session.user.id, now: context.now)
                try context.audit(
                    .agreementChanged, request, by: session, subject: nil,
                    detail:
                        "\(client.clientID): \(valid.kind), signed \(valid.signedOn), \(valid.expiresOn.map { "expires \($0)" } ?? "no expiry")\(document.map { ", document \($0.summary.sha256.prefix(16)) (\($0.summary.size) bytes)" } ?? "")"
                )
                context.logger.info("school app agreement saved", metadata: ["oauth.client_id": "\(client.clientID)", "school.id": "\(school)"])
                return .seeOther("/school/apps?saved=agreement")
            case .success:
                break
            }
            return try listPage(
                session: session, school: school, notice: .init(kind: .bad, text: L("apps.agreement_not_saved")),
                context: context, problems: (client.clientID, errors, form), status: 422)
        }

        router.add("GET", "/school/agreements/{client}/document") { request, parameters, context in
            let (_, school) = try SchoolAdminRoutes.authorize(request, context)
            guard let raw = parameters["client"], raw.utf8.count <= AuthorizationChecks.maximumClientIDLength,
                let document = try context.services.api.agreements.document(school: school, client: ClientID(raw))
            else { throw HTTPError.notFound() }
            var response = HTTPResponse(status: 200, body: document.bytes)
            response.headers.set("Content-Type", "application/pdf")
            // An attachment with nosniff: the browser saves the file and never renders it on the site's origin.
            response.headers.set("Content-Disposition", "attachment; filename=\"agreement.pdf\"")
            response.headers.set("X-Content-Type-Options", "nosniff")
            response.headers.set("Cache-Control", "no-store")
            return response
        }

        router.add("POST", "/school/agreements/{client}/remove") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            guard let raw = parameters["client"], raw.utf8.count <= AuthorizationChecks.maximumClientIDLength,
                try context.services.api.agreements.removeAgreement(school: school, client: ClientID(raw))
            else { throw HTTPError.notFound() }
            try context.audit(.agreementChanged, request, by: session, subject: nil, detail: "\(raw): removed")
            // A school that requires agreements applies the requirement again: the app, now without one, is cut off
            // at once if it was allowed or is still connected.
            let agreements = context.services.api.agreements
            let settings = try agreements.settings(school: school)
            if settings.requireAgreement {
                for client in try agreements.setSettings(settings, school: school, by: session.user.id, now: context.now) {
                    try context.audit(.appBlockedByPolicy, request, by: session, subject: nil, detail: "\(client.rawValue): no current agreement")
                }
            }
            return .seeOther("/school/apps?saved=agreement-removed")
        }

        router.add("POST", "/school/agreement-settings") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let settings = AgreementSettings(requireAgreement: form["require_agreement"] == "1", blockOnExpiry: form["block_on_expiry"] == "1")
            let blocked = try context.services.api.agreements.setSettings(settings, school: school, by: session.user.id, now: context.now)
            try context.audit(
                .agreementChanged, request, by: session, subject: nil,
                detail:
                    "settings: require agreement \(settings.requireAgreement ? "on" : "off"), block on expiry \(settings.blockOnExpiry ? "on" : "off")"
            )
            // The requirement ended the connections of apps without a current agreement at once.
            for client in blocked {
                try context.audit(.appBlockedByPolicy, request, by: session, subject: nil, detail: "\(client.rawValue): no current agreement")
            }
            return .seeOther("/school/apps?saved=settings")
        }

        router.add("POST", "/school/gradebook-settings") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            guard let publication = form["app_results"].flatMap(AppResultsPublication.init(rawValue:)) else {
                throw HTTPError(
                    status: 400, code: "invalid_request",
                    L("apps.choose_results"))
            }
            try context.services.api.gradebookSettings.setAppResultsPublication(publication, school: school, by: session.user.id, now: context.now)
            try context.audit(.gradebookSettingChanged, request, by: session, subject: nil, detail: "grades from apps: \(publication.rawValue)")
            return .seeOther("/school/apps?saved=gradebook")
        }
    }

    /// The active client a form or URL names; 404 otherwise.
    private static func activeClient(_ raw: String?, context: RequestContext) throws -> OAuthClient {
        guard let raw, raw.utf8.count <= AuthorizationChecks.maximumClientIDLength,
            let client = try context.services.oauth.clients.client(ClientID(raw)), client.status == .active
        else { throw HTTPError.notFound() }
        return client
    }

    private static func listPage(
        session: SignedIn, school: SchoolID, notice: Layout.Notice?, context: RequestContext,
        problems: (client: ClientID, errors: SchoolworkForms.FieldErrors, form: AppAgreementForm)? = nil, status: Int = 200
    ) throws -> HTTPResponse {
        let api = context.services.api
        let entries = try api.appPolicies.apps(for: school)
        let pageContext = SchoolAppsPages.Context(
            agreements: try api.agreements.agreements(school: school),
            declarations: try api.declarations.declarations(of: entries.map(\.client.clientID)),
            settings: try api.agreements.settings(school: school),
            appResults: try api.gradebookSettings.appResultsPublication(school: school),
            today: CalendarDate(context.now), agreementProblems: problems)
        return .page(SchoolAppsPages.list(session: session, entries: entries, notice: notice, context: pageContext), status: status)
    }
}
