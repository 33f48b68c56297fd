import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// Which implementation of the OAuth store protocols a case runs against.
enum OAuthBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, mariadb
    var testDescription: String { rawValue }
}

/// The same OAuth store protocols over either backend, with what the cases need to set up people.
final class OAuthConformanceFixture {
    let clients: any ClientStore
    let codes: any AuthorizationCodeStore
    let tokens: any TokenStore
    let bearers: any BearerTokenStore
    let consents: any ConsentStore
    let policies: any SchoolAppPolicyStore
    let database: TestDatabase?
    private let people: PeopleBox
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    /// Active accounts of the memory backend (the MariaDB one reads `users`).
    private final class PeopleBox: @unchecked Sendable {
        var users: [UserID: UserAccount] = [:]
        var next: Int64 = 1
    }

    init(_ backend: OAuthBackend) throws {
        people = PeopleBox()
        switch backend {
        case .memory:
            database = nil
            let people = self.people
            let store = MemoryOAuthStore(users: { people.users[$0] })
            (clients, codes, tokens, bearers, consents, policies) = (store, store, store, store, store, store)
        case .mariadb:
            let db = try TestDatabase()
            database = db
            let tokenStore = MariaTokenStore(database: db.database)
            (clients, codes, tokens, bearers) = (MariaClientStore(database: db.database), tokenStore, tokenStore, tokenStore)
            consents = MariaConsentStore(database: db.database)
            policies = MariaSchoolAppPolicyStore(database: db.database)
            try db.insertTwoSchools(now: now)
        }
        try clients.createClient(Self.client(Self.app), now: now)
        try clients.createClient(Self.client(Self.other), now: now)
        try clients.createClient(Self.client(Self.suspended, status: .suspended), now: now)
    }

    static let app = ClientID("conformance-app")
    static let other = ClientID("conformance-other")
    static let suspended = ClientID("conformance-suspended")

    static func client(_ id: ClientID, status: OAuthClient.Status = .active) -> OAuthClient {
        OAuthClient(
            clientID: id, name: "App \(id)", developerName: "Dev", kind: .confidential, redirectURIs: ["https://app.test/cb"],
            allowedScopes: ["openid", "profile.read", "student.grades.read"], status: status)
    }

    /// A student of school 1 (or `school`).
    func addStudent(_ name: String, school: SchoolID = SchoolID(1)) throws -> UserAccount {
        if let database {
            let id = try MariaAccountStore(database: database.database).createUser(
                NewUser(role: .student, schoolID: school, givenName: name, familyName: "Test", email: "\(name)@school.test", passwordHash: nil),
                now: now)
            return try #require(try MariaAccountStore(database: database.database).activeUser(id)?.user)
        }
        let user = UserAccount(
            id: UserID(people.next), role: .student, schoolID: school, givenName: name, familyName: "Test", email: "\(name)@school.test",
            username: nil)
        people.next += 1
        people.users[user.id] = user
        return user
    }

    func deactivate(_ user: UserID) throws {
        if let database {
            try database.database.execute("UPDATE users SET active = 0 WHERE id = \(user.rawValue)")
        } else {
            people.users[user] = nil
        }
    }

    func code(
        for user: UserAccount, client: ClientID = OAuthConformanceFixture.app, methods: [AuthenticationMethod] = [.password],
        expiresIn: TimeInterval = 60
    ) -> AuthorizationCodeGrant {
        AuthorizationCodeGrant(
            clientID: client, userID: user.id, redirectURI: "https://app.test/cb", scopes: ["openid", "student.grades.read"],
            codeChallenge: nil, nonce: "n1", authTime: now - 5, methods: methods, expiresAt: now + expiresIn)
    }

    func pair(_ name: String, at time: Date? = nil, accessScopes: [String]? = nil) -> [NewToken] {
        let time = time ?? now
        return [
            NewToken(digest: SecretToken.digest("cw_at_" + name), kind: .access, expiresAt: time + 3600, scopes: accessScopes),
            NewToken(digest: SecretToken.digest("cw_rt_" + name), kind: .refresh, expiresAt: time + 86400),
        ]
    }

