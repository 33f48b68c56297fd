import Foundation

/// Webhook endpoints of developers' applications and their delivery log. This store keeps and
/// shows; the sender's operations are ``WebhookDeliveryQueue``.
///
/// The signing secret arrives sealed (AES-256-GCM, ``KeySealing``) because signing needs it back; it is never
/// returned to the developers site. Every operation takes the owner and is filtered by it in SQL: another
/// developer's endpoint or delivery reads as missing (`nil`/`false`).
public protocol WebhookStore {
    /// Creates an enabled endpoint of the app if `owner` owns it; `nil` (nothing written) otherwise.
    func createEndpoint(_ endpoint: NewWebhookEndpoint, for app: ApplicationID, owner: DeveloperID, now: Date) throws
        -> WebhookEndpointID?
    /// The app's endpoints, oldest first, if `owner` owns the app; `nil` otherwise.
    func endpoints(of app: ApplicationID, owner: DeveloperID) throws -> [WebhookEndpoint]?
    /// The endpoint with this id if its app belongs to `owner`; `nil` otherwise.
    func endpoint(_ id: WebhookEndpointID, owner: DeveloperID) throws -> WebhookEndpoint?
    /// Replaces the endpoint's URL, events and enabled flag. Enabling clears the reason an automatic
    /// disabling recorded; disabling by the developer records none. Returns `false` (nothing changed) when
    /// there is no such endpoint of `owner`.
    func updateEndpoint(
        _ id: WebhookEndpointID, owner: DeveloperID, url: String, events: [WebhookEvent], enabled: Bool, now: Date
    ) throws -> Bool
    /// Deletes the endpoint with its deliveries and their attempts, and logs it in the app's activity. Returns
    /// `false` when there is no such endpoint of `owner`.
    func deleteEndpoint(_ id: WebhookEndpointID, owner: DeveloperID, now: Date) throws -> Bool
    /// Queues a delivery to the endpoint (`pending`, no attempts, due at `now`) if its app belongs to `owner`;
    /// `nil` (nothing written) otherwise. For the "test ping" (event type ``WebhookEvent/testPingType``); a
    /// disabled endpoint accepts it too, and the sender decides. Throws ``StoreError`` `.constraint` when the
    /// payload is not JSON.
    func enqueueDelivery(_ delivery: NewWebhookDelivery, to endpoint: WebhookEndpointID, owner: DeveloperID, now: Date) throws
        -> DeliveryID?
    /// The endpoint's deliveries newest first, at most `limit` (1…100), each with its attempts newest first,
    /// if the endpoint's app belongs to `owner`; `nil` otherwise. `before` pages on: only deliveries with a
    /// smaller id (pass the last id of the previous page).
    func deliveries(of endpoint: WebhookEndpointID, owner: DeveloperID, limit: Int, before: DeliveryID?) throws
        -> [WebhookDelivery]?
    /// Manual redelivery: queues a new `pending` delivery to the same endpoint with the original's event id
    /// (Standard Webhooks receivers deduplicate by it), type and payload, due at `now`. Returns its id, or
    /// `nil` (nothing written) when there is no such delivery of `owner`.
    func redeliver(_ id: DeliveryID, owner: DeveloperID, now: Date) throws -> DeliveryID?
}

/// An endpoint being created.
public struct NewWebhookEndpoint: Sendable, CustomStringConvertible {
    /// The https URL, validated by ``WebhookEndpointForm``.
    public var url: String
    /// The subscribed events.
    public var events: [WebhookEvent]
    /// The `whsec_` secret sealed by the caller; at most 255 bytes.
    public var sealedSecret: [UInt8]

    /// Describes an endpoint.
    public init(url: String, events: [WebhookEvent], sealedSecret: [UInt8]) {
        self.url = url
        self.events = events
        self.sealedSecret = sealedSecret
    }

    /// Leaves the sealed secret out.
    public var description: String { "NewWebhookEndpoint(url: \(url), sealedSecret: <redacted>)" }
}

/// An endpoint as the developers site shows it (without its secret).
public struct WebhookEndpoint: Sendable, Equatable {
    /// The row id.
    public let id: WebhookEndpointID
    /// The app it belongs to.
    public let application: ApplicationID
    /// Where deliveries are posted.
    public let url: String
    /// The subscribed events, in ``WebhookEvent/allCases`` order.
    public let events: [WebhookEvent]
    /// Whether deliveries are sent.
    public let enabled: Bool
    /// Why the platform disabled it (after persistent failure); `nil` when enabled or disabled by the developer.
    public let disabledReason: String?
    /// When it was created.
    public let createdAt: Date
    /// The last change.
    public let updatedAt: Date

