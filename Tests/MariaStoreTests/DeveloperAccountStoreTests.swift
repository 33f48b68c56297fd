import Domain
import Foundation
import Testing

@testable import MariaStore

/// Developer accounts, sessions, links, TOTP and recovery codes, and throttling against a real MariaDB with
/// only `schema/developers` applied, as the developers pool sees it.
@Suite(.serialized) struct DeveloperAccountStoreTests {
    let db: TestDatabase
    let accounts: MariaDeveloperAccountStore
    let sessions: MariaDeveloperSessionStore
    let links: MariaDeveloperLinkStore
    let throttle: MariaDeveloperThrottleStore
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws {
        db = try TestDatabase(schema: "developers")
        accounts = MariaDeveloperAccountStore(database: db.database)
        sessions = MariaDeveloperSessionStore(database: db.database)
        links = MariaDeveloperLinkStore(database: db.database)
        throttle = MariaDeveloperThrottleStore(database: db.database)
    }

    func makeDeveloper(_ email: String, active: Bool = true) throws -> DeveloperID {
        let id = try accounts.createDeveloper(
            NewDeveloper(email: email, name: "Grace", company: "Edtech Ltd", passwordHash: "$argon2id$old"), now: now)
        if active { #expect(try accounts.markVerified(id, now: now)) }
        return id
    }

    func makeSession(_ token: String, of developer: DeveloperID, at time: Date? = nil) throws -> [UInt8] {
        let digest = SecretToken.digest(token)
        try sessions.createSession(
            digest: digest, developer: developer, now: time ?? now, expiresAt: (time ?? now) + 3600,
            clientAddress: "192.0.2.7", userAgent: "Firefox \(token)")
        return digest
    }

    func count(_ table: String, developer: DeveloperID) throws -> Int? {
        try db.database.query(
            "SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE developer_id = \(developer.rawValue)"
        ).first?.int("n")
    }

    // MARK: Accounts

    @Test func aNewAccountIsUnverifiedWithALowerCasedEmailAndTheTermsTime() throws {
        let id = try makeDeveloper("Grace@Example.TEST", active: false)
        let found = try #require(try accounts.developer(email: "grace@example.test"))
        #expect(
            found.account
                == DeveloperAccount(
                    id: id, email: "grace@example.test", name: "Grace", company: "Edtech Ltd", state: .unverified, totpEnabled: false))
        #expect(found.passwordHash == "$argon2id$old")
        #expect(try accounts.developer(email: "GRACE@example.test")?.account.id == id)
        #expect(try accounts.developer(id)?.account.email == "grace@example.test")
        let row = try #require(try db.database.query("SELECT email, terms_accepted_at FROM developers").first)
        #expect(row.string("email") == "grace@example.test")
        #expect(row.date("terms_accepted_at") == now)
        #expect(try accounts.developer(email: "nobody@example.test") == nil)
        #expect(try accounts.developer(DeveloperID(999)) == nil)
    }

    @Test func theLanguageChosenWithTheSwitcherIsSavedAndReadWithTheAccountItsSessionAndItsMailContact() throws {
        let id = try makeDeveloper("lin@example.test")
        #expect(try accounts.developer(id)?.account.preferredLanguage == nil)
        try accounts.setPreferredLanguage("es", of: id, now: now + 60)
        #expect(try accounts.developer(id)?.account.preferredLanguage == "es")
        #expect(try accounts.developer(email: "lin@example.test")?.account.preferredLanguage == "es")
        let digest = try makeSession("cwd_s_lang", of: id)
        #expect(try sessions.session(digest: digest)?.account.preferredLanguage == "es")
        // What the review panel (app pool) reads to mail the developer.
        let review = MariaApplicationStore(database: db.database)
        #expect(try review.developerContact(id) == DeveloperContact(name: "Grace", email: "lin@example.test", language: "es"))
        #expect(try review.developerForStaff(id)?.language == "es")
        #expect(try db.database.query("SELECT updated_at FROM developers").first?.date("updated_at") == now + 60)
        try accounts.setPreferredLanguage(nil, of: id, now: now)
        #expect(try accounts.developer(id)?.account.preferredLanguage == nil)
        #expect(try review.developerContact(id)?.language == nil)
        // An unknown id changes nothing.
        try accounts.setPreferredLanguage("fr", of: DeveloperID(999), now: now)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM developers WHERE preferred_language IS NOT NULL").first?.int("n") == 0)
    }