    func isActive(_ token: String, at time: Date? = nil) throws -> Bool {
        try tokens.token(digest: SecretToken.digest(token))?.isActive(at: time ?? now) == true
    }
}

/// Cases every OAuth store implementation must pass, run against the in-memory twin and MariaDB alike.
@Suite(.serialized) struct OAuthStoreConformanceTests {
    @Test(arguments: OAuthBackend.allCases)
    func anExchangeCreatesTheGrantWithItsTokensAndAReplayRevokesIt(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let digest = SecretToken.digest("cw_ac_one")
        try f.codes.createCode(digest: digest, grant: f.code(for: ada), now: f.now)
        var seen: (AuthorizationCodeGrant, UserAccount?)?
        let outcome = try f.codes.exchangeCode(digest: digest, tokens: f.pair("one"), now: f.now + 1) { grant, user in
            seen = (grant, user)
            return nil
        }
        guard case .issued(let grantID, let grant, let user) = outcome else { Issue.record("not issued: \(outcome)"); return }
        #expect(seen?.0 == grant && seen?.1 == ada && user == ada)
        #expect(grant.scopes == ["openid", "student.grades.read"] && grant.nonce == "n1")
        #expect(grant.authTime == f.now - 5 && grant.methods == [.password])
        #expect(try f.isActive("cw_at_one") && f.isActive("cw_rt_one"))
        #expect(try f.tokens.token(digest: SecretToken.digest("cw_rt_one"))?.grantID == grantID)

        let replay = try f.codes.exchangeCode(digest: digest, tokens: f.pair("two"), now: f.now + 2) { _, _ in nil }
        #expect(replay == .replayed(grantID))
        #expect(try !f.isActive("cw_at_one", at: f.now + 2) && !f.isActive("cw_rt_one", at: f.now + 2))
        #expect(try f.tokens.token(digest: SecretToken.digest("cw_at_two")) == nil)
    }

    @Test(arguments: OAuthBackend.allCases)
    func aCodeCarriesItsSessionsSignInMethodsToTheExchangeInOrder(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let cases: [(String, [AuthenticationMethod])] = [
            ("cw_ac_pwd", [.password]), ("cw_ac_fed_otp", [.federated, .oneTimePassword]), ("cw_ac_hwk", [.hardwareKey]), ("cw_ac_none", []),
        ]
        for (token, methods) in cases {
            try f.codes.createCode(digest: SecretToken.digest(token), grant: f.code(for: ada, methods: methods), now: f.now)
        }
        for (token, methods) in cases {
            var seen: [AuthenticationMethod]?
            let outcome = try f.codes.exchangeCode(digest: SecretToken.digest(token), tokens: f.pair(token), now: f.now + 1) { grant, _ in
                seen = grant.methods
                return nil
            }
            guard case .issued(_, let grant, _) = outcome else { Issue.record("\(token) not issued: \(outcome)"); continue }
            #expect(seen == methods && grant.methods == methods, "\(token)")
        }
    }

    @Test(arguments: OAuthBackend.allCases)
    func aRefusedExchangeSpendsTheCodeAndCreatesNothing(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let digest = SecretToken.digest("cw_ac_refused")
        try f.codes.createCode(digest: digest, grant: f.code(for: ada), now: f.now)
        let refusal = OAuthError.invalidGrant("The code_verifier does not match the code_challenge.")
        #expect(try f.codes.exchangeCode(digest: digest, tokens: f.pair("r"), now: f.now) { _, _ in refusal } == .refused(refusal))
        #expect(try f.tokens.token(digest: SecretToken.digest("cw_at_r")) == nil)
        #expect(try f.codes.exchangeCode(digest: digest, tokens: f.pair("r2"), now: f.now) { _, _ in nil } == .replayed(nil))
    }

