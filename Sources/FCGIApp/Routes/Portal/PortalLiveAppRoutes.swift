import Domain
import Foundation

/// Credentials, API keys, webhooks and analytics of an approved app.
///
/// These exist only once an app is approved (a suspended app's pages can be read but nothing new is made).
/// Secrets, keys and webhook signing secrets are generated here, shown once in the answer, and stored as a
/// keyed digest (secrets, keys) or sealed with AES-256-GCM (webhook secrets, which must be used to sign).
enum PortalLiveAppRoutes {
    static func register(in router: inout Router<RequestContext>) {
        // Credentials ---------------------------------------------------------------------------------------
        router.add("GET", "/apps/{id}/credentials") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context)
            return try credentialsPage(session: session, app: app, newSecret: nil, error: nil, context: context)
        }

        router.add("POST", "/apps/{id}/secrets") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .manageCredentials)
            guard app.review.currentContent.clientType == .confidential else { throw HTTPError.notFound() }
            let keys = try credentialKeys(context)
            var generator = SystemRandomNumberGenerator()
            let secret = ClientSecret.make(using: &generator)
            switch try context.services.portal.secrets.addClientSecret(
                digest: ClientSecret.digest(secret: secret, key: keys.clientSecretKey), to: app.id, owner: session.account.id, now: context.now)
            {
            case .added:
                context.logger.info("client secret generated", metadata: ["application.id": "\(app.id)"])
                return try credentialsPage(session: session, app: app, newSecret: secret, error: nil, context: context)
            case .limitReached:
                return try credentialsPage(
                    session: session, app: app, newSecret: nil,
                    error: L("portal.msg.two_secrets"), context: context, status: 409)
            case .notFound: throw HTTPError.notFound()
            }
        }

        router.add("POST", "/apps/{id}/secrets/{secret}/revoke") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .manageCredentials, allowSuspended: true)
            guard let secret = parameters["secret"].flatMap(ClientSecretID.init),
                try context.services.portal.secrets.revokeClientSecret(secret, of: app.id, owner: session.account.id, now: context.now)
            else { throw HTTPError.notFound() }
            context.logger.info("client secret revoked", metadata: ["application.id": "\(app.id)"])
            return .seeOther("/apps/\(app.id)/credentials")
        }

        // API keys ------------------------------------------------------------------------------------------
        router.add("GET", "/apps/{id}/keys") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context)
            return try keysPage(session: session, app: app, newKey: nil, name: "", errors: [:], context: context)
        }

        router.add("POST", "/apps/{id}/keys") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .manageCredentials)
            let form = try request.formParameters()
            let name = form["name"] ?? ""
            let valid: (name: String, scopes: [String])
            switch APIKey.validate(name: name, scopes: form.all("scopes"), approvedScopes: grantedScopes(app)) {
            case .failure(let errors):
                return try keysPage(session: session, app: app, newKey: nil, name: name, errors: errors, context: context, status: 422)
            case .success(let fields): valid = fields
            }
            let keys = try credentialKeys(context)
            var generator = SystemRandomNumberGenerator()
            let key = APIKey.make(using: &generator)
            let record = NewAPIKey(
                name: valid.name, scopes: valid.scopes, visiblePrefix: APIKey.visiblePrefix(of: key) ?? APIKey.prefix,
                digest: APIKey.digest(key: key, hmacKey: keys.apiKeyKey))
            guard try context.services.portal.apiKeys.createAPIKey(record, for: app.id, owner: session.account.id, now: context.now) != nil else {
                throw HTTPError.notFound()
            }
            context.logger.info("api key created", metadata: ["application.id": "\(app.id)"])
            return try keysPage(session: session, app: app, newKey: key, name: "", errors: [:], context: context)
        }

        router.add("POST", "/apps/{id}/keys/{key}/revoke") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .manageCredentials, allowSuspended: true)
            guard let key = parameters["key"].flatMap(APIKeyID.init),
                try context.services.portal.apiKeys.revokeAPIKey(key, of: app.id, owner: session.account.id, now: context.now)
            else { throw HTTPError.notFound() }
            return .seeOther("/apps/\(app.id)/keys")
        }

        // Webhooks ------------------------------------------------------------------------------------------
        router.add("GET", "/apps/{id}/webhooks") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context)
            return try webhooksPage(session: session, app: app, newSecret: nil, url: "", events: [], errors: [:], context: context)
        }

        router.add("POST", "/apps/{id}/webhooks") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .editApp)
            let form = try request.formParameters()
            let input = WebhookEndpointForm(url: form["url"] ?? "", events: form.all("events"))
            let valid: (url: String, events: [WebhookEvent])
            switch input.validate() {
            case .failure(let errors):
                return try webhooksPage(
                    session: session, app: app, newSecret: nil, url: input.url, events: input.events, errors: errors, context: context, status: 422)
            case .success(let fields): valid = fields
            }
            guard let keys = context.services.portal.keys else { throw HTTPError.unavailable() }
            var generator = SystemRandomNumberGenerator()
            let secret = WebhookSecret.make(using: &generator)
            let sealed = try KeySealing.seal(
                Array(secret.utf8), key: keys.webhookSealingKey, associatedData: webhookAssociatedData(app.id), using: &generator)
            guard
                try context.services.portal.webhooks.createEndpoint(
                    NewWebhookEndpoint(url: valid.url, events: valid.events, sealedSecret: sealed), for: app.id, owner: session.account.id,
                    now: context.now) != nil
            else { throw HTTPError.notFound() }
            return try webhooksPage(session: session, app: app, newSecret: secret, url: "", events: [], errors: [:], context: context)
        }

        router.add("GET", "/apps/{id}/webhooks/{endpoint}") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context)
            let endpoint = try ownEndpoint(parameters, app: app, session: session, context: context)
            let notice: Layout.Notice? =
                switch request.query["done"] {
                case "ping": .init(kind: .ok, text: L("portal.msg.webhook.ping"))
                case "redeliver": .init(kind: .ok, text: L("portal.msg.webhook.redeliver"))
                case "saved": .init(kind: .ok, text: L("portal.msg.webhook.saved"))
                case "ping-waiting": .init(kind: .bad, text: L("portal.msg.webhook.ping_waiting"))
                case "queue-full":
                    .init(kind: .bad, text: L("portal.msg.webhook.pending", count: maximumManualPending))
                default: nil
                }
            let deliveries = try context.services.portal.webhooks.deliveries(of: endpoint.id, owner: session.account.id, limit: 50, before: nil) ?? []
            return .page(PortalLiveAppPages.endpoint(session: session, app: app, endpoint: endpoint, deliveries: deliveries, notice: notice))
        }

        router.add("POST", "/apps/{id}/webhooks/{endpoint}/test") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .editApp, allowSuspended: true)
            let endpoint = try ownEndpoint(parameters, app: app, session: session, context: context)
            if let busy = try manualDeliveryRefusal(endpoint, ping: true, session: session, context: context) {
                return .seeOther("/apps/\(app.id)/webhooks/\(endpoint.id)?done=\(busy)")
            }
            var generator = SystemRandomNumberGenerator()
            let eventID = "msg_" + SecretToken.base64URL((0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let payload = WebhookPayload.json(type: WebhookEvent.testPingType, at: context.now, data: ["client_id": .text(app.clientID.rawValue)])
            guard
                try context.services.portal.webhooks.enqueueDelivery(
                    NewWebhookDelivery(eventID: eventID, eventType: WebhookEvent.testPingType, payload: payload),
                    to: endpoint.id, owner: session.account.id, now: context.now) != nil
            else { throw HTTPError.notFound() }
            return .seeOther("/apps/\(app.id)/webhooks/\(endpoint.id)?done=ping")
        }

        router.add("POST", "/apps/{id}/webhooks/{endpoint}/deliveries/{delivery}/redeliver") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .editApp, allowSuspended: true)
            let endpoint = try ownEndpoint(parameters, app: app, session: session, context: context)
            if let busy = try manualDeliveryRefusal(endpoint, ping: false, session: session, context: context) {
                return .seeOther("/apps/\(app.id)/webhooks/\(endpoint.id)?done=\(busy)")
            }
            guard let delivery = parameters["delivery"].flatMap(DeliveryID.init),
                try context.services.portal.webhooks.redeliver(delivery, owner: session.account.id, now: context.now) != nil
            else { throw HTTPError.notFound() }
            return .seeOther("/apps/\(app.id)/webhooks/\(endpoint.id)?done=redeliver")
        }

        router.add("POST", "/apps/{id}/webhooks/{endpoint}/settings") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .editApp, allowSuspended: true)
            let endpoint = try ownEndpoint(parameters, app: app, session: session, context: context)
            let form = try request.formParameters()
            let events: [WebhookEvent]
            switch WebhookEndpointForm(url: endpoint.url, events: form.all("events")).validate() {
            case .failure(let errors):
                throw HTTPError(status: 422, code: "invalid_request", errors["events"] ?? "Choose at least one event.")
            case .success(let fields): events = fields.events
            }
            guard
                try context.services.portal.webhooks.updateEndpoint(
                    endpoint.id, owner: session.account.id, url: endpoint.url, events: events, enabled: form["enabled"] == "1", now: context.now)
            else { throw HTTPError.notFound() }
            return .seeOther("/apps/\(app.id)/webhooks/\(endpoint.id)?done=saved")
        }

        router.add("POST", "/apps/{id}/webhooks/{endpoint}/delete") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context, changing: true, may: .editApp, allowSuspended: true)
            let endpoint = try ownEndpoint(parameters, app: app, session: session, context: context)
            guard try context.services.portal.webhooks.deleteEndpoint(endpoint.id, owner: session.account.id, now: context.now) else {
                throw HTTPError.notFound()
            }
            return .seeOther("/apps/\(app.id)/webhooks")
        }

        // Analytics -----------------------------------------------------------------------------------------
        router.add("GET", "/apps/{id}/analytics") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context)
            let (days, rows) = try analytics(app, session: session, context: context)
            return .page(PortalLiveAppPages.analytics(session: session, app: app, days: days, rows: rows))
        }

        router.add("GET", "/apps/{id}/analytics.csv") { request, parameters, context in
            let (session, app) = try liveApp(request, parameters, context: context)
            let (days, rows) = try analytics(app, session: session, context: context)
            let byDay = Dictionary(rows.map { ($0.day, $0) }, uniquingKeysWith: { first, _ in first })
            // A file for scripts and spreadsheets: its column names stay English whatever the page's language.
            let header = ["day"] + MailLanguage.rendering(in: Translations.source) { PortalLiveAppPages.metrics.map(\.title) }
            let lines = days.compactMap { day in
                byDay[day].map { row in [day.description] + PortalLiveAppPages.metrics.map { String($0.value(row)) } }
            }
            var response = HTTPResponse(status: 200, body: Array(AnalyticsCSV.document(header: header, rows: lines).utf8))
            response.headers.set("Content-Type", AnalyticsCSV.contentType)
            response.headers.set("Content-Disposition", "attachment; filename=\"\(app.clientID.rawValue)-analytics.csv\"")
            return response
        }
    }

    /// The signed-in developer's approved (or suspended) app of the URL; other states have none of these
    /// pages (404). A `changing` request is a form post: CSRF-checked, and refused for a suspended app unless
    /// `allowSuspended` (revoking and deleting stay possible).
    private static func liveApp(
        _ request: HTTPRequest, _ parameters: RouteParameters, context: RequestContext, changing: Bool = false,
        may action: OrganisationAction = .viewApp, allowSuspended: Bool = false
    ) throws -> (DeveloperSignedIn, StoredApplication) {
        let session = try context.requireDeveloper(request)
        if changing { _ = try context.verifiedForm(request, developer: session) }
        let app = try PortalAppRoutes.ownApp(parameters, session: session, context: context, may: action)
        switch app.review.status {
        case .approved: return (session, app)
        case .suspended where !changing || allowSuspended: return (session, app)
        case .suspended:
            throw HTTPError(status: 409, code: "suspended", "This app is suspended; nothing new can be created for it until it is reinstated.")
        default: throw HTTPError.notFound()
        }
    }

    /// Most deliveries a developer may have waiting on one endpoint before pings and redeliveries are refused:
    /// manual deliveries share the platform's delivery runs with everyone's events, so one developer cannot
    /// fill the queue (for example towards a slow receiver).
    static let maximumManualPending = 5

    /// Why a ping or redelivery must wait (a `done` code for the page), or `nil`: one test ping waiting at a
    /// time, and at most ``maximumManualPending`` deliveries waiting in all.
    private static func manualDeliveryRefusal(
        _ endpoint: WebhookEndpoint, ping: Bool, session: DeveloperSignedIn, context: RequestContext
    ) throws -> String? {
        let recent = try context.services.portal.webhooks.deliveries(of: endpoint.id, owner: session.account.id, limit: 50, before: nil) ?? []
        let waiting = recent.filter { $0.status == .pending }
        if ping, waiting.contains(where: { $0.eventType == WebhookEvent.testPingType }) { return "ping-waiting" }
        return waiting.count >= maximumManualPending ? "queue-full" : nil
    }

    private static func ownEndpoint(
        _ parameters: RouteParameters, app: StoredApplication, session: DeveloperSignedIn, context: RequestContext
    ) throws -> WebhookEndpoint {
        guard let id = parameters["endpoint"].flatMap(WebhookEndpointID.init),
            let endpoint = try context.services.portal.webhooks.endpoint(id, owner: session.account.id), endpoint.application == app.id
        else { throw HTTPError.notFound() }
        return endpoint
    }

    private static func credentialKeys(_ context: RequestContext) throws -> CredentialKeyMaterial {
        guard let keys = context.services.portal.credentialKeys else {
            throw HTTPError(status: 503, code: "unavailable", "Credentials cannot be made right now.", logDetail: "credential key not loaded")
        }
        return keys
    }

    /// Binds a sealed webhook secret to its app, so a sealed value copied to another app's row does not open.
    static func webhookAssociatedData(_ app: ApplicationID) -> [UInt8] { Array("webhook:\(app.rawValue)".utf8) }

    private static func grantedScopes(_ app: StoredApplication) -> [String] {
        switch app.review.state {
        case .approved(let approved), .suspended(let approved, _): approved.grantedScopes
        default: []
        }
    }

    private static func credentialsPage(
        session: DeveloperSignedIn, app: StoredApplication, newSecret: String?, error: String?, context: RequestContext, status: Int = 200
    ) throws -> HTTPResponse {
        let secrets = try context.services.portal.secrets.clientSecrets(of: app.id, owner: session.account.id) ?? []
        let logouts =
            try context.services.portal.analytics.backchannelDeliveries(
                of: app.id, owner: session.account.id, limit: PortalAppPages.backchannelDeliveriesShown) ?? []
        return .page(
            PortalLiveAppPages.credentials(session: session, app: app, secrets: secrets, newSecret: newSecret, error: error, logouts: logouts),
            status: status)
    }

    private static func keysPage(
        session: DeveloperSignedIn, app: StoredApplication, newKey: String?, name: String, errors: SchoolworkForms.FieldErrors,
        context: RequestContext, status: Int = 200
    ) throws -> HTTPResponse {
        let keys = try context.services.portal.apiKeys.apiKeys(of: app.id, owner: session.account.id) ?? []
        return .page(
            PortalLiveAppPages.apiKeys(
                session: session, app: app, keys: keys, allowedScopes: APIKey.allowedScopes(approvedScopes: grantedScopes(app)), newKey: newKey,
                name: name, errors: errors),
            status: status)
    }

    private static func webhooksPage(
        session: DeveloperSignedIn, app: StoredApplication, newSecret: String?, url: String, events: [String],
        errors: SchoolworkForms.FieldErrors, context: RequestContext, status: Int = 200
    ) throws -> HTTPResponse {
        let endpoints = try context.services.portal.webhooks.endpoints(of: app.id, owner: session.account.id) ?? []
        return .page(
            PortalLiveAppPages.webhooks(
                session: session, app: app, endpoints: endpoints, newSecret: newSecret, url: url, events: events, errors: errors),
            status: status)
    }

    /// The last 30 days (UTC, today included) and their stored rows.
    private static func analytics(
        _ app: StoredApplication, session: DeveloperSignedIn, context: RequestContext
    ) throws -> ([CalendarDate], [DailyAppStats]) {
        let now = context.now
        let days = (0..<30).reversed().map { CalendarDate(now.addingTimeInterval(-Double($0) * 86400)) }
        let rows =
            try context.services.portal.analytics.dailyStats(of: app.id, owner: session.account.id, from: days[0], through: days[days.count - 1])
            ?? []
        return (days, rows)
    }
}
