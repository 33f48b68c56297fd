import Domain
import Foundation
import Logging
import Native
import Testing

@testable import FCGIApp

/// The webhook cron endpoint's guard, and one delivery run over an in-memory queue and a recording poster:
/// the Standard Webhooks headers and signature, the recorded transitions, and the mail when an endpoint is
/// disabled.
@Suite struct WebhookDeliveryTests {
    static let secret = String(repeating: "c", count: 40)

    /// The answer of `site` to a cron call with `authorization`, the cron secret being configured.
    func cronCall(site: Site = .developers, authorization: String?) -> HTTPResponse {
        var app = TestApp()
        app.configuration.cronSecret = Self.secret
        let headers = authorization.map { ["HTTP_AUTHORIZATION": $0] } ?? [:]
        return app.responder(site: site).respond(to: rawRequest("POST", "/internal/cron/webhooks", headers: headers))
    }

    @Test(arguments: [nil, "Bearer wrong-secret-wrong-secret-wrong-secret", "Basic " + secret])
    func theCronEndpointIsNotFoundWithoutTheBearerSecret(authorization: String?) {
        #expect(cronCall(authorization: authorization).status == 404)
    }

    @Test func theCronEndpointIsOnlyOnTheDevelopersSite() {
        #expect(cronCall(site: .app, authorization: "Bearer " + Self.secret).status == 404)
    }

    @Test func withTheSecretARunStartsAndADatabaseOutageIsA503() {
        #expect(cronCall(authorization: "Bearer " + Self.secret).status == 503, "the route ran and met the unconnected test database")
    }

    // MARK: A run

    let keys = DeveloperKeyMaterial(secret: Array(repeating: 9, count: 32))
    let clock = TestClock()
    let whsec = "whsec_" + Data(repeating: 0x42, count: 32).base64EncodedString()

    func claim(_ id: Int64, endpoint: Int64 = 3, type: String = "app.approved", enabled: Bool = true, attempts: Int = 0) throws
        -> ClaimedWebhookDelivery
    {
        var generator = SystemRandomNumberGenerator()
        let sealed = try KeySealing.seal(
            Array(whsec.utf8), key: keys.webhookSealingKey, associatedData: PortalLiveAppRoutes.webhookAssociatedData(ApplicationID(7)),
            using: &generator)
        return ClaimedWebhookDelivery(
            id: DeliveryID(id), endpoint: WebhookEndpointID(endpoint), application: ApplicationID(7), url: "https://hooks.example/\(id)",
            sealedSecret: sealed, endpointEnabled: enabled, eventID: "msg_\(id)", eventType: type, payload: #"{"type":"\#(type)"}"#,
            attempts: attempts, leaseUntil: clock.now + 60)
    }

    func sender(_ queue: MemoryQueue, _ poster: RecordingPoster, outbox: MailOutbox) -> WebhookSender {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let clock = self.clock
        return WebhookSender(
            queue: queue, poster: poster, keys: keys, mailer: outbox, developersURL: "https://developers.localhost", clock: { clock.now },
            logger: logger)
    }

