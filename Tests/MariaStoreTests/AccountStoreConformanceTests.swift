import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// Accounts, sessions, sign-in throttle counters and password links over either backend.
final class AccountConformanceFixture {
    let accounts: any AccountStore
    let sessions: any SessionStore
    let throttle: any SignInThrottleStore
    let links: any PasswordLinkStore
    private let database: TestDatabase?
    private let memory: MemoryAccounts?
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    init(_ backend: OAuthBackend) throws {
        switch backend {
        case .memory:
            let memory = MemoryAccounts()
            (self.memory, database) = (memory, nil)
            (accounts, sessions, throttle, links) = (memory, memory, memory, memory)
        case .mariadb:
            let db = try TestDatabase()
            (memory, database) = (nil, db)
            let accountStore = MariaAccountStore(database: db.database)
            let sessionStore = MariaSessionStore(database: db.database)
            (accounts, sessions, throttle, links) = (accountStore, sessionStore, sessionStore, accountStore)
            try db.insertTwoSchools(now: now)
        }
    }

    func addStudent(_ name: String) throws -> UserID {
        try accounts.createUser(
            NewUser(
                role: .student, schoolID: SchoolID(1), givenName: name, familyName: "Test", email: "\(name)@school.test", passwordHash: "hash-\(name)"
            ),
            now: now)
    }

    func deactivate(_ user: UserID) throws {
        if let memory { memory.deactivate(user) }
        if let database { try database.database.execute("UPDATE users SET active = 0 WHERE id = \(user.rawValue)") }
    }
}

/// Cases every account store implementation must pass, on the in-memory twin and MariaDB alike.
@Suite(.serialized) struct AccountStoreConformanceTests {
    @Test(arguments: OAuthBackend.allCases)
    func aUserSignsInByEmailWithTheirHashAndADuplicateEmailIsRefused(_ backend: OAuthBackend) throws {
        let f = try AccountConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let found = try #require(try f.accounts.signInCandidate(identifier: "ada@school.test"))
        #expect(found.user.id == ada && found.passwordHash == "hash-ada" && found.user.role == .student)
        #expect(try f.accounts.signInCandidate(identifier: "nobody@school.test") == nil)
        #expect(throws: StoreError.self) { _ = try f.addStudent("ada") }
        try f.accounts.setPasswordHash("hash-new", for: ada, now: f.now)
        #expect(try f.accounts.activeUser(ada)?.passwordHash == "hash-new")
        try f.deactivate(ada)
        #expect(try f.accounts.signInCandidate(identifier: "ada@school.test") == nil)
        #expect(try f.accounts.activeUser(ada) == nil)
    }

    @Test(arguments: OAuthBackend.allCases)
    func sessionsAreFoundByDigestTouchedAndEndedOneOrAllButOne(_ backend: OAuthBackend) throws {
        let f = try AccountConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let (one, two, three) = (SecretToken.digest("cw_ses_1"), SecretToken.digest("cw_ses_2"), SecretToken.digest("cw_ses_3"))
        for digest in [one, two, three] {
            try f.sessions.createSession(
                digest: digest, user: ada, methods: [.password], now: f.now, expiresAt: f.now + 3600, clientAddress: "192.0.2.1",
                userAgent: "test")
        }
        let found = try #require(try f.sessions.session(digest: one))
        #expect(found.user.id == ada && found.createdAt == f.now && found.lastSeenAt == f.now)
        try f.sessions.touchSession(digest: one, now: f.now + 60)
        #expect(try f.sessions.session(digest: one)?.lastSeenAt == f.now + 60)
        try f.sessions.deleteSession(digest: two)
        try f.sessions.deleteSession(digest: two)
        #expect(try f.sessions.session(digest: two) == nil)
        try f.sessions.deleteSessions(of: ada, keeping: one)
        #expect(try f.sessions.session(digest: one) != nil && f.sessions.session(digest: three) == nil)
        try f.deactivate(ada)
        #expect(try f.sessions.session(digest: one) == nil)
    }