    @Test func aSecondAccountWithTheSameEmailInAnyCaseIsADuplicate() throws {
        _ = try makeDeveloper("dup@example.test")
        for email in ["dup@example.test", "DUP@Example.test"] {
            #expect {
                _ = try makeDeveloper(email)
            } throws: { ($0 as? StoreError)?.kind == .duplicate }
        }
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM developers").first?.int("n") == 1)
    }

    @Test func markingVerifiedNeverLiftsASuspension() throws {
        let id = try makeDeveloper("v@example.test", active: false)
        #expect(try accounts.markVerified(id, now: now))
        #expect(try accounts.markVerified(id, now: now) == false)
        try db.database.execute("UPDATE developers SET state = 'suspended' WHERE id = \(id.rawValue)")
        #expect(try accounts.markVerified(id, now: now) == false)
        #expect(try accounts.developer(id)?.account.state == .suspended)
    }

    @Test func aPasswordChangeEndsTheOtherSessionsAndVoidsResetLinks() throws {
        let id = try makeDeveloper("change@example.test")
        let current = try makeSession("cw_dses_current", of: id)
        _ = try makeSession("cw_dses_other", of: id)
        let reset = SecretToken.digest("cw_dlnk_reset")
        try links.createLink(digest: reset, developer: id, purpose: .resetPassword, now: now, expiresAt: now + 3600)
        try accounts.changePassword("$argon2id$new", for: id, keepingSession: current, now: now + 5)
        #expect(try accounts.developer(id)?.passwordHash == "$argon2id$new")
        #expect(try sessions.sessions(of: id, current: current).map(\.isCurrent) == [true])
        #expect(try links.link(digest: reset, now: now + 6) == .used)
        try accounts.setPasswordHash("$argon2id$rehashed", for: id, now: now + 7)
        #expect(try accounts.developer(id)?.passwordHash == "$argon2id$rehashed")
        #expect(try sessions.session(digest: current) != nil, "a re-hash ends no session")
    }

    // MARK: Links

    @Test func aVerificationLinkWorksOnceActivatesTheAccountAndVoidsItsSiblings() throws {
        let id = try makeDeveloper("verify@example.test", active: false)
        let first = SecretToken.digest("cw_dlnk_first")
        let second = SecretToken.digest("cw_dlnk_second")
        try links.createLink(digest: first, developer: id, purpose: .verifyEmail, now: now, expiresAt: now + 3600)
        try links.createLink(digest: second, developer: id, purpose: .verifyEmail, now: now + 60, expiresAt: now + 3660)
        #expect(try links.newestLinkCreatedAt(of: id, purpose: .verifyEmail) == now + 60)
        #expect(try links.newestLinkCreatedAt(of: id, purpose: .resetPassword) == nil)
        #expect(try links.link(digest: first, now: now + 1) == .valid(id, .verifyEmail))
        #expect(try links.consumeVerificationLink(digest: first, now: now + 10) == .valid(id, .verifyEmail))
        #expect(try accounts.developer(id)?.account.state == .active)
        #expect(try links.consumeVerificationLink(digest: first, now: now + 11) == .used)
        #expect(try links.consumeVerificationLink(digest: second, now: now + 12) == .used)
        #expect(try links.consumeVerificationLink(digest: SecretToken.digest("cw_dlnk_unknown"), now: now) == .invalid)
    }

    @Test func anExpiredOrWrongPurposeLinkIsRefusedAndChangesNothing() throws {
        let id = try makeDeveloper("late@example.test", active: false)
        let verify = SecretToken.digest("cw_dlnk_late")
        let reset = SecretToken.digest("cw_dlnk_reset")
        try links.createLink(digest: verify, developer: id, purpose: .verifyEmail, now: now, expiresAt: now + 60)
        try links.createLink(digest: reset, developer: id, purpose: .resetPassword, now: now, expiresAt: now + 3600)
        #expect(try links.link(digest: verify, now: now + 60) == .expired)
        #expect(try links.consumeVerificationLink(digest: verify, now: now + 61) == .expired)
        #expect(try links.consumeVerificationLink(digest: reset, now: now + 1) == .invalid)
        #expect(try links.consumeResetLink(digest: verify, newHash: "$argon2id$x", now: now + 1) == .invalid)
        #expect(try accounts.developer(id)?.account.state == .unverified)
        #expect(try accounts.developer(id)?.passwordHash == "$argon2id$old")
        #expect(try links.link(digest: reset, now: now + 2) == .valid(id, .resetPassword), "a refused use spends nothing")
    }

    @Test func aResetLinkWorksOnceSetsTheHashAndEndsEverySession() throws {
        let id = try makeDeveloper("reset@example.test")
        let other = try makeDeveloper("other@example.test")
        let first = SecretToken.digest("cw_dlnk_r1")
        let second = SecretToken.digest("cw_dlnk_r2")
        try links.createLink(digest: first, developer: id, purpose: .resetPassword, now: now, expiresAt: now + 3600)
        try links.createLink(digest: second, developer: id, purpose: .resetPassword, now: now, expiresAt: now + 3600)
        _ = try makeSession("cw_dses_a", of: id)
        _ = try makeSession("cw_dses_b", of: id)
        let kept = try makeSession("cw_dses_c", of: other)
        #expect(try links.consumeResetLink(digest: first, newHash: "$argon2id$new", now: now + 10) == .valid(id, .resetPassword))
        #expect(try links.consumeResetLink(digest: first, newHash: "$argon2id$again", now: now + 11) == .used)
        #expect(try links.consumeResetLink(digest: second, newHash: "$argon2id$again", now: now + 12) == .used)
        #expect(try accounts.developer(id)?.passwordHash == "$argon2id$new")
        #expect(try count("developer_sessions", developer: id) == 0)
        #expect(try sessions.session(digest: kept) != nil, "another developer's sessions stay")
    }

    @Test func aResetLinkProvesTheMailboxOfAnUnverifiedAccountButNotOfASuspendedOne() throws {
        let unverified = try makeDeveloper("u@example.test", active: false)
        let suspended = try makeDeveloper("s@example.test")
        try db.database.execute("UPDATE developers SET state = 'suspended' WHERE id = \(suspended.rawValue)")
        let forUnverified = SecretToken.digest("cw_dlnk_u")
        let forSuspended = SecretToken.digest("cw_dlnk_s")
        try links.createLink(digest: forUnverified, developer: unverified, purpose: .resetPassword, now: now, expiresAt: now + 60)
        try links.createLink(digest: forSuspended, developer: suspended, purpose: .resetPassword, now: now, expiresAt: now + 60)
        #expect(try links.consumeResetLink(digest: forUnverified, newHash: "$argon2id$n", now: now + 1) == .valid(unverified, .resetPassword))
        #expect(try accounts.developer(unverified)?.account.state == .active)
        #expect(try links.link(digest: forSuspended, now: now + 1) == .invalid)
        #expect(try links.consumeResetLink(digest: forSuspended, newHash: "$argon2id$n", now: now + 1) == .invalid)
        #expect(try accounts.developer(suspended)?.passwordHash == "$argon2id$old")
        #expect(try accounts.developer(suspended)?.account.state == .suspended)
    }

    @Test func ofFourConcurrentUsesOfOneResetLinkExactlyOneSucceeds() throws {
        let id = try makeDeveloper("race-link@example.test")
        let digest = SecretToken.digest("cw_dlnk_race")
        try links.createLink(digest: digest, developer: id, purpose: .resetPassword, now: now, expiresAt: now + 3600)
        let name = db.name
        let now = self.now
        let results = try runConcurrently(
            4,
            makeStore: { _ in
                MariaDeveloperLinkStore(database: try connected(name))
            }
        ) { store, index in
            try store.consumeResetLink(digest: digest, newHash: "$argon2id$t\(index)", now: now + 1)
        }
        #expect(results.filter { $0 == .valid(id, .resetPassword) }.count == 1)
        #expect(results.filter { $0 == .used }.count == 3)
    }

    // MARK: TOTP and recovery codes

    @Test func enablingTOTPNeedsThePendingSeedTheCodeWasCheckedAgainst() throws {
        let id = try makeDeveloper("totp@example.test")
        #expect(try accounts.totp(of: id) == nil)
        #expect(try accounts.setPendingTOTPSecret([1, 1, 1], for: id, now: now))
        #expect(try accounts.setPendingTOTPSecret([2, 2, 2], for: id, now: now + 1), "a new enrolment replaces a pending one")
        #expect(try accounts.totp(of: id) == DeveloperTOTP(sealedSecret: [2, 2, 2], enabledAt: nil, lastUsedStep: nil))
        #expect(try accounts.recordTOTPStep(5, for: id) == false, "a pending seed signs nobody in")
        let codes = (0..<10).map { SecretToken.digest("code-\($0)") }
        #expect(try accounts.enableTOTP(for: id, sealedSecret: [1, 1, 1], step: 100, recoveryCodeDigests: codes, now: now + 2) == false)
        #expect(try accounts.unusedRecoveryCodeDigests(of: id).count == 0)
        #expect(try accounts.enableTOTP(for: id, sealedSecret: [2, 2, 2], step: 100, recoveryCodeDigests: codes, now: now + 3))
        #expect(try accounts.totp(of: id) == DeveloperTOTP(sealedSecret: [2, 2, 2], enabledAt: now + 3, lastUsedStep: 100))
        #expect(try accounts.developer(id)?.account.totpEnabled == true)
        #expect(try accounts.unusedRecoveryCodeDigests(of: id).count == 10)
        #expect(try accounts.enableTOTP(for: id, sealedSecret: [2, 2, 2], step: 101, recoveryCodeDigests: [], now: now + 4) == false)
        #expect(try accounts.setPendingTOTPSecret([3, 3, 3], for: id, now: now + 5) == false, "the seed in use stays")
        #expect(try accounts.totp(of: id)?.sealedSecret == [2, 2, 2])
    }

    @Test func aTOTPStepIsAcceptedOnlyWhenNewerThanTheLastOne() throws {
        let id = try makeDeveloper("steps@example.test")
        #expect(try accounts.setPendingTOTPSecret([9], for: id, now: now))
        #expect(try accounts.enableTOTP(for: id, sealedSecret: [9], step: 100, recoveryCodeDigests: [], now: now))
        #expect(try accounts.recordTOTPStep(100, for: id) == false, "the confirmation code cannot sign in again")
        #expect(try accounts.recordTOTPStep(101, for: id))
        #expect(try accounts.recordTOTPStep(101, for: id) == false)
        #expect(try accounts.recordTOTPStep(100, for: id) == false, "an older code of the window is refused too")
        #expect(try accounts.recordTOTPStep(103, for: id))
        #expect(try accounts.recordTOTPStep(-1, for: id) == false)
        #expect(try accounts.totp(of: id)?.lastUsedStep == 103)
    }

    @Test func ofFourConcurrentUsesOfOneTOTPStepExactlyOneIsAccepted() throws {
        let id = try makeDeveloper("race-totp@example.test")
        #expect(try accounts.setPendingTOTPSecret([7], for: id, now: now))
        #expect(try accounts.enableTOTP(for: id, sealedSecret: [7], step: 1000, recoveryCodeDigests: [], now: now))
        let name = db.name
        for step in Int64(1001)...1005 {
            let results = try runConcurrently(
                4,
                makeStore: { _ in
                    MariaDeveloperAccountStore(database: try connected(name))
                }
            ) { store, _ in
                try store.recordTOTPStep(step, for: id)
            }
            #expect(results.filter { $0 }.count == 1, "step \(step): \(results)")
        }
        #expect(try accounts.totp(of: id)?.lastUsedStep == 1005)
    }

    @Test func aRecoveryCodeWorksOnceAndOnlyForItsAccount() throws {
        let id = try makeDeveloper("codes@example.test")
        let other = try makeDeveloper("codes-other@example.test")
        let codes = (0..<10).map { SecretToken.digest("rc-\($0)") }
        #expect(try accounts.replaceRecoveryCodes(codes, for: id, now: now) == false, "no codes without TOTP")
        #expect(try accounts.setPendingTOTPSecret([4], for: id, now: now))
        #expect(try accounts.enableTOTP(for: id, sealedSecret: [4], step: 1, recoveryCodeDigests: codes, now: now))
        #expect(try accounts.unusedRecoveryCodeDigests(of: id) == codes.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(try accounts.consumeRecoveryCode(digest: codes[3], for: other, now: now + 1) == false)
        #expect(try accounts.consumeRecoveryCode(digest: codes[3], for: id, now: now + 1))
        #expect(try accounts.consumeRecoveryCode(digest: codes[3], for: id, now: now + 2) == false)
        #expect(try accounts.consumeRecoveryCode(digest: SecretToken.digest("rc-guess"), for: id, now: now + 2) == false)
        #expect(try accounts.unusedRecoveryCodeDigests(of: id).count == 9)
        #expect(try accounts.unusedRecoveryCodeDigests(of: id).contains(codes[3]) == false)

        let fresh = (0..<10).map { SecretToken.digest("rc2-\($0)") }
        #expect(try accounts.replaceRecoveryCodes(fresh, for: id, now: now + 3))
        #expect(try accounts.unusedRecoveryCodeDigests(of: id).count == 10)
        #expect(try count("developer_recovery_codes", developer: id) == 10, "the used and old codes are gone")
        #expect(try accounts.consumeRecoveryCode(digest: codes[4], for: id, now: now + 4) == false)
        #expect(try accounts.consumeRecoveryCode(digest: fresh[0], for: id, now: now + 4))

        try accounts.disableTOTP(for: id, now: now + 5)
        #expect(try accounts.totp(of: id) == nil)
        #expect(try accounts.developer(id)?.account.totpEnabled == false)
        #expect(try count("developer_recovery_codes", developer: id) == 0)
        #expect(try accounts.consumeRecoveryCode(digest: fresh[1], for: id, now: now + 6) == false)
        #expect(try accounts.replaceRecoveryCodes(fresh, for: id, now: now + 6) == false)
    }

    @Test func theSchemaRefusesAnEnabledSecondFactorWithoutASeed() throws {
        let id = try makeDeveloper("check@example.test")
        #expect {
            try db.database.execute("UPDATE developers SET totp_enabled_at = \(now) WHERE id = \(id.rawValue)")
        } throws: { ($0 as? StoreError)?.kind == .constraint }
    }

    // MARK: Sessions

    @Test func sessionsAreListedNewestFirstWithTheCurrentOneMarked() throws {
        let id = try makeDeveloper("sessions@example.test")
        let older = try makeSession("cw_dses_older", of: id, at: now)
        let newer = try makeSession("cw_dses_newer", of: id, at: now + 100)
        let found = try #require(try sessions.session(digest: older))
        #expect(found.account.id == id)
        #expect(found.createdAt == now)
        try sessions.touchSession(digest: older, now: now + 200)
        #expect(try sessions.session(digest: older)?.lastSeenAt == now + 200)

        let listed = try sessions.sessions(of: id, current: newer)
        #expect(listed.count == 2)
        #expect(listed.map(\.isCurrent) == [false, true])
        #expect(listed[0].lastSeenAt == now + 200)
        #expect(listed[0].createdAt == now)
        #expect(listed[0].expiresAt == now + 3600)
        #expect(listed[0].clientAddress == "192.0.2.7")
        #expect(listed[0].userAgent == "Firefox cw_dses_older")
        let stored = try db.database.query("SELECT token_digest FROM developer_sessions ORDER BY id")
        #expect(stored.map { $0.bytes("token_digest") } == [older, newer], "only digests are stored")
    }

    @Test func signingOutEverywhereElseKeepsTheCurrentSession() throws {
        let id = try makeDeveloper("elsewhere@example.test")
        let current = try makeSession("cw_dses_keep", of: id)
        _ = try makeSession("cw_dses_x", of: id)
        _ = try makeSession("cw_dses_y", of: id)
        try sessions.deleteSessions(of: id, keeping: current)
        #expect(try sessions.sessions(of: id, current: current).map(\.isCurrent) == [true])
        try sessions.deleteSession(digest: current)
        try sessions.deleteSession(digest: current)
        #expect(try sessions.session(digest: current) == nil)
    }

    @Test func aDeveloperCannotEndAnotherDevelopersSessionByItsID() throws {
        let mallory = try makeDeveloper("mallory@example.test")
        let alice = try makeDeveloper("alice@example.test")
        let alicesSession = try makeSession("cw_dses_alice", of: alice)
        let id = try #require(try sessions.sessions(of: alice, current: nil).first?.id)
        #expect(try sessions.deleteSession(id, of: mallory) == false)
        #expect(try sessions.session(digest: alicesSession) != nil)
        #expect(try sessions.deleteSession(id, of: alice))
        #expect(try sessions.session(digest: alicesSession) == nil)
        #expect(try sessions.deleteSession(id, of: alice) == false)
    }

    @Test func sessionsOfASuspendedAccountAreNotHonoured() throws {
        let id = try makeDeveloper("suspend@example.test", active: false)
        let digest = try makeSession("cw_dses_s", of: id)
        #expect(try sessions.session(digest: digest)?.account.state == .unverified, "reaches the verify-email page")
        try db.database.execute("UPDATE developers SET state = 'suspended' WHERE id = \(id.rawValue)")
        #expect(try sessions.session(digest: digest) == nil)
        try db.database.execute("UPDATE developers SET state = 'active' WHERE id = \(id.rawValue)")
        #expect(try sessions.session(digest: digest)?.account.state == .active)
    }

    @Test func thePurgeRemovesExpiredSessionsOldLinksAndFinishedCounters() throws {
        let id = try makeDeveloper("purge@example.test")
        let live = try makeSession("cw_dses_live", of: id, at: now)
        _ = try makeSession("cw_dses_idle", of: id, at: now - 3000)
        try links.createLink(digest: SecretToken.digest("l-old"), developer: id, purpose: .verifyEmail, now: now - 90_000, expiresAt: now - 87_000)
        try links.createLink(digest: SecretToken.digest("l-recent"), developer: id, purpose: .verifyEmail, now: now - 600, expiresAt: now - 60)
        try throttle.updateThrottle(key: [UInt8](repeating: 1, count: 32)) { _ in
            SignInThrottleState(failures: 1, windowStartedAt: now - 7200, lockedUntil: nil)
        }
        let purged = try sessions.purgeExpired(now: now + 10, idleTimeout: 1800, throttleWindow: 3600)
        #expect(purged.sessions == 1)
        #expect(purged.passwordLinks == 1)
        #expect(purged.throttleCounters == 1)
        #expect(try sessions.session(digest: live) != nil)
        #expect(try links.link(digest: SecretToken.digest("l-recent"), now: now + 10) == .expired)
    }

    // MARK: Throttle

    @Test func throttleUpdatesAreReadModifyWriteUnderConcurrency() throws {
        let key = SignInThrottlePolicy.key(.account, "race@example.test")
        let policy = SignInThrottlePolicy(accountLimit: 1000, addressLimit: 1000, window: 3600, lockout: 60)
        let name = db.name
        let now = self.now
        _ = try runConcurrently(
            4,
            makeStore: { _ in
                MariaDeveloperThrottleStore(database: try connected(name))
            }
        ) { store, _ in
            for _ in 0..<10 {
                try store.updateThrottle(key: key) { policy.recordingFailure($0, scope: .account, now: now) }
            }
        }
        #expect(try throttle.throttleState(key: key)?.failures == 40)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM developer_sign_in_throttle").first?.int("n") == 1)
        try throttle.clearThrottle(key: key)
        #expect(try throttle.throttleState(key: key) == nil)
    }

    @Test func aLockOutIsStoredAndReadBack() throws {
        let key = SignInThrottlePolicy.key(.account, "someone@example.org")
        let policy = SignInThrottlePolicy(accountLimit: 2, addressLimit: 50, window: 600, lockout: 900)
        for offset in 0..<2 {
            try throttle.updateThrottle(key: key) { policy.recordingFailure($0, scope: .account, now: now + Double(offset)) }
        }
        let state = try #require(try throttle.throttleState(key: key))
        #expect(state == SignInThrottleState(failures: 2, windowStartedAt: now, lockedUntil: now + 1 + 900))
        #expect(policy.retryAfter(state, now: now + 2) == 899)
    }
}
