import Domain
import Foundation
import Testing

@testable import MariaStore

/// Client secrets, API keys, webhooks, analytics and support tickets against a real MariaDB with only
/// `schema/developers` applied. Every developer-facing operation is tried by a second developer, who must get
/// `nil`/`false` and change nothing.
@Suite(.serialized) struct DeveloperPortalStoreTests {
    let db: TestDatabase
    let secrets: MariaApplicationCredentialStore
    let keys: MariaAPIKeyStore
    let webhooks: MariaWebhookStore
    let analytics: MariaAnalyticsStore
    let tickets: MariaSupportTicketStore
    let owner: DeveloperID
    let stranger: DeveloperID
    let app: ApplicationID
    let strangersApp: ApplicationID
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws {
        db = try TestDatabase(schema: "developers")
        secrets = MariaApplicationCredentialStore(database: db.database)
        keys = MariaAPIKeyStore(database: db.database)
        webhooks = MariaWebhookStore(database: db.database)
        analytics = MariaAnalyticsStore(database: db.database)
        tickets = MariaSupportTicketStore(database: db.database)
        let accounts = MariaDeveloperAccountStore(database: db.database)
        owner = try accounts.createDeveloper(
            NewDeveloper(email: "grace@example.test", name: "Grace", company: nil, passwordHash: "$argon2id$x"), now: now)
        stranger = try accounts.createDeveloper(
            NewDeveloper(email: "mallory@example.test", name: "Mallory", company: nil, passwordHash: "$argon2id$x"), now: now)
        let apps = MariaApplicationStore(database: db.database)
        app = try apps.createApplication(owner: owner, clientID: ClientID("cw_app_grace"), draft: ApplicationDraft(name: "Helper"), now: now)
        strangersApp = try apps.createApplication(
            owner: stranger, clientID: ClientID("cw_app_mallory"), draft: ApplicationDraft(name: "Other"), now: now)
    }

    func digest(_ text: String) -> [UInt8] { SecretToken.digest(text) }

    func syncRequested() throws -> Date? {
        try db.database.query("SELECT sync_requested_at FROM applications WHERE id = \(app.rawValue)").first?.date("sync_requested_at")
    }

    // MARK: Client secrets

    @Test func twoSecretsMayBeActiveAndARevokedOneFreesItsPlace() throws {
        guard case .added(let first) = try secrets.addClientSecret(digest: digest("s1"), to: app, owner: owner, now: now) else {
            throw Failure("first secret refused")
        }
        #expect(try syncRequested() == now, "a new secret is synced to the OAuth server")
        guard case .added(let second) = try secrets.addClientSecret(digest: digest("s2"), to: app, owner: owner, now: now + 1)
        else { throw Failure("second secret refused") }
        #expect(try secrets.addClientSecret(digest: digest("s3"), to: app, owner: owner, now: now + 2) == .limitReached)

        #expect(try secrets.revokeClientSecret(first, of: app, owner: stranger, now: now + 3) == false)
        #expect(try secrets.revokeClientSecret(first, of: strangersApp, owner: stranger, now: now + 3) == false)
        #expect(try secrets.revokeClientSecret(first, of: app, owner: owner, now: now + 3))
        #expect(try secrets.revokeClientSecret(first, of: app, owner: owner, now: now + 4) == false, "already revoked")
        #expect(try syncRequested() == now + 3)
        guard case .added(let third) = try secrets.addClientSecret(digest: digest("s3"), to: app, owner: owner, now: now + 5)
        else { throw Failure("third secret refused after a revocation") }

        let listed = try #require(try secrets.clientSecrets(of: app, owner: owner))
        #expect(listed.map(\.id) == [third, second, first])
        #expect(listed.map(\.isActive) == [true, true, false])
        #expect(listed[2].revokedAt == now + 3)
        #expect(listed[1].createdAt == now + 1)
        #expect(listed[0].lastUsedAt == nil)
        let stored = try db.database.query("SELECT secret_digest FROM application_client_secrets ORDER BY id")
        #expect(stored.map { $0.bytes("secret_digest") } == [digest("s1"), digest("s2"), digest("s3")], "only digests are stored")
    }

    @Test func anotherDevelopersAppHasNoSecretsToShowOrAddTo() throws {
        #expect(try secrets.addClientSecret(digest: digest("x"), to: app, owner: stranger, now: now) == .notFound)
        #expect(try secrets.clientSecrets(of: app, owner: stranger) == nil)
        #expect(try secrets.clientSecrets(of: app, owner: owner) == [])
        #expect(try secrets.clientSecrets(of: ApplicationID(999), owner: owner) == nil)
    }

