import Crypto
import Domain
import Foundation
import Native

/// Sign-in through a school's SAML 2.0 identity provider (issue 15), as a service provider, SP-initiated:
/// - `GET /login/upstream/{provider}` (shared with the OpenID providers, so buttons and home-realm discovery work
///   alike) sends an `AuthnRequest` by the HTTP-Redirect binding, keeping the sealed ``UpstreamSignInTicket`` in a
///   `SameSite=None` cookie (the answer comes back as a cross-site POST, which a `Lax` cookie would not reach);
///   the request's `ID` is made of the ticket's random `state`, so `InResponseTo` binds the answer to this browser;
/// - `POST /login/saml/{provider}/acs` (HTTP-POST binding) uses the ticket once, verifies the response's signatures
///   with libxmlsec1 (``SAMLResponseVerifier``: wrapping-safe, DTDs refused), checks it (``SAMLResponseRules``),
///   refuses a replayed assertion (``SAMLStore/consumeAssertion(digest:expiresAt:)``), links the roster person by
///   the school's rule (``UpstreamLinking``) and completes the sign-in with `amr` "fed"; every refusal is a page,
///   an audit entry and a log line, with no session and no link;
/// - `GET /login/saml/{provider}/metadata` is our metadata for that provider (its URL is also our entity id).
enum SAMLSignInRoutes {
    /// The cookie holding the ticket between the redirect and the POST back.
    static let ticketCookie = "__Host-cw_saml"