    @Test func aDeliveryIsSignedAsStandardWebhooksReceiversCheck() throws {
        let queue = MemoryQueue(claims: [try claim(1)])
        let poster = RecordingPoster(statuses: ["https://hooks.example/1": 204])
        let summary = try sender(queue, poster, outbox: MailOutbox()).run()
        #expect(summary.attempted == 1 && summary.succeeded == 1 && summary.failed == 0 && summary.disabled == 0)
        let sent = try #require(poster.requests.first)
        let headers = Dictionary(uniqueKeysWithValues: sent.headers.map { ($0.name, $0.value) })
        #expect(headers["webhook-id"] == "msg_1")
        #expect(headers["content-type"] == "application/json")
        let timestamp = try #require(headers["webhook-timestamp"].flatMap { Int64($0) })
        #expect(timestamp == Int64(clock.now.timeIntervalSince1970))
        #expect(
            WebhookSecret.verify(
                header: try #require(headers["webhook-signature"]), keyBytes: try #require(WebhookSecret.keyBytes(of: whsec)), id: "msg_1",
                timestamp: timestamp, body: sent.body, now: clock.now))
        #expect(sent.body == Array(#"{"type":"app.approved"}"#.utf8))
        #expect(queue.finished.first?.transition?.state == .succeeded(attempts: 1))
    }

    @Test func failuresAreRecordedWithWhatHappenedAndA410MailsTheDeveloper() throws {
        let queue = MemoryQueue(claims: [
            try claim(1, endpoint: 1), try claim(2, endpoint: 2), try claim(3, endpoint: 3),
            try claim(4, endpoint: 4, type: "grade.published", enabled: false),
        ])
        let poster = RecordingPoster(statuses: ["https://hooks.example/1": 500, "https://hooks.example/2": 302, "https://hooks.example/3": 410])
        let outbox = MailOutbox()
        let summary = try sender(queue, poster, outbox: outbox).run()
        #expect(summary == .init(attempted: 3, succeeded: 0, failed: 4, disabled: 1, durationMilliseconds: summary.durationMilliseconds))
        #expect(poster.requests.count == 3, "the delivery to the disabled endpoint was not posted")
        let logs = queue.finished.map(\.log)
        #expect(logs.map(\.responseStatus) == [500, 302, 410, nil])
        #expect(logs[1].error == "redirect not followed (to https://elsewhere.example/)")
        #expect(logs[0].responseExcerpt == "answer 500")
        #expect(logs[3].error == "not sent: the endpoint is disabled")
        #expect(
            queue.finished.map(\.transition?.state) == [.pending(attempts: 1), .pending(attempts: 1), .failed(attempts: 1), .failed(attempts: 0)])
        let mail = try #require(outbox.messages.first)
        #expect(outbox.messages.count == 1)
        #expect(mail.to == "grace@example.test" && mail.subject == "A webhook endpoint of Helper was disabled")
        #expect(mail.body.contains("410 Gone") && mail.body.contains("https://developers.localhost/apps/7/webhooks/3"))
    }

    /// A broken receiver costs a run one attempt: its other deliveries wait for the next run, the others go.
    @Test func anEndpointWhoseAttemptFailedIsNotTriedAgainInTheSameRun() throws {
        let queue = MemoryQueue(claims: [
            try claim(1, endpoint: 1), try claim(2, endpoint: 1), try claim(3, endpoint: 1), try claim(4, endpoint: 2), try claim(5, endpoint: 1),
        ])
        let poster = RecordingPoster(statuses: ["https://hooks.example/1": 500, "https://hooks.example/4": 204])
        let summary = try sender(queue, poster, outbox: MailOutbox()).run()
        #expect(poster.requests.map(\.url) == ["https://hooks.example/1", "https://hooks.example/4"])
        #expect((summary.attempted, summary.failed, summary.succeeded) == (2, 1, 1))
        #expect(queue.waiting == [2, 3, 5], "still due, for the next run")
    }

    /// One app's backlog waits its turn: after `perEndpointPerRound` deliveries to an endpoint, the other
    /// endpoints with something due go first, then the backlog goes on in the same run.
    @Test func oneEndpointsBacklogDoesNotHoldUpTheOthers() throws {
        let queue = MemoryQueue(claims: try (1...7).map { try claim($0, endpoint: 1) } + [try claim(8, endpoint: 2)])
        let poster = RecordingPoster(statuses: Dictionary(uniqueKeysWithValues: (1...8).map { ("https://hooks.example/\($0)", 204) }))
        var sender = sender(queue, poster, outbox: MailOutbox())
        sender.perEndpointPerRound = 3
        let summary = try sender.run()
        #expect(poster.requests.map(\.url) == [1, 2, 3, 8, 4, 5, 6, 7].map { "https://hooks.example/\($0)" })
        #expect(summary.succeeded == 8 && queue.waiting.isEmpty)
    }

    @Test func aRefusedTargetIsAFailedAttemptWithTheReason() throws {
        let queue = MemoryQueue(claims: [try claim(1)])
        let poster = RecordingPoster(statuses: [:])
        _ = try sender(queue, poster, outbox: MailOutbox()).run()
        #expect(queue.finished.first?.log.error == "refused target 10.0.0.8 (private network address)")
        #expect(queue.finished.first?.transition?.state == .pending(attempts: 1))
    }

    @Test func aSecretThatDoesNotOpenIsNeitherPostedNorHeldAgainstTheEndpoint() throws {
        let broken = try claim(1)
        let queue = MemoryQueue(claims: [
            ClaimedWebhookDelivery(
                id: broken.id, endpoint: broken.endpoint, application: ApplicationID(8), url: broken.url, sealedSecret: broken.sealedSecret,
                endpointEnabled: true, eventID: broken.eventID, eventType: broken.eventType, payload: broken.payload, attempts: 0,
                leaseUntil: broken.leaseUntil)
        ])
        let poster = RecordingPoster(statuses: ["https://hooks.example/1": 200])
        let summary = try sender(queue, poster, outbox: MailOutbox()).run()
        #expect(poster.requests.isEmpty && queue.finished.isEmpty && summary.attempted == 0)
    }
}

