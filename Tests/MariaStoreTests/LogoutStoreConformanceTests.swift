import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// The same ``LogoutStore`` cases on the twin (`MemoryLogoutStore` over `MemoryAccounts` and `MemoryOAuthStore`) and
/// on MariaDB, so route tests on the twin test the real contract.
@Suite(.serialized) struct LogoutStoreConformanceTests {
    final class Fixture {
        let logout: any LogoutStore
        let codes: any AuthorizationCodeStore
        let tokens: any TokenStore
        let sessions: any SessionStore
        let user: UserID
        let database: TestDatabase?
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let session = SecretToken.digest("cw_s_conformance")
        static let app = ClientID("logout-app")
        static let quiet = ClientID("logout-quiet")

        init(_ backend: OAuthBackend) throws {
            let clients: any ClientStore
            let accounts: any AccountStore
            switch backend {
            case .memory:
                database = nil
                let people = MemoryAccounts()
                let oauth = MemoryOAuthStore(users: { try? people.activeUser($0)?.user })
                (logout, codes, tokens, sessions, clients, accounts) = (
                    MemoryLogoutStore(accounts: people, oauth: oauth), oauth, oauth, people, oauth, people
                )
            case .mariadb:
                let db = try TestDatabase()
                database = db
                try db.insertTwoSchools(now: now)
                let tokenStore = MariaTokenStore(database: db.database)
                (logout, codes, tokens) = (MariaLogoutStore(database: db.database), tokenStore, tokenStore)
                (sessions, clients, accounts) =
                    (MariaSessionStore(database: db.database), MariaClientStore(database: db.database), MariaAccountStore(database: db.database))
            }
            user = try accounts.createUser(
                NewUser(role: .student, schoolID: SchoolID(1), givenName: "Ada", familyName: "L", email: "ada@school.test", passwordHash: nil),
                now: now)
            for id in [Self.app, Self.quiet] {
                try clients.createClient(
                    OAuthClient(
                        clientID: id, name: "App", developerName: "Dev", kind: .confidential, redirectURIs: ["https://app.test/cb"],
                        allowedScopes: ["openid"]), now: now)
            }
            try sessions.createSession(
                digest: session, user: user, methods: [.password], now: now, expiresAt: now + 3600, clientAddress: "127.0.0.1", userAgent: "t")
        }

        /// A grant of `client` through a code issued under the session; returns its access token's digest.
        func grant(_ client: ClientID, _ suffix: String) throws -> [UInt8] {
            let code = SecretToken.digest("cw_ac_" + suffix)
            try codes.createCode(
                digest: code,
                grant: AuthorizationCodeGrant(
                    clientID: client, userID: user, redirectURI: "https://app.test/cb", scopes: ["openid"], codeChallenge: nil, nonce: nil,
                    authTime: now, methods: [.password], expiresAt: now + 60, sessionDigest: session),
                now: now)
            let access = SecretToken.digest("cw_at_" + suffix)
            let exchange = try codes.exchangeCode(
                digest: code, tokens: [NewToken(digest: access, kind: .access, expiresAt: now + 3600)], now: now, check: { _, _ in nil })
            guard case .issued(_, let issued, _) = exchange else { throw StoreError(.other, detail: "exchange: \(exchange)") }
            #expect(issued.sessionDigest == session)
            return access
        }
    }

