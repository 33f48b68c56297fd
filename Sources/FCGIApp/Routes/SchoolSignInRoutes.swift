import Domain
import Foundation

/// `/school/sign-in`: a school admin's sign-in settings (issue 14, item 4): the school's upstream providers (add,
/// remove, "test this provider"), which roles may still use a password, who may use QR badges and from which networks
/// (issue 16, item 3), the school's LDAP directory (issue 15, ``DirectorySignInRoutes``), the email domains that lead to the school,
/// and the school's printable sign-in link.
enum SchoolSignInRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/school/sign-in") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let notice: Layout.Notice? = request.query["saved"] != nil ? .init(kind: .ok, text: L("school.saved")) : nil
            return try page(session, school, context, notice: notice)
        }

        router.add("POST", "/school/sign-in/policy") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let roles: Set<Role>
            switch ticked(form, "password_roles", among: SchoolSignInPolicy.restrictableRoles) {
            case .success(let ticked): roles = ticked
            case .failure(let unknown): return try page(session, school, context, problem: unknown.problem, status: 400)
            }
            try context.services.upstream.store.setSignInPolicy(SchoolSignInPolicy(passwordRoles: roles), of: school, now: context.now)
            try context.audit(
                .signInPolicyChanged, request, by: session, subject: nil,
                detail:
                    "password sign-in: \(roles.isEmpty ? "nobody" : SchoolSignInPolicy.restrictableRoles.filter { roles.contains($0) }.map(\.rawValue).joined(separator: ", "))"
            )
            context.logger.info(
                "school sign-in policy changed",
                metadata: ["user.id": "\(session.user.id)", "password.roles": "\(roles.map(\.rawValue).sorted().joined(separator: ","))"])
            return .seeOther("/school/sign-in?saved=1")
        }

        router.add("POST", "/school/sign-in/second-factor") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let roles: Set<Role>
            switch ticked(form, "required_roles", among: SecondFactorPolicy.requirableRoles) {
            case .success(let ticked): roles = ticked
            case .failure(let unknown): return try page(session, school, context, problem: unknown.problem, status: 400)
            }
            try context.services.people.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: roles), of: school, now: context.now)
            let list = SecondFactorPolicy.requirableRoles.filter { roles.contains($0) }.map(\.rawValue)
            try context.audit(
                .signInPolicyChanged, request, by: session, subject: nil,
                detail: "two-step sign-in required for: \(list.isEmpty ? "nobody" : list.joined(separator: ", "))")
            return .seeOther("/school/sign-in?saved=1")
        }

        router.add("POST", "/school/sign-in/badges") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let roles: Set<Role>
            switch ticked(form, "badge_roles", among: BadgePolicy.allowableRoles) {
            case .success(let ticked): roles = ticked
            case .failure(let unknown): return try page(session, school, context, problem: unknown.problem, status: 400)
            }
            let networks: [NetworkRange]
            do throws(BadgePolicy.InvalidNetwork) {
                networks = try BadgePolicy.networks(from: form["badge_networks"] ?? "")
            } catch {
                return try page(session, school, context, problem: L("signin_settings.badge_network", ["entry": "\(error.entry)"]), status: 400)
            }
            let policy = BadgePolicy(roles: roles, networks: networks)
            try context.services.people.badges.setBadgePolicy(policy, of: school, now: context.now)
            let list = BadgePolicy.allowableRoles.filter { roles.contains($0) }.map(\.rawValue)
            try context.audit(
                .signInPolicyChanged, request, by: session, subject: nil,
                detail:
                    "badges for: \(list.isEmpty ? "nobody" : list.joined(separator: ", ")); networks: \(networks.isEmpty ? "anywhere" : networks.map(\.description).joined(separator: " "))"
            )
            return .seeOther("/school/sign-in?saved=1")
        }

        router.add("POST", "/school/sign-in/domains") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let text = form["domains"] ?? ""
            var domains: [String] = []
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                do throws(UpstreamProviderSettings.Problem) {
                    domains = try UpstreamProviderSettings.domainNames(text)
                } catch {
                    return try page(
                        session, school, context, problem: L("signin_settings.domains_problem", ["message": L(error.problem)]), status: 400)
                }
            }
            do {
                try context.services.upstream.store.setEmailDomains(domains, of: school)
            } catch let error as StoreError where error.kind == .conflict {
                return try page(session, school, context, problem: L("signin_settings.domain_taken"), status: 409)
            }
            try context.audit(.emailDomainsChanged, request, by: session, subject: nil, detail: domains.sorted().joined(separator: ", "))
            return .seeOther("/school/sign-in?saved=1")
        }

        router.add("POST", "/school/sign-in/providers") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            return try addProvider(request, session, school, form, context)
        }

        router.add("POST", "/school/sign-in/saml-providers") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            return try addSAMLProvider(request, session, school, form, context)
        }

        router.add("POST", "/school/sign-in/providers/{slug}/remove") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            let provider = try ownProvider(parameters["slug"], school, context)
            _ = try context.services.upstream.store.removeUpstreamProvider(slug: provider.slug)
            context.logger.info("upstream provider removed", metadata: ["user.id": "\(session.user.id)", "upstream.provider": "\(provider.slug)"])
            try context.audit(.upstreamProviderChanged, request, by: session, subject: nil, detail: "removed \(provider.slug)")
            return .seeOther("/school/sign-in?saved=1")
        }

        router.add("POST", "/school/sign-in/providers/{slug}/test") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            let provider = try ownProvider(parameters["slug"], school, context)
            return try UpstreamSignInRoutes.start(provider, next: nil, loginHint: nil, testedBy: session.user.id, context: context)
        }
    }

    /// The roles ticked in the checkboxes `name`; `.failure` names a value not among `allowed` (a forged form).
    private static func ticked(_ form: Parameters, _ name: String, among allowed: [Role]) -> Result<Set<Role>, UnknownRole> {
        var roles: Set<Role> = []
        for value in form.all(name) {
            guard let role = Role(rawValue: value), allowed.contains(role) else { return .failure(UnknownRole(value: value)) }
            roles.insert(role)
        }
        return .success(roles)
    }

    /// A checkbox value that names no role the form offers.
    private struct UnknownRole: Error {
        let value: String
        var problem: String { L("school.users.no_such_role", ["role": String(value.prefix(40))]) }
    }

    /// One of the school's own providers (a platform-wide one is the platform admin's), or 404.
    private static func ownProvider(_ slug: String?, _ school: SchoolID, _ context: RequestContext) throws -> UpstreamProvider {
        guard let slug, UpstreamProvider.isValidSlug(slug), let provider = try context.services.upstream.store.upstreamProvider(slug: slug),
            provider.schoolID == school
        else { throw HTTPError.notFound() }
        return provider
    }

    private static func addProvider(_ request: HTTPRequest, _ session: SignedIn, _ school: SchoolID, _ form: Parameters, _ context: RequestContext)
        throws
        -> HTTPResponse
    {
        let keys = try context.services.oauth.requireKeys()
        let store = context.services.upstream.store
        var settings = UpstreamProviderSettings()
        settings.slug = (form["slug"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        settings.name = form["name"] ?? ""
        settings.kind = form["kind"] ?? "generic"
        settings.clientID = (form["client_id"] ?? "").trimmingCharacters(in: .whitespaces)
        settings.clientSecret = form["client_secret"] ?? ""
        settings.issuer = form["issuer"] ?? ""
        settings.authority = form["authority"] ?? ""
        settings.domains = [form["domains"] ?? ""]
        settings.tenants = [form["tenants"] ?? ""]
        settings.linkRule = form["link_rule"] ?? "email"
        settings.linkClaim = form["link_claim"] ?? ""
        settings.jitStudents = form["jit_students"] == "1"
        var generator = SystemRandomNumberGenerator()
        let provider: NewUpstreamProvider
        do {
            provider = try settings.validated(school: school, key: keys.upstreamSecretKey, allowLoopbackHTTP: false, using: &generator)
        } catch {
            return try page(
                session, school, context,
                problem: L("signin_settings.field_problem", ["field": fieldLabel(error.field), "message": L(error.problem)]), status: 400)
        }
        if let existing = try store.upstreamProvider(slug: provider.slug), existing.schoolID != school {
            return try page(session, school, context, problem: L("signin_settings.slug_taken", ["slug": provider.slug]), status: 409)
        }
        // The provider must answer before it is offered to anyone: its discovery document is read now.
        let candidate = UpstreamProvider(
            id: UpstreamProviderID(0), slug: provider.slug, schoolID: school, name: provider.name, kind: provider.kind,
            authority: provider.authority, clientID: provider.clientID, sealedSecret: provider.sealedSecret, linkRule: provider.linkRule,
            jitStudents: provider.jitStudents, enabled: provider.enabled)
        do {
            _ = try context.services.upstream.flow.metadata(of: candidate, now: context.now)
        } catch {
            return try page(session, school, context, problem: L(error.problem), status: 400)
        }
        _ = try store.saveUpstreamProvider(provider, now: context.now)
        context.logger.info("upstream provider saved", metadata: ["user.id": "\(session.user.id)", "upstream.provider": "\(provider.slug)"])
        try context.audit(
            .upstreamProviderChanged, request, by: session, subject: nil,
            detail: "saved \(provider.slug) (\(settings.kind), client \(provider.clientID), \(provider.linkRule.summary))")
        return .seeOther("/school/sign-in?saved=1")
    }

    /// A SAML provider from the page's form: metadata from a URL or pasted, the rest as for `upstream add-saml`.
    private static func addSAMLProvider(
        _ request: HTTPRequest, _ session: SignedIn, _ school: SchoolID, _ form: Parameters, _ context: RequestContext
    ) throws -> HTTPResponse {
        let keys = try context.services.oauth.requireKeys()
        var settings = SAMLProviderSettings()
        settings.slug = (form["slug"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        settings.name = form["name"] ?? ""
        settings.signing = form["signing"] ?? "either"
        settings.nameIDFormat = form["name_id_format"] ?? ""
        settings.linkRule = form["link_rule"] ?? "email"
        settings.linkAttribute = form["link_attribute"] ?? ""
        settings.jitStudents = form["jit_students"] == "1"
        let pasted = form["metadata"] ?? ""
        let url = (form["metadata_url"] ?? "").trimmingCharacters(in: .whitespaces)
        guard pasted.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty != url.isEmpty else {
            return try page(session, school, context, problem: L("signin_settings.metadata_one"), status: 400)
        }
        let entityID = (form["entity_id"] ?? "").trimmingCharacters(in: .whitespaces)
        switch try SAMLProviderSetup.save(
            settings, school: school, source: url.isEmpty ? .document(Array(pasted.utf8)) : .url(url), entityID: entityID.isEmpty ? nil : entityID,
            services: context.services.upstream, keys: keys, appURL: context.services.configuration.appURL, now: context.now)
        {
        case .failure(let problem):
            return try page(
                session, school, context,
                problem: L("signin_settings.field_problem", ["field": fieldLabel(problem.field), "message": L(problem.problem)]),
                status: 400)
        case .success(let saved):
            context.logger.info("saml provider saved", metadata: ["user.id": "\(session.user.id)", "upstream.provider": "\(settings.slug)"])
            try context.audit(
                .upstreamProviderChanged, request, by: session, subject: nil,
                detail: "saved \(settings.slug) (saml, idp \(saved.metadata.entityID), \(saved.provider.linkRule.summary))")
            return .seeOther("/school/sign-in?saved=1")
        }
    }

    /// The settings page (also the directory routes' answer to a refused form).
    static func page(
        _ session: SignedIn, _ school: SchoolID, _ context: RequestContext, notice: Layout.Notice? = nil, problem: String? = nil,
        status: Int = 200
    ) throws -> HTTPResponse {
        let store = context.services.upstream.store
        guard let info = try context.services.schoolwork.directory.school(school) else { throw HTTPError.notFound() }
        let sourcedID = try store.schoolSourcedID(school) ?? ""
        let base = context.services.configuration.appURL
        return .page(
            SchoolSignInPages.settings(
                session: session, schoolName: info.name,
                providers: try store.upstreamProviders().filter { $0.schoolID == school || $0.schoolID == nil },
                policy: try store.signInPolicy(of: school),
                secondFactorPolicy: try context.services.people.secondFactors.secondFactorPolicy(of: school),
                badgePolicy: try context.services.people.badges.badgePolicy(of: school),
                domains: try store.emailDomains(of: school), directory: try context.services.directories.store.signInDirectory(of: school),
                schoolLink: base + "/login?school=" + FormCodec.encode(sourcedID), redirectURI: UpstreamSignInRoutes.redirectURI(context),
                notice: notice, problem: problem),
            status: status)
    }

    /// A provider form's field as its label on the page, in the page's language; its form name when the form has no
    /// short label for it (the pasted metadata).
    static func fieldLabel(_ field: String) -> String {
        switch field {
        case "kind": L("signin_settings.kind")
        case "slug": L("signin_settings.slug")
        case "name": L("signin_settings.button")
        case "client_id": L("signin_settings.client_id")
        case "client_secret": L("signin_settings.client_secret")
        case "link_rule": L("signin_settings.finds_by")
        case "link_claim": L("signin_settings.claim")
        case "link_attribute": L("signin_settings.attribute")
        case "jit_students": L("signin_settings.jit")
        case "metadata_url": L("signin_settings.metadata_url")
        case "signing": L("signin_settings.signatures")
        case "name_id_format": L("signin_settings.nameid")
        default: field
        }
    }
}