    @Test func ofSixConcurrentAddsExactlyTwoSucceed() throws {
        let name = db.name
        let (app, owner, now) = (self.app, self.owner, self.now)
        let results = try runConcurrently(
            6,
            makeStore: { _ in
                MariaApplicationCredentialStore(database: try connected(name))
            }
        ) { store, index in
            try store.addClientSecret(digest: SecretToken.digest("race-\(index)"), to: app, owner: owner, now: now)
        }
        #expect(results.filter { if case .added = $0 { true } else { false } }.count == 2)
        #expect(results.filter { $0 == .limitReached }.count == 4)
        #expect(try secrets.clientSecrets(of: app, owner: owner)?.count == 2)
    }

    // MARK: API keys

    @Test func apiKeysAreListedWithUsageAndRevokedOnlyByTheirOwner() throws {
        let key = NewAPIKey(name: "Nightly import", scopes: ["school.read"], visiblePrefix: "cw_key_AbCdEfGh", digest: digest("k1"))
        #expect(try keys.createAPIKey(key, for: app, owner: stranger, now: now) == nil)
        let id = try #require(try keys.createAPIKey(key, for: app, owner: owner, now: now))
        #expect(try syncRequested() == now)
        try db.database.execute("UPDATE api_keys SET request_count = 12, last_used_at = \(now + 50) WHERE id = \(id.rawValue)")
        let later = NewAPIKey(name: "Reports", scopes: ["school.read", "usage.read"], visiblePrefix: "cw_key_XyZ12345", digest: digest("k2"))
        let second = try #require(try keys.createAPIKey(later, for: app, owner: owner, now: now + 1))

        let listed = try #require(try keys.apiKeys(of: app, owner: owner))
        #expect(listed.map(\.id) == [second, id])
        #expect(
            listed[1]
                == APIKeySummary(
                    id: id, name: "Nightly import", visiblePrefix: "cw_key_AbCdEfGh", scopes: ["school.read"], createdAt: now,
                    lastUsedAt: now + 50, requestCount: 12, revokedAt: nil, createdBy: "Grace"))
        #expect(listed[0].scopes == ["school.read", "usage.read"])
        #expect(try keys.apiKeys(of: app, owner: stranger) == nil)
        #expect(try keys.apiKeys(of: strangersApp, owner: stranger) == [])

