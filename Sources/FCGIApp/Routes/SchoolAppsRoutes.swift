import Domain

/// `GET /school/apps` and `POST /school/apps/{client_id}`: a school admin allows or blocks apps for their school,
/// optionally limiting the scopes the school's users may grant.
enum SchoolAppsRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/school/apps") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let notice: Layout.Notice? =
                switch request.query["saved"] {
                case "blocked": .init(kind: .ok, text: "The app is blocked for your school; its connections were ended.")
                case "allowed": .init(kind: .ok, text: "The app is allowed for your school.")
                default: nil
                }
            return .page(SchoolAppsPages.list(session: session, entries: try context.services.api.appPolicies.apps(for: school), notice: notice))
        }

        router.add("POST", "/school/apps/{client}") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            guard let raw = parameters["client"], raw.utf8.count <= AuthorizationChecks.maximumClientIDLength,
                let client = try context.services.oauth.clients.client(ClientID(raw)), client.status == .active
            else { throw HTTPError.notFound() }
            guard let status = form["status"].flatMap(SchoolAppPolicy.Status.init(rawValue:)) else {
                throw HTTPError(status: 400, code: "invalid_request", "Choose Allowed or Blocked.")
            }
            let ticked = Set(form.pairs.filter { $0.name == "scope" }.map(\.value))
            let offered = client.allowedScopes.filter { ScopeRegistry.standard.definition(named: $0) != nil }
            guard ticked.isSubset(of: offered) else {
                throw HTTPError(status: 400, code: "invalid_request", "One of the scopes is not one this app may ask for.")
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
    }
}
