import Foundation

/// The webhook sender's side of the delivery table: claiming due deliveries and recording what
/// each attempt did. Unlike ``WebhookStore`` it is not filtered by owner — it runs for the platform, from cron.
///
/// Two runs at once never post the same delivery: ``claimNextDue(now:leaseUntil:skipping:)`` skips rows another run
/// holds and moves the claimed row's due time to the end of a lease, and
/// ``finish(_:log:now:decide:)`` writes only while the row still shows that lease. A run that dies between
/// the two leaves the delivery to be attempted again once the lease ends (at least once, as Standard Webhooks
/// receivers expect: they deduplicate by `webhook-id`).
public protocol WebhookDeliveryQueue {
    /// Claims the most overdue `pending` delivery with `next_attempt_at <= now` to an endpoint not in
    /// `skipping`, setting its `next_attempt_at` to `leaseUntil`, and returns it with its endpoint; `nil` when
    /// none is due. One short transaction; rows locked by a concurrent claim are skipped, not waited for.
    func claimNextDue(now: Date, leaseUntil: Date, skipping: Set<WebhookEndpointID>) throws -> ClaimedWebhookDelivery?

    /// Records the outcome of a claimed delivery in one transaction: appends `log` (the attempt, or why none
    /// was made) to its attempt log, reads the endpoint's health under a row lock, asks `decide` for the
    /// transition (it may run more than once, on a deadlock retry, so it must be pure), and stores the new state
    /// and the endpoint effects. Returns ``WebhookDeliveryFinish/claimLost`` when the delivery is gone or no
    /// longer shows the claim's lease (the attempt is still logged if the delivery exists); then nothing else
    /// changes.
    func finish(
        _ claim: ClaimedWebhookDelivery, log: WebhookDeliveryAttempt, now: Date,
        decide: (WebhookDeliveryPolicy.EndpointHealth) throws -> WebhookDeliveryPolicy.Transition
    ) throws -> WebhookDeliveryFinish

    /// Deliveries still `pending` (due now or waiting for a retry): the pool's `catalystwells_webhook_queue_depth`.
    /// The default answers `nil` (stores that cannot tell).
    func pendingCount() throws -> Int?
}

extension WebhookDeliveryQueue {
    /// Stores that cannot tell report nothing.
    public func pendingCount() throws -> Int? { nil }
}

/// A delivery claimed for one attempt, with what posting it needs.
public struct ClaimedWebhookDelivery: Sendable, CustomStringConvertible {
    /// The delivery.
    public let id: DeliveryID
    /// Its endpoint.
    public let endpoint: WebhookEndpointID
    /// The endpoint's app (the sealed secret's associated data names it).
    public let application: ApplicationID
    /// Where to post.
    public let url: String
    /// The endpoint's `whsec_` secret, sealed (``KeySealing``).
    public let sealedSecret: [UInt8]
    /// Whether the endpoint is enabled.
    public let endpointEnabled: Bool
    /// The `webhook-id`.
    public let eventID: String
    /// The event type.
    public let eventType: String
    /// The JSON body.
    public let payload: String
    /// Attempts made before this one.
    public let attempts: Int
    /// The lease: the `next_attempt_at` the claim wrote.
    public let leaseUntil: Date

    /// Creates the value.
    public init(
        id: DeliveryID, endpoint: WebhookEndpointID, application: ApplicationID, url: String, sealedSecret: [UInt8], endpointEnabled: Bool,
        eventID: String, eventType: String, payload: String, attempts: Int, leaseUntil: Date
    ) {
        self.id = id
        self.endpoint = endpoint
        self.application = application
        self.url = url
        self.sealedSecret = sealedSecret
        self.endpointEnabled = endpointEnabled
        self.eventID = eventID
        self.eventType = eventType
        self.payload = payload
        self.attempts = attempts
        self.leaseUntil = leaseUntil
    }

    /// Leaves the sealed secret out.
    public var description: String {
        "ClaimedWebhookDelivery(id: \(id), endpoint: \(endpoint), type: \(eventType), attempts: \(attempts), sealedSecret: <redacted>)"
    }
}

/// What ``WebhookDeliveryQueue/finish(_:log:now:decide:)`` did.
public enum WebhookDeliveryFinish: Sendable, Equatable {
    /// The transition was stored; `disabled` is set when this call disabled the endpoint (mail its developer).
    case recorded(WebhookDeliveryPolicy.Transition, disabled: DisabledWebhookEndpoint?)
    /// Another run holds the delivery now, or it was deleted; its state was not changed.
    case claimLost
}

/// An endpoint the sender just disabled, with whom to tell.
public struct DisabledWebhookEndpoint: Sendable, Equatable {
    /// The endpoint.
    public let endpoint: WebhookEndpointID
    /// Its app.
    public let application: ApplicationID
    /// Its URL.
    public let url: String
    /// The app's name.
    public let applicationName: String
    /// The developer's address.
    public let developerEmail: String
    /// The developer's name.
    public let developerName: String
    /// Why it was disabled.
    public let reason: String
    /// The developer's saved language (developers 0023), `nil` when never chosen.
    public let developerLanguage: String?

    /// Creates the value.
    public init(
        endpoint: WebhookEndpointID, application: ApplicationID, url: String, applicationName: String, developerEmail: String,
        developerName: String, reason: String, developerLanguage: String? = nil
    ) {
        self.developerLanguage = developerLanguage
        self.endpoint = endpoint
        self.application = application
        self.url = url
        self.applicationName = applicationName
        self.developerEmail = developerEmail
        self.developerName = developerName
        self.reason = reason
    }
}

extension WebhookDeliveryQueue {
    /// ``claimNextDue(now:leaseUntil:skipping:)`` over every endpoint.
    public func claimNextDue(now: Date, leaseUntil: Date) throws -> ClaimedWebhookDelivery? {
        try claimNextDue(now: now, leaseUntil: leaseUntil, skipping: [])
    }
}
