import Domain
import Foundation
import Testing

@testable import MariaStore

/// OAuth clients, codes, grants and token families, consents and signing keys against a real MariaDB.
@Suite(.serialized) struct OAuthStoreTests {
    let db: TestDatabase
    let clients: MariaClientStore
    let tokens: MariaTokenStore
    let consents: MariaConsentStore
    let keys: MariaSigningKeyStore
    let user: UserID
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    static let app = ClientID("cw_app_demo")
    static let otherApp = ClientID("cw_app_other")

    init() throws {
        db = try TestDatabase()
        clients = MariaClientStore(database: db.database)
        tokens = MariaTokenStore(database: db.database)
        consents = MariaConsentStore(database: db.database)
        keys = MariaSigningKeyStore(database: db.database)
        try db.database.execute(
            "INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('s1', 'School One', \(now), \(now))")
        user = try MariaAccountStore(database: db.database).createUser(
            NewUser(role: .student, schoolID: SchoolID(1), givenName: "Ada", familyName: "L", email: "ada@school.test", passwordHash: nil),
            now: now)
        try clients.createClient(Self.client(Self.app), now: now)
        try clients.createClient(Self.client(Self.otherApp, kind: .public), now: now)
    }

    static func client(_ id: ClientID, kind: OAuthClient.Kind = .confidential) -> OAuthClient {
        OAuthClient(
            clientID: id, name: "Demo App", description: "Reads your timetable", logoURL: "https://demo.test/logo.png",
            homepageURL: "https://demo.test/", privacyURL: "https://demo.test/privacy", termsURL: nil, developerName: "Demo Ltd",
            verified: true, firstParty: false, kind: kind,
            redirectURIs: ["http://127.0.0.1:8765/callback", "https://demo.test/cb?x=1"], allowedScopes: ["openid", "profile", "grades.read"])
    }

    func digest(_ token: String) -> [UInt8] { SecretToken.digest(token) }

    func codeGrant(client: ClientID = OAuthStoreTests.app, expiresAt: Date? = nil) -> AuthorizationCodeGrant {
        AuthorizationCodeGrant(
            clientID: client, userID: user, redirectURI: "http://127.0.0.1:8765/callback", scopes: ["openid", "grades.read"],
            codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGF9oYeZ5w", nonce: "n-0S6_WzA2Mj", authTime: now - 30,
            methods: [.password], expiresAt: expiresAt ?? now + 60)
    }

    /// A user grant with an access and a refresh token named `at`/`rt` plus `suffix`.
    func makeGrant(_ suffix: String, client: ClientID = OAuthStoreTests.app, at time: Date? = nil) throws -> GrantID {
        let issued = time ?? now
        return try tokens.createGrant(
            client: client, user: user, scopes: ["openid", "grades.read"], authTime: issued - 30,
            tokens: [
                NewToken(digest: digest("cw_at_" + suffix), kind: .access, expiresAt: issued + 3600),
                NewToken(digest: digest("cw_rt_" + suffix), kind: .refresh, expiresAt: issued + 30 * 86400),
            ], now: issued)
    }

    func replacement(_ suffix: String, at time: Date? = nil) -> [NewToken] {
        let issued = time ?? now
        return [
            NewToken(digest: digest("cw_at_" + suffix), kind: .access, expiresAt: issued + 3600),
            NewToken(digest: digest("cw_rt_" + suffix), kind: .refresh, expiresAt: issued + 30 * 86400),
        ]
    }

    func count(_ sql: SQLQuery) throws -> Int { try db.database.query(sql).first?.int("n") ?? -1 }

    func liveRefreshTokens(_ grant: GrantID) throws -> Int {
        try count(
            """
            SELECT COUNT(*) AS n FROM oauth_tokens
            WHERE grant_id = \(grant.rawValue) AND kind = 'refresh' AND rotated_at IS NULL AND revoked_at IS NULL
            """)
    }

    func isActive(_ token: String, at time: Date? = nil) throws -> Bool {
        try tokens.token(digest: digest(token))?.isActive(at: time ?? now) ?? false
    }

    // MARK: Clients

    @Test func aClientRoundTripsWithItsRedirectURIsInOrder() throws {
        #expect(try clients.client(Self.app) == Self.client(Self.app))
        #expect(try clients.client(Self.otherApp)?.kind == .public)
        #expect(try clients.client(ClientID("cw_app_unknown")) == nil)
        // Client ids are compared byte for byte.
        #expect(try clients.client(ClientID("CW_APP_DEMO")) == nil)
        #expect(try clients.activeSecretDigests(of: Self.app, now: now).isEmpty)
    }

