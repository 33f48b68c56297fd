import Crypto
import Domain
import Foundation
import Testing

@testable import StoreTwins

/// ``AuthorizeFlow`` over the store twins: the order of its decisions and what it writes.
@Suite struct AuthorizeFlowTests {
    let store: MemoryOAuthStore
    let student = UserAccount(
        id: UserID(7), role: .student, schoolID: SchoolID(1), givenName: "Ada", familyName: "L", email: "ada@school.test", username: nil)
    let client = OAuthFixtures.webClient
    let now = OAuthFixtures.t0
    var flow: AuthorizeFlow { AuthorizeFlow(policies: store, consents: store, codes: store, codeLifetime: 60) }

    init() throws {
        let student = self.student
        store = MemoryOAuthStore(users: { $0 == student.id ? student : nil })
        try store.createClient(client, now: now)
    }

    func request(scopes: [String] = ["openid", "student.grades.read"], prompt: Set<AuthorizationRequest.Prompt> = [], maxAge: Int? = nil)
        -> AuthorizationRequest
    {
        AuthorizationRequest(
            client: client, redirectURI: "https://app.example/cb", scopes: scopes, state: "s", nonce: "n",
            codeChallenge: OAuthFixtures.challenge, prompt: prompt, maxAge: maxAge)
    }

    func run(
        _ request: AuthorizationRequest, signedIn: Bool = true, authTime: Date? = nil, methods: [AuthenticationMethod] = [.password],
        decision: Bool? = nil, justSignedIn: Bool = false
    ) throws -> AuthorizeFlow.Outcome {
        var generator = SystemRandomNumberGenerator()
        return try flow.run(
            request, session: signedIn ? .init(user: student, authTime: authTime ?? now - 60, methods: methods) : nil,
            signedInDuringThisRequest: justSignedIn, decision: decision, now: now, using: &generator)
    }

    /// Signs nothing: the "token" is the claims' JSON, so a test can read what the flow put in it.
    struct ClaimsEcho: IDTokenSigner {
        func sign(_ claims: IDTokenClaims) throws -> String { claims.json }
    }

    @Test func theSessionsSignInMethodsTravelThroughTheCodeIntoTheIDTokensAmr() throws {
        guard case .issued(let code) = try run(request(), methods: [.password, .oneTimePassword], decision: true) else {
            Issue.record("no code")
            return
        }
        let exchange = CodeExchangeFlow(
            codes: store, lifetimes: TokenLifetimes(),
            idTokens: IDTokenSettings(
                issuer: OAuthFixtures.issuer, lifetime: 3600, subjects: SubjectIdentifiers(key: SymmetricKey(size: .bits256))),
            signer: ClaimsEcho())
        var generator = SystemRandomNumberGenerator()
        let outcome = try exchange.run(
            code: code, redirectURI: "https://app.example/cb", codeVerifier: OAuthFixtures.verifier, client: client, now: now + 5,
            using: &generator)
        guard case .issued(let response, _) = outcome else { Issue.record("not issued: \(outcome)"); return }
        let json = try #require(response.idToken)
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(claims["amr"] as? [String] == ["pwd", "otp"])
        #expect(claims["auth_time"] as? Int == Int((now - 60).timeIntervalSince1970))
        #expect(claims["nonce"] as? String == "n")
    }

    @Test func aSignedOutUserSignsInAndPromptNoneIsLoginRequired() throws {
        #expect(try run(request(), signedIn: false) == .signIn(again: false))
        guard case .redirectError(let error) = try run(request(prompt: [.none]), signedIn: false) else { Issue.record("not an error"); return }
        #expect(error.code == .loginRequired)
        #expect(try run(request(maxAge: 30)) == .signIn(again: true))
    }

