import Domain
import Foundation

/// OpenID Connect RP-Initiated Logout 1.0 and the other ways a browser session ends on purpose:
/// - `GET|POST /logout/oidc` (discovery's `end_session_endpoint`): ``EndSessionRequest``'s rules; a bad request is an
///   HTML error page and changes nothing. A POST (often cross-site, where the `SameSite=Lax` session cookie is not
///   sent) is checked and answered with a 303 to the same request as a GET, on which the cookie comes. With a session:
///   ended at once when `id_token_hint` names exactly it (its `sid`), otherwise the confirmation page;
/// - `POST /logout/oidc/confirm`: the confirmation (CSRF-protected, rules checked again);
/// - `POST /logout/device`: "sign out of this device" (shared classroom devices): the session ends and every grant
///   issued through it is revoked with its access and refresh tokens;
/// - `POST /internal/cron/backchannel-logout`: ends up to ``BackchannelLogoutPolicy/expiredSessionsPerRun`` expired
///   sessions (queueing their logouts), then one run of ``BackchannelLogoutSender`` (cron-guarded).
/// Every path that ends a session queues its back-channel logouts (``RequestContext/queueBackchannelLogouts(sessionDigests:)``).
enum LogoutRoutes {
    static let confirmPath = DiscoveryDocument.Path.endSession + "/confirm"
    static let devicePath = "/logout/device"

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", DiscoveryDocument.Path.endSession) { request, _, context in
            let checked = try check(request.query.all, context: context)
            guard let session = try context.signedIn(request) else { return signedOutAnswer(checked) }
            let sid = try sessionID(session, context)
            let client = try checked.client.flatMap { try context.services.oauth.clients.client($0) }
            // The hint's `sub` is the one its app sees: public or pairwise (SubjectIdentifiers).
            let subject = try context.services.oauth.requireKeys().subjects.subject(
                for: session.user.id, client: client?.clientID ?? ClientID(""), type: client?.subjectType ?? .public)
            if BackchannelLogoutPolicy.endsWithoutAsking(hint: checked.hint, subject: subject, sessionID: sid) {
                return try context.endSession(session, request, revokeTokens: false, detail: "RP-initiated logout", then: signedOutAnswer(checked))
            }
            return .page(LogoutPages.confirm(session: session, request: checked.request, clientName: client?.name))
        }

        router.add("POST", DiscoveryDocument.Path.endSession) { request, _, context in
            let form = try request.formParameters()
            let checked = try check(form.all, context: context)
            return .seeOther(DiscoveryDocument.Path.endSession + query(checked.request))
        }

        router.add("POST", confirmPath) { request, _, context in
            // Already signed out (another tab): nothing to end, so no form to trust; the request's rules still apply.
            guard let session = try context.signedIn(request) else {
                return signedOutAnswer(try check(request.formParameters().all, context: context))
            }
            let form = try context.verifiedForm(request, session: session)
            let checked = try check(form.all, context: context)
            return try context.endSession(
                session, request, revokeTokens: false, detail: "RP-initiated logout, confirmed", then: signedOutAnswer(checked))
        }

        router.add("POST", devicePath) { request, _, context in
            guard let session = try context.signedIn(request) else { return .seeOther("/login") }
            _ = try context.verifiedForm(request, session: session)
            return try context.endSession(
                session, request, revokeTokens: true, detail: "signed out of this device", then: .seeOther("/login?signed_out=device"))
        }

        router.add("POST", "/internal/cron/backchannel-logout") { request, _, context in
            try context.requireCron(request)
            // Sessions that merely expired are ended first (a bounded batch, each once), so their logouts go out in
            // this same run.
            let now = context.now
            let idle = context.services.configuration.signIn.sessionPolicy.idleTimeout
            let ended = try context.services.oauth.logout.endExpiredSessions(
                now: now, idleSince: now.addingTimeInterval(-idle), limit: BackchannelLogoutPolicy.expiredSessionsPerRun)
            let summary = try BackchannelLogoutSender(services: context.services, logger: context.logger).run()
            context.logger.info(
                "back-channel logout run",
                metadata: ["backchannel.summary": "\(summary)", "backchannel.expired_sessions": "\(ended.sessions)"])
            guard case .object(var fields) = summary.json else { return .json(summary.json) }
            fields.append(("expired_sessions_ended", .int(ended.sessions)))
            fields.append(("expired_session_logouts_queued", .int(ended.logouts)))
            return .json(.object(fields))
        }
    }

    /// A request that passed the rules: where to go afterwards (`nil`: our own signed-out page).
    struct Checked {
        let request: EndSessionRequest
        let hint: IDTokenHint?
        let client: ClientID?
        let redirect: String?
    }

    /// ``EndSessionRequest``'s rules against our keys and the client's registration; a refusal is a 400 HTML page.
    static func check(_ values: (String) -> [String], context: RequestContext) throws -> Checked {
        // The app's languages for this page (RP-Initiated Logout §2); the refusal's description, for the app's developer,
        // stays English as every `error_description` does.
        PageLanguage.current?.hint(uiLocales: values("ui_locales").first)
        let refuse = { (refusal: IDTokenHint.Refusal) in
            HTTPError(
                status: 400, code: "invalid_request",
                L("logout.refused") + " " + L("authorize.developer_detail") + " " + refusal.description)
        }
        let request: EndSessionRequest
        switch EndSessionRequest.parse(values) {
        case .success(let value): request = value
        case .failure(let refusal): throw refuse(refusal)
        }
        var hint: IDTokenHint?
        if let token = request.idTokenHint {
            let services = context.services
            let since = JWKS.publishedSince(now: context.now, lifetimes: services.configuration.tokenLifetimes)
            let keys = try services.oauth.signingKeys.publishedKeys(publishedSince: since)
            let keySet = (try? JSONWebKeySet(document: Array(JWKS.document(keys: keys).utf8))) ?? JSONWebKeySet(keys: [:])
            switch IDTokenHint.verify(token, issuer: services.configuration.appURL, keys: keySet) {
            case .success(let value): hint = value
            case .failure(let refusal): throw refuse(refusal)
            }
        }
        let client: ClientID?
        switch request.client(hint: hint) {
        case .success(let value): client = value
        case .failure(let refusal): throw refuse(refusal)
        }
        var registered: [String]?
        if request.postLogoutRedirectURI != nil, let client, try context.services.oauth.clients.client(client)?.status == .active {
            registered = try context.services.oauth.logout.logoutRegistration(of: client)?.postLogoutRedirectURIs
        }
        switch request.redirect(client: client, registered: registered) {
        case .success(let redirect): return Checked(request: request, hint: hint, client: client, redirect: redirect)
        case .failure(let refusal): throw refuse(refusal)
        }
    }

    /// After the session ended (or when there was none): the app's registered URI with `state`, or our page.
    static func signedOutAnswer(_ checked: Checked) -> HTTPResponse {
        if let redirect = checked.redirect { return .seeOther(redirect) }
        return .page(LogoutPages.signedOut())
    }

    /// The request's parameters as a query string (`?…`, empty when there are none).
    static func query(_ request: EndSessionRequest) -> String {
        let pairs: [(String, String?)] = [
            ("id_token_hint", request.idTokenHint), ("client_id", request.clientID?.rawValue),
            ("post_logout_redirect_uri", request.postLogoutRedirectURI), ("state", request.state),
        ]
        let present = pairs.compactMap { name, value in value.map { name + "=" + FormCodec.encode($0) } }
        return present.isEmpty ? "" : "?" + present.joined(separator: "&")
    }

    /// The `sid` of the browser's session.
    static func sessionID(_ session: SignedIn, _ context: RequestContext) throws -> String {
        SessionIdentifier.sid(sessionDigest: session.digest, key: try context.services.oauth.requireKeys().sessionIDKey)
    }
}
