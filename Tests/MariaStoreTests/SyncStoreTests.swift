import Domain
import Foundation
import Testing

@testable import MariaStore

/// Both sides of sync against real MariaDB databases (a main one and a developers one): applying an app is
/// idempotent, secrets and keys are mirrored, a suspension revokes tokens, request markers are cleared only
/// when unchanged, events are queued once, and the named lock is single-flight.
@Suite(.serialized) struct SyncStoreTests {
    let main: TestDatabase
    let developers: TestDatabase
    let target: MariaSyncTargetStore
    let source: MariaSyncSourceStore
    let apps: MariaApplicationStore
    let owner: DeveloperID
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    static let draft = ApplicationDraft(
        name: "Study Buddy", description: "Flashcards.", homepageURL: "https://sb.example", privacyPolicyURL: "https://sb.example/privacy",
        redirectURIs: ["https://sb.example/cb"], requestedScopes: ["openid", "profile.read", "school.read"], clientType: .confidential,
        dataDeclarations: [
            DataDeclaration(scope: "openid", purpose: "Sign-in.", retention: .session, subProcessors: []),
            DataDeclaration(
                scope: "profile.read", purpose: "Names on cards.", retention: .days(45), subProcessors: [.init(name: "Fly.io", country: "France")]),
            DataDeclaration(scope: "school.read", purpose: "School name.", retention: .oneYear, subProcessors: []),
        ])

    init() throws {
        main = try TestDatabase(schema: "main")
        developers = try TestDatabase(schema: "developers")
        target = MariaSyncTargetStore(database: main.database)
        source = MariaSyncSourceStore(database: developers.database)
        apps = MariaApplicationStore(database: developers.database)
        owner = try MariaDeveloperAccountStore(database: developers.database).createDeveloper(
            NewDeveloper(email: "ada@example.test", name: "Ada", company: nil, passwordHash: "$argon2id$x"), now: now)
    }

