import Crypto
import Domain
import Foundation
import Testing

@testable import StoreTwins

/// A provider as a Domain test scripts it: discovery, JWKS and a token endpoint, with a count of every request.
final class FakeProvider: UpstreamTransport, @unchecked Sendable {
    static let issuer = "https://op.example/realm"
    let lock = NSLock()
    var key = P256.Signing.PrivateKey()
    var kid = "k1"
    var requests: [String] = []
    var forms: [[(String, String)]] = []
    var headers: [[(name: String, value: String)]] = []
    /// The claims of the next ID token (the test sets the nonce).
    var claims: JSONValue = [:]
    var tokenStatus = 200
    var discoveryIssuer = FakeProvider.issuer
    var authMethods: [String]? = nil

    func count(_ prefix: String) -> Int { lock.withLock { requests.filter { $0.hasPrefix(prefix) }.count } }

    func get(_ url: String) throws(UpstreamTransportError) -> (status: Int, body: [UInt8]) {
        lock.withLock { requests.append("GET " + url) }
        switch url {
        case Self.issuer + "/.well-known/openid-configuration":
            var document: [(String, JSONValue)] = [
                ("issuer", .string(discoveryIssuer)), ("authorization_endpoint", "https://op.example/realm/authorize?x=1"),
                ("token_endpoint", "https://op.example/realm/token"), ("jwks_uri", "https://op.example/realm/jwks"),
            ]
            if let authMethods { document.append(("token_endpoint_auth_methods_supported", .array(authMethods.map { .string($0) }))) }
            return (200, JSONValue.object(document).serialized())
        case "https://op.example/realm/jwks":
            let raw = Array(key.publicKey.rawRepresentation)
            let jwk: JSONValue = [
                "kty": "EC", "crv": "P-256", "kid": .string(kid), "use": "sig", "alg": "ES256",
                "x": .string(SecretToken.base64URL(Array(raw[0..<32]))), "y": .string(SecretToken.base64URL(Array(raw[32..<64]))),
            ]
            return (200, JSONValue.object([("keys", .array([jwk]))]).serialized())
        default:
            throw UpstreamTransportError("connection refused")
        }
    }