    @Test(arguments: OAuthBackend.allCases)
    func unknownAndExpiredCodesAreInvalidAndAnInactiveUserReachesTheCheckAsNil(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        #expect(try f.codes.exchangeCode(digest: SecretToken.digest("cw_ac_unknown"), tokens: f.pair("u"), now: f.now) { _, _ in nil } == .invalid)
        let expired = SecretToken.digest("cw_ac_expired")
        try f.codes.createCode(digest: expired, grant: f.code(for: ada, expiresIn: 10), now: f.now)
        #expect(try f.codes.exchangeCode(digest: expired, tokens: f.pair("e"), now: f.now + 11) { _, _ in nil } == .invalid)

        let bob = try f.addStudent("bob")
        let digest = SecretToken.digest("cw_ac_bob")
        try f.codes.createCode(digest: digest, grant: f.code(for: bob), now: f.now)
        try f.deactivate(bob.id)
        var sawUser: UserAccount?? = .none
        let gone = OAuthError.invalidGrant("gone")
        let outcome = try f.codes.exchangeCode(digest: digest, tokens: f.pair("b"), now: f.now) { _, user in
            sawUser = .some(user)
            return user == nil ? gone : nil
        }
        #expect(outcome == .refused(gone))
        #expect(sawUser == .some(nil))
    }

    @Test(arguments: OAuthBackend.allCases)
    func aRotationRetriedWithTheSameReplacementWithinTheGraceWindowIsRepeatedUntilTheNewTokenIsUsed(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: ada.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("g0"), now: f.now)
        let old = SecretToken.digest("cw_rt_g0")
        guard
            case .rotated = try f.tokens.rotateRefreshToken(
                digest: old, client: OAuthConformanceFixture.app, replacement: f.pair("g1"), now: f.now + 1, grace: 10)
        else { Issue.record("first rotation failed"); return }