    @Test func theFirstVisitAsksForConsentAndAnApprovalIssuesACodeBoundToTheRequest() throws {
        guard case .askConsent(let scopes) = try run(request()) else { Issue.record("no consent page"); return }
        #expect(scopes.map(\.name) == ["openid", "student.grades.read"])
        guard case .issued(let code) = try run(request(), decision: true) else { Issue.record("no code"); return }
        var seen: AuthorizationCodeGrant?
        _ = try store.exchangeCode(digest: SecretToken.digest(code), tokens: [], now: now) { grant, _ in
            seen = grant
            return .invalidGrant("only looking")
        }
        #expect(seen?.codeChallenge == OAuthFixtures.challenge && seen?.nonce == "n" && seen?.redirectURI == "https://app.example/cb")
        #expect(seen?.expiresAt == now + 60 && seen?.authTime == now - 60 && seen?.methods == [.password])
        // The consent is remembered: the next visit skips the page.
        guard case .issued = try run(request()) else { Issue.record("consent not remembered"); return }
        guard case .askConsent = try run(request(prompt: [.consent])) else { Issue.record("prompt=consent must ask"); return }
    }

    @Test func aDenialOrASchoolBlockNeverIssuesACode() throws {
        guard case .redirectError(let denied) = try run(request(), decision: false) else { Issue.record("not denied"); return }
        #expect(denied.code == .accessDenied)
        _ = try store.setPolicy(
            SchoolAppPolicy(status: .blocked, scopeLimit: nil), school: SchoolID(1), client: client.clientID, by: student.id, now: now)
        #expect(try run(request()) == .blocked)
        guard case .redirectError(let error) = try run(request(prompt: [.none])) else { Issue.record("not an error"); return }
        #expect(error.code == .accessDenied)
    }

    @Test func aSchoolLimitLeavesOnlyTheScopesItAllows() throws {
        _ = try store.setPolicy(
            SchoolAppPolicy(status: .allowed, scopeLimit: ["openid"]), school: SchoolID(1), client: client.clientID, by: student.id, now: now)
        guard case .askConsent(let scopes) = try run(request()) else { Issue.record("no consent page"); return }
        #expect(scopes.map(\.name) == ["openid"])
        guard case .redirectError(let error) = try run(request(scopes: ["student.grades.read"])) else { Issue.record("not an error"); return }
        #expect(error.code == .accessDenied)
    }
}

@Suite struct SignInDetourMarkerTests {
    let key = SymmetricKey(size: .bits256)
    let now = OAuthFixtures.t0

    let binding = "request one"

    @Test func aMarkerCountsOnlyForASignInAfterItWithinItsLifetimeOnItsOwnRequest() {
        let marker = SignInDetourMarker.make(at: now, binding: binding, key: key)
        #expect(SignInDetourMarker.showsSignIn(marker, binding: binding, authTime: now + 5, now: now + 10, key: key))
        #expect(!SignInDetourMarker.showsSignIn(marker, binding: binding, authTime: now - 60, now: now + 10, key: key), "a sign-in before the detour")
        #expect(!SignInDetourMarker.showsSignIn(marker, binding: binding, authTime: now + 5, now: now + 601, key: key), "too old")
        #expect(!SignInDetourMarker.showsSignIn(marker, binding: binding, authTime: nil, now: now + 10, key: key), "signed out")
        #expect(!SignInDetourMarker.showsSignIn(marker, binding: "request two", authTime: now + 5, now: now + 10, key: key), "another request")
    }

    @Test(arguments: ["1", "", "1800000000", "1800000000.", "1800000000.AAAA", "x.y.z"])
    func aForgedMarkerNeverCounts(_ forged: String) {
        #expect(!SignInDetourMarker.showsSignIn(forged, binding: binding, authTime: now + 5, now: now + 10, key: key))
        let other = SignInDetourMarker.make(at: now, binding: binding, key: SymmetricKey(size: .bits256))
        #expect(!SignInDetourMarker.showsSignIn(other, binding: binding, authTime: now + 5, now: now + 10, key: key), "another key's")
    }
}
