import Domain
import Foundation
import Testing

@testable import MariaStore

/// Accounts, sessions, throttle counters and password links against a real MariaDB.
@Suite(.serialized) struct AccountStoreTests {
    let db: TestDatabase
    let accounts: MariaAccountStore
    let sessions: MariaSessionStore
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws {
        db = try TestDatabase()
        accounts = MariaAccountStore(database: db.database)
        sessions = MariaSessionStore(database: db.database)
        try db.database.execute(
            "INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('s1', 'School One', \(now), \(now))")
    }

    func makeUser(_ email: String, role: Role = .teacher) throws -> UserID {
        try accounts.createUser(
            NewUser(
                role: role, schoolID: role == .platformAdmin ? nil : SchoolID(1), givenName: "G", familyName: "F", email: email,
                passwordHash: "$argon2id$x"),
            now: now)
    }

    @Test func usersAreFoundByLowerCasedEmailOnlyWhileActive() throws {
        let id = try makeUser("Ada@School.TEST")
        let found = try #require(try accounts.signInCandidate(identifier: "ada@school.test"))
        #expect(found.user.id == id)
        #expect(found.passwordHash == "$argon2id$x")
        try db.database.execute("UPDATE users SET active = FALSE WHERE id = \(id.rawValue)")
        #expect(try accounts.signInCandidate(identifier: "ada@school.test") == nil)
        #expect(try accounts.activeUser(id) == nil)
    }

    @Test func aSecondAccountWithTheSameEmailIsADuplicate() throws {
        _ = try makeUser("dup@school.test")
        #expect(throws: StoreError.self) { _ = try makeUser("DUP@school.test") }
        do {
            _ = try makeUser("dup@school.test")
        } catch let error as StoreError {
            #expect(error.kind == .duplicate)
        }
    }

    @Test func theSchemaRefusesAPlatformAdminInASchoolAndASchoolUserWithout() throws {
        #expect(throws: StoreError.self) {
            try db.database.execute(
                """
                INSERT INTO users (school_id, role, given_name, family_name, created_at, updated_at)
                VALUES (1, 'platform_admin', 'a', 'b', \(now), \(now))
                """)
        }
        #expect(throws: StoreError.self) {
            try db.database.execute(
                "INSERT INTO users (school_id, role, given_name, family_name, created_at, updated_at) VALUES (NULL, 'student', 'a', 'b', \(now), \(now))"
            )
        }
    }

    @Test func sessionsAreStoredByDigestAndEndWithTheirUser() throws {
        let user = try makeUser("s@school.test")
        let digest = SecretToken.digest("cw_ses_one")
        try sessions.createSession(
            digest: digest, user: user, methods: [.password], now: now, expiresAt: now + 3600, clientAddress: "192.0.2.1", userAgent: "test")
        let found = try #require(try sessions.session(digest: digest))
        #expect(found.user.id == user)
        #expect(found.createdAt == now)
        try sessions.touchSession(digest: digest, now: now + 120)
        #expect(try sessions.session(digest: digest)?.lastSeenAt == now + 120)
        let stored = try db.database.query("SELECT token_digest FROM sessions")
        #expect(stored.map { $0.bytes("token_digest") } == [digest])
        try db.database.execute("UPDATE users SET active = FALSE WHERE id = \(user.rawValue)")
        #expect(try sessions.session(digest: digest) == nil)
    }

    @Test func deletingSessionsKeepsTheCurrentOneWhenAsked() throws {
        let user = try makeUser("k@school.test")
        let keep = SecretToken.digest("cw_ses_keep")
        for token in ["cw_ses_keep", "cw_ses_a", "cw_ses_b"] {
            try sessions.createSession(
                digest: SecretToken.digest(token), user: user, methods: [.password], now: now, expiresAt: now + 60, clientAddress: "", userAgent: "")
        }
        try sessions.deleteSessions(of: user, keeping: keep)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM sessions").first?.int("n") == 1)
        try sessions.deleteSession(digest: keep)
        try sessions.deleteSession(digest: keep)
        #expect(try sessions.session(digest: keep) == nil)
    }

    @Test func throttleUpdatesAreReadModifyWriteUnderConcurrency() throws {
        let key = SignInThrottlePolicy.key(.account, "race@school.test")
        let policy = SignInThrottlePolicy(accountLimit: 1000, addressLimit: 1000, window: 3600, lockout: 60)
        let name = db.name
        let now = self.now
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let handle = MariaSessionStore(database: MariaDatabase(options: try! TestServer.adminOptions(database: name)))
            for _ in 0..<10 {
                try! handle.updateThrottle(key: key) { policy.recordingFailure($0, scope: .account, now: now) }
            }
        }
        #expect(try sessions.throttleState(key: key)?.failures == 40)
        try sessions.clearThrottle(key: key)
        #expect(try sessions.throttleState(key: key) == nil)
    }

    @Test func aPasswordLinkWorksOnceAndVoidsTheOthersAndTheSessions() throws {
        let user = try makeUser("link@school.test")
        let first = SecretToken.digest("cw_pwl_first")
        let second = SecretToken.digest("cw_pwl_second")
        try accounts.createPasswordLink(digest: first, user: user, purpose: .reset, now: now, expiresAt: now + 3600)
        try accounts.createPasswordLink(digest: second, user: user, purpose: .reset, now: now, expiresAt: now + 3600)
        try sessions.createSession(
            digest: SecretToken.digest("cw_ses_x"), user: user, methods: [.password], now: now, expiresAt: now + 60, clientAddress: "", userAgent: "")
        #expect(try accounts.hasValidPasswordLink(for: user, purpose: .reset, now: now))
        #expect(try accounts.validPasswordLink(digest: first, now: now)?.user == user)
        #expect(try accounts.consumePasswordLink(digest: first, newHash: "$argon2id$new", now: now + 10) == user)
        #expect(try accounts.consumePasswordLink(digest: first, newHash: "$argon2id$again", now: now + 11) == nil)
        #expect(try accounts.validPasswordLink(digest: second, now: now + 12) == nil)
        #expect(try accounts.activeUser(user)?.passwordHash == "$argon2id$new")
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM sessions").first?.int("n") == 0)
    }

    @Test func anExpiredLinkIsRefusedAndChangesNothing() throws {
        let user = try makeUser("late@school.test")
        let digest = SecretToken.digest("cw_pwl_late")
        try accounts.createPasswordLink(digest: digest, user: user, purpose: .set, now: now, expiresAt: now + 60)
        #expect(try accounts.validPasswordLink(digest: digest, now: now + 61) == nil)
        #expect(try accounts.consumePasswordLink(digest: digest, newHash: "$argon2id$new", now: now + 61) == nil)
        #expect(try accounts.activeUser(user)?.passwordHash == "$argon2id$x")
    }
}
