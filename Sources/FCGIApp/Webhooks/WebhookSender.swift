import Domain
import Foundation
import Logging
import Native

/// One delivery run, shared by `POST /internal/cron/webhooks` and `catalystwells webhooks
/// deliver`: claims due deliveries one at a time, signs and posts each, and records every attempt with the
/// transition ``WebhookDeliveryPolicy`` chooses.
///
/// - A run stops claiming when no delivery is due, after ``maximumDeliveries``, or when another post might not
///   finish within ``timeBudget`` (nginx gives the cron request 60 s); what is left is due for the next run.
/// - Concurrent runs (two cron triggers, a CLI run) are safe: ``WebhookDeliveryQueue`` hands each delivery
///   to one of them.
/// - A secret that does not open (wrong `portal.key_file`, tampered row) is the platform's fault, not the
///   endpoint's: nothing is posted or recorded, the error is logged, and the delivery is tried again when its
///   lease ends.
/// - Mail to the developer of a disabled endpoint is sent after the disabling is committed; a mail failure is
///   logged and does not undo it.
struct WebhookSender {
    let queue: any WebhookDeliveryQueue
    let poster: any WebhookPoster
    let keys: DeveloperKeyMaterial
    let mailer: any MailTransport
    /// The portal's base URL, for the link in the mail.
    let developersURL: String
    let clock: @Sendable () -> Date
    let logger: Logger
    var policy = WebhookDeliveryPolicy.standard
    /// How long a run may take.
    var timeBudget: TimeInterval = 45
    /// Most deliveries per run.
    var maximumDeliveries = 1000
    /// How long a claim is held: longer than a post can take (10 s), so no other run takes it meanwhile.
    var lease: TimeInterval = 60
    /// Deliveries to one endpoint before the other endpoints with something due get theirs.
    var perEndpointPerRound = 20

    /// The sender over a developers-site services value; `nil` when `portal.key_file` was not loaded (the
    /// secrets cannot be opened).
    init?(services: SiteServices, logger: Logger) {
        guard let keys = services.portal.keys else { return nil }
        self.init(
            queue: services.portal.deliveries, poster: services.configuration.webhookPoster, keys: keys, mailer: services.mailer,
            developersURL: services.configuration.developersURL, clock: services.clock, logger: logger)
    }

    /// A sender from its parts.
    init(
        queue: any WebhookDeliveryQueue, poster: any WebhookPoster, keys: DeveloperKeyMaterial, mailer: any MailTransport, developersURL: String,
        clock: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.queue = queue
        self.poster = poster
        self.keys = keys
        self.mailer = mailer
        self.developersURL = developersURL
        self.clock = clock
        self.logger = logger
    }

    /// What a run did, as the cron endpoint and the CLI report it.
    struct Summary: Equatable {
        var attempted = 0
        var succeeded = 0
        var failed = 0
        var disabled = 0
        var durationMilliseconds = 0

        var json: JSONValue {
            .object([
                ("attempted", .int(attempted)), ("succeeded", .int(succeeded)), ("failed", .int(failed)), ("disabled", .int(disabled)),
                ("duration_ms", .int(durationMilliseconds)),
            ])
        }
    }

    /// Runs until nothing is due or the budget is spent. Throws only for database failures (``StoreError``).
    ///
    /// Shared fairly: an endpoint whose attempt failed (an error, a timeout, a non-2xx answer) is not tried again
    /// in the same run, so a slow or broken receiver costs each run one time limit at most; and an endpoint gets
    /// at most ``perEndpointPerRound`` deliveries before every other endpoint with something due has had its
    /// turn, so one app's backlog never holds up the others' events.
    func run() throws -> Summary {
        let started = ContinuousClock.now
        var summary = Summary()
        var generator = SystemRandomNumberGenerator()
        var handled = 0
        var failing: Set<WebhookEndpointID> = []
        var servedThisRound: [WebhookEndpointID: Int] = [:]
        var roundFull: Set<WebhookEndpointID> = []
        while handled < maximumDeliveries, ContinuousClock.now - started < .seconds(max(timeBudget - 10, 0)) {
            let now = clock()
            guard let claim = try queue.claimNextDue(now: now, leaseUntil: now.addingTimeInterval(lease), skipping: failing.union(roundFull))
            else {
                // Nothing due for the others: endpoints that used up their turn start a new round.
                guard !roundFull.isEmpty else { break }
                roundFull.removeAll()
                servedThisRound.removeAll()
                continue
            }
            handled += 1
            if try deliver(claim, jitter: WebhookDeliveryPolicy.drawJitter(using: &generator), summary: &summary) {
                failing.insert(claim.endpoint)
            }
            servedThisRound[claim.endpoint, default: 0] += 1
            if servedThisRound[claim.endpoint] == perEndpointPerRound { roundFull.insert(claim.endpoint) }
        }
        summary.durationMilliseconds = Int((ContinuousClock.now - started) / .milliseconds(1))
        return summary
    }