    func postForm(_ url: String, form: [(String, String)], headers: [(name: String, value: String)]) throws(UpstreamTransportError)
        -> (status: Int, body: [UInt8])
    {
        lock.withLock {
            requests.append("POST " + url)
            forms.append(form)
            self.headers.append(headers)
        }
        guard tokenStatus == 200 else { return (tokenStatus, Array(#"{"error":"invalid_grant"}"#.utf8)) }
        let header: JSONValue = ["alg": "ES256", "kid": .string(kid)]
        let input = SecretToken.base64URL(header.serialized()) + "." + SecretToken.base64URL(claims.serialized())
        let signature = try! key.signature(for: Array(input.utf8))
        let token = input + "." + SecretToken.base64URL(Array(signature.rawRepresentation))
        return (200, JSONValue.object([("access_token", "x"), ("token_type", "Bearer"), ("id_token", .string(token))]).serialized())
    }
}

/// The relying party's code flow against a scripted provider, and the linking rules against the store twins.
@Suite struct UpstreamSignInFlowTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let redirect = "https://app.example/login/upstream/callback"

    func provider(kind: UpstreamProviderKind = .generic, rule: UpstreamLinkRule = .email, jit: Bool = false, school: SchoolID? = SchoolID(1))
        -> UpstreamProvider
    {
        UpstreamProvider(
            id: UpstreamProviderID(1), slug: "school-op", schoolID: school, name: "School OP", kind: kind, authority: FakeProvider.issuer,
            clientID: "cw", sealedSecret: [], linkRule: rule, jitStudents: jit, enabled: true)
    }

    func claims(nonce: String, _ changes: [(String, JSONValue)] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("iss", .string(FakeProvider.issuer)), ("sub", "u-1"), ("aud", "cw"), ("nonce", .string(nonce)),
            ("iat", .int(Int(now.timeIntervalSince1970))), ("exp", .int(Int(now.timeIntervalSince1970) + 300)),
            ("email", "ada@school.example"), ("email_verified", true), ("given_name", "Ada"), ("family_name", "Lovelace"),
        ]
        for (name, value) in changes {
            members.removeAll { $0.0 == name }
            members.append((name, value))
        }
        return .object(members)
    }

    func ticket() -> UpstreamSignInTicket {
        var generator = SystemRandomNumberGenerator()
        return UpstreamSignInTicket.start(provider: "school-op", next: "/student", now: now, using: &generator)
    }

    @Test func theAuthorizationRequestCarriesStateNonceAndAnS256Challenge() throws {
        let fake = FakeProvider()
        let flow = UpstreamSignInFlow(transport: fake, cache: UpstreamDocumentCache())
        let ticket = ticket()
        let url = try flow.authorizationURL(
            provider: provider(kind: .google(domains: ["school.example"])), ticket: ticket, redirectURI: redirect, loginHint: "ada@school.example",
            now: now)
        let query = Dictionary(uniqueKeysWithValues: (URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(url.hasPrefix("https://op.example/realm/authorize?x=1&"))
        #expect(query["state"] == ticket.state && query["nonce"] == ticket.nonce && query["redirect_uri"] == redirect)
        #expect(query["code_challenge_method"] == "S256" && query["response_type"] == "code" && query["client_id"] == "cw")
        let challenge = SecretToken.base64URL(Array(SHA256.hash(data: Array(ticket.codeVerifier.utf8))))
        #expect(query["code_challenge"] == challenge && query["code_challenge"] != ticket.codeVerifier)
        #expect(query["hd"] == "school.example" && query["login_hint"] == "ada@school.example" && query["scope"] == "openid email profile")
    }

    @Test func theCodeIsExchangedWithTheVerifierAndBasicAuthAndTheDocumentsAreCached() throws {
        let fake = FakeProvider()
        let flow = UpstreamSignInFlow(transport: fake, cache: UpstreamDocumentCache())
        for round in 0..<2 {
            let ticket = ticket()
            fake.claims = claims(nonce: ticket.nonce)
            let identity = try flow.identity(
                provider: provider(), ticket: ticket, code: "c\(round)", redirectURI: redirect, clientSecret: "s:ecret", now: now
            ).get()
            #expect(identity.subject == "u-1" && identity.email == "ada@school.example" && identity.emailVerified)
            let form = Dictionary(uniqueKeysWithValues: fake.forms.last!)
            #expect(form["code_verifier"] == ticket.codeVerifier && form["code"] == "c\(round)" && form["redirect_uri"] == redirect)
            #expect(form["client_secret"] == nil, "the secret goes in the Authorization header by default")
            #expect(
                fake.headers.last!.contains { $0.name == "Authorization" && $0.value == "Basic " + Data("cw:s%3Aecret".utf8).base64EncodedString() })
        }
        #expect(fake.count("GET https://op.example/realm/.well-known") == 1 && fake.count("GET https://op.example/realm/jwks") == 1)
    }

    @Test func aProviderThatListsOnlyClientSecretPostGetsTheSecretInTheForm() throws {
        let fake = FakeProvider()
        fake.authMethods = ["client_secret_post"]
        let ticket = ticket()
        fake.claims = claims(nonce: ticket.nonce)
        _ = try UpstreamSignInFlow(transport: fake, cache: UpstreamDocumentCache()).identity(
            provider: provider(), ticket: ticket, code: "c", redirectURI: redirect, clientSecret: "sec", now: now
        ).get()
        let form = Dictionary(uniqueKeysWithValues: fake.forms.last!)
        #expect(form["client_secret"] == "sec" && form["client_id"] == "cw")
        #expect(!fake.headers.last!.contains { $0.name == "Authorization" })
    }

    @Test func aRotatedKeyIsFetchedOnceAndAnUnknownKidThenRefusedWithoutHammering() throws {
        let fake = FakeProvider()
        let cache = UpstreamDocumentCache()
        let flow = UpstreamSignInFlow(transport: fake, cache: cache)
        var ticket = ticket()
        fake.claims = claims(nonce: ticket.nonce)
        _ = try flow.identity(provider: provider(), ticket: ticket, code: "c", redirectURI: redirect, clientSecret: "s", now: now).get()
        // The provider rotates: new key, new kid, published. Two minutes later the first token with it refetches once.
        fake.key = P256.Signing.PrivateKey()
        fake.kid = "k2"
        let later = now.addingTimeInterval(120)
        ticket = self.ticket()
        fake.claims = claims(
            nonce: ticket.nonce, [("iat", .int(Int(later.timeIntervalSince1970))), ("exp", .int(Int(later.timeIntervalSince1970) + 300))])
        _ = try flow.identity(provider: provider(), ticket: ticket, code: "c", redirectURI: redirect, clientSecret: "s", now: later).get()
        #expect(fake.count("GET https://op.example/realm/jwks") == 2)
        // A token naming a kid that is not published, seconds later: refused, and the keys are not fetched again.
        fake.kid = "made-up"
        let result = flow.identity(provider: provider(), ticket: ticket, code: "c", redirectURI: redirect, clientSecret: "s", now: later + 5)
        #expect(result.failureValue == .refused(.unknownKey))
        #expect(fake.count("GET https://op.example/realm/jwks") == 2)
    }

    @Test func upstreamFailuresAreNamed() {
        let fake = FakeProvider()
        let ticket = ticket()
        fake.claims = claims(nonce: "another sign-in's nonce")
        let flow = UpstreamSignInFlow(transport: fake, cache: UpstreamDocumentCache())
        #expect(
            flow.identity(provider: provider(), ticket: ticket, code: "c", redirectURI: redirect, clientSecret: "s", now: now).failureValue
                == .refused(.nonceMismatch))
        fake.tokenStatus = 400
        let refused = flow.identity(provider: provider(), ticket: ticket, code: "c", redirectURI: redirect, clientSecret: "s", now: now)
        #expect(refused.failureValue == .tokenEndpoint(.status(400, error: "invalid_grant")))
        let other = FakeProvider()
        other.discoveryIssuer = "https://evil.example"
        let unavailable = UpstreamSignInFlow(transport: other, cache: UpstreamDocumentCache()).identity(
            provider: provider(), ticket: ticket, code: "c", redirectURI: redirect, clientSecret: "s", now: now)
        guard case .unavailable(let reason) = unavailable.failureValue else {
            Issue.record("expected unavailable")
            return
        }
        #expect(reason.key == "signin_settings.problem.discovery_unusable" && reason.english.contains("evil.example"))
        #expect(reason.nested["reason"]?.key == "signin_settings.problem.discovery.issuer")
        #expect(reason.nested["reason"]?.arguments["issuer"] == "https://evil.example")
    }

    // MARK: Linking

    func identity(email: String = "ada@school.example", verified: Bool = true, subject: String = "u-1", extra: [(String, JSONValue)] = [])
        -> UpstreamIdentity
    {
        UpstreamIdentity(
            subject: subject, email: email, emailVerified: verified,
            claims: .object([("sub", .string(subject)), ("email", .string(email)), ("given_name", "Ada"), ("family_name", "Lovelace")] + extra))
    }

    @Test func theFirstSignInLinksByVerifiedEmailAndLaterOnesUseTheLink() throws {
        let accounts = MemoryAccounts()
        let store = MemoryUpstreamStore(accounts: accounts)
        let ada = accounts.addUser(role: .student, email: "ada@school.example", hash: nil)
        let linking = UpstreamLinking(store: store, accounts: accounts)
        #expect(try linking.resolve(identity(verified: false), provider: provider(), now: now) == .noSuchPerson, "an unverified email links nobody")
        #expect(store.linkCount == 0)
        #expect(try linking.resolve(identity(), provider: provider(), now: now) == .person(ada, newLink: true))
        #expect(try linking.resolve(identity(email: "changed@else.example"), provider: provider(), now: now) == .person(ada, newLink: false))
        #expect(store.linkCount == 1)
        // Another school's provider does not find the person.
        #expect(try linking.resolve(identity(subject: "u-2"), provider: provider(school: SchoolID(2)), now: now) == .noSuchPerson)
        accounts.deactivate(ada.id)
        #expect(try linking.resolve(identity(), provider: provider(), now: now) == .inactive(ada), "roster deactivation ends this way in too")
    }

    @Test func aClaimRuleMatchesTheUsernameAndAmbiguityMatchesNobody() throws {
        let accounts = MemoryAccounts()
        let store = MemoryUpstreamStore(accounts: accounts)
        let bo = accounts.addUser(role: .teacher, email: "bo@school.example", username: "bo.k", hash: nil)
        let linking = UpstreamLinking(store: store, accounts: accounts)
        let rule = UpstreamLinkRule.username(claim: "preferred_username")
        #expect(try linking.preview(identity(extra: [("preferred_username", "BO.K")]), provider: provider(rule: rule)) == .person(bo, newLink: true))
        #expect(store.linkCount == 0, "a preview writes nothing")
        #expect(try linking.resolve(identity(extra: [("preferred_username", "nobody")]), provider: provider(rule: rule), now: now) == .noSuchPerson)
        #expect(try linking.resolve(identity(), provider: provider(rule: rule), now: now) == .noSuchPerson, "no claim, no match")
    }

    @Test func justInTimeStudentsAreCreatedOnlyWhenTheSchoolAllowsIt() throws {
        let accounts = MemoryAccounts()
        let store = MemoryUpstreamStore(accounts: accounts)
        let linking = UpstreamLinking(store: store, accounts: accounts)
        #expect(try linking.resolve(identity(), provider: provider(), now: now) == .noSuchPerson)
        #expect(accounts.everyone().isEmpty)
        guard case .person(let created, true) = try linking.resolve(identity(), provider: provider(jit: true), now: now) else {
            Issue.record("expected a new student")
            return
        }
        #expect(created.role == .student && created.schoolID == SchoolID(1) && created.email == "ada@school.example")
        #expect(try linking.resolve(identity(), provider: provider(jit: true), now: now) == .person(created, newLink: false))
        #expect(accounts.everyone().count == 1)
    }

    // MARK: Settings

    @Test func settingsAreCheckedAndTheSecretIsSealedForItsProvider() throws {
        let key = SymmetricKey(size: .bits256)
        var generator = SystemRandomNumberGenerator()
        var settings = UpstreamProviderSettings()
        settings.slug = "google"
        settings.name = "Google"
        settings.kind = "google"
        settings.clientID = "123.apps.googleusercontent.com"
        settings.clientSecret = "GOCSPX-secret"
        #expect(
            throws: UpstreamProviderSettings.Problem(
                "domains", Message("signin_settings.problem.domains", "enter one to 20 domains, separated by commas"))
        ) {
            try settings.validated(school: SchoolID(1), key: key, allowLoopbackHTTP: false, using: &generator)
        }
        settings.domains = ["School.Example, second.example"]
        let saved = try settings.validated(school: SchoolID(1), key: key, allowLoopbackHTTP: false, using: &generator)
        #expect(saved.kind == .google(domains: ["school.example", "second.example"]) && saved.authority == "https://accounts.google.com")
        #expect(try UpstreamClientSecret.open(saved.sealedSecret, slug: "google", key: key) == "GOCSPX-secret")
        #expect(throws: (any Error).self) { try UpstreamClientSecret.open(saved.sealedSecret, slug: "other", key: key) }

        settings.kind = "entra"
        settings.tenants = ["9188040d-6c67-4c5b-b112-36a304b66dad"]
        #expect(throws: UpstreamProviderSettings.Problem.self) {
            try settings.validated(school: SchoolID(1), key: key, allowLoopbackHTTP: false, using: &generator)
        }
        settings.linkRule = "sourced-id"
        settings.linkClaim = "employeeId"
        let entra = try settings.validated(school: SchoolID(1), key: key, allowLoopbackHTTP: false, using: &generator)
        #expect(entra.linkRule == .sourcedID(claim: "employeeId") && entra.authority == "https://login.microsoftonline.com")
        settings.kind = "generic"
        settings.issuer = "http://op.example"
        #expect(throws: UpstreamProviderSettings.Problem.self) {
            try settings.validated(school: SchoolID(1), key: key, allowLoopbackHTTP: false, using: &generator)
        }
        settings.issuer = "https://op.example/realm/.well-known/openid-configuration"
        #expect(try settings.validated(school: nil, key: key, allowLoopbackHTTP: false, using: &generator).authority == "https://op.example/realm")
        settings.jitStudents = true
        #expect(throws: UpstreamProviderSettings.Problem.self) {
            try settings.validated(school: nil, key: key, allowLoopbackHTTP: false, using: &generator)
        }
        settings.slug = "callback"
        #expect(throws: UpstreamProviderSettings.Problem.self) {
            try settings.validated(school: SchoolID(1), key: key, allowLoopbackHTTP: false, using: &generator)
        }
    }
}

extension Result {
    /// The failure, or `nil`.
    var failureValue: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
