import Crypto
import Domain
import Foundation

/// Sign-in with the school's own accounts (issue 14): the detour through an upstream OpenID provider, and the
/// home-realm discovery that finds a person's school from their email address.
///
/// - `GET /login/upstream/{provider}` sends the browser to the provider with `state`, `nonce` and a PKCE S256
///   challenge, keeping the sealed ``UpstreamSignInTicket`` in a cookie;
/// - `GET /login/upstream/callback` (the one redirect URI for every provider) checks the ticket and `state`,
///   exchanges the code, checks the ID token completely, finds the linked roster person and completes the sign-in
///   through ``SignInCompletion`` (`amr` "fed"), or shows a page naming what failed: no session, no link, a log line;
/// - `POST /login/school` finds the school that claimed the email's domain.
enum UpstreamSignInRoutes {
    /// The redirect URI's path; the URI registered at every provider is the app URL followed by it.
    static let callbackPath = "/login/upstream/callback"
    /// The cookie holding the ticket between the redirect and the callback.
    static let ticketCookie = "__Host-cw_upstream"

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", callbackPath) { request, _, context in
            try callback(request, context: context)
        }

        router.add("GET", "/login/upstream/{provider}") { request, parameters, context in
            guard let provider = try enabledProvider(parameters["provider"], context) else { throw HTTPError.notFound() }
            return try start(
                provider, next: SignInRoutes.safeNext(request.query["next"]), loginHint: request.query["login_hint"], testedBy: nil,
                context: context)
        }

        router.add("POST", "/login/school") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            return try homeRealm(request, form: form, context: context)
        }
    }

    /// The redirect URI of this installation.
    static func redirectURI(_ context: RequestContext) -> String {
        let base = context.services.configuration.appURL
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + callbackPath
    }

    /// An enabled provider by slug.
    private static func enabledProvider(_ slug: String?, _ context: RequestContext) throws -> UpstreamProvider? {
        guard let slug, UpstreamProvider.isValidSlug(slug), let provider = try context.services.upstream.store.upstreamProvider(slug: slug),
            provider.enabled
        else { return nil }
        return provider
    }

    /// The redirect to the provider, with the ticket cookie.
    static func start(
        _ provider: UpstreamProvider, next: String?, loginHint: String?, testedBy: UserID?, context: RequestContext
    ) throws -> HTTPResponse {
        if provider.kind == .saml { return try SAMLSignInRoutes.start(provider, next: next, testedBy: testedBy, context: context) }
        let keys = try context.services.oauth.requireKeys()
        var generator = SystemRandomNumberGenerator()
        let ticket = UpstreamSignInTicket.start(provider: provider.slug, next: next, now: context.now, testedBy: testedBy, using: &generator)
        let hint = loginHint.flatMap { $0.utf8.count <= 254 && !$0.unicodeScalars.contains { $0.value < 0x20 } ? $0 : nil }
        let location: String
        do {
            location = try context.services.upstream.flow.authorizationURL(
                provider: provider, ticket: ticket, redirectURI: redirectURI(context), loginHint: hint, now: context.now)
        } catch {
            context.logger.warning(
                "upstream sign-in unavailable", metadata: ["upstream.provider": "\(provider.slug)", "reason": "\(error.logReason)"])
            return .page(UpstreamPages.failure(provider: provider.name, message: L(error.problem)), status: 502)
        }
        var response = HTTPResponse.seeOther(location)
        response.headers.add(
            "Set-Cookie",
            SessionCookie.set(
                ticketCookie, try ticket.sealed(key: keys.upstreamTicketKey, using: &generator), maxAge: Int(UpstreamSignInTicket.lifetime)))
        return response
    }

    // MARK: The callback

    private static func callback(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        let keys = try context.services.oauth.requireKeys()
        let store = context.services.upstream.store
        var providerSchool: SchoolID?
        func refuse(_ status: Int, _ name: String, _ message: String, reason: String) throws -> HTTPResponse {
            context.logger.info(
                "upstream sign-in refused",
                metadata: ["upstream.provider": "\(name)", "reason": "\(reason)", "client.address": "\(request.remoteAddress)"])
            try context.audit(
                .signInFailed, request, school: providerSchool, actor: nil, subject: nil, method: AuthenticationMethod.federated.rawValue,
                detail: "\(name): \(reason)")
            var response = HTTPResponse.page(UpstreamPages.failure(provider: name, message: message), status: status)
            response.headers.add("Set-Cookie", SessionCookie.clear(ticketCookie))
            return response
        }
        // The ticket is used once: every answer from here clears it.
        guard let ticket = UpstreamSignInTicket.open(request.cookies[ticketCookie], key: keys.upstreamTicketKey, now: context.now),
            let provider = try store.upstreamProvider(slug: ticket.provider)
        else {
            return try refuse(400, L("upstream.your_provider"), L("signin.expired_or_used"), reason: "no ticket")
        }
        providerSchool = provider.schoolID
        guard ticket.matches(state: request.query["state"]) else {
            return try refuse(400, provider.name, L("upstream.not_this_browser"), reason: "state mismatch")
        }
        // Once only, even for a copy of the cookie: the first callback records the ticket as used.
        guard
            try store.consumeTicket(
                stateDigest: Array(SHA256.hash(data: Array(ticket.state.utf8))),
                expiresAt: ticket.startedAt.addingTimeInterval(UpstreamSignInTicket.lifetime + 120))
        else {
            return try refuse(400, provider.name, L("signin.expired_or_used"), reason: "ticket replayed")
        }
        if let error = request.query["error"] {
            let description = request.query["error_description"].map { ": " + String($0.prefix(300)) } ?? ""
            return try refuse(
                400, provider.name, "The provider answered: \(error.prefix(80))\(description)", reason: "provider error \(error.prefix(80))")
        }
        guard let code = request.query["code"], !code.isEmpty, code.utf8.count <= 4096 else {
            return try refuse(400, provider.name, L("upstream.no_code"), reason: "no code")
        }
        if let wait = try SignInCompletion.addressWait(request: request, context: context) {
            var response = try refuse(
                429, provider.name, SignInRoutes.throttledMessage(wait: wait), reason: "throttled")
            response.headers.set("Retry-After", String(wait))
            return response
        }
        let secret: String
        do {
            secret = try UpstreamClientSecret.open(provider.sealedSecret, slug: provider.slug, key: keys.upstreamSecretKey)
        } catch {
            return try refuse(
                502, provider.name, L("upstream.damaged"),
                reason: "client secret does not open under this OAuth key")
        }
        let identity: UpstreamIdentity
        switch context.services.upstream.flow.identity(
            provider: provider, ticket: ticket, code: code, redirectURI: redirectURI(context), clientSecret: secret, now: context.now)
        {
        case .success(let found):
            identity = found
        case .failure(let failure):
            if case .refused = failure {
                try SignInCompletion.recordAddressFailure(method: .federated, request: request, context: context)
            }
            return try refuse(failure.isUpstreamDown ? 502 : 400, provider.name, L(failure.problem), reason: failure.logReason)
        }
        let linking = UpstreamLinking(store: store, accounts: context.services.people.accounts)

        if let admin = ticket.testedBy {
            // "Test this provider": the admin who started it sees what came back; nobody is signed in or linked.
            guard let session = try context.signedIn(request), session.user.id == admin else {
                return try refuse(403, provider.name, L("upstream.test_by_other"), reason: "test by someone else")
            }
            var response = HTTPResponse.page(
                UpstreamPages.testResult(
                    session: session, provider: provider, identity: identity, outcome: try linking.preview(identity, provider: provider)))
            response.headers.add("Set-Cookie", SessionCookie.clear(ticketCookie))
            return response
        }

        switch try linking.resolve(identity, provider: provider, now: context.now) {
        case .person(let user, let newLink):
            if newLink {
                context.logger.info(
                    "upstream account linked", metadata: ["upstream.provider": "\(provider.slug)", "user.id": "\(user.id)"])
                try context.audit(
                    .upstreamLinked, request, school: user.schoolID, actor: user.id, subject: user.id,
                    method: AuthenticationMethod.federated.rawValue,
                    detail: "\(provider.slug): \(identity.email ?? identity.subject)")
            }
            var response = try SignInCompletion.complete(
                AuthenticatedPerson(user: user, methods: [.federated]), next: ticket.next, request: request, context: context)
            response.headers.add("Set-Cookie", SessionCookie.clear(ticketCookie))
            return response
        case .inactive(let user):
            return try refuse(403, provider.name, noSuchPerson, reason: "user \(user.id) is deactivated")
        case .noSuchPerson, .newStudent:
            return try refuse(403, provider.name, noSuchPerson, reason: "no roster person matches")
        }
    }

    static var noSuchPerson: String { L("upstream.no_such_person") }

    // MARK: Home-realm discovery

    private static func homeRealm(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let next = SignInRoutes.safeNext(form["next"])
        let nextQuery = next.map { "next=" + FormCodec.encode($0) }
        guard let at = email.lastIndex(of: "@"), email.utf8.count <= 254 else {
            return try SignInRoutes.signInPage(
                request, context: context, next: next, error: L("signin.enter_school_email"), status: 400)
        }
        let domain = String(email[email.index(after: at)...])
        let store = context.services.upstream.store
        guard !domain.isEmpty, let school = try store.school(claimingDomain: domain) else {
            return try SignInRoutes.signInPage(
                request, context: context, next: next,
                error: L("signin.no_school_domain", ["domain": String(domain.prefix(253))]))
        }
        let providers = try store.enabledUpstreamProviders(for: school.id).filter { $0.schoolID == school.id }
        if providers.count == 1 {
            let query = ([nextQuery, "login_hint=" + FormCodec.encode(email)] as [String?]).compactMap { $0 }.joined(separator: "&")
            return .seeOther("/login/upstream/\(providers[0].slug)?\(query)")
        }
        let query = (["school=" + FormCodec.encode(school.sourcedID), nextQuery] as [String?]).compactMap { $0 }.joined(separator: "&")
        return .seeOther("/login?\(query)")
    }
}

extension UpstreamSignInFailure {
    /// Whether the provider, not its answer, is at fault (a 502 rather than a 400).
    var isUpstreamDown: Bool {
        switch self {
        case .unavailable, .tokenEndpoint: true
        case .refused: false
        }
    }
}