    /// Posts one claimed delivery and records it; returns whether a post was made and failed.
    @discardableResult
    private func deliver(_ claim: ClaimedWebhookDelivery, jitter: Double, summary: inout Summary) throws -> Bool {
        var metadata: Logger.Metadata = [
            "webhook.delivery_id": "\(claim.id.rawValue)", "webhook.endpoint_id": "\(claim.endpoint.rawValue)",
            "webhook.event_type": "\(claim.eventType)",
        ]
        let event: WebhookDeliveryPolicy.Event
        let log: WebhookDeliveryAttempt
        if WebhookDeliveryPolicy.shouldSend(eventType: claim.eventType, endpointEnabled: claim.endpointEnabled) {
            guard let keyBytes = openSecret(claim) else {
                logger.error("webhook secret does not open; delivery left for a later run", metadata: metadata)
                return false
            }
            (event, log) = post(claim, keyBytes: keyBytes)
            summary.attempted += 1
        } else {
            event = .notSent
            log = WebhookDeliveryAttempt(
                attemptedAt: clock(), responseStatus: nil, latencyMilliseconds: 0, error: "not sent: the endpoint is disabled")
        }
        let finishedAt = clock()
        let outcome = try queue.finish(claim, log: log, now: finishedAt) { health in
            try policy.transition(from: .pending(attempts: claim.attempts), endpoint: health, on: event, now: finishedAt, jitter: jitter)
        }
        metadata["http.status"] = log.responseStatus.map { "\($0)" }
        metadata["webhook.latency_ms"] = "\(log.latencyMilliseconds)"
        guard case .recorded(let transition, let disabled) = outcome else {
            logger.notice("webhook delivery was claimed by another run meanwhile; attempt logged only", metadata: metadata)
            return event.isFailedAttempt
        }
        switch transition.state {
        case .succeeded:
            summary.succeeded += 1
            logger.debug("webhook delivered", metadata: metadata)
        case .pending, .failed:
            summary.failed += 1
            metadata["webhook.error"] = log.error.map { "\($0)" }
            logger.info("webhook attempt failed", metadata: metadata)
        }
        if let disabled {
            summary.disabled += 1
            logger.notice("webhook endpoint disabled", metadata: metadata.merging(["webhook.reason": "\(disabled.reason)"]) { $1 })
            do {
                try WebhookMail.endpointDisabled(disabled, developersURL: developersURL, mailer: mailer)
            } catch {
                logger.error("mail about a disabled webhook endpoint failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
        return event.isFailedAttempt
    }

    /// The HMAC key of the endpoint's secret, or `nil` when the sealed value does not open.
    private func openSecret(_ claim: ClaimedWebhookDelivery) -> [UInt8]? {
        guard
            let secret = try? KeySealing.open(
                claim.sealedSecret, key: keys.webhookSealingKey, associatedData: PortalLiveAppRoutes.webhookAssociatedData(claim.application))
        else { return nil }
        return WebhookSecret.keyBytes(of: String(decoding: secret, as: UTF8.self))
    }

    /// Signs and posts the delivery; the event for the policy and the line for the attempt log.
    private func post(_ claim: ClaimedWebhookDelivery, keyBytes: [UInt8]) -> (WebhookDeliveryPolicy.Event, WebhookDeliveryAttempt) {
        let attemptedAt = clock()
        let timestamp = Int64(attemptedAt.timeIntervalSince1970)
        let body = Array(claim.payload.utf8)
        let headers: [(name: String, value: String)] = [
            ("webhook-id", claim.eventID), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", WebhookSecret.signature(keyBytes: keyBytes, id: claim.eventID, timestamp: timestamp, body: body)),
            ("content-type", "application/json"),
        ]
        let started = ContinuousClock.now
        let result = Result { () throws(OutboundHTTPSError) in try poster.post(url: claim.url, headers: headers, body: body) }
        let latency = Int((ContinuousClock.now - started) / .milliseconds(1))
        switch result {
        case .success(let response):
            let excerpt = String(decoding: response.bodyPrefix, as: UTF8.self)
            let error =
                (300...399).contains(response.status)
                ? "redirect not followed" + (response.redirectLocation.map { " (to \($0))" } ?? "") : nil
            return (
                .attempted(.response(status: response.status)),
                WebhookDeliveryAttempt(
                    attemptedAt: attemptedAt, responseStatus: response.status, latencyMilliseconds: latency, error: error,
                    responseExcerpt: excerpt.isEmpty ? nil : excerpt)
            )
        case .failure(let failure):
            let result: WebhookDeliveryPolicy.AttemptResult =
                switch failure.kind {
                case .timedOut: .timedOut
                case .refusedTarget, .invalidRequest: .refusedTarget
                case .resolutionFailed, .connectionFailed: .connectionFailed
                }
            return (
                .attempted(result),
                WebhookDeliveryAttempt(attemptedAt: attemptedAt, responseStatus: nil, latencyMilliseconds: latency, error: failure.description)
            )
        }
    }
}