    /// The cookie carrying a test's verified result to ``testResultPath`` (sealed, five minutes).
    static let testCookie = "__Host-cw_saml_test"
    /// Where a school admin's "test this provider" of a SAML provider ends.
    static let testResultPath = "/school/sign-in/saml-test"

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", testResultPath) { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let keys = try context.services.oauth.requireKeys()
            guard let result = SAMLTestResult.open(request.cookies[testCookie], key: keys.upstreamTicketKey, now: context.now),
                result.admin == session.user.id, let (provider, _) = try samlProvider(result.provider, context), provider.schoolID == school
            else {
                var response = HTTPResponse.page(
                    UpstreamPages.failure(
                        provider: L("saml.your_provider"), message: L("saml.test_expired")),
                    status: 400)
                response.headers.add("Set-Cookie", SessionCookie.clear(testCookie))
                return response
            }
            let identity = result.identity.upstreamIdentity
            let linking = UpstreamLinking(store: context.services.upstream.store, accounts: context.services.people.accounts)
            var response = HTTPResponse.page(
                UpstreamPages.testResult(
                    session: session, provider: provider, identity: identity, outcome: try linking.preview(identity, provider: provider),
                    checked: result.checked))
            response.headers.add("Set-Cookie", SessionCookie.clear(testCookie))
            return response
        }

        router.add("GET", "/login/saml/{provider}/metadata") { _, parameters, context in
            guard let (provider, configuration) = try samlProvider(parameters["provider"], context) else { throw HTTPError.notFound() }
            let sp = serviceProvider(provider, context)
            var headers = HTTPHeaders()
            headers.set("Content-Type", "application/samlmetadata+xml; charset=utf-8")
            let xml = sp.metadata(
                certificate: configuration.serviceProviderCertificate, nameIDFormat: configuration.nameIDFormat, organization: provider.name)
            return HTTPResponse(status: 200, headers: headers, body: Array(xml.utf8))
        }

        router.add("POST", "/login/saml/{provider}/acs") { request, parameters, context in
            try consume(request, slug: parameters["provider"] ?? "", context: context)
        }
    }

    /// A SAML provider and its settings, by slug.
    static func samlProvider(_ slug: String?, _ context: RequestContext) throws -> (UpstreamProvider, SAMLProviderConfiguration)? {
        guard let slug, UpstreamProvider.isValidSlug(slug), let saml = context.services.upstream.saml,
            let provider = try context.services.upstream.store.upstreamProvider(slug: slug), provider.kind == .saml,
            let configuration = try saml.samlConfiguration(of: provider.id)
        else { return nil }
        return (provider, configuration)
    }

    static func serviceProvider(_ provider: UpstreamProvider, _ context: RequestContext) -> SAMLServiceProvider {
        SAMLServiceProvider(appURL: context.services.configuration.appURL, slug: provider.slug)
    }

    /// A `Set-Cookie` for the ticket: like every cookie of ours but `SameSite=None`, because the identity provider
    /// posts the answer back from its own site.
    static func ticketCookie(_ value: String, maxAge: Int) -> String {
        "\(ticketCookie)=\(value); Path=/; Secure; HttpOnly; SameSite=None; Max-Age=\(maxAge)"
    }

    // MARK: The request

    /// The redirect to the identity provider with our `AuthnRequest`, and the ticket cookie.
    static func start(_ provider: UpstreamProvider, next: String?, testedBy: UserID?, context: RequestContext) throws -> HTTPResponse {
        let keys = try context.services.oauth.requireKeys()
        guard let (_, configuration) = try samlProvider(provider.slug, context) else {
            return .page(
                UpstreamPages.failure(
                    provider: provider.name, message: L("saml.settings_missing")), status: 502)
        }
        var generator = SystemRandomNumberGenerator()
        let ticket = UpstreamSignInTicket.start(provider: provider.slug, next: next, now: context.now, testedBy: testedBy, using: &generator)
        let request = serviceProvider(provider, context).authnRequest(
            id: SAMLServiceProvider.requestID(state: ticket.state), destination: configuration.singleSignOnURL, issueInstant: context.now,
            nameIDFormat: configuration.nameIDFormat)
        guard let deflated = SAMLRequestDeflater.deflate(Array(request.utf8)) else {
            throw HTTPError(status: 500, code: "server_error", "deflate failed")
        }
        var response = HTTPResponse.seeOther(
            SAMLServiceProvider.redirectURL(singleSignOnURL: configuration.singleSignOnURL, deflatedRequest: deflated))
        response.headers.add(
            "Set-Cookie", ticketCookie(try ticket.sealed(key: keys.upstreamTicketKey, using: &generator), maxAge: Int(UpstreamSignInTicket.lifetime)))
        return response
    }

    // MARK: The answer

    /// The largest `SAMLResponse` form value read (base64 of ``SAMLResponseVerifier/sizeLimit`` bytes).
    static let formValueLimit = SAMLResponseVerifier.sizeLimit / 3 * 4 + 8

    private static func consume(_ request: HTTPRequest, slug: String, context: RequestContext) throws -> HTTPResponse {
        let keys = try context.services.oauth.requireKeys()
        let store = context.services.upstream.store
        var school: SchoolID?
        var name = "your school's provider"
        func refuse(_ status: Int, _ message: String, reason: String, countsAsFailure: Bool = false) throws -> HTTPResponse {
            if countsAsFailure { try SignInCompletion.recordAddressFailure(method: .federated, request: request, context: context) }
            context.logger.info(
                "saml sign-in refused",
                metadata: ["upstream.provider": "\(slug.prefix(40))", "reason": "\(reason)", "client.address": "\(request.remoteAddress)"])
            try context.audit(
                .signInFailed, request, school: school, actor: nil, subject: nil, method: AuthenticationMethod.federated.rawValue,
                detail: "\(slug.prefix(40)) (saml): \(reason.prefix(400))")
            var response = HTTPResponse.page(UpstreamPages.failure(provider: name, message: message), status: status)
            response.headers.add("Set-Cookie", ticketCookie("", maxAge: 0))
            return response
        }
        guard let (provider, configuration) = try samlProvider(slug, context) else {
            return try refuse(404, L("saml.no_provider"), reason: "no such SAML provider")
        }
        school = provider.schoolID
        name = provider.name
        // The ticket is used once: every answer from here clears it.
        guard let ticket = UpstreamSignInTicket.open(request.cookies[ticketCookie], key: keys.upstreamTicketKey, now: context.now),
            ticket.provider == provider.slug
        else {
            return try refuse(400, L("signin.expired_or_browser"), reason: "no ticket")
        }
        guard
            try store.consumeTicket(
                stateDigest: Array(SHA256.hash(data: Array(ticket.state.utf8))),
                expiresAt: ticket.startedAt.addingTimeInterval(UpstreamSignInTicket.lifetime + 120))
        else { return try refuse(400, L("signin.expired_or_used"), reason: "ticket replayed") }
        if let wait = try SignInCompletion.addressWait(request: request, context: context) {
            var response = try refuse(
                429, SignInRoutes.throttledMessage(wait: wait), reason: "throttled")
            response.headers.set("Retry-After", String(wait))
            return response
        }
        let form: Parameters
        do throws(HTTPRequest.Rejection) {
            form = try request.formParameters()
        } catch {
            return try refuse(400, L("saml.not_a_form"), reason: "not a form: \(error.message)")
        }
        guard let encoded = form["SAMLResponse"], (1...formValueLimit).contains(encoded.utf8.count) else {
            return try refuse(400, L("saml.missing"), reason: "no SAMLResponse")
        }
        guard let document = Data(base64Encoded: String(encoded.unicodeScalars.filter { !$0.properties.isWhitespace })) else {
            return try refuse(
                400, L("saml.unreadable"), reason: "SAMLResponse is not base64", countsAsFailure: true)
        }
        let spKey: String
        do {
            spKey = try SAMLServiceProviderKey.open(configuration.sealedServiceProviderKey, slug: provider.slug, key: keys.upstreamSecretKey)
        } catch {
            return try refuse(
                502, L("saml.damaged"),
                reason: "our SP key does not open under this OAuth key")
        }
        let verified: SAMLVerifiedResponse
        do {
            verified = try SAMLResponseVerifier.verify(
                Array(document),
                identityProviderCertificates: configuration.identityProviderCertificates.map(SAMLIdentityProviderMetadata.pem(certificate:)),
                decryptionKey: spKey)
        } catch {
            return try refuse(
                400, L("saml.untrusted"), reason: "xml: \(error.reason)", countsAsFailure: true)
        }
        let sp = serviceProvider(provider, context)
        let expectations = SAMLResponseExpectations(
            serviceProviderEntityID: sp.entityID, assertionConsumerURL: sp.assertionConsumerURL, identityProviderEntityID: provider.authority,
            requestID: SAMLServiceProvider.requestID(state: ticket.state), signing: configuration.signing, now: context.now)
        let asserted: SAMLAssertedIdentity
        switch SAMLResponseRules.check(verified, expecting: expectations) {
        case .success(let found): asserted = found
        case .failure(let refusal):
            return try refuse(400, L(refusal.problem), reason: refusal.logReason, countsAsFailure: !refusal.logReason.hasPrefix("status "))
        }
        // Once only, whichever ticket carries it.
        let digest = Array(SHA256.hash(data: Array((provider.authority + " " + asserted.assertionID).utf8)))
        guard let samlStore = context.services.upstream.saml, try samlStore.consumeAssertion(digest: digest, expiresAt: asserted.presentableUntil)
        else {
            return try refuse(400, L("saml.replayed"), reason: "assertion replayed", countsAsFailure: true)
        }
        let identity = asserted.identity.upstreamIdentity
        let linking = UpstreamLinking(store: store, accounts: context.services.people.accounts)

        if let admin = ticket.testedBy {
            // "Test this provider": this POST comes from the IdP's site, so the admin's (SameSite=Lax) session is not on
            // it; the verified result goes, sealed, to a page of ours that the admin's own session then opens.
            let signatures = [
                verified.assertionWasEncrypted ? "encrypted" : nil, verified.responseSignature != nil ? "response signed" : nil,
                verified.assertionSignature != nil ? "assertion signed" : nil,
            ].compactMap { $0 }.joined(separator: ", ")
            let result = SAMLTestResult(
                provider: provider.slug, admin: admin, identity: asserted.identity, startedAt: context.now,
                checked: L("saml.checked", ["signatures": signatures]))
            var generator = SystemRandomNumberGenerator()
            var response = HTTPResponse.seeOther(testResultPath)
            response.headers.add(
                "Set-Cookie", SessionCookie.set(testCookie, try result.sealed(key: keys.upstreamTicketKey, using: &generator), maxAge: 300))
            response.headers.add("Set-Cookie", ticketCookie("", maxAge: 0))
            return response
        }

        switch try linking.resolve(identity, provider: provider, now: context.now) {
        case .person(let user, let newLink):
            if newLink {
                context.logger.info("upstream account linked", metadata: ["upstream.provider": "\(provider.slug)", "user.id": "\(user.id)"])
                try context.audit(
                    .upstreamLinked, request, school: user.schoolID, actor: user.id, subject: user.id,
                    method: AuthenticationMethod.federated.rawValue,
                    detail: "\(provider.slug): \(identity.email ?? identity.subject)")
            }
            var response = try SignInCompletion.complete(
                AuthenticatedPerson(user: user, methods: [.federated]), next: ticket.next, request: request, context: context)
            response.headers.add("Set-Cookie", ticketCookie("", maxAge: 0))
            return response
        case .inactive(let user):
            return try refuse(403, UpstreamSignInRoutes.noSuchPerson, reason: "user \(user.id) is deactivated")
        case .noSuchPerson, .newStudent:
            return try refuse(403, UpstreamSignInRoutes.noSuchPerson, reason: "no roster person matches \(identity.subject.prefix(255))")
        }
    }
}