    @Test(arguments: OAuthBackend.allCases)
    func aSessionKeepsItsSignInMethodsInTheOrderUsed(_ backend: OAuthBackend) throws {
        let f = try AccountConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let cases: [(String, [AuthenticationMethod])] = [
            ("cw_ses_pwd", [.password]), ("cw_ses_fed_otp", [.federated, .oneTimePassword]), ("cw_ses_hwk_pwd", [.hardwareKey, .password]),
            ("cw_ses_none", []),
        ]
        for (token, methods) in cases {
            try f.sessions.createSession(
                digest: SecretToken.digest(token), user: ada, methods: methods, now: f.now, expiresAt: f.now + 3600, clientAddress: "",
                userAgent: "")
        }
        for (token, methods) in cases {
            #expect(try f.sessions.session(digest: SecretToken.digest(token))?.methods == methods, "\(token)")
        }
        try f.sessions.touchSession(digest: SecretToken.digest("cw_ses_fed_otp"), now: f.now + 60)
        #expect(try f.sessions.session(digest: SecretToken.digest("cw_ses_fed_otp"))?.methods == [.federated, .oneTimePassword])
    }

    @Test(arguments: OAuthBackend.allCases)
    func throttleCountersAreReplacedByTheirUpdateAndCleared(_ backend: OAuthBackend) throws {
        let f = try AccountConformanceFixture(backend)
        let key = SignInThrottlePolicy.key(.account, "ada@school.test")
        #expect(try f.throttle.throttleState(key: key) == nil)
        for _ in 0..<3 {
            try f.throttle.updateThrottle(key: key) { current in
                SignInThrottleState(failures: (current?.failures ?? 0) + 1, windowStartedAt: current?.windowStartedAt ?? f.now, lockedUntil: nil)
            }
        }
        #expect(try f.throttle.throttleState(key: key) == SignInThrottleState(failures: 3, windowStartedAt: f.now, lockedUntil: nil))
        try f.throttle.clearThrottle(key: key)
        #expect(try f.throttle.throttleState(key: key) == nil)
    }

    @Test(arguments: OAuthBackend.allCases)
    func aPasswordLinkIsConsumedOnceSetsTheHashAndEndsEverySession(_ backend: OAuthBackend) throws {
        let f = try AccountConformanceFixture(backend)
        let ada = try f.addStudent("ada")
        let link = SecretToken.digest("cw_pwl_1")
        try f.links.createPasswordLink(digest: link, user: ada, purpose: .reset, now: f.now, expiresAt: f.now + 3600)
        #expect(try f.links.hasValidPasswordLink(for: ada, purpose: .reset, now: f.now))
        #expect(try f.links.validPasswordLink(digest: link, now: f.now)?.user == ada)
        try f.sessions.createSession(
            digest: SecretToken.digest("cw_ses_a"), user: ada, methods: [.password], now: f.now, expiresAt: f.now + 3600, clientAddress: "",
            userAgent: "")
        #expect(try f.links.consumePasswordLink(digest: link, newHash: "hash-reset", now: f.now + 10) == ada)
        #expect(try f.links.consumePasswordLink(digest: link, newHash: "hash-again", now: f.now + 11) == nil)
        #expect(try f.accounts.activeUser(ada)?.passwordHash == "hash-reset")
        #expect(try f.sessions.session(digest: SecretToken.digest("cw_ses_a")) == nil)
        let late = SecretToken.digest("cw_pwl_2")
        try f.links.createPasswordLink(digest: late, user: ada, purpose: .reset, now: f.now, expiresAt: f.now + 60)
        #expect(try f.links.validPasswordLink(digest: late, now: f.now + 61) == nil)
        #expect(try f.links.consumePasswordLink(digest: late, newHash: "x", now: f.now + 61) == nil)
    }
}