        #expect(try keys.revokeAPIKey(id, of: app, owner: stranger, now: now + 2) == false)
        #expect(try keys.revokeAPIKey(id, of: app, owner: owner, now: now + 2))
        #expect(try keys.revokeAPIKey(id, of: app, owner: owner, now: now + 3) == false)
        #expect(try keys.apiKeys(of: app, owner: owner)?.map(\.isActive) == [true, false])
        #expect {
            _ = try keys.createAPIKey(key, for: app, owner: owner, now: now + 4)
        } throws: { ($0 as? StoreError)?.kind == .duplicate }
    }

    // MARK: Webhooks

    func makeEndpoint(events: [WebhookEvent] = [.appApproved, .gradePublished]) throws -> WebhookEndpointID {
        try #require(
            try webhooks.createEndpoint(
                NewWebhookEndpoint(url: "https://hooks.example/cw", events: events, sealedSecret: [1, 2, 3]), for: app, owner: owner,
                now: now))
    }

    @Test func endpointsBelongToTheirAppsOwner() throws {
        #expect(
            try webhooks.createEndpoint(
                NewWebhookEndpoint(url: "https://evil.example", events: [.appApproved], sealedSecret: [9]), for: app, owner: stranger,
                now: now) == nil)
        let id = try makeEndpoint()
        let endpoint = try #require(try webhooks.endpoint(id, owner: owner))
        #expect(
            endpoint
                == WebhookEndpoint(
                    id: id, application: app, url: "https://hooks.example/cw", events: [.appApproved, .gradePublished], enabled: true,
                    disabledReason: nil, createdAt: now, updatedAt: now))
        #expect(try webhooks.endpoints(of: app, owner: owner) == [endpoint])
        #expect(try webhooks.endpoints(of: strangersApp, owner: stranger) == [])
        #expect(try webhooks.endpoints(of: app, owner: stranger) == nil)
        #expect(try webhooks.endpoint(id, owner: stranger) == nil)
        #expect(try webhooks.updateEndpoint(id, owner: stranger, url: "https://evil.example", events: [], enabled: false, now: now) == false)
        #expect(try webhooks.deleteEndpoint(id, owner: stranger, now: now) == false)
        #expect(try webhooks.endpoint(id, owner: owner) == endpoint, "the stranger changed nothing")
        #expect(try db.database.query("SELECT secret_sealed FROM webhook_endpoints").first?.bytes("secret_sealed") == [1, 2, 3])
    }

    @Test func anEndpointIsUpdatedReEnabledAndDeletedWithItsDeliveries() throws {
        let id = try makeEndpoint()
        try db.database.execute("UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = 'failing for a day' WHERE id = \(id.rawValue)")
        #expect(try webhooks.endpoint(id, owner: owner)?.disabledReason == "failing for a day")
        #expect(try webhooks.updateEndpoint(id, owner: owner, url: "https://hooks.example/v2", events: [.appSuspended], enabled: true, now: now + 1))
        let updated = try #require(try webhooks.endpoint(id, owner: owner))
        #expect(updated.url == "https://hooks.example/v2")
        #expect(updated.events == [.appSuspended])
        #expect(updated.enabled && updated.disabledReason == nil)
        #expect(updated.updatedAt == now + 1)
        #expect(
            try webhooks.updateEndpoint(id, owner: owner, url: updated.url, events: updated.events, enabled: true, now: now + 1),
            "saving unchanged values is still the owner's success")

        _ = try #require(
            try webhooks.enqueueDelivery(
                NewWebhookDelivery(eventID: "msg_1", eventType: WebhookEvent.testPingType, payload: "{}"), to: id, owner: owner, now: now))
        #expect(try webhooks.deleteEndpoint(id, owner: owner, now: now))
        #expect(try webhooks.endpoint(id, owner: owner) == nil)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM webhook_deliveries").first?.int("n") == 0)
        #expect(try webhooks.deleteEndpoint(id, owner: owner, now: now) == false)
    }

    @Test func deliveriesAreListedNewestFirstInPagesWithTheirAttemptsAndCanBeRedelivered() throws {
        let id = try makeEndpoint()
        var queued: [DeliveryID] = []
        for index in 0..<5 {
            queued.append(
                try #require(
                    try webhooks.enqueueDelivery(
                        NewWebhookDelivery(eventID: "msg_\(index)", eventType: "grade.published", payload: #"{"n":\#(index)}"#),
                        to: id, owner: owner, now: now + Double(index))))
        }
        #expect(
            try webhooks.enqueueDelivery(
                NewWebhookDelivery(eventID: "msg_x", eventType: "webhook.test", payload: "{}"), to: id, owner: stranger, now: now) == nil)
        #expect {
            _ = try webhooks.enqueueDelivery(
                NewWebhookDelivery(eventID: "msg_bad", eventType: "webhook.test", payload: "not json"), to: id, owner: owner, now: now)
        } throws: { ($0 as? StoreError)?.kind == .constraint }

        // What the webhook delivery run records: two failed attempts of the second delivery.
        try db.database.execute(
            """
            INSERT INTO webhook_delivery_attempts (delivery_id, attempted_at, response_status, latency_ms, error)
            VALUES (\(queued[1].rawValue), \(now + 10), NULL, 10000, 'timed out'),
                   (\(queued[1].rawValue), \(now + 70), 500, 35, NULL)
            """)
        try db.database.execute(
            """
            UPDATE webhook_deliveries SET status = 'failed', attempts = 2, last_response_status = 500, latency_ms = 35,
                next_attempt_at = NULL WHERE id = \(queued[1].rawValue)
            """)

        let firstPage = try #require(try webhooks.deliveries(of: id, owner: owner, limit: 3, before: nil))
        #expect(firstPage.map(\.id) == [queued[4], queued[3], queued[2]])
        #expect(firstPage[0].status == .pending && firstPage[0].nextAttemptAt == now + 4 && firstPage[0].attempts == 0)
        let secondPage = try #require(try webhooks.deliveries(of: id, owner: owner, limit: 3, before: queued[2]))
        #expect(secondPage.map(\.id) == [queued[1], queued[0]])
        let failed = secondPage[0]
        #expect(failed.status == .failed && failed.attempts == 2 && failed.lastResponseStatus == 500 && failed.latencyMilliseconds == 35)
        #expect(
            failed.attemptLog == [
                WebhookDeliveryAttempt(attemptedAt: now + 70, responseStatus: 500, latencyMilliseconds: 35, error: nil),
                WebhookDeliveryAttempt(attemptedAt: now + 10, responseStatus: nil, latencyMilliseconds: 10000, error: "timed out"),
            ])
        #expect(secondPage[1].attemptLog == [])
        #expect(try webhooks.deliveries(of: id, owner: owner, limit: 3, before: queued[0]) == [])
        #expect(try webhooks.deliveries(of: id, owner: stranger, limit: 50, before: nil) == nil)

        #expect(try webhooks.redeliver(queued[1], owner: stranger, now: now + 100) == nil)
        let again = try #require(try webhooks.redeliver(queued[1], owner: owner, now: now + 100))
        let copy = try #require(try webhooks.deliveries(of: id, owner: owner, limit: 1, before: nil)?.first)
        #expect(copy.id == again)
        #expect(copy.eventID == "msg_1" && copy.eventType == "grade.published" && copy.payload == #"{"n":1}"#)
        #expect(copy.status == .pending && copy.attempts == 0 && copy.nextAttemptAt == now + 100)
        #expect(copy.redeliveryOf == queued[1])
    }

    // MARK: Analytics

    func stats(_ day: String, requests: Int64, app: ApplicationID? = nil) -> DailyAppStats {
        DailyAppStats(
            application: app ?? self.app, day: CalendarDate(day)!, apiRequests: requests, authorizations: 3, activeUsers: 7,
            newUsers: 2, errors: 1)
    }

    @Test func reApplyingADailyBatchChangesNothingAndALaterBatchReplacesTheDay() throws {
        let batch = [stats("2026-03-01", requests: 100), stats("2026-03-02", requests: 150), stats("2026-03-03", requests: 90)]
        try analytics.upsertDailyStats(batch, now: now)
        try analytics.upsertDailyStats(batch, now: now + 60)
        let from = CalendarDate("2026-03-01")!
        let through = CalendarDate("2026-03-31")!
        #expect(try analytics.dailyStats(of: app, owner: owner, from: from, through: through) == batch)

        try analytics.upsertDailyStats([stats("2026-03-03", requests: 120)], now: now + 120)
        #expect(try analytics.dailyStats(of: app, owner: owner, from: from, through: through)?.map(\.apiRequests) == [100, 150, 120])
        #expect(
            try analytics.dailyStats(of: app, owner: owner, from: CalendarDate("2026-03-02")!, through: CalendarDate("2026-03-02")!)
                == [stats("2026-03-02", requests: 150)])
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM application_daily_stats").first?.int("n") == 3)
    }

    @Test func backchannelDeliveriesAreTheOwnersOnlyNewestFirstAndReplacedByMainsValues() throws {
        func delivery(_ id: Int64, at offset: TimeInterval, attempts: Int, status: Int?, delivered: Bool, app: ApplicationID? = nil)
            -> AppBackchannelDelivery
        {
            AppBackchannelDelivery(
                application: app ?? self.app,
                entry: BackchannelLogoutEntry(
                    id: id, createdAt: now + offset, attempts: attempts, deliveredAt: delivered ? now + offset + 1 : nil,
                    nextAttemptAt: delivered ? nil : now + offset + 30, lastStatus: status, lastError: status == 200 ? nil : "the app answered 500"))
        }
        #expect(try analytics.backchannelDeliveries(of: app, owner: owner, limit: 5) == [])
        try analytics.upsertBackchannelDeliveries(
            [
                delivery(7, at: 10, attempts: 1, status: 500, delivered: false), delivery(8, at: 20, attempts: 1, status: 200, delivered: true),
                delivery(9, at: 5, attempts: 1, status: 200, delivered: true, app: ApplicationID(999)),
            ],
            keepSince: now - 86400, now: now)
        // The same row again with main's newer values (a retry that worked) replaces it; an app that is gone is skipped.
        try analytics.upsertBackchannelDeliveries([delivery(7, at: 10, attempts: 2, status: 200, delivered: true)], keepSince: now - 86400, now: now)
        let shown = try #require(try analytics.backchannelDeliveries(of: app, owner: owner, limit: 5))
        #expect(shown.map(\.id) == [8, 7] && shown.map(\.attempts) == [1, 2] && shown.map(\.lastStatus) == [200, 200])
        #expect(try analytics.backchannelDeliveries(of: app, owner: stranger, limit: 5) == nil)
        #expect(try analytics.backchannelDeliveries(of: app, owner: owner, limit: 1)?.map(\.id) == [8])
        // Rows older than main keeps its own go with the next batch.
        try analytics.upsertBackchannelDeliveries([], keepSince: now + 15, now: now + 60)
        #expect(try analytics.backchannelDeliveries(of: app, owner: owner, limit: 5)?.map(\.id) == [8])
    }

    @Test func analyticsAreTheOwnersOnlyAndABadBatchWritesNothing() throws {
        try analytics.upsertDailyStats([stats("2026-03-01", requests: 5)], now: now)
        let from = CalendarDate("2026-01-01")!
        let through = CalendarDate("2026-12-31")!
        #expect(try analytics.dailyStats(of: app, owner: stranger, from: from, through: through) == nil)
        #expect(try analytics.dailyStats(of: strangersApp, owner: stranger, from: from, through: through) == [], "no data yet")
        #expect {
            try analytics.upsertDailyStats(
                [stats("2026-03-02", requests: 5), stats("2026-03-02", requests: 5, app: ApplicationID(999))], now: now)
        } throws: { ($0 as? StoreError)?.kind == .constraint }
        #expect(try analytics.dailyStats(of: app, owner: owner, from: from, through: through)?.count == 1, "all or nothing")
    }

    // MARK: Support tickets

    func open(subject: String = "Token errors", app: ApplicationID? = nil, by developer: DeveloperID? = nil, at time: Date? = nil)
        throws -> TicketID?
    {
        try tickets.openTicket(
            NewSupportTicket(application: app, subject: subject, category: .integration, message: "We get invalid_grant."),
            by: developer ?? owner, now: time ?? now)
    }

    @Test func aTicketOpensWithItsFirstMessageAndOnlyForTheDevelopersOwnApp() throws {
        #expect(try open(app: strangersApp) == nil)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM support_tickets").first?.int("n") == 0)
        let id = try #require(try open(app: app))
        let thread = try #require(try tickets.ticket(id, owner: owner))
        #expect(
            thread.ticket
                == SupportTicketSummary(
                    id: id, developer: owner, application: app, applicationName: "Helper", subject: "Token errors", category: .integration,
                    status: .open, createdAt: now, updatedAt: now))
        #expect(thread.messages == [SupportTicketMessage(authorKind: .developer, authorName: "Grace", body: "We get invalid_grant.", createdAt: now)])
        #expect(try tickets.ticket(id, owner: stranger) == nil)
        #expect(try tickets.tickets(of: stranger) == [])
    }

    @Test func repliesMoveATicketBetweenOpenAnsweredAndClosed() throws {
        let id = try #require(try open())
        #expect(try tickets.replyAsStaff(to: id, authorName: "Ada (support)", body: "Which redirect URI?", now: now + 10))
        #expect(try tickets.ticket(id, owner: owner)?.ticket.status == .answered)
        #expect(try tickets.replyAsDeveloper(to: id, owner: stranger, body: "hijack", now: now + 15) == false)
        #expect(try tickets.replyAsDeveloper(to: id, owner: owner, body: "https://hh.example/cb", now: now + 20))
        #expect(try tickets.ticket(id, owner: owner)?.ticket.status == .open, "a developer's reply reopens an answered ticket")
        #expect(try tickets.closeTicket(id, owner: stranger, now: now + 30) == false)
        #expect(try tickets.closeTicket(id, owner: owner, now: now + 30))
        #expect(try tickets.closeTicket(id, owner: owner, now: now + 31) == false)
        let closed = try #require(try tickets.ticket(id, owner: owner))
        #expect(closed.ticket.status == .closed && closed.ticket.updatedAt == now + 30)
        #expect(closed.messages.map(\.authorKind) == [.developer, .staff, .developer])
        #expect(closed.messages.map(\.authorName) == ["Grace", "Ada (support)", "Grace"])
        #expect(closed.messages.map(\.body).last == "https://hh.example/cb")
        #expect(try tickets.replyAsDeveloper(to: id, owner: owner, body: "One more thing", now: now + 40))
        #expect(try tickets.ticket(id, owner: owner)?.ticket.status == .open, "and a closed one")
        #expect(try tickets.replyAsStaff(to: TicketID(999), authorName: "Ada", body: "?", now: now) == false)
    }

    @Test func ticketsAreListedByLatestActivity() throws {
        let first = try #require(try open(subject: "First", at: now))
        let second = try #require(try open(subject: "Second", at: now + 10))
        _ = try #require(try open(subject: "Theirs", by: stranger, at: now + 20))
        #expect(try tickets.tickets(of: owner).map(\.id) == [second, first])
        #expect(try tickets.replyAsDeveloper(to: first, owner: owner, body: "Bump", now: now + 30))
        #expect(try tickets.tickets(of: owner).map(\.id) == [first, second])
        #expect(try tickets.tickets(of: owner).first?.applicationName == nil)
    }
}
