import Domain
import Foundation
import Testing

@testable import MariaStore

/// `MariaLogoutStore` against a real MariaDB: registrations, the session a grant was issued under (copied from its
/// code), the back-channel queue and "sign out of this device".
@Suite(.serialized) struct LogoutStoreTests {
    let db: TestDatabase
    let store: MariaLogoutStore
    let tokens: MariaTokenStore
    let sessions: MariaSessionStore
    let user: UserID
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let session = SecretToken.digest("cw_s_browser")
    static let app = ClientID("cw_app_logout")
    static let quiet = ClientID("cw_app_quiet")

    init() throws {
        db = try TestDatabase()
        store = MariaLogoutStore(database: db.database)
        tokens = MariaTokenStore(database: db.database)
        sessions = MariaSessionStore(database: db.database)
        try db.database.execute("INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('s1', 'School One', \(now), \(now))")
        user = try MariaAccountStore(database: db.database).createUser(
            NewUser(role: .student, schoolID: SchoolID(1), givenName: "Ada", familyName: "L", email: "ada@school.test", passwordHash: nil),
            now: now)
        for id in [Self.app, Self.quiet] {
            try MariaClientStore(database: db.database).createClient(
                OAuthClient(
                    clientID: id, name: "App", developerName: "Dev", kind: .confidential, redirectURIs: ["https://app.test/cb"],
                    allowedScopes: ["openid"]), now: now)
        }
        try sessions.createSession(
            digest: session, user: user, methods: [.password], now: now, expiresAt: now + 3600, clientAddress: "127.0.0.1", userAgent: "test")
    }

    /// A code issued under `session` for `client`, exchanged for a grant with an access and a refresh token.
    func grant(_ client: ClientID, suffix: String) throws -> [UInt8] {
        let code = SecretToken.digest("cw_ac_" + suffix)
        try tokens.createCode(
            digest: code,
            grant: AuthorizationCodeGrant(
                clientID: client, userID: user, redirectURI: "https://app.test/cb", scopes: ["openid"], codeChallenge: nil, nonce: nil,
                authTime: now, methods: [.password], expiresAt: now + 60, sessionDigest: session),
            now: now)
        let access = SecretToken.digest("cw_at_" + suffix)
        let exchange = try tokens.exchangeCode(
            digest: code,
            tokens: [
                NewToken(digest: access, kind: .access, expiresAt: now + 3600),
                NewToken(digest: SecretToken.digest("cw_rt_" + suffix), kind: .refresh, expiresAt: now + 86400),
            ], now: now, check: { _, _ in nil })
        guard case .issued(_, let issued, _) = exchange else { Issue.record("exchange: \(exchange)"); return [] }
        #expect(issued.sessionDigest == session, "the exchange reads back the code's session")
        return access
    }

    @Test func aRegistrationIsReplacedWholeAndRefusedWhenInvalid() throws {
        #expect(try store.logoutRegistration(of: Self.app) == ClientLogoutRegistration())
        #expect(try store.logoutRegistration(of: ClientID("nobody")) == nil)
        let first = ClientLogoutRegistration(
            postLogoutRedirectURIs: ["https://app.test/bye", "https://app.test/out"], backchannelLogoutURI: "https://app.test/bc",
            backchannelLogoutSessionRequired: true)
        #expect(try store.setLogoutRegistration(first, of: Self.app))
        #expect(try store.logoutRegistration(of: Self.app) == first)
        let second = ClientLogoutRegistration(postLogoutRedirectURIs: ["https://app.test/out"])
        #expect(try store.setLogoutRegistration(second, of: Self.app))
        #expect(try store.logoutRegistration(of: Self.app) == second)
        #expect(throws: StoreError.self) { try store.setLogoutRegistration(ClientLogoutRegistration(backchannelLogoutURI: "http://x"), of: Self.app) }
        #expect(try store.logoutRegistration(of: Self.app) == second, "a refused registration changes nothing")
        #expect(try !store.setLogoutRegistration(second, of: ClientID("nobody")))
    }

