import Domain
import Foundation
import Testing

@testable import MariaStore

/// The webhook sender's queue against a real MariaDB with `schema/developers` applied: claims, leases,
/// concurrent runs, and the atomic record of an attempt with its endpoint effects.
@Suite(.serialized) struct WebhookDeliveryQueueTests {
    let db: TestDatabase
    let webhooks: MariaWebhookStore
    let owner: DeveloperID
    let app: ApplicationID
    let endpoint: WebhookEndpointID
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let policy = WebhookDeliveryPolicy.standard

    init() throws {
        db = try TestDatabase(schema: "developers")
        webhooks = MariaWebhookStore(database: db.database)
        owner = try MariaDeveloperAccountStore(database: db.database).createDeveloper(
            NewDeveloper(email: "grace@example.test", name: "Grace", company: nil, passwordHash: "$argon2id$x"), now: now)
        app = try MariaApplicationStore(database: db.database).createApplication(
            owner: owner, clientID: ClientID("cw_app_grace"), draft: ApplicationDraft(name: "Helper"), now: now)
        endpoint = try #require(
            try webhooks.createEndpoint(
                NewWebhookEndpoint(url: "https://hooks.example/cw", events: [.appApproved], sealedSecret: [1, 2, 3]), for: app, owner: owner,
                now: now))
    }

    @discardableResult
    func enqueue(_ name: String, at time: Date? = nil, type: String = "app.approved") throws -> DeliveryID {
        try #require(
            try webhooks.enqueueDelivery(
                NewWebhookDelivery(eventID: "msg_\(name)", eventType: type, payload: #"{"n":"\#(name)"}"#), to: endpoint, owner: owner,
                now: time ?? now))
    }

    func attempt(_ status: Int?, at time: Date, error: String? = nil) -> WebhookDeliveryAttempt {
        WebhookDeliveryAttempt(
            attemptedAt: time, responseStatus: status, latencyMilliseconds: 12, error: error, responseExcerpt: status.map { "answer \($0)" })
    }

    /// Finishes `claim` with the policy's transition for `result`.
    func finish(_ claim: ClaimedWebhookDelivery, _ result: WebhookDeliveryPolicy.AttemptResult, status: Int? = nil, at time: Date)
        throws -> WebhookDeliveryFinish
    {
        try webhooks.finish(claim, log: attempt(status, at: time), now: time) { health in
            try policy.transition(from: .pending(attempts: claim.attempts), endpoint: health, on: .attempted(result), now: time, jitter: 0)
        }
    }

    func endpointRow() throws -> Row { try #require(try db.database.query("SELECT * FROM webhook_endpoints WHERE id = \(endpoint.rawValue)").first) }

    @Test func theMostOverdueDueDeliveryIsClaimedWithItsEndpointAndLeased() throws {
        let later = try enqueue("later", at: now + 90)
        let second = try enqueue("second", at: now - 5)
        let first = try enqueue("first", at: now - 10)
        let claim = try #require(try webhooks.claimNextDue(now: now, leaseUntil: now + 60))
        #expect(claim.id == first)
        #expect(claim.endpoint == endpoint && claim.application == app && claim.url == "https://hooks.example/cw")
        #expect(claim.sealedSecret == [1, 2, 3] && claim.endpointEnabled)
        #expect(claim.eventID == "msg_first" && claim.eventType == "app.approved" && claim.payload == #"{"n":"first"}"#)
        #expect(claim.attempts == 0)
        #expect(!String(describing: claim).contains("[1, 2, 3]"))
        #expect(try webhooks.claimNextDue(now: now, leaseUntil: now + 100)?.id == second, "the leased one is not due any more")
        #expect(try webhooks.claimNextDue(now: now, leaseUntil: now + 60) == nil, "the later one is not due yet")
        #expect(try webhooks.claimNextDue(now: now + 61, leaseUntil: now + 121)?.id == first, "an expired lease is claimed again")
        #expect(try webhooks.claimNextDue(now: now + 91, leaseUntil: now + 151)?.id == later)
    }

    @Test func endpointsARunSkipsAreLeftAlone() throws {
        let due = try enqueue("due", at: now - 10)
        #expect(try webhooks.claimNextDue(now: now, leaseUntil: now + 60, skipping: [endpoint]) == nil)
        #expect(try webhooks.claimNextDue(now: now, leaseUntil: now + 60, skipping: [WebhookEndpointID(endpoint.rawValue + 1)])?.id == due)
    }

    @Test func aSuccessIsRecordedWithItsAttemptInTheLog() throws {
        let id = try enqueue("a")
        let claim = try #require(try webhooks.claimNextDue(now: now, leaseUntil: now + 60))
        let outcome = try finish(claim, .response(status: 204), status: 204, at: now + 1)
        #expect(outcome == .recorded(.init(state: .succeeded(attempts: 1), nextAttemptAt: nil, effects: []), disabled: nil))
        let delivery = try #require(try webhooks.deliveries(of: endpoint, owner: owner, limit: 1, before: nil)?.first)
        #expect(delivery.id == id && delivery.status == .succeeded && delivery.attempts == 1 && delivery.nextAttemptAt == nil)
        #expect(delivery.lastResponseStatus == 204 && delivery.latencyMilliseconds == 12)
        #expect(delivery.attemptLog == [attempt(204, at: now + 1)])
        #expect(try webhooks.claimNextDue(now: now + 3600, leaseUntil: now + 3660) == nil)
    }

    @Test func aFailureSchedulesTheRetryAndStartsTheEndpointsFailingStreakOnce() throws {
        try enqueue("a")
        try enqueue("b")
        let a = try #require(try webhooks.claimNextDue(now: now, leaseUntil: now + 60))
        let b = try #require(try webhooks.claimNextDue(now: now, leaseUntil: now + 60))
        _ = try finish(a, .response(status: 500), status: 500, at: now + 1)
        #expect(try endpointRow().date("failing_since") == now + 1)
        _ = try finish(b, .timedOut, at: now + 2)
        #expect(try endpointRow().date("failing_since") == now + 1, "the streak keeps its start")
        let retry = try #require(try webhooks.claimNextDue(now: now + 6, leaseUntil: now + 66))
        #expect(retry.id == a.id && retry.attempts == 1)
        _ = try finish(retry, .response(status: 200), status: 200, at: now + 7)
        #expect(try endpointRow().date("failing_since") == nil, "a success ends the streak")
    }

    @Test func aFailureADayIntoTheStreakDisablesTheEndpointOnceAndNamesWhomToTell() throws {
        try db.database.execute("UPDATE webhook_endpoints SET failing_since = \(now - 86400) WHERE id = \(endpoint.rawValue)")
        try enqueue("a")
        try enqueue("b")
        let a = try #require(try webhooks.claimNextDue(now: now, leaseUntil: now + 60))
        let b = try #require(try webhooks.claimNextDue(now: now, leaseUntil: now + 60))
        guard case .recorded(let transition, let disabled) = try finish(a, .response(status: 503), status: 503, at: now) else {
            Issue.record("not recorded")
            return
        }
        #expect(transition.state == .failed(attempts: 1))
        let reason = "Disabled automatically: every delivery failed for 24 hours."
        #expect(
            disabled
                == DisabledWebhookEndpoint(
                    endpoint: endpoint, application: app, url: "https://hooks.example/cw", applicationName: "Helper",
                    developerEmail: "grace@example.test",
                    developerName: "Grace", reason: reason))
        let row = try endpointRow()
        #expect(!row.flag("enabled") && row.string("disabled_reason") == reason && row.date("failing_since") == nil)
        // The other delivery, claimed before, now meets a disabled endpoint: it fails unsent, nobody is mailed again.
        let outcome = try webhooks.finish(b, log: attempt(nil, at: now, error: "not sent"), now: now) { health in
            #expect(health == .disabled)
            return try policy.transition(from: .pending(attempts: 0), endpoint: health, on: .notSent, now: now, jitter: 0)
        }
        #expect(outcome == .recorded(.init(state: .failed(attempts: 0), nextAttemptAt: nil, effects: []), disabled: nil))
    }

    @Test func reEnablingAnEndpointStartsAFreshStreak() throws {
        try db.database.execute(
            "UPDATE webhook_endpoints SET failing_since = \(now - 3600), enabled = FALSE WHERE id = \(endpoint.rawValue)")
        #expect(try webhooks.updateEndpoint(endpoint, owner: owner, url: "https://hooks.example/cw", events: [.appApproved], enabled: true, now: now))
        #expect(try endpointRow().date("failing_since") == nil)
        try db.database.execute("UPDATE webhook_endpoints SET failing_since = \(now - 3600) WHERE id = \(endpoint.rawValue)")
        #expect(try webhooks.updateEndpoint(endpoint, owner: owner, url: "https://hooks.example/cw", events: [.appApproved], enabled: true, now: now))
        #expect(try endpointRow().date("failing_since") == now - 3600, "saving an enabled endpoint keeps its streak")
    }

    @Test func aRunWhoseLeaseWasTakenOverLogsItsAttemptButChangesNoState() throws {
        let id = try enqueue("a")
        let stale = try #require(try webhooks.claimNextDue(now: now, leaseUntil: now + 60))
        let current = try #require(try webhooks.claimNextDue(now: now + 61, leaseUntil: now + 121))
        #expect(try finish(stale, .response(status: 200), status: 200, at: now + 62) == .claimLost)
        #expect(try finish(current, .response(status: 500), status: 500, at: now + 63) != .claimLost)
        let delivery = try #require(try webhooks.deliveries(of: endpoint, owner: owner, limit: 1, before: nil)?.first)
        #expect(delivery.id == id && delivery.status == .pending && delivery.attempts == 1 && delivery.lastResponseStatus == 500)
        #expect(delivery.attemptLog.map(\.responseStatus) == [500, 200], "both attempts are in the log")
    }

    @Test func aDeletedDeliveryIsALostClaim() throws {
        try enqueue("a")
        let claim = try #require(try webhooks.claimNextDue(now: now, leaseUntil: now + 60))
        #expect(try webhooks.deleteEndpoint(endpoint, owner: owner, now: now))
        #expect(try finish(claim, .response(status: 200), status: 200, at: now + 1) == .claimLost)
    }

    @Test func concurrentRunsNeverClaimTheSameDelivery() throws {
        for index in 0..<40 { try enqueue("c\(index)", at: now - Double(index)) }
        let options = db.database.options
        let now = self.now
        let claimed = try runConcurrently(4, makeStore: { _ in MariaWebhookStore(database: MariaDatabase(options: options)) }) { store, _ in
            var mine: [Int64] = []
            while let claim = try store.claimNextDue(now: now, leaseUntil: now + 60) { mine.append(claim.id.rawValue) }
            return mine
        }
        let all = claimed.flatMap { $0 }
        #expect(all.count == 40)
        #expect(Set(all).count == 40)
    }
}