    @Test(arguments: OAuthBackend.allCases) func registrationsAreReplacedWholeAndCheckedFirst(_ backend: OAuthBackend) throws {
        let f = try Fixture(backend)
        #expect(try f.logout.logoutRegistration(of: Fixture.app) == ClientLogoutRegistration())
        #expect(try f.logout.logoutRegistration(of: ClientID("nobody")) == nil)
        let full = ClientLogoutRegistration(
            postLogoutRedirectURIs: ["https://app.test/bye", "https://app.test/out"], backchannelLogoutURI: "https://app.test/bc",
            backchannelLogoutSessionRequired: true)
        #expect(try f.logout.setLogoutRegistration(full, of: Fixture.app))
        #expect(try f.logout.logoutRegistration(of: Fixture.app) == full)
        #expect(throws: StoreError.self) {
            try f.logout.setLogoutRegistration(ClientLogoutRegistration(backchannelLogoutURI: "http://x"), of: Fixture.app)
        }
        #expect(try f.logout.logoutRegistration(of: Fixture.app) == full)
        #expect(try !f.logout.setLogoutRegistration(full, of: ClientID("nobody")))
    }

    @Test(arguments: OAuthBackend.allCases) func aSessionsEndIsQueuedOncePerAppAndRetriedUntilDelivered(_ backend: OAuthBackend) throws {
        let f = try Fixture(backend)
        let now = f.now
        _ = try f.logout.setLogoutRegistration(ClientLogoutRegistration(backchannelLogoutURI: "https://app.test/bc"), of: Fixture.app)
        _ = try f.grant(Fixture.app, "a1")
        _ = try f.grant(Fixture.app, "a2")
        _ = try f.grant(Fixture.quiet, "q1")
        #expect(try f.logout.sessionDigests(of: f.user, keeping: nil) == [f.session])
        #expect(try f.logout.sessionDigests(of: f.user, keeping: f.session).isEmpty)
        #expect(try f.logout.queueBackchannelLogouts(sessionDigests: [f.session], now: now) == 1)
        let jobs = try f.logout.claimDueBackchannelLogouts(now: now, lease: 60, limit: 10)
        #expect(jobs.map(\.clientID) == [Fixture.app] && jobs.map(\.uri) == ["https://app.test/bc"] && jobs.map(\.attempts) == [0])
        #expect(try f.logout.claimDueBackchannelLogouts(now: now + 1, lease: 60, limit: 10).isEmpty)
        try f.logout.recordBackchannelAttempt(jobs[0].id, deliveredAt: nil, status: 500, error: "the app answered 500", nextAttemptAt: now + 30)
        let retry = try f.logout.claimDueBackchannelLogouts(now: now + 30, lease: 60, limit: 10)
        #expect(retry.map(\.attempts) == [1] && retry.map(\.user) == [f.user] && retry.map(\.sessionDigest) == [f.session])
        try f.logout.recordBackchannelAttempt(retry[0].id, deliveredAt: now + 31, status: 200, error: nil, nextAttemptAt: nil)
        #expect(try f.logout.claimDueBackchannelLogouts(now: now + 9999, lease: 60, limit: 10).isEmpty)
        let log = try f.logout.backchannelLogouts(of: Fixture.app, limit: 5)
        #expect(log.count == 1 && log[0].attempts == 2 && log[0].deliveredAt == now + 31 && log[0].lastStatus == 200 && log[0].nextAttemptAt == nil)
        #expect(try f.logout.purgeFinishedBackchannelLogouts(before: now, limit: 10) == 0)
        #expect(try f.logout.purgeFinishedBackchannelLogouts(before: now + 1, limit: 10) == 1)
    }

    @Test(arguments: OAuthBackend.allCases) func revokingBySessionEndsOnlyThatSessionsGrants(_ backend: OAuthBackend) throws {
        let f = try Fixture(backend)
        let access = try f.grant(Fixture.app, "d1")
        let other = SecretToken.digest("cw_at_other")
        _ = try f.tokens.createGrant(
            client: Fixture.app, user: f.user, scopes: ["openid"], authTime: f.now,
            tokens: [NewToken(digest: other, kind: .access, expiresAt: f.now + 3600)], now: f.now)
        #expect(try f.logout.revokeGrants(sessionDigest: f.session, now: f.now + 5) == 1)
        #expect(try f.tokens.token(digest: access)?.revokedAt == f.now + 5)
        #expect(try f.tokens.token(digest: other)?.revokedAt == nil)
        #expect(try f.logout.revokeGrants(sessionDigest: f.session, now: f.now + 6) == 0)
    }

    @Test(arguments: OAuthBackend.allCases) func aGrantKnowsItsSessionUntilTheSessionEnds(_ backend: OAuthBackend) throws {
        let f = try Fixture(backend)
        _ = try f.logout.setLogoutRegistration(ClientLogoutRegistration(backchannelLogoutURI: "https://app.test/bc"), of: Fixture.app)
        let access = try f.grant(Fixture.app, "s1")
        let grant = try #require(try f.tokens.token(digest: access)?.grantID)
        let session = try #require(try f.logout.session(ofGrant: grant))
        #expect(session.digest == f.session && session.createdAt == f.now && session.lastSeenAt == f.now)
        let policy = SessionPolicy(idleTimeout: 600, absoluteLifetime: 3600)
        #expect(session.isAlive(under: policy, now: f.now + 599) && !session.isAlive(under: policy, now: f.now + 600))
        // A grant made without a browser session has none.
        let bare = SecretToken.digest("cw_at_bare")
        _ = try f.tokens.createGrant(
            client: Fixture.app, user: f.user, scopes: ["openid"], authTime: f.now,
            tokens: [NewToken(digest: bare, kind: .access, expiresAt: f.now + 3600)], now: f.now)
        #expect(try f.logout.session(ofGrant: try #require(try f.tokens.token(digest: bare)?.grantID)) == nil)
        // Ending it queues its logout once and deletes it; ending it again (a second runner) queues nothing.
        #expect(try f.logout.endSessions(digests: [f.session], now: f.now + 1) == 1)
        #expect(try f.sessions.session(digest: f.session) == nil)
        #expect(try f.logout.session(ofGrant: grant) == nil)
        #expect(try f.logout.endSessions(digests: [f.session], now: f.now + 2) == 0)
        #expect(try f.logout.claimDueBackchannelLogouts(now: f.now + 2, lease: 60, limit: 10).map(\.sessionDigest) == [f.session])
    }

    @Test(arguments: OAuthBackend.allCases) func expiredSessionsAreEndedOnceInBoundedBatchesWithTheirLogouts(_ backend: OAuthBackend) throws {
        let f = try Fixture(backend)
        let now = f.now
        _ = try f.logout.setLogoutRegistration(ClientLogoutRegistration(backchannelLogoutURI: "https://app.test/bc"), of: Fixture.app)
        _ = try f.grant(Fixture.app, "e1")
        _ = try f.grant(Fixture.quiet, "e2")
        // Two more sessions: one past its absolute expiry soon, one alive throughout.
        let short = SecretToken.digest("cw_s_short")
        let alive = SecretToken.digest("cw_s_alive")
        try f.sessions.createSession(
            digest: short, user: f.user, methods: [.password], now: now + 100, expiresAt: now + 200, clientAddress: "127.0.0.1", userAgent: "t")
        try f.sessions.createSession(
            digest: alive, user: f.user, methods: [.password], now: now + 100, expiresAt: now + 9999, clientAddress: "127.0.0.1", userAgent: "t")
        // Nothing is expired yet.
        #expect(try f.logout.endExpiredSessions(now: now + 150, idleSince: now - 1, limit: 10) == ExpiredSessionsEnded())
        // Idle since `now`: the fixture's session (whose app has a back-channel URI: one logout); past 200: `short`.
        let first = try f.logout.endExpiredSessions(now: now + 300, idleSince: now, limit: 1)
        #expect(first.sessions == 1)
        let second = try f.logout.endExpiredSessions(now: now + 300, idleSince: now, limit: 10)
        #expect(second.sessions == 1 && first.logouts + second.logouts == 1)
        #expect(try f.logout.endExpiredSessions(now: now + 300, idleSince: now, limit: 10) == ExpiredSessionsEnded())
        #expect(try f.sessions.session(digest: alive) != nil)
        #expect(try f.sessions.session(digest: f.session) == nil && f.sessions.session(digest: short) == nil)
        let jobs = try f.logout.claimDueBackchannelLogouts(now: now + 300, lease: 60, limit: 10)
        #expect(jobs.map(\.clientID) == [Fixture.app] && jobs.map(\.sessionDigest) == [f.session])
    }
}