    @Test func endingASessionQueuesOneLogoutPerAppWithABackChannelAndTheQueueRetries() throws {
        _ = try store.setLogoutRegistration(ClientLogoutRegistration(backchannelLogoutURI: "https://app.test/bc"), of: Self.app)
        _ = try grant(Self.app, suffix: "a1")
        _ = try grant(Self.app, suffix: "a2")
        _ = try grant(Self.quiet, suffix: "q1")
        #expect(try store.sessionDigests(of: user, keeping: nil) == [session])
        #expect(try store.sessionDigests(of: user, keeping: session).isEmpty)
        #expect(
            try store.queueBackchannelLogouts(sessionDigests: [session], now: now) == 1, "two grants of one app, one logout; none for the quiet app")
        let jobs = try store.claimDueBackchannelLogouts(now: now, lease: 60, limit: 10)
        #expect(jobs.count == 1 && jobs[0].clientID == Self.app && jobs[0].uri == "https://app.test/bc" && jobs[0].sessionDigest == session)
        #expect(try store.claimDueBackchannelLogouts(now: now + 1, lease: 60, limit: 10).isEmpty, "a claimed row is leased")
        try store.recordBackchannelAttempt(jobs[0].id, deliveredAt: nil, status: 500, error: "the app answered 500", nextAttemptAt: now + 30)
        let retry = try store.claimDueBackchannelLogouts(now: now + 30, lease: 60, limit: 10)
        #expect(retry.map(\.attempts) == [1])
        try store.recordBackchannelAttempt(retry[0].id, deliveredAt: now + 31, status: 200, error: nil, nextAttemptAt: nil)
        #expect(try store.claimDueBackchannelLogouts(now: now + 9999, lease: 60, limit: 10).isEmpty)
        let log = try store.backchannelLogouts(of: Self.app, limit: 5)
        #expect(log.count == 1 && log[0].attempts == 2 && log[0].deliveredAt == now + 31 && log[0].lastStatus == 200)
    }

    @Test func signingOutOfThisDeviceRevokesOnlyTheGrantsOfThatSession() throws {
        let access = try grant(Self.app, suffix: "d1")
        let other = SecretToken.digest("cw_at_other")
        _ = try tokens.createGrant(
            client: Self.app, user: user, scopes: ["openid"], authTime: now, tokens: [NewToken(digest: other, kind: .access, expiresAt: now + 3600)],
            now: now)
        #expect(try store.revokeGrants(sessionDigest: session, now: now + 5) == 1)
        #expect(try tokens.token(digest: access)?.revokedAt == now + 5)
        #expect(try tokens.token(digest: other)?.revokedAt == nil, "a grant from another session keeps working")
        #expect(try store.revokeGrants(sessionDigest: session, now: now + 6) == 0)
    }

    @Test func aPasswordChangeQueuesTheOtherSessionsInItsTransactionAndThePurgeKeepsAWeek() throws {
        _ = try store.setLogoutRegistration(ClientLogoutRegistration(backchannelLogoutURI: "https://app.test/bc"), of: Self.app)
        _ = try grant(Self.app, suffix: "p1")
        let kept = SecretToken.digest("cw_s_kept")
        try sessions.createSession(
            digest: kept, user: user, methods: [.password], now: now, expiresAt: now + 3600, clientAddress: "127.0.0.1", userAgent: "test")
        _ = try MariaAccountStore(database: db.database).changePassword("hash", for: user, keepingSession: kept, now: now)
        let jobs = try store.claimDueBackchannelLogouts(now: now, lease: 60, limit: 10)
        #expect(jobs.map(\.sessionDigest) == [session], "the ended session's app is told, not the kept one's")
        try store.recordBackchannelAttempt(jobs[0].id, deliveredAt: now, status: 200, error: nil, nextAttemptAt: nil)
        #expect(try store.purgeFinishedBackchannelLogouts(before: now, limit: 100) == 0)
        #expect(try store.purgeFinishedBackchannelLogouts(before: now + BackchannelLogoutPolicy.keptFor, limit: 100) == 1)
    }

    @Test func thePurgeEndsExpiredSessionsWithTheirLogoutsAndSyncCopiesEachTryOnce() throws {
        _ = try store.setLogoutRegistration(ClientLogoutRegistration(backchannelLogoutURI: "https://app.test/bc"), of: Self.app)
        _ = try grant(Self.app, suffix: "x1")
        // The purge shares the cron's rule: the expired session's app is queued in the transaction that deletes it.
        let purged = try sessions.purgeExpired(now: now + 3600, idleTimeout: 86400, throttleWindow: 900)
        #expect(purged.sessions == 1)
        #expect(try store.endExpiredSessions(now: now + 3600, idleSince: now, limit: 10) == ExpiredSessionsEnded())
        let target = MariaSyncTargetStore(database: db.database)
        let queued = try target.changedBackchannelLogouts(limit: 10)
        #expect(queued.map(\.clientID) == [Self.app] && queued.map(\.entry.attempts) == [0])
        // A try recorded after sync read the row: marking the old revision leaves it pending for the next run.
        let jobs = try store.claimDueBackchannelLogouts(now: now + 3600, lease: 60, limit: 10)
        try store.recordBackchannelAttempt(jobs[0].id, deliveredAt: nil, status: 503, error: "the app answered 503", nextAttemptAt: now + 3630)
        try target.markBackchannelLogoutsPushed(queued)
        let tried = try target.changedBackchannelLogouts(limit: 10)
        #expect(tried.map(\.entry.lastStatus) == [503] && tried.map(\.entry.attempts) == [1] && tried.map(\.entry.deliveredAt) == [nil])
        try target.markBackchannelLogoutsPushed(tried)
        #expect(try target.changedBackchannelLogouts(limit: 10).isEmpty)
    }
}