    @Test func aTakenClientIDIsADuplicateAndWritesNothing() throws {
        #expect {
            try clients.createClient(Self.client(Self.app), now: now)
        } throws: { ($0 as? StoreError)?.kind == .duplicate }
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_client_redirect_uris") == 4)
    }

    @Test func aClientWithoutRedirectURIsOrScopesRoundTrips() throws {
        let bare = OAuthClient(
            clientID: ClientID("cw_app_service"), name: "Sync", developerName: "Platform", firstParty: true, kind: .confidential,
            redirectURIs: [], allowedScopes: [], status: .suspended)
        try clients.createClient(bare, now: now)
        #expect(try clients.client(bare.clientID) == bare)
    }

    @Test func onlyTheTwoNewestSecretsStayValid() throws {
        let secrets = (1...3).map { digest("cw_cs_\($0)") }
        try clients.addSecret(digest: secrets[0], to: Self.app, now: now)
        #expect(try clients.activeSecretDigests(of: Self.app, now: now) == [secrets[0]])
        try clients.addSecret(digest: secrets[1], to: Self.app, now: now + 10)
        #expect(try clients.activeSecretDigests(of: Self.app, now: now + 10) == [secrets[1], secrets[0]])
        // Added in the same instant as the previous one: still ordered by insertion.
        try clients.addSecret(digest: secrets[2], to: Self.app, now: now + 10)
        #expect(try clients.activeSecretDigests(of: Self.app, now: now + 10) == [secrets[2], secrets[1]])
        let record = try #require(try clients.authenticationRecord(of: Self.app, now: now + 10))
        #expect(record.client.clientID == Self.app)
        // Redirect URIs come back in registration order (the server no longer sorts them: positions do).
        #expect(record.client.redirectURIs == ["http://127.0.0.1:8765/callback", "https://demo.test/cb?x=1"])
        #expect(Set(record.secretDigests) == [secrets[2], secrets[1]])
        #expect(try clients.authenticationRecord(of: ClientID("cw_app_unknown"), now: now) == nil)
        #expect(try clients.activeSecretDigests(of: Self.otherApp, now: now + 10).isEmpty)
        let ended = try db.database.query("SELECT valid_until FROM oauth_client_secrets WHERE secret_digest = \(secrets[0])")
        #expect(ended.first?.date("valid_until") == now + 10)
        #expect {
            try clients.addSecret(digest: secrets[0], to: ClientID("cw_app_unknown"), now: now)
        } throws: { ($0 as? StoreError)?.kind == .constraint }
    }

    // MARK: Codes

    /// Exchanges a code, accepting it when `accept` (the rule check's stand-in).
    func exchange(_ code: [UInt8], _ suffix: String, at time: Date, accept: Bool = true, store: MariaTokenStore? = nil) throws -> CodeExchange {
        try (store ?? tokens).exchangeCode(digest: code, tokens: replacement(suffix, at: time), now: time) { _, _ in
            accept ? nil : .invalidGrant("refused")
        }
    }

    @Test func aCodeIsExchangedOnceAndAReplayRevokesTheGrantItCreatedEvenAfterItsExpiry() throws {
        let code = digest("cw_ac_one")
        try tokens.createCode(digest: code, grant: codeGrant(), now: now)
        let account = try #require(try MariaAccountStore(database: db.database).activeUser(user)?.user)
        let first = try exchange(code, "one", at: now + 5)
        guard case .issued(let grant, let carried, let owner) = first else { Issue.record("not issued: \(first)"); return }
        #expect(carried == codeGrant() && owner == account)
        #expect(try isActive("cw_at_one", at: now + 5) && isActive("cw_rt_one", at: now + 5))
        #expect(try exchange(code, "two", at: now + 6) == .replayed(grant))
        #expect(try !isActive("cw_at_one", at: now + 6) && !isActive("cw_rt_one", at: now + 6))
        // Still a replay after the code's own expiry: the code is kept as long as its grant.
        #expect(try exchange(code, "three", at: now + 600) == .replayed(grant))
        #expect(try exchange(digest("cw_ac_unknown"), "four", at: now) == .invalid)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_grants") == 1)
    }

    @Test func anExpiredCodeIsInvalidAndAFreshOneWithoutPKCEOrNonceRoundTrips() throws {
        let late = digest("cw_ac_late")
        try tokens.createCode(digest: late, grant: codeGrant(expiresAt: now + 60), now: now)
        #expect(try exchange(late, "late", at: now + 60) == .invalid)
        #expect(try exchange(late, "late", at: now + 61) == .invalid)

        let bare = AuthorizationCodeGrant(
            clientID: Self.app, userID: user, redirectURI: "https://demo.test/cb?x=1", scopes: [], codeChallenge: nil, nonce: nil,
            authTime: now, methods: [], expiresAt: now + 60)
        try tokens.createCode(digest: digest("cw_ac_bare"), grant: bare, now: now)
        var seen: AuthorizationCodeGrant?
        _ = try tokens.exchangeCode(digest: digest("cw_ac_bare"), tokens: [], now: now) { grant, _ in
            seen = grant
            return .invalidGrant("refused")
        }
        #expect(seen == bare)
    }

    @Test func aCodeForAnUnknownClientIsRefused() throws {
        #expect {
            try tokens.createCode(digest: digest("cw_ac_x"), grant: codeGrant(client: ClientID("cw_app_unknown")), now: now)
        } throws: { ($0 as? StoreError)?.kind == .constraint }
    }

    @Test func eightConcurrentExchangesOfOneCodeIssueOnceAndEveryOtherOneEndsThatGrant() throws {
        let code = digest("cw_ac_parallel")
        try tokens.createCode(digest: code, grant: codeGrant(), now: now)
        let at = now + 1
        let name = db.name
        let pairs = (0..<8).map { replacement("p\($0)", at: at) }
        let outcomes = try runConcurrently(8, makeStore: { _ in try Self.connectedTokenStore(database: name) }) { store, index in
            try store.exchangeCode(digest: code, tokens: pairs[index], now: at) { _, _ in nil }
        }
        let issued = outcomes.compactMap { outcome -> GrantID? in
            if case .issued(let grant, _, _) = outcome { return grant }
            return nil
        }
        #expect(issued.count == 1)
        #expect(outcomes.filter { $0 == .replayed(issued.first) }.count == 7)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_grants") == 1)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_tokens WHERE revoked_at IS NULL") == 0)
    }

    /// Kills the exchange's connection before each of its statements in turn (the server really drops it, as a
    /// crash or a failover would): every time, nothing of it remains and the code can still be exchanged.
    @Test func aCodeExchangeKilledAtAnyStatementLeavesTheCodeUsable() throws {
        let code = digest("cw_ac_fault")
        try tokens.createCode(digest: code, grant: codeGrant(), now: now)
        let victim = try db.secondHandle()
        let store = MariaTokenStore(database: victim)
        let killer = try db.secondHandle()
        var statement = 1
        while true {
            let connection = try #require(try victim.query("SELECT CONNECTION_ID() AS id").first?.int("id"))
            let target = statement
            var fired = false
            victim.beforeTransactionStatement = { index in
                guard index == target else { return }
                fired = true
                try killer.execute("KILL CONNECTION \(unsafeRaw: String(connection))")
            }
            let outcome = Result { try exchange(code, "f\(target)", at: now + 1, store: store) }
            victim.beforeTransactionStatement = nil
            guard fired else {
                // Past the last statement (the COMMIT): the exchange ran whole, and only now.
                guard case .success(.issued) = outcome else { Issue.record("the unbroken exchange failed: \(outcome)"); return }
                break
            }
            #expect(throws: StoreError.self, "statement \(target)") { try outcome.get() }
            #expect(try count("SELECT COUNT(*) AS n FROM oauth_codes WHERE consumed_at IS NULL AND grant_id IS NULL") == 1)
            #expect(try count("SELECT COUNT(*) AS n FROM oauth_grants") == 0)
            #expect(try count("SELECT COUNT(*) AS n FROM oauth_tokens") == 0)
            statement += 1
        }
        #expect(statement >= 5, "the exchange runs its statements in one transaction")
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_grants") == 1)
        #expect(try exchange(code, "again", at: now + 2) != .invalid)
    }

    // MARK: Grants and tokens

    @Test func aTokenIsReadWithItsGrantsClientUserAndScopes() throws {
        let grant = try makeGrant("read")
        let access = try #require(try tokens.token(digest: digest("cw_at_read")))
        #expect(
            access
                == StoredToken(
                    kind: .access, grantID: grant, clientID: Self.app, userID: user, scopes: ["openid", "grades.read"], issuedAt: now,
                    expiresAt: now + 3600, revokedAt: nil, rotatedAt: nil))
        #expect(try tokens.token(digest: digest("cw_rt_read"))?.kind == .refresh)
        #expect(try tokens.token(digest: digest("cw_at_unknown")) == nil)

        let service = try tokens.createGrant(
            client: Self.app, user: nil, scopes: ["school.read"], authTime: nil,
            tokens: [NewToken(digest: digest("cw_at_cc"), kind: .access, expiresAt: now + 3600)], now: now)
        let cc = try #require(try tokens.token(digest: digest("cw_at_cc")))
        #expect(cc.userID == nil && cc.grantID == service && cc.scopes == ["school.read"])
        #expect {
            _ = try tokens.createGrant(client: ClientID("cw_app_unknown"), user: nil, scopes: [], authTime: nil, tokens: [], now: now)
        } throws: { ($0 as? StoreError)?.kind == .constraint }
    }

    @Test func aDPoPBoundTokenKeepsItsThumbprintAndTheClientItsSetting() throws {
        let grant = try tokens.createGrant(
            client: Self.app, user: user, scopes: ["openid"], authTime: now,
            tokens: [NewToken(digest: digest("cw_at_bound"), kind: .access, expiresAt: now + 3600, confirmation: "jkt-of-the-key")], now: now)
        #expect(try tokens.token(digest: digest("cw_at_bound"))?.confirmation == "jkt-of-the-key")
        #expect(try tokens.bearer(digest: digest("cw_at_bound"))?.token.confirmation == "jkt-of-the-key")
        #expect(try tokens.bearer(digest: digest("cw_at_bound"))?.token.grantID == grant)
        try tokens.issueAppToken(
            client: Self.app, scopes: ["school.read"],
            token: NewToken(digest: digest("cw_at_app_bound"), kind: .access, expiresAt: now + 60, confirmation: "jkt-2"), grantLifetime: 600,
            now: now)
        #expect(try tokens.token(digest: digest("cw_at_app_bound"))?.confirmation == "jkt-2")
        // The second app token goes into the same app grant by another statement: it keeps its binding too.
        try tokens.issueAppToken(
            client: Self.app, scopes: ["school.read"],
            token: NewToken(digest: digest("cw_at_app_bound_2"), kind: .access, expiresAt: now + 60, confirmation: "jkt-3"), grantLifetime: 600,
            now: now)
        #expect(try tokens.token(digest: digest("cw_at_app_bound_2"))?.confirmation == "jkt-3")
        #expect(try tokens.token(digest: digest("cw_at_app_bound_2"))?.grantID == tokens.token(digest: digest("cw_at_app_bound"))?.grantID)
        #expect(try clients.client(Self.app)?.requiresDPoP == false)
        var required = Self.client(ClientID("cw_app_dpop"), kind: .public)
        required.requiresDPoP = true
        try clients.createClient(required, now: now)
        #expect(try clients.client(required.clientID)?.requiresDPoP == true)
    }

    @Test func aDPoPProofIsUsedOnceUntilItIsPurged() throws {
        let proof = [UInt8](repeating: 0xAB, count: 32)
        #expect(try tokens.recordProofUse(digest: proof, expiresAt: now + 70))
        #expect(try !tokens.recordProofUse(digest: proof, expiresAt: now + 70), "a replay")
        #expect(try tokens.recordProofUse(digest: [UInt8](repeating: 0xCD, count: 32), expiresAt: now + 200))
        #expect(try tokens.purgeProofUses(before: now + 100) == 1)
        #expect(try tokens.purgeProofUses(before: now + 100) == 0)
        #expect(try tokens.recordProofUse(digest: proof, expiresAt: now + 170), "purged after it expired")
    }

    @Test func aRefreshThatNarrowsTheScopesNarrowsOnlyTheNewAccessToken() throws {
        _ = try makeGrant("wide")
        let narrowed = [
            NewToken(digest: digest("cw_at_narrow"), kind: .access, expiresAt: now + 3600, scopes: ["openid"]),
            NewToken(digest: digest("cw_rt_narrow"), kind: .refresh, expiresAt: now + 30 * 86400),
        ]
        let rotation = try tokens.rotateRefreshToken(digest: digest("cw_rt_wide"), client: Self.app, replacement: narrowed, now: now + 1, grace: 10)
        guard case .rotated = rotation else {
            Issue.record("expected a rotation, got \(rotation)")
            return
        }
        #expect(try tokens.token(digest: digest("cw_at_narrow"))?.scopes == ["openid"])
        #expect(try tokens.token(digest: digest("cw_rt_narrow"))?.scopes == ["openid", "grades.read"])
    }

    @Test func eightConcurrentRefreshesWithOneTokenRotateItExactlyOnce() throws {
        let grant = try makeGrant("family")
        let presented = digest("cw_rt_family")
        let replacements = (0..<8).map { replacement("family\($0)", at: now + 100) }
        let at = now + 100
        let name = db.name
        let outcomes = try runConcurrently(8, makeStore: { _ in try Self.connectedTokenStore(database: name) }) { store, index in
            try store.rotateRefreshToken(digest: presented, client: Self.app, replacement: replacements[index], now: at, grace: 10)
        }
        let rotated = outcomes.filter { if case .rotated = $0 { true } else { false } }
        #expect(rotated.count == 1)
        #expect(outcomes.filter { $0 == .alreadyRotated }.count == 7)
        if case .rotated(let old) = rotated.first {
            #expect(old.grantID == grant && old.rotatedAt == now + 100 && old.scopes == ["openid", "grades.read"] && old.userID == user)
        }
        #expect(try liveRefreshTokens(grant) == 1)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_tokens WHERE grant_id = \(grant.rawValue)") == 4)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_tokens WHERE revoked_at IS NOT NULL") == 0)
        // The grant lives as long as its newest token.
        let expiry = try db.database.query("SELECT expires_at FROM oauth_grants WHERE id = \(grant.rawValue)").first?.date("expires_at")
        #expect(expiry == now + 100 + 30 * 86400)
    }

    /// A retry racing the rotation it repeats (the same derived replacement) waits for the grant lock and then
    /// sees what that rotation committed: every one is answered with the same pair, never an error.
    @Test func eightConcurrentRefreshesWithTheSameReplacementRotateOnceAndRepeatTheRest() throws {
        let grant = try makeGrant("retried")
        let presented = digest("cw_rt_retried")
        let same = replacement("retried-next", at: now + 100)
        let at = now + 100
        let name = db.name
        let outcomes = try runConcurrently(8, makeStore: { _ in try Self.connectedTokenStore(database: name) }) { store, _ in
            try store.rotateRefreshToken(digest: presented, client: Self.app, replacement: same, now: at, grace: 10)
        }
        #expect(outcomes.filter { if case .rotated = $0 { true } else { false } }.count == 1)
        #expect(outcomes.filter { if case .repeated = $0 { true } else { false } }.count == 7, "\(outcomes)")
        #expect(try liveRefreshTokens(grant) == 1)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_tokens WHERE grant_id = \(grant.rawValue)") == 4)
    }

    @Test func aReuseRacingLegitimateRefreshesLeavesNoLiveTokenAndNoError() throws {
        let grant = try makeGrant("stolen")
        guard
            case .rotated = try tokens.rotateRefreshToken(
                digest: digest("cw_rt_stolen"), client: Self.app, replacement: replacement("current"), now: now + 100, grace: 10)
        else {
            Issue.record("the first refresh must rotate")
            return
        }
        // Four threads refresh with the current token while four present the spent one, long after the grace.
        let spent = digest("cw_rt_stolen")
        let current = digest("cw_rt_current")
        let replacements = (0..<8).map { replacement("race\($0)", at: now + 200) }
        let at = now + 200
        let name = db.name
        let outcomes = try runConcurrently(8, makeStore: { _ in try Self.connectedTokenStore(database: name) }) { store, index in
            try store.rotateRefreshToken(
                digest: index < 4 ? current : spent, client: Self.app, replacement: replacements[index], now: at, grace: 10)
        }
        #expect(outcomes[4...].filter { $0 == .reuseDetected }.count == 1)
        #expect(outcomes[4...].filter { $0 == .invalid }.count == 3)
        #expect(outcomes[..<4].filter { if case .rotated = $0 { true } else { false } }.count <= 1)
        #expect(
            try count(
                """
                SELECT COUNT(*) AS n FROM oauth_tokens
                WHERE grant_id = \(grant.rawValue) AND revoked_at IS NULL
                """) == 0)
        #expect(try liveRefreshTokens(grant) == 0)
    }

    @Test func aRotatedTokenBackAfterTheGraceWindowRevokesTheWholeGrant() throws {
        let grant = try makeGrant("old")
        _ = try makeGrant("bystander")
        guard
            case .rotated = try tokens.rotateRefreshToken(
                digest: digest("cw_rt_old"), client: Self.app, replacement: replacement("new"), now: now + 100, grace: 10)
        else {
            Issue.record("the first refresh must rotate")
            return
        }
        #expect(try isActive("cw_rt_new", at: now + 100))
        #expect(
            try tokens.rotateRefreshToken(
                digest: digest("cw_rt_old"), client: Self.app, replacement: replacement("x"), now: now + 110, grace: 10) == .alreadyRotated)
        #expect(
            try tokens.rotateRefreshToken(
                digest: digest("cw_rt_old"), client: Self.app, replacement: replacement("y"), now: now + 111, grace: 10) == .reuseDetected)
        for token in ["cw_at_old", "cw_rt_old", "cw_at_new", "cw_rt_new"] {
            #expect(try tokens.token(digest: digest(token))?.revokedAt == now + 111, "\(token) is revoked with its grant")
        }
        #expect(try liveRefreshTokens(grant) == 0)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_tokens WHERE grant_id = \(grant.rawValue)") == 4, "the reuse inserted nothing")
        #expect(
            try tokens.rotateRefreshToken(
                digest: digest("cw_rt_new"), client: Self.app, replacement: replacement("z"), now: now + 112, grace: 10) == .invalid)
        #expect(try isActive("cw_rt_bystander", at: now + 112), "another grant of the same user and client is untouched")
    }

    @Test func rotationRefusesUnknownForeignAccessExpiredAndRevokedTokens() throws {
        _ = try makeGrant("r")
        func rotate(_ token: String, client: ClientID = OAuthStoreTests.app, at time: Date? = nil) throws -> RefreshRotation {
            try tokens.rotateRefreshToken(
                digest: digest(token), client: client, replacement: replacement("never"), now: time ?? now + 1, grace: 10)
        }
        #expect(try rotate("cw_rt_unknown") == .invalid)
        #expect(try rotate("cw_rt_r", client: Self.otherApp) == .invalid)
        #expect(try rotate("cw_at_r") == .invalid)
        #expect(try rotate("cw_rt_r", at: now + 30 * 86400) == .invalid)
        #expect(try liveRefreshTokens(try #require(try tokens.token(digest: digest("cw_rt_r"))?.grantID)) == 1)
        try tokens.revokeToken(digest: digest("cw_rt_r"), client: Self.app, now: now + 2)
        #expect(try rotate("cw_rt_r", at: now + 3) == .invalid)
        #expect(try tokens.token(digest: digest("cw_at_never")) == nil)
    }

    @Test func revokingAnAccessTokenEndsOnlyItAndARefreshTokenEndsItsGrant() throws {
        _ = try makeGrant("a")
        let b = try makeGrant("b")
        // Another client's token is left alone (RFC 7009 §2.1), as is an unknown one.
        try tokens.revokeToken(digest: digest("cw_at_a"), client: Self.otherApp, now: now + 1)
        try tokens.revokeToken(digest: digest("cw_at_nothing"), client: Self.app, now: now + 1)
        #expect(try isActive("cw_at_a"))

        try tokens.revokeToken(digest: digest("cw_at_a"), client: Self.app, now: now + 1)
        #expect(try tokens.token(digest: digest("cw_at_a"))?.revokedAt == now + 1)
        #expect(try isActive("cw_rt_a"))

        try tokens.revokeToken(digest: digest("cw_rt_b"), client: Self.app, now: now + 2)
        #expect(try !isActive("cw_rt_b") && !isActive("cw_at_b"))
        let revoked = try db.database.query("SELECT revoked_at FROM oauth_grants WHERE id = \(b.rawValue)").first?.date("revoked_at")
        #expect(revoked == now + 2)
        #expect(try isActive("cw_rt_a"))
    }

    @Test func revokingAUsersGrantsForAClientEndsTheirTokensAndPendingCodes() throws {
        _ = try makeGrant("g1")
        _ = try makeGrant("g2")
        _ = try makeGrant("g3", client: Self.otherApp)
        try tokens.createCode(digest: digest("cw_ac_pending"), grant: codeGrant(), now: now)
        try tokens.revokeGrants(user: user, client: Self.app, now: now + 5)
        for token in ["cw_at_g1", "cw_rt_g1", "cw_at_g2", "cw_rt_g2"] {
            #expect(try !isActive(token, at: now + 5), "\(token)")
        }
        #expect(try isActive("cw_rt_g3", at: now + 5))
        #expect(try exchange(digest("cw_ac_pending"), "pending", at: now + 6) == .invalid)
        try tokens.revokeGrants(user: user, client: ClientID("cw_app_unknown"), now: now + 5)
    }

    // MARK: Consent

    @Test func consentIsMergedListedAndItsRevocationEndsEveryToken() throws {
        try consents.recordConsent(user: user, client: Self.app, scopes: ["openid"], now: now)
        try consents.recordConsent(user: user, client: Self.app, scopes: ["grades.read"], now: now + 60)
        #expect(
            try consents.consent(user: user, client: Self.app)
                == Consent(clientID: Self.app, scopes: ["openid", "grades.read"], firstGrantedAt: now, lastUsedAt: now + 60))
        try consents.recordConsent(user: user, client: Self.otherApp, scopes: ["profile"], now: now + 30)
        #expect(try consents.consents(of: user).map(\.clientID) == [Self.app, Self.otherApp])
        #expect(try consents.consent(user: user, client: Self.otherApp)?.scopes == ["profile"])

        _ = try makeGrant("c1")
        _ = try makeGrant("c2")
        _ = try makeGrant("c3", client: Self.otherApp)
        try consents.revokeConsent(user: user, client: Self.app, now: now + 120)
        #expect(try consents.consent(user: user, client: Self.app) == nil)
        #expect(try consents.consents(of: user).map(\.clientID) == [Self.otherApp])
        #expect(
            try count(
                """
                SELECT COUNT(*) AS n FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN oauth_clients c ON c.id = g.client_pk
                WHERE c.client_id = \(Self.app.rawValue) AND t.revoked_at IS NULL
                """) == 0)
        #expect(try isActive("cw_at_c3", at: now + 120) && isActive("cw_rt_c3", at: now + 120))

        // Consenting again starts afresh: the withdrawn scopes are not revived.
        try consents.recordConsent(user: user, client: Self.app, scopes: ["profile"], now: now + 200)
        #expect(
            try consents.consent(user: user, client: Self.app)
                == Consent(clientID: Self.app, scopes: ["profile"], firstGrantedAt: now + 200, lastUsedAt: now + 200))
        #expect {
            try consents.recordConsent(user: user, client: ClientID("cw_app_unknown"), scopes: [], now: now)
        } throws: { ($0 as? StoreError)?.kind == .constraint }
    }

    // MARK: Purge

    @Test func purgeDeletesExpiredRowsInBatchesAndKeepsTheLiveOnes() throws {
        let day: TimeInterval = 86400
        // Five expired codes that started no grant, one that did (kept with its grant).
        for i in 0..<5 {
            try tokens.createCode(digest: digest("cw_ac_old\(i)"), grant: codeGrant(expiresAt: now + 60), now: now)
        }
        try tokens.createCode(digest: digest("cw_ac_used"), grant: codeGrant(expiresAt: now + 60), now: now)
        // Its grant, whose access token expires but whose refresh token lives on.
        guard case .issued(let live, _, _) = try exchange(digest("cw_ac_used"), "live", at: now + 1) else {
            Issue.record("the code was not exchanged")
            return
        }
        // A client_credentials grant that is entirely expired, with its token.
        _ = try tokens.createGrant(
            client: Self.app, user: nil, scopes: [], authTime: nil,
            tokens: [NewToken(digest: digest("cw_at_cc"), kind: .access, expiresAt: now + 60)], now: now)
        // A fresh code.
        try tokens.createCode(digest: digest("cw_ac_fresh"), grant: codeGrant(expiresAt: now + 2 * day), now: now + day)

        let before = now + 2 * 3600
        var batches: [Int] = []
        while true {
            let deleted = try tokens.purgeExpired(before: before, limit: 3)
            #expect(deleted <= 3)
            batches.append(deleted)
            if deleted == 0 { break }
        }
        // 5 codes + 2 access tokens (live's and the cc grant's) + the cc grant.
        #expect(batches.reduce(0, +) == 8)
        #expect(batches.count == 4)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_codes") == 2)
        #expect(try tokens.token(digest: digest("cw_at_live")) == nil)
        #expect(try isActive("cw_rt_live", at: before))
        #expect(try exchange(digest("cw_ac_used"), "replay", at: before) == .replayed(live))
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_grants") == 1)

        // Once the refresh token has expired too, the grant goes with its code.
        #expect(try tokens.purgeExpired(before: now + 31 * day, limit: 100) == 3)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_grants") == 0)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_tokens") == 0)
        #expect(try count("SELECT COUNT(*) AS n FROM oauth_codes") == 0)
    }

    @Test func purgeUsesTheExpiryIndexes() throws {
        for (table, condition) in [
            ("oauth_codes", "grant_id IS NULL AND expires_at < '2030-01-01'"), ("oauth_tokens", "expires_at < '2030-01-01'"),
            ("oauth_grants", "expires_at < '2030-01-01'"),
        ] {
            let plan = try db.database.query(
                "EXPLAIN DELETE FROM \(unsafeRaw: table) WHERE \(unsafeRaw: condition) ORDER BY expires_at LIMIT 10")
            #expect(plan.first?.string("key")?.hasSuffix("_expiry") == true, "\(table): \(plan.first?.string("key") ?? "no index")")
        }
    }

    // MARK: Signing keys

    @Test func addingAKeyRetiresTheCurrentOneWhichStaysPublishedForAWhile() throws {
        func key(_ kid: String, _ algorithm: SigningKeyRecord.Algorithm, at time: Date) -> SigningKeyRecord {
            SigningKeyRecord(
                kid: kid, algorithm: algorithm, sealedPrivateKey: Array(kid.utf8) + [0, 255], publicJWK: "{\"kid\":\"\(kid)\"}",
                createdAt: time, retiredAt: nil)
        }
        #expect(try keys.currentKey(.rs256) == nil)
        try keys.addKey(key("rs-1", .rs256, at: now), now: now)
        try keys.addKey(key("es-1", .es256, at: now), now: now)
        #expect(try keys.currentKey(.rs256) == key("rs-1", .rs256, at: now))
        try keys.addKey(key("rs-2", .rs256, at: now + 100), now: now + 100)
        #expect(try keys.currentKey(.rs256)?.kid == "rs-2")
        #expect(try keys.currentKey(.es256)?.kid == "es-1", "another algorithm's key is not retired")
        #expect(try keys.publishedKeys(publishedSince: now + 99).map(\.kid) == ["rs-2", "es-1", "rs-1"])
        #expect(try keys.publishedKeys(publishedSince: now + 100).map(\.kid) == ["rs-2", "es-1"])
        let retired = try keys.publishedKeys(publishedSince: now).first { $0.kid == "rs-1" }
        #expect(retired?.retiredAt == now + 100)

        #expect {
            try keys.addKey(key("rs-2", .rs256, at: now + 200), now: now + 200)
        } throws: { ($0 as? StoreError)?.kind == .duplicate }
        #expect(try keys.currentKey(.rs256)?.kid == "rs-2", "a refused key retires nothing")
    }

    /// Issue 18: a rotated-in key is published at once but signs only from its `notBefore`, by the database's clock;
    /// the previous key signs until then.
    @Test func aNewKeyIsPublishedBeforeItSigns() throws {
        func key(_ kid: String, at time: Date, notBefore: Date?) -> SigningKeyRecord {
            SigningKeyRecord(
                kid: kid, algorithm: .rs256, sealedPrivateKey: Array(kid.utf8), publicJWK: "{\"kid\":\"\(kid)\"}", createdAt: time, retiredAt: nil,
                notBefore: notBefore)
        }
        let clock = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try keys.addKey(key("old", at: clock - 60, notBefore: nil), now: clock - 60)
        try keys.addKey(key("new", at: clock, notBefore: clock + 600), now: clock)
        #expect(try keys.currentKey(.rs256)?.kid == "old")
        #expect(try keys.publishedKeys(publishedSince: clock).map(\.kid) == ["new", "old"])
        let published = try keys.publishedKeys(publishedSince: clock)
        #expect(published.first?.notBefore == clock + 600 && published.last?.retiredAt == clock + 600)
        // The database's clock passes the start (moved back here rather than waited for).
        try db.database.execute(
            "UPDATE oauth_signing_keys SET not_before = not_before - INTERVAL 601 SECOND, retired_at = retired_at - INTERVAL 601 SECOND")
        #expect(try keys.currentKey(.rs256)?.kid == "new")
    }

    // MARK: Helpers

    /// A token store on its own connection to this suite's database, opened at once.
    static func connectedTokenStore(database name: String) throws -> MariaTokenStore {
        let database = MariaDatabase(options: try TestServer.adminOptions(database: name))
        _ = try database.query("SELECT 1 AS one")
        return MariaTokenStore(database: database)
    }
}