    /// An app taken through submission and approval, as the portal and the review panel would.
    func approvedApp(in developers: MariaDatabase? = nil, owner: DeveloperID? = nil) throws -> ApplicationID {
        let apps = developers.map { MariaApplicationStore(database: $0) } ?? apps
        let owner = owner ?? self.owner
        let id = try apps.createApplication(owner: owner, clientID: ClientID("cw_app_sync"), draft: Self.draft, now: now)
        for (event, actor) in [
            (ApplicationReview.Event.submit, ApplicationReview.Actor.developer(owner)),
            (.approve(narrowedScopes: ["openid", "profile.read", "school.read"]), .platformAdmin(UserID(1))),
        ] {
            let stored = try #require(try apps.applicationForReview(id))
            let outcome = try stored.review.transition(event, by: actor, at: now).get()
            #expect(
                try apps.applyTransition(outcome, to: id, expectedVersion: stored.version, actorName: "x", now: now)
                    == .saved(version: stored.version + 1))
        }
        return id
    }

    /// A platform admin's confirmation of a client secret, as the review panel records it.
    func confirmSecret(_ digest: [UInt8], of app: ApplicationID) throws {
        try target.recordCredentialAttestation(
            CredentialAttestation(application: app, kind: .clientSecret, sourceID: nil, digest: digest, scopes: []), decidedBy: UserID(1),
            now: now)
    }

    func applyAll() throws -> [SyncApplyResult] {
        try source.applicationsToSync(limit: 10).map { app in
            let result = try target.apply(app, as: app.oauthClient(logoBaseURL: "https://developers.example"), now: now)
            _ = try source.clearSyncRequest(of: app.id, marker: app.marker)
            return result
        }
    }

    @Test func anApprovedAppBecomesAClientOnceAndASecondApplyChangesNothing() throws {
        let id = try approvedApp()
        let first = try applyAll()
        #expect(first == [SyncApplyResult(created: true, changed: true)])
        let client = try #require(try MariaClientStore(database: main.database).client(ClientID("cw_app_sync")))
        #expect(client.status == .active && client.verified && !client.firstParty)
        #expect(client.allowedScopes == ["openid", "profile.read", "school.read"] && client.redirectURIs == ["https://sb.example/cb"])
        // A third-party app is registered with pairwise subjects; a later apply never changes the type (below: it
        // changes nothing at all), so an operator's decision to keep an app public would stand.
        #expect(client.subjectType == .pairwise)
        // The marker is cleared, so nothing is read again; applying the same state again changes nothing.
        #expect(try source.applicationsToSync(limit: 10).isEmpty)
        let app = try #require(try source.applicationsToSyncForTest(id))
        #expect(try target.apply(app, as: app.oauthClient(logoBaseURL: "https://developers.example"), now: now + 60) == SyncApplyResult())
    }

    @Test func theReviewedDeclarationsReachMainWithTheAppAndAChangeReplacesThem() throws {
        let id = try approvedApp()
        _ = try applyAll()
        let declarations = MariaClientDataDeclarationStore(database: main.database)
        #expect(try declarations.declarations(of: ClientID("cw_app_sync")) == Self.draft.dataDeclarations)
        #expect(
            try declarations.declarations(of: [ClientID("cw_app_sync"), ClientID("cw_app_none")]) == [
                ClientID("cw_app_sync"): Self.draft.dataDeclarations
            ])
        // Applying the same content again changes nothing; a changed declaration replaces the old ones.
        var app = try #require(try source.applicationsToSyncForTest(id))
        #expect(try target.apply(app, as: app.oauthClient(logoBaseURL: nil), now: now).changed == false)
        var live = app.live
        live.dataDeclarations[1] = DataDeclaration(scope: "profile.read", purpose: "Names on cards.", retention: .oneYear, subProcessors: [])
        app = SyncedApplication(
            id: app.id, clientID: app.clientID, status: .approved, live: live, grantedScopes: app.grantedScopes, developerName: app.developerName,
            secretDigests: [], apiKeys: [], marker: app.marker)
        #expect(try target.apply(app, as: app.oauthClient(logoBaseURL: nil), now: now).changed)
        #expect(try declarations.declarations(of: ClientID("cw_app_sync")) == live.dataDeclarations)
        // The attestation recorded at approval does not cover the changed declaration: sync refuses that content.
        let reviewed = try #require(try apps.applicationForReview(id))
        let recorded = try #require(ReviewAttestation(application: id, clientID: app.clientID, after: reviewed.review))
        #expect(!recorded.permits(app))
    }

    @Test func aMarkerSetAgainAfterTheReadIsNotCleared() throws {
        _ = try approvedApp()
        let read = try #require(try source.applicationsToSync(limit: 10).first)
        try developers.database.execute("UPDATE applications SET sync_requested_at = \(now + 5) WHERE id = \(read.id.rawValue)")
        #expect(try source.clearSyncRequest(of: read.id, marker: read.marker) == false)
        #expect(try source.applicationsToSync(limit: 10).count == 1)
    }

    @Test func secretsAreMirroredAddedAndEnded() throws {
        let id = try approvedApp()
        let credentials = MariaApplicationCredentialStore(database: developers.database)
        guard case .added(let first) = try credentials.addClientSecret(digest: Array(repeating: 1, count: 32), to: id, owner: owner, now: now),
            case .added = try credentials.addClientSecret(digest: Array(repeating: 2, count: 32), to: id, owner: owner, now: now)
        else { Issue.record("secrets not added"); return }
        try confirmSecret(Array(repeating: 1, count: 32), of: id)
        try confirmSecret(Array(repeating: 2, count: 32), of: id)
        _ = try applyAll()
        let clients = MariaClientStore(database: main.database)
        #expect(
            Set(try clients.activeSecretDigests(of: ClientID("cw_app_sync"), now: now + 1)) == [
                Array(repeating: 1, count: 32), Array(repeating: 2, count: 32),
            ])
        #expect(try credentials.revokeClientSecret(first, of: id, owner: owner, now: now + 2))
        let results = try applyAll()
        #expect(results.map(\.changed) == [true])
        #expect(try clients.activeSecretDigests(of: ClientID("cw_app_sync"), now: now + 3) == [Array(repeating: 2, count: 32)])
    }

    @Test func aSecretsLastUseIsWrittenAtMostOnceAMinuteAndReachesTheDevelopersDatabaseOnce() throws {
        let id = try approvedApp()
        let credentials = MariaApplicationCredentialStore(database: developers.database)
        let digest: [UInt8] = Array(repeating: 7, count: 32)
        guard case .added = try credentials.addClientSecret(digest: digest, to: id, owner: owner, now: now) else {
            Issue.record("secret not added")
            return
        }
        try confirmSecret(digest, of: id)
        _ = try applyAll()
        let clients = MariaClientStore(database: main.database)
        let client = ClientID("cw_app_sync")
        #expect(try target.changedClientSecretUsage(limit: 10).isEmpty)
        try clients.recordSecretUse(digest: digest, of: client, now: now + 10)
        try clients.recordSecretUse(digest: digest, of: client, now: now + 30)  // within the minute: not written
        try clients.recordSecretUse(digest: Array(repeating: 8, count: 32), of: client, now: now + 30)  // not its secret
        let changed = try target.changedClientSecretUsage(limit: 10)
        #expect(changed == [ClientSecretUsage(digest: digest, lastUsedAt: now + 10)])
        try source.recordClientSecretUsage(changed)
        try target.markClientSecretUsagePushed(changed)
        #expect(try target.changedClientSecretUsage(limit: 10).isEmpty)
        #expect(try credentials.clientSecrets(of: id, owner: owner)?.map(\.lastUsedAt) == [now + 10])
        // A later use goes again; an older time never overwrites a newer one.
        try clients.recordSecretUse(digest: digest, of: client, now: now + 100)
        #expect(try target.changedClientSecretUsage(limit: 10) == [ClientSecretUsage(digest: digest, lastUsedAt: now + 100)])
        try source.recordClientSecretUsage([ClientSecretUsage(digest: digest, lastUsedAt: now + 100)])
        try source.recordClientSecretUsage([ClientSecretUsage(digest: digest, lastUsedAt: now + 50)])
        #expect(try credentials.clientSecrets(of: id, owner: owner)?.map(\.lastUsedAt) == [now + 100])
    }

    @Test func suspendingRevokesEveryTokenOfTheClient() throws {
        let id = try approvedApp()
        _ = try applyAll()
        let tokens = MariaTokenStore(database: main.database)
        _ = try tokens.createGrant(
            client: ClientID("cw_app_sync"), user: nil, scopes: ["school.read"], authTime: nil,
            tokens: [NewToken(digest: Array(repeating: 7, count: 32), kind: .access, expiresAt: now + 3600)], now: now)
        let stored = try #require(try apps.applicationForReview(id))
        let outcome = try stored.review.transition(.suspend(reason: "Abuse."), by: .platformAdmin(UserID(1)), at: now).get()
        _ = try apps.applyTransition(outcome, to: id, expectedVersion: stored.version, actorName: "admin", now: now + 1)
        let results = try applyAll()
        #expect(results.first?.tokensRevoked == 1)
        #expect(try tokens.token(digest: Array(repeating: 7, count: 32))?.revokedAt != nil)
        #expect(try MariaClientStore(database: main.database).client(ClientID("cw_app_sync"))?.status == .suspended)
    }

    @Test func eventsAreQueuedOnceToSubscribedEndpoints() throws {
        let id = try approvedApp()
        let webhooks = MariaWebhookStore(database: developers.database)
        _ = try webhooks.createEndpoint(
            NewWebhookEndpoint(url: "https://hooks.example/a", events: [.authorizationGranted], sealedSecret: [1, 2, 3]), for: id, owner: owner,
            now: now)
        _ = try webhooks.createEndpoint(
            NewWebhookEndpoint(url: "https://hooks.example/b", events: [.gradePublished], sealedSecret: [1, 2, 3]), for: id, owner: owner, now: now)
        let event = PendingEvent(
            source: "auth", id: 9, type: "authorization.granted", clientID: ClientID("cw_app_sync"), occurredAt: now,
            payload: #"{"type":"authorization.granted"}"#)
        #expect(try source.enqueueEvents([(event, id)], now: now) == 1)
        #expect(try source.enqueueEvents([(event, id)], now: now + 1) == 0)
    }

    @Test func theConsentStoreWritesAuthorizationEventsThatSyncHandsOverOnce() throws {
        _ = try approvedApp()
        _ = try applyAll()
        try main.database.execute(
            """
            INSERT INTO users (id, role, school_id, email, given_name, family_name, created_at, updated_at)
            VALUES (500, 'platform_admin', NULL, 's@example.test', 'S', 'T', \(now), \(now))
            """)
        let consents = MariaConsentStore(database: main.database)
        try consents.recordConsent(user: UserID(500), client: ClientID("cw_app_sync"), scopes: ["openid"], now: now)
        try consents.revokeConsent(user: UserID(500), client: ClientID("cw_app_sync"), now: now + 1)
        let events = try target.pendingEvents(limit: 10)
        #expect(events.map(\.type) == ["authorization.granted", "authorization.revoked"])
        try target.markEventsHandedOver(events, now: now + 2)
        #expect(try target.pendingEvents(limit: 10).isEmpty)
    }

    @Test func usageIsCountedOnceAndOnlyOnceSettled() throws {
        _ = try approvedApp()
        _ = try applyAll()
        // Settling is judged by the database's clock (issue 18): rows are dated seconds before it.
        func log(_ count: Int, status: Int, secondsAgo: Int) throws {
            for _ in 0..<count {
                try main.database.execute(
                    """
                    INSERT INTO data_access_log (occurred_at, client_id, actor_user_id, subject_user_id, school_id, operation, request, status, written_at)
                    VALUES (\(now), 'cw_app_sync', 7, 7, 1, 'me', 'GET /api/v1/me', \(status), UTC_TIMESTAMP(6) - INTERVAL \(secondsAgo) SECOND)
                    """)
            }
        }
        try log(3, status: 200, secondsAgo: 60)
        try log(1, status: 404, secondsAgo: 60)
        try log(2, status: 200, secondsAgo: 0)  // still settling
        #expect(try target.collectUsage(now: now, settle: 5) == 4)
        let first = try target.changedUsage(limit: 10)
        #expect(first.map { [$0.apiRequests, $0.errors, $0.activeUsers] } == [[4, 1, 1]])
        try target.markUsagePushed(first)
        #expect(try target.changedUsage(limit: 10).isEmpty)
        // Nothing new and settled: nothing folded twice.
        #expect(try target.collectUsage(now: now, settle: 5) == 0)
        // The settling rows settle (their time moved back rather than waited for); counters grow by exactly them.
        try main.database.execute("UPDATE data_access_log SET written_at = written_at - INTERVAL 10 SECOND")
        #expect(try target.collectUsage(now: now + 10, settle: 5) == 2)
        #expect(try target.changedUsage(limit: 10).map(\.apiRequests) == [6])
    }

    @Test func theLatestReviewDecisionIsRecordedAndReadBackPerApp() throws {
        let id = try approvedApp()
        let app = try #require(try source.applicationsToSync(limit: 10).first)
        #expect(try target.reviewAttestations(of: [id]).isEmpty)
        let digest = ReviewAttestation.digest(clientID: app.clientID, live: app.live, grantedScopes: app.grantedScopes)
        let approval = ReviewAttestation(application: id, clientID: app.clientID, digest: digest, suspended: false)
        try target.recordReviewDecision(approval, version: 3, decidedBy: UserID(1), now: now)
        #expect(try target.reviewAttestations(of: [id, ApplicationID(999)]) == [id: approval])
        #expect(approval.permits(app))
        // A decision of a later version replaces the earlier one; one of an older version, recorded late, does not.
        let suspension = ReviewAttestation(application: id, clientID: app.clientID, digest: digest, suspended: true)
        try target.recordReviewDecision(suspension, version: 4, decidedBy: UserID(2), now: now.addingTimeInterval(60))
        #expect(try target.reviewAttestations(of: [id]) == [id: suspension])
        try target.recordReviewDecision(approval, version: 3, decidedBy: UserID(1), now: now.addingTimeInterval(120))
        #expect(try target.reviewAttestations(of: [id]) == [id: suspension])
        #expect(try main.database.query("SELECT COUNT(*) AS n FROM review_attestations").first?.int("n") == 1)
        #expect(!suspension.permits(app))
    }

    /// Without a matching decision, only what takes access away is applied, and only to the client synced from
    /// that very app: never to a first-party client or another app's, and nothing is created.
    @Test func withoutADecisionOnlyRevocationsAndSuspensionsReachTheAppsOwnClient() throws {
        let id = try approvedApp()
        let credentials = MariaApplicationCredentialStore(database: developers.database)
        guard case .added(let first) = try credentials.addClientSecret(digest: Array(repeating: 1, count: 32), to: id, owner: owner, now: now)
        else { Issue.record("secret not added"); return }
        try confirmSecret(Array(repeating: 1, count: 32), of: id)
        _ = try applyAll()
        let clients = MariaClientStore(database: main.database)
        let client = ClientID("cw_app_sync")
        #expect(try credentials.revokeClientSecret(first, of: id, owner: owner, now: now + 1))
        let revoked = try #require(try source.applicationsToSync(limit: 10).first)
        #expect(try target.applyRestrictions(revoked, now: now + 2).changed)
        #expect(try clients.activeSecretDigests(of: client, now: now + 3).isEmpty)
        // A "suspended" row naming a first-party client's id touches nothing.
        try clients.createClient(
            OAuthClient(
                clientID: ClientID("first-party"), name: "Library", developerName: "School", verified: true, firstParty: true, kind: .confidential,
                redirectURIs: ["https://library.example/cb"], allowedScopes: ["openid"], status: .active), now: now)
        let swapped = SyncedApplication(
            id: id, clientID: ClientID("first-party"), status: .suspended, live: revoked.live, grantedScopes: revoked.grantedScopes,
            developerName: "Mallory", secretDigests: [], apiKeys: [], marker: revoked.marker)
        #expect(try target.applyRestrictions(swapped, now: now + 4) == SyncApplyResult())
        #expect(try clients.client(ClientID("first-party"))?.status == .active)
        // Nor can a full apply take another client's id over.
        #expect(throws: StoreError.self) { try target.apply(swapped, as: swapped.oauthClient(logoBaseURL: nil), now: now + 4) }
        // An app main never ran gets nothing.
        let stranger = SyncedApplication(
            id: ApplicationID(999), clientID: ClientID("cw_app_new"), status: .suspended, live: revoked.live, grantedScopes: [],
            developerName: "x", secretDigests: [], apiKeys: [], marker: revoked.marker)
        #expect(try target.applyRestrictions(stranger, now: now + 4) == SyncApplyResult())
        #expect(try clients.client(ClientID("cw_app_new")) == nil)
        // The app's own suspension does apply.
        let suspended = SyncedApplication(
            id: id, clientID: client, status: .suspended, live: revoked.live, grantedScopes: revoked.grantedScopes,
            developerName: revoked.developerName, secretDigests: [], apiKeys: [], marker: revoked.marker)
        #expect(try target.applyRestrictions(suspended, now: now + 5).changed)
        #expect(try clients.client(client)?.status == .suspended)
    }

    /// Issue 13, item 7: whoever can write the developers database (and holds the credential key, as the
    /// developers pool does) can put any digest next to an approved app. Sync adds a secret or key only with an
    /// admin's confirmation recorded in main for that app (and, for a key, that id and those scopes).
    @Test func aCredentialWrittenOnlyInTheDevelopersDatabaseNeverReachesMain() throws {
        let id = try approvedApp()
        let client = ClientID("cw_app_sync")
        let clients = MariaClientStore(database: main.database)
        let forged: [UInt8] = Array(repeating: 0xEE, count: 32)
        try developers.database.execute(
            "INSERT INTO application_client_secrets (application_id, secret_digest, created_at) VALUES (\(id.rawValue), \(forged), \(now))")
        let keys = MariaAPIKeyStore(database: developers.database)
        let keyDigest: [UInt8] = Array(repeating: 0xEF, count: 32)
        let keyID = try #require(
            try keys.createAPIKey(
                NewAPIKey(name: "nightly", scopes: ["school.read"], visiblePrefix: "cw_key_abcdefgh", digest: keyDigest), for: id, owner: owner,
                now: now + 1))
        #expect(try applyAll() == [SyncApplyResult(created: true, changed: true, unattested: 2)])
        #expect(try clients.activeSecretDigests(of: client, now: now + 1).isEmpty)
        #expect(try main.database.query("SELECT COUNT(*) AS n FROM api_keys").first?.int("n") == 0)

        // The review panel lists both; a confirmation of another app, another id or other scopes admits nothing.
        let waiting = try source.credentialsAwaitingConfirmation(limit: 10)
        #expect(waiting.map(\.kind) == [.clientSecret, .apiKey] && waiting.map(\.digest) == [forged, keyDigest])
        #expect(waiting.last?.scopes == ["school.read"] && waiting.last?.label == "nightly (cw_key_abcdefgh…)")
        try target.recordCredentialAttestation(
            CredentialAttestation(
                application: ApplicationID(999), kind: .clientSecret, sourceID: nil, digest: Array(repeating: 1, count: 32), scopes: []),
            decidedBy: UserID(1), now: now)
        try target.recordCredentialAttestation(
            CredentialAttestation(application: id, kind: .apiKey, sourceID: keyID.rawValue, digest: keyDigest, scopes: ["school.read", "openid"]),
            decidedBy: UserID(1), now: now)
        try developers.database.execute("UPDATE applications SET sync_requested_at = \(now + 2) WHERE id = \(id.rawValue)")
        #expect(try applyAll() == [SyncApplyResult(unattested: 2)])
        // A digest confirmed for one app cannot be confirmed for another.
        #expect(throws: StoreError.self) {
            try target.recordCredentialAttestation(
                CredentialAttestation(application: id, kind: .clientSecret, sourceID: nil, digest: Array(repeating: 1, count: 32), scopes: []),
                decidedBy: UserID(1), now: now)
        }

        // The admin confirms what the panel showed: both go in with the next sync, and the portal's copy says so.
        for credential in waiting {
            try target.recordCredentialAttestation(credential.attestation, decidedBy: UserID(1), now: now + 3)
            try source.markCredentialConfirmed(credential.attestation, now: now + 3)
        }
        #expect(try source.credentialsAwaitingConfirmation(limit: 10).isEmpty)
        #expect(try target.attestedCredentialDigests([forged, keyDigest, Array(repeating: 9, count: 32)]) == [forged, keyDigest])
        #expect(try keys.apiKeys(of: id, owner: owner)?.map(\.attestedAt) == [now + 3])
        #expect(try applyAll() == [SyncApplyResult(changed: true)])
        #expect(try clients.activeSecretDigests(of: client, now: now + 4) == [forged])
        #expect(try main.database.query("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL").first?.int("n") == 1)
    }

    /// Upgrading main to schema 16: the secrets and keys it already ran for developer apps are recorded as
    /// confirmed, so they keep working and the next sync leaves them as they are.
    @Test func anUpgradeKeepsTheCredentialsMainAlreadyRan() throws {
        let old = try TestDatabase(schema: "main", through: 14)
        let oldDevelopers = try TestDatabase(schema: "developers", through: 8)
        let owner = try MariaDeveloperAccountStore(database: oldDevelopers.database).createDeveloper(
            NewDeveloper(email: "ada@example.test", name: "Ada", company: nil, passwordHash: "$argon2id$x"), now: now)
        // An app approved then, written as that schema held it (today's store writes columns it did not have yet).
        let id = ApplicationID(
            try oldDevelopers.database.execute(
                """
                INSERT INTO applications SET developer_id = \(owner.rawValue), client_id = 'cw_app_sync', status = 'approved',
                    name = \(Self.draft.name), description = \(Self.draft.description), homepage_url = \(Self.draft.homepageURL),
                    privacy_policy_url = \(Self.draft.privacyPolicyURL), redirect_uris = 'https://sb.example/cb',
                    requested_scopes = 'openid profile.read school.read', client_type = 'confidential',
                    granted_scopes = 'openid profile.read school.read', approved_at = \(now), version = 3, sync_requested_at = \(now),
                    created_at = \(now), updated_at = \(now)
                """
            ).insertID)
        let source = MariaSyncSourceStore(database: oldDevelopers.database)
        let secret: [UInt8] = Array(repeating: 5, count: 32)
        let key: [UInt8] = Array(repeating: 6, count: 32)
        let credentials = MariaApplicationCredentialStore(database: oldDevelopers.database)
        // Written as that schema held them too (today's stores check organisation membership, developers 0017).
        try oldDevelopers.database.execute(
            "INSERT INTO application_client_secrets (application_id, secret_digest, created_at) VALUES (\(id.rawValue), \(secret), \(now))")
        let keyID = APIKeyID(
            try oldDevelopers.database.execute(
                """
                INSERT INTO api_keys (application_id, name, visible_prefix, key_digest, scopes, created_at)
                VALUES (\(id.rawValue), 'k', 'cw_key_abcdefgh', \(key), 'school.read', \(now))
                """
            ).insertID)
        try oldDevelopers.migrateTheRest()
        // What the sync of before the upgrade left in main.
        let app = try #require(try source.applicationsToSync(limit: 10).first)
        var before = app.oauthClient(logoBaseURL: "https://developers.example")
        before.subjectType = .public  // pairwise subjects came with main 0045
        try MariaClientStore(database: old.database).createClient(before, now: now)
        try old.database.execute("UPDATE oauth_clients SET developer_app_id = \(id.rawValue) WHERE client_id = 'cw_app_sync'")
        try old.database.execute(
            "INSERT INTO oauth_client_secrets (client_pk, secret_digest, created_at) SELECT id, \(secret), \(now) FROM oauth_clients")
        try old.database.execute(
            """
            INSERT INTO api_keys (source_id, client_pk, key_digest, scopes, created_at)
            SELECT \(keyID.rawValue), id, \(key), 'school.read', \(now) FROM oauth_clients
            """)
        try old.migrateTheRest()
        let upgraded = MariaSyncTargetStore(database: old.database)
        #expect(try upgraded.attestedCredentialDigests([secret, key]) == [secret, key])
        #expect(
            try upgraded.apply(app, as: app.oauthClient(logoBaseURL: "https://developers.example"), now: now + 1) == SyncApplyResult())
        #expect(try MariaClientStore(database: old.database).activeSecretDigests(of: ClientID("cw_app_sync"), now: now + 2) == [secret])
        // The developers side shows them as in force, and the review panel does not ask about them.
        #expect(try credentials.clientSecrets(of: id, owner: owner)?.map(\.attestedAt) == [now])
        #expect(try source.credentialsAwaitingConfirmation(limit: 10).isEmpty)
    }

    /// A revocation only takes access away, so it needs no confirmation; and once ended in main, a secret or key
    /// never works again, whatever the developers database says afterwards.
    @Test func anEndedSecretOrRevokedKeyNeverComesBack() throws {
        let id = try approvedApp()
        let credentials = MariaApplicationCredentialStore(database: developers.database)
        let digest: [UInt8] = Array(repeating: 3, count: 32)
        guard case .added(let secret) = try credentials.addClientSecret(digest: digest, to: id, owner: owner, now: now) else {
            Issue.record("secret not added")
            return
        }
        let keys = MariaAPIKeyStore(database: developers.database)
        let keyDigest: [UInt8] = Array(repeating: 4, count: 32)
        let key = try #require(
            try keys.createAPIKey(
                NewAPIKey(name: "k", scopes: ["school.read"], visiblePrefix: "cw_key_12345678", digest: keyDigest), for: id, owner: owner, now: now))
        try confirmSecret(digest, of: id)
        try target.recordCredentialAttestation(
            CredentialAttestation(application: id, kind: .apiKey, sourceID: key.rawValue, digest: keyDigest, scopes: ["school.read"]),
            decidedBy: UserID(1), now: now)
        _ = try applyAll()
        #expect(try credentials.revokeClientSecret(secret, of: id, owner: owner, now: now + 1))
        #expect(try keys.revokeAPIKey(key, of: id, owner: owner, now: now + 1))
        #expect(try applyAll().map(\.changed) == [true])
        // Someone lifts both revocations in the developers database.
        try developers.database.execute("UPDATE application_client_secrets SET revoked_at = NULL WHERE application_id = \(id.rawValue)")
        try developers.database.execute("UPDATE api_keys SET revoked_at = NULL WHERE application_id = \(id.rawValue)")
        try developers.database.execute("UPDATE applications SET sync_requested_at = \(now + 2) WHERE id = \(id.rawValue)")
        #expect(try applyAll() == [SyncApplyResult()])
        #expect(try MariaClientStore(database: main.database).activeSecretDigests(of: ClientID("cw_app_sync"), now: now + 3).isEmpty)
        #expect(try main.database.query("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL").first?.int("n") == 0)
    }

    /// An app approved before decisions were recorded is adopted only if main already runs exactly its content.
    @Test func anEarlierApprovalIsAdoptedOnlyForContentMainAlreadyRuns() throws {
        let id = try approvedApp()
        // Approved before decisions were recorded, hence before declarations existed: content without any.
        try developers.database.execute("UPDATE applications SET data_declarations = '[]' WHERE id = \(id.rawValue)")
        _ = try applyAll()
        try developers.database.execute("UPDATE applications SET sync_requested_at = NOW(6) WHERE id = \(id.rawValue)")
        var app = try #require(try source.applicationsToSync(limit: 10).first)
        var changed = app.live
        changed.redirectURIs = ["https://evil.example/cb"]
        let tampered = SyncedApplication(
            id: app.id, clientID: app.clientID, status: .approved, live: changed, grantedScopes: app.grantedScopes,
            developerName: app.developerName, secretDigests: [], apiKeys: [], marker: app.marker)
        #expect(try target.adoptEarlierApproval(of: tampered, as: tampered.oauthClient(logoBaseURL: "https://developers.example"), now: now) == nil)
        app = try #require(try source.applicationsToSync(limit: 10).first)
        let adopted = try #require(try target.adoptEarlierApproval(of: app, as: app.oauthClient(logoBaseURL: "https://developers.example"), now: now))
        #expect(adopted.permits(app) && !adopted.permits(tampered))
        #expect(try target.reviewAttestations(of: [id]) == [id: adopted])
        // Content with declarations was never run without a decision: it is not adopted.
        var declared = app.live
        declared.dataDeclarations = Self.draft.dataDeclarations
        let withDeclarations = SyncedApplication(
            id: app.id, clientID: app.clientID, status: .approved, live: declared, grantedScopes: app.grantedScopes,
            developerName: app.developerName, secretDigests: [], apiKeys: [], marker: app.marker)
        try main.database.execute("DELETE FROM review_attestations WHERE developer_app_id = \(id.rawValue)")
        #expect(
            try target.adoptEarlierApproval(
                of: withDeclarations, as: withDeclarations.oauthClient(logoBaseURL: "https://developers.example"), now: now)
                == nil)
        _ = try target.adoptEarlierApproval(of: app, as: app.oauthClient(logoBaseURL: "https://developers.example"), now: now)
        // Only once: with a decision on record, nothing is adopted.
        #expect(try target.adoptEarlierApproval(of: app, as: app.oauthClient(logoBaseURL: "https://developers.example"), now: now) == nil)
    }

    @Test func staffSuspendAnAccountOnlyFromTheStateTheySawAndItsSessionsEnd() throws {
        let accounts = MariaDeveloperAccountStore(database: developers.database)
        #expect(try accounts.markVerified(owner, now: now))
        let sessions = MariaDeveloperSessionStore(database: developers.database)
        try sessions.createSession(
            digest: Array(repeating: 3, count: 32), developer: owner, now: now, expiresAt: now + 3600, clientAddress: "", userAgent: "")
        _ = try apps.createApplication(owner: owner, clientID: ClientID("cw_app_listed"), draft: Self.draft, now: now)
        let listed = try #require(try apps.developerForStaff(owner))
        #expect((listed.email, listed.state, listed.applications) == ("ada@example.test", .active, 1))
        #expect(try apps.developersForStaff(matching: "ADA@", limit: 10).map(\.id) == [owner])
        #expect(try apps.developersForStaff(matching: "%", limit: 10).isEmpty)  // wildcards match literally
        #expect(try apps.developersForStaff(matching: "", limit: 10).map(\.id) == [owner])

        let suspension = try DeveloperAccount.State.active.transition(
            .suspend(reason: "spam"), account: owner, by: .platformAdmin(UserID(1)), at: now
        ).get()
        #expect(try !apps.applyDeveloperLifecycle(suspension, to: owner, from: .unverified, actorName: "Admin", now: now))  // not what it is
        #expect(try sessions.session(digest: Array(repeating: 3, count: 32)) != nil)
        #expect(try apps.applyDeveloperLifecycle(suspension, to: owner, from: .active, actorName: "Admin", now: now))
        #expect(try apps.developerForStaff(owner)?.state == .suspended)
        #expect(try developers.database.query("SELECT COUNT(*) AS n FROM developer_sessions").first?.int("n") == 0)
        let reinstatement = try DeveloperAccount.State.suspended.transition(.reinstate, account: owner, by: .platformAdmin(UserID(1)), at: now + 1)
            .get()
        #expect(try apps.applyDeveloperLifecycle(reinstatement, to: owner, from: .suspended, actorName: "Other Admin", now: now + 1))
        #expect(try apps.developerForStaff(owner)?.state == .active)
        #expect(
            try apps.developerAccountHistory(owner) == [
                DeveloperAccountHistoryEntry(from: .suspended, to: .active, actorName: "Other Admin", reason: nil, at: now + 1),
                DeveloperAccountHistoryEntry(from: .active, to: .suspended, actorName: "Admin", reason: "spam", at: now),
            ])
    }

    @Test func aDecisionsWebhookEventIsQueuedInTheDecisionsTransactionOrNotAtAll() throws {
        let id = try approvedApp()
        _ = try #require(
            try MariaWebhookStore(database: developers.database).createEndpoint(
                NewWebhookEndpoint(url: "https://hooks.example/cw", events: [.appSuspended], sealedSecret: [1]), for: id, owner: owner, now: now))
        let stored = try #require(try apps.applicationForReview(id))
        let outcome = try stored.review.transition(.suspend(reason: "abuse"), by: .platformAdmin(UserID(1)), at: now).get()
        let event = PendingEvent(
            source: "app\(id.rawValue)v", id: stored.version + 1, type: "app.suspended", clientID: ClientID("cw_app_sync"), occurredAt: now,
            payload: "{}")
        func deliveries() throws -> Int? { try developers.database.query("SELECT COUNT(*) AS n FROM webhook_deliveries").first?.int("n") }
        // A stale version: the decision is refused and nothing is queued.
        #expect(
            try apps.applyTransition(outcome, to: id, expectedVersion: stored.version - 1, actorName: "x", queueing: [event], now: now) == .conflict)
        #expect(try deliveries() == 0)
        #expect(
            try apps.applyTransition(outcome, to: id, expectedVersion: stored.version, actorName: "x", queueing: [event], now: now)
                == .saved(version: stored.version + 1))
        #expect(try deliveries() == 1)
    }

    @Test func onlyOneRunHoldsTheLock() throws {
        let other = MariaSyncTargetStore(database: try main.secondHandle())
        let inner = try target.withSyncLock { try other.withSyncLock { "ran" } }
        #expect(inner == .some(nil))
        #expect(try other.withSyncLock { "ran" } == "ran")
    }
}

extension MariaSyncSourceStore {
    /// The sync view of one app whatever its marker, for re-applying in tests.
    func applicationsToSyncForTest(_ id: ApplicationID) throws -> SyncedApplication? {
        try database.execute("UPDATE applications SET sync_requested_at = \(Date(timeIntervalSince1970: 1)) WHERE id = \(id.rawValue)")
        return try applicationsToSync(limit: 1).first
    }
}