/// Hands out the given claims and keeps what was finished, applying the policy to a healthy or disabled endpoint.
final class MemoryQueue: WebhookDeliveryQueue, @unchecked Sendable {
    private var claims: [ClaimedWebhookDelivery]
    var finished: [(log: WebhookDeliveryAttempt, transition: WebhookDeliveryPolicy.Transition?)] = []

    init(claims: [ClaimedWebhookDelivery]) { self.claims = claims }

    func claimNextDue(now: Date, leaseUntil: Date, skipping: Set<WebhookEndpointID>) throws -> ClaimedWebhookDelivery? {
        guard let index = claims.firstIndex(where: { !skipping.contains($0.endpoint) }) else { return nil }
        return claims.remove(at: index)
    }

    /// The ids of the deliveries never claimed.
    var waiting: [Int64] { claims.map(\.id.rawValue) }

    func finish(
        _ claim: ClaimedWebhookDelivery, log: WebhookDeliveryAttempt, now: Date,
        decide: (WebhookDeliveryPolicy.EndpointHealth) throws -> WebhookDeliveryPolicy.Transition
    ) throws -> WebhookDeliveryFinish {
        let transition = try decide(claim.endpointEnabled ? .healthy : .disabled)
        finished.append((log, transition))
        let disabled = transition.effects.compactMap { effect -> DisabledWebhookEndpoint? in
            guard case .disableEndpoint(let reason) = effect else { return nil }
            return DisabledWebhookEndpoint(
                endpoint: claim.endpoint, application: claim.application, url: claim.url, applicationName: "Helper",
                developerEmail: "grace@example.test", developerName: "Grace", reason: reason)
        }.first
        return .recorded(transition, disabled: disabled)
    }
}

/// Answers with a fixed status per URL (a 3xx points elsewhere); an unknown URL is a refused private target.
final class RecordingPoster: WebhookPoster, @unchecked Sendable {
    let statuses: [String: Int]
    private let lock = NSLock()
    private var recorded: [(url: String, headers: [(name: String, value: String)], body: [UInt8])] = []
    var requests: [(url: String, headers: [(name: String, value: String)], body: [UInt8])] { lock.withLock { recorded } }

    init(statuses: [String: Int]) { self.statuses = statuses }

    func post(url: String, headers: [(name: String, value: String)], body: [UInt8]) throws(OutboundHTTPSError) -> OutboundHTTPSResponse {
        guard let status = statuses[url] else {
            throw OutboundHTTPSError(
                .refusedTarget, OutboundAddressRule.Refusal(address: IPAddress("10.0.0.8"), category: .privateNetwork).description)
        }
        lock.withLock { recorded.append((url, headers, body)) }
        return OutboundHTTPSResponse(
            status: status, bodyPrefix: Array("answer \(status)".utf8),
            redirectLocation: (300...399).contains(status) ? "https://elsewhere.example/" : nil, address: IPAddress("192.0.2.1")!)
    }
}