        // The same replacement within the grace window: the pair is handed out again.
        let again = try f.tokens.rotateRefreshToken(
            digest: old, client: OAuthConformanceFixture.app, replacement: f.pair("g1", at: f.now + 3), now: f.now + 3, grace: 10)
        guard case .repeated(let spent, let access) = again else { Issue.record("not repeated: \(again)"); return }
        #expect(spent.grantID == access.grantID && access.kind == .access && access.expiresAt == f.now + 3600)
        // Another replacement (a parallel request, not a retry): already rotated, nothing issued.
        #expect(
            try f.tokens.rotateRefreshToken(digest: old, client: OAuthConformanceFixture.app, replacement: f.pair("x"), now: f.now + 3, grace: 10)
                == .alreadyRotated)
        #expect(try f.tokens.token(digest: SecretToken.digest("cw_at_x")) == nil)

        // Once the new refresh token has been used, the old pair is never handed out again.
        guard
            case .rotated = try f.tokens.rotateRefreshToken(
                digest: SecretToken.digest("cw_rt_g1"), client: OAuthConformanceFixture.app, replacement: f.pair("g2"), now: f.now + 4, grace: 10)
        else { Issue.record("second rotation failed"); return }
        #expect(
            try f.tokens.rotateRefreshToken(digest: old, client: OAuthConformanceFixture.app, replacement: f.pair("g1"), now: f.now + 5, grace: 10)
                == .alreadyRotated)
        // After the grace window the old token is a reuse: the whole family ends.
        #expect(
            try f.tokens.rotateRefreshToken(digest: old, client: OAuthConformanceFixture.app, replacement: f.pair("g1"), now: f.now + 30, grace: 10)
                == .reuseDetected)
        #expect(try !f.isActive("cw_rt_g2", at: f.now + 30) && !f.isActive("cw_at_g2", at: f.now + 30))
    }

    @Test(arguments: OAuthBackend.allCases)
    func noRotationOutlivesTheGrantsAbsoluteLifetime(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: ada.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("a0"), now: f.now)
        // Rotated at +50 s with a limit of 100 s: the new refresh token ends at +100 s, not a day later.
        guard
            case .rotated = try f.tokens.rotateRefreshToken(
                digest: SecretToken.digest("cw_rt_a0"), client: OAuthConformanceFixture.app, replacement: f.pair("a1", at: f.now + 50),
                now: f.now + 50,
                grace: 10, absoluteLifetime: 100)
        else { Issue.record("not rotated"); return }
        #expect(try f.tokens.token(digest: SecretToken.digest("cw_rt_a1"))?.expiresAt == f.now + 100)
        #expect(try f.isActive("cw_rt_a1", at: f.now + 99) && !f.isActive("cw_rt_a1", at: f.now + 100))
        // A family past its end is over, whatever its token's own expiry says; nothing changes.
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: ada.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("b0"), now: f.now)
        #expect(
            try f.tokens.rotateRefreshToken(
                digest: SecretToken.digest("cw_rt_b0"), client: OAuthConformanceFixture.app, replacement: f.pair("b1", at: f.now + 200),
                now: f.now + 200, grace: 10, absoluteLifetime: 100) == .invalid)
        #expect(try f.isActive("cw_rt_b0", at: f.now + 200) && f.tokens.token(digest: SecretToken.digest("cw_rt_b1")) == nil)
    }

    @Test(arguments: OAuthBackend.allCases)
    func aBearerRecordCarriesTheClientsStatusAndScopesTheActiveUserAndTheSchoolsDecision(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let eve = try f.addStudent("eve", school: SchoolID(2))
        for (name, user, client) in [
            ("ada", ada, OAuthConformanceFixture.app), ("eve", eve, OAuthConformanceFixture.app), ("sus", ada, OAuthConformanceFixture.suspended),
        ] {
            _ = try f.tokens.createGrant(
                client: client, user: user.id, scopes: ["openid", "student.grades.read"], authTime: f.now, tokens: f.pair(name), now: f.now)
        }
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: nil, scopes: ["profile.read"], authTime: nil, tokens: [f.pair("app")[0]], now: f.now)
        let limit = SchoolAppPolicy(status: .allowed, scopeLimit: ["openid"])
        _ = try f.policies.setPolicy(limit, school: SchoolID(1), client: OAuthConformanceFixture.app, by: ada.id, now: f.now)

        let record = try #require(try f.bearers.bearer(digest: SecretToken.digest("cw_at_ada")))
        #expect(record.token.scopes == ["openid", "student.grades.read"] && record.user == ada && record.schoolPolicy == limit)
        #expect(record.clientStatus == .active && record.clientAllowedScopes == ["openid", "profile.read", "student.grades.read"])
        #expect(BearerRule.authorize(record, now: f.now)?.scopes == ["openid"])
        let other = try #require(try f.bearers.bearer(digest: SecretToken.digest("cw_at_eve")))
        #expect(other.schoolPolicy == nil && BearerRule.authorize(other, now: f.now)?.scopes == ["openid", "student.grades.read"])
        #expect(try f.bearers.bearer(digest: SecretToken.digest("cw_at_sus"))?.clientStatus == .suspended)
        let appToken = try #require(try f.bearers.bearer(digest: SecretToken.digest("cw_at_app")))
        #expect(appToken.user == nil && !appToken.hasUser && appToken.schoolPolicy == nil)
        #expect(try f.bearers.bearer(digest: SecretToken.digest("cw_at_nobody")) == nil)

        try f.deactivate(ada.id)
        let deactivated = try #require(try f.bearers.bearer(digest: SecretToken.digest("cw_at_ada")))
        #expect(deactivated.user == nil && deactivated.hasUser && BearerRule.authorize(deactivated, now: f.now) == nil)
    }

    @Test(arguments: OAuthBackend.allCases)
    func blockingAnAppEndsTheTokensOfThatSchoolsUsersOnly(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let eve = try f.addStudent("eve", school: SchoolID(2))
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: ada.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("ada"), now: f.now)
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: eve.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("eve"), now: f.now)
        let revoked = try f.policies.setPolicy(
            SchoolAppPolicy(status: .blocked, scopeLimit: nil), school: SchoolID(1), client: OAuthConformanceFixture.app, by: ada.id, now: f.now)
        #expect(revoked == 1)
        #expect(try !f.isActive("cw_at_ada") && !f.isActive("cw_rt_ada") && f.isActive("cw_at_eve"))
        #expect(try f.policies.policy(school: SchoolID(1), client: OAuthConformanceFixture.app)?.status == .blocked)
    }

    @Test(arguments: OAuthBackend.allCases)
    func consentsMergeAndRevokingOneEndsTheGrantsAndPendingCodes(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        try f.consents.recordConsent(user: ada.id, client: OAuthConformanceFixture.app, scopes: ["openid"], now: f.now)
        try f.consents.recordConsent(user: ada.id, client: OAuthConformanceFixture.app, scopes: ["profile.read"], now: f.now + 1)
        #expect(try f.consents.consent(user: ada.id, client: OAuthConformanceFixture.app)?.scopes == ["openid", "profile.read"])
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: ada.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("c"), now: f.now)
        let pending = SecretToken.digest("cw_ac_pending")
        try f.codes.createCode(digest: pending, grant: f.code(for: ada), now: f.now)

        try f.consents.revokeConsent(user: ada.id, client: OAuthConformanceFixture.app, now: f.now + 2)
        #expect(try f.consents.consent(user: ada.id, client: OAuthConformanceFixture.app) == nil)
        #expect(try f.consents.consents(of: ada.id).isEmpty)
        #expect(try !f.isActive("cw_at_c", at: f.now + 2) && !f.isActive("cw_rt_c", at: f.now + 2))
        #expect(try f.codes.exchangeCode(digest: pending, tokens: f.pair("p"), now: f.now + 3) { _, _ in nil } == .invalid)
    }

    @Test(arguments: OAuthBackend.allCases)
    func onlyTheTwoNewestSecretsStayValidAndUnknownClientsAreRefused(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        // Digests are HMAC-SHA256 values: 32 bytes.
        let (a, b, c) = ([UInt8](repeating: 1, count: 32), [UInt8](repeating: 2, count: 32), [UInt8](repeating: 3, count: 32))
        for (index, digest) in [a, b, c].enumerated() {
            try f.clients.addSecret(digest: digest, to: OAuthConformanceFixture.app, now: f.now + Double(index))
        }
        #expect(try f.clients.activeSecretDigests(of: OAuthConformanceFixture.app, now: f.now + 5) == [c, b])
        let record = try #require(try f.clients.authenticationRecord(of: OAuthConformanceFixture.app, now: f.now + 5))
        #expect(Set(record.secretDigests) == [c, b] && record.client.clientID == OAuthConformanceFixture.app)
        #expect(throws: StoreError.self) { try f.clients.addSecret(digest: [1], to: ClientID("nobody"), now: f.now) }
        #expect(throws: StoreError.self) { try f.clients.createClient(OAuthConformanceFixture.client(OAuthConformanceFixture.app), now: f.now) }
        #expect(throws: StoreError.self) {
            try f.tokens.createGrant(client: ClientID("nobody"), user: nil, scopes: [], authTime: nil, tokens: [], now: f.now)
        }
    }

    @Test(arguments: OAuthBackend.allCases)
    func appTokensShareTheAppGrantAndItsRevocationIsSeenAtOnceByEveryToken(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let app = OAuthConformanceFixture.app
        func issue(_ name: String, scopes: [String] = ["school.read"], at time: Date? = nil) throws -> StoredToken? {
            let time = time ?? f.now
            try f.tokens.issueAppToken(
                client: app, scopes: scopes, token: NewToken(digest: SecretToken.digest("cw_at_" + name), kind: .access, expiresAt: time + 3600),
                grantLifetime: 86_400, now: time)
            return try f.tokens.token(digest: SecretToken.digest("cw_at_" + name))
        }
        let first = try #require(try issue("one"))
        let second = try #require(try issue("two", scopes: []))
        #expect(first.userID == nil && first.clientID == app && first.scopes == ["school.read"] && second.scopes == [])
        #expect(second.grantID == first.grantID, "the usual app token is one INSERT into the app grant")
        #expect(try f.isActive("cw_at_one") && f.isActive("cw_at_two"))
        #expect(try f.bearers.bearer(digest: SecretToken.digest("cw_at_one"))?.token.scopes == ["school.read"])

        // Revoking one token leaves the grant and its other tokens.
        try f.tokens.revokeToken(digest: SecretToken.digest("cw_at_one"), client: app, now: f.now + 1)
        #expect(try !f.isActive("cw_at_one", at: f.now + 2) && f.isActive("cw_at_two", at: f.now + 2))

        // Revoking the app grant (what a suspension does) ends every token of it at once, and a new token starts
        // a new grant that works.
        try f.tokens.revokeGrant(first.grantID, now: f.now + 3)
        #expect(try !f.isActive("cw_at_two", at: f.now + 4))
        let third = try #require(try issue("three", at: f.now + 5))
        #expect(third.grantID != first.grantID)
        #expect(try f.isActive("cw_at_three", at: f.now + 6))

        // A token that would outlive the app grant goes to a new one.
        let late = try #require(try issue("late", at: f.now + 5 + 86_400 - 1800))
        #expect(late.grantID != third.grantID)
        #expect(throws: StoreError.self) {
            try f.tokens.issueAppToken(
                client: ClientID("nobody"), scopes: [], token: NewToken(digest: [9], kind: .access, expiresAt: f.now + 60), grantLifetime: 60,
                now: f.now)
        }
    }

    @Test(arguments: OAuthBackend.allCases)
    func theAuthenticationRecordSaysWhenThePresentedSecretsUseIsDueToBeWritten(_ backend: OAuthBackend) throws {
        let f = try OAuthConformanceFixture(backend)
        let app = OAuthConformanceFixture.app
        let (secret, other) = ([UInt8](repeating: 4, count: 32), [UInt8](repeating: 5, count: 32))
        try f.clients.addSecret(digest: secret, to: app, now: f.now)
        func due(_ digest: [UInt8]?, at time: TimeInterval) throws -> Bool? {
            try f.clients.authenticationRecord(of: app, presentedDigest: digest, now: f.now + time)?.presentedSecretUseDue
        }
        #expect(try due(secret, at: 1) == true, "never written yet")
        #expect(try due(other, at: 1) == false && due(nil, at: 1) == false, "not one of the client's secrets")
        try f.clients.recordSecretUse(digest: secret, of: app, now: f.now + 1)
        #expect(try due(secret, at: 30) == false, "written within the minute")
        #expect(try due(secret, at: 1 + ClientSecretUse.recordingInterval + 1) == true)
        #expect(try f.clients.authenticationRecord(of: ClientID("nobody"), presentedDigest: secret, now: f.now) == nil)

        // Without redirect URIs (introspection, revocation, grants other than authorization_code): the same record
        // otherwise.
        let full = try #require(try f.clients.authenticationRecord(of: app, presentedDigest: secret, redirectURIs: true, now: f.now + 30))
        let lean = try #require(try f.clients.authenticationRecord(of: app, presentedDigest: secret, redirectURIs: false, now: f.now + 30))
        #expect(full.client.redirectURIs == ["https://app.test/cb"] && lean.client.redirectURIs.isEmpty)
        #expect(lean.secretDigests == full.secretDigests && lean.client.status == full.client.status)
        #expect(lean.client.allowedScopes == full.client.allowedScopes && lean.client.kind == full.client.kind)
    }
}