    /// Creates the value.
    public init(
        id: WebhookEndpointID, application: ApplicationID, url: String, events: [WebhookEvent], enabled: Bool,
        disabledReason: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.application = application
        self.url = url
        self.events = events
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A delivery being queued.
public struct NewWebhookDelivery: Sendable, Equatable {
    /// The Standard Webhooks `webhook-id`, such as `msg_…`; at most 64 ASCII characters.
    public var eventID: String
    /// The event type, a ``WebhookEvent`` raw value or ``WebhookEvent/testPingType``.
    public var eventType: String
    /// The JSON body to post (thin: type, ids, time; no personal data).
    public var payload: String

    /// Describes a delivery.
    public init(eventID: String, eventType: String, payload: String) {
        self.eventID = eventID
        self.eventType = eventType
        self.payload = payload
    }
}

/// One delivery of the log.
public struct WebhookDelivery: Sendable, Equatable {
    /// Where a delivery is.
    public enum Status: String, Sendable, CaseIterable {
        /// Waiting for its first or next attempt.
        case pending
        /// A 2xx response was received.
        case succeeded
        /// Given up after the retries.
        case failed
    }

    /// The row id.
    public let id: DeliveryID
    /// The endpoint it goes to.
    public let endpoint: WebhookEndpointID
    /// The `webhook-id`.
    public let eventID: String
    /// The event type.
    public let eventType: String
    /// The JSON body.
    public let payload: String
    /// Where it is.
    public let status: Status
    /// Attempts made so far.
    public let attempts: Int
    /// The HTTP status of the last attempt; `nil` before any or when no response came.
    public let lastResponseStatus: Int?
    /// How long the last attempt took, in milliseconds; `nil` before any.
    public let latencyMilliseconds: Int?
    /// When the next attempt is due; `nil` once succeeded or failed.
    public let nextAttemptAt: Date?
    /// When it was queued.
    public let createdAt: Date
    /// The last change.
    public let updatedAt: Date
    /// The delivery this one redelivers; `nil` for an original.
    public let redeliveryOf: DeliveryID?
    /// Its attempts, newest first.
    public let attemptLog: [WebhookDeliveryAttempt]

    /// Creates the value.
    public init(
        id: DeliveryID, endpoint: WebhookEndpointID, eventID: String, eventType: String, payload: String, status: Status,
        attempts: Int, lastResponseStatus: Int?, latencyMilliseconds: Int?, nextAttemptAt: Date?, createdAt: Date,
        updatedAt: Date, redeliveryOf: DeliveryID?, attemptLog: [WebhookDeliveryAttempt]
    ) {
        self.id = id
        self.endpoint = endpoint
        self.eventID = eventID
        self.eventType = eventType
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.lastResponseStatus = lastResponseStatus
        self.latencyMilliseconds = latencyMilliseconds
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.redeliveryOf = redeliveryOf
        self.attemptLog = attemptLog
    }
}

/// One attempt to post a delivery.
public struct WebhookDeliveryAttempt: Sendable, Equatable {
    /// When it was made.
    public let attemptedAt: Date
    /// The HTTP status received; `nil` when the connection failed or timed out.
    public let responseStatus: Int?
    /// How long it took, in milliseconds.
    public let latencyMilliseconds: Int
    /// Why no response came (for the log, such as "timed out"), or why a response counts as a failure (a
    /// redirect, which is not followed); `nil` otherwise.
    public let error: String?
    /// The start of the receiver's answer (at most ``maximumExcerptLength`` characters); `nil` when none came.
    public let responseExcerpt: String?

    /// Longest ``responseExcerpt`` kept.
    public static let maximumExcerptLength = 1000
    /// Longest ``error`` kept.
    public static let maximumErrorLength = 255

    /// Creates the value; `error` and `responseExcerpt` are cut to their maximum lengths.
    public init(attemptedAt: Date, responseStatus: Int?, latencyMilliseconds: Int, error: String?, responseExcerpt: String? = nil) {
        self.attemptedAt = attemptedAt
        self.responseStatus = responseStatus
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error.map { Self.cut($0, to: Self.maximumErrorLength) }
        self.responseExcerpt = responseExcerpt.map { Self.cut($0, to: Self.maximumExcerptLength) }
    }

    /// The first `length` Unicode scalars: MariaDB's VARCHAR counts code points, not Swift's Characters.
    private static func cut(_ text: String, to length: Int) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.prefix(length))
        return String(scalars)
    }
}
