import Domain

/// `GET /account/apps` and `POST /account/apps/{client_id}/revoke` (DESIGN §5).
enum ConnectedAppsRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account/apps") { request, _, context in
            let session = try context.requireSignIn(request, Role.student, .parent, .teacher, .schoolAdmin, .platformAdmin)
            let services = context.services
            let entries = try services.oauth.consents.consents(of: session.user.id).map { consent in
                ConnectedAppsPages.Entry(
                    consent: consent, client: try services.oauth.clients.client(consent.clientID),
                    scopeDescriptions: ScopeRegistry.standard.definitions(of: consent.scopes).map(\.description))
            }
            let notice: Layout.Notice? =
                request.query["revoked"] != nil ? .init(kind: .ok, text: L("apps.disconnected_notice")) : nil
            return .page(ConnectedAppsPages.list(session: session, entries: entries, notice: notice))
        }

        router.add("POST", "/account/apps/{client}/revoke") { request, parameters, context in
            let session = try context.requireSignIn(request, Role.student, .parent, .teacher, .schoolAdmin, .platformAdmin)
            _ = try context.verifiedForm(request, session: session)
            guard let raw = parameters["client"], raw.utf8.count <= 64,
                try context.services.oauth.consents.consent(user: session.user.id, client: ClientID(raw)) != nil
            else { throw HTTPError.notFound() }
            try context.services.oauth.consents.revokeConsent(user: session.user.id, client: ClientID(raw), now: context.now)
            context.logger.info("app disconnected", metadata: ["user.id": "\(session.user.id)", "oauth.client_id": "\(raw)"])
            return .seeOther("/account/apps?revoked=1")
        }
    }
}
