import Foundation

/// The life of one webhook delivery and what each attempt does to its endpoint (DESIGN §8), as a
/// value: ``transition(from:endpoint:on:now:jitter:)`` returns the next state and the effects, and changes
/// nothing itself.
///
/// ```
/// pending(n) ──2xx──────────────────────────▶ succeeded         endpoint: healthy
///     │ ──410 Gone───────────────────────────▶ failed            endpoint: disabled, developer mailed
///     │ ──other status, 3xx, timeout, refused target, connection error:
///     │        endpoint failing ≥ 24 h ──────▶ failed            endpoint: disabled, developer mailed
///     │        retries left ─────────────────▶ pending(n + 1)    due after retryDelays[n] ± jitter
///     │        none left ────────────────────▶ failed            endpoint: failing
///     └──not sent (endpoint disabled) ───────▶ failed            nothing else changes
/// ```
///
/// Decisions:
/// - A redirect is a failed attempt: following it would let a public URL send us to a private address.
/// - Every failure but 410 is retried, 4xx included: a receiver's bad deploy often answers 400 or 404 for a
///   while, and Standard Webhooks senders treat any non-2xx alike.
/// - An endpoint is "failing" from the first failed attempt after its last success, whichever delivery it
///   belonged to; the first failure at least ``failureWindow`` after that disables it. A success of any
///   delivery makes it healthy again.
/// - Once an endpoint is disabled (by the platform or by its developer), its queued deliveries fail without
///   being sent, except the test ping, which the developer asks for explicitly to try an endpoint before
///   re-enabling it (``shouldSend(eventType:endpointEnabled:)``). A delivery whose attempt disables the
///   endpoint fails too, rather than waiting for retries that would not be sent.
/// - The developer is mailed once per disabling, by whoever performs the ``Effect/disableEndpoint(reason:)``
///   effect first (the store reports whether it was still enabled).
public struct WebhookDeliveryPolicy: Sendable, Equatable {
    /// The wait before attempt `n + 2` after attempt `n + 1` failed; the delivery fails after the last.
    public var retryDelays: [TimeInterval]
    /// The largest relative jitter: each delay is scaled by `1 + jitter × jitterFraction`, so receivers that
    /// failed together are not hit together again.
    public var jitterFraction: Double
    /// How long an endpoint may keep failing before it is disabled.
    public var failureWindow: TimeInterval

    /// 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: nine attempts over about 27.6 hours, ±10 % each.
    public static let standard = WebhookDeliveryPolicy(
        retryDelays: [5, 60, 300, 1800, 7200, 18000, 36000, 36000], jitterFraction: 0.1, failureWindow: 86400)

    /// A policy.
    public init(retryDelays: [TimeInterval], jitterFraction: Double, failureWindow: TimeInterval) {
        self.retryDelays = retryDelays
        self.jitterFraction = jitterFraction
        self.failureWindow = failureWindow
    }

    /// Where a delivery is.
    public enum State: Sendable, Equatable {
        /// Waiting for attempt `attempts + 1`.
        case pending(attempts: Int)
        /// A 2xx answered attempt `attempts`.
        case succeeded(attempts: Int)
        /// Given up after `attempts` attempts.
        case failed(attempts: Int)
    }

    /// How the delivery's endpoint is doing.
    public enum EndpointHealth: Sendable, Equatable {
        /// Its last attempt succeeded (or none failed yet).
        case healthy
        /// Every attempt since `since` failed.
        case failing(since: Date)
        /// Not receiving deliveries.
        case disabled
    }

    /// What happened to one attempt.
    public enum AttemptResult: Sendable, Equatable {
        /// An HTTP response with this status (a 3xx is not followed).
        case response(status: Int)
        /// No complete response within the timeout.
        case timedOut
        /// The URL's host resolved to an address ``OutboundAddressRule`` refuses (or to none); nothing was sent.
        case refusedTarget
        /// DNS, TCP or TLS failed.
        case connectionFailed

        /// Whether the receiver took it: a 2xx answer.
        public var isSuccess: Bool {
            if case .response(let status) = self { (200...299).contains(status) } else { false }
        }
    }

    /// What happened to the delivery.
    public enum Event: Sendable, Equatable {
        /// It was posted (or the post was refused on the way) with this result.
        case attempted(AttemptResult)
        /// It was not posted because its endpoint is disabled.
        case notSent

        /// Whether a post was made and the receiver did not take it.
        public var isFailedAttempt: Bool {
            if case .attempted(let result) = self { !result.isSuccess } else { false }
        }
    }

    /// What the I/O layer does besides storing the new state.
    public enum Effect: Sendable, Equatable {
        /// The endpoint's failing streak starts at this time (kept if one is already running).
        case markEndpointFailing(since: Date)
        /// The endpoint's failing streak ends.
        case markEndpointHealthy
        /// Disable the endpoint with this reason (for the developer) and, if it was still enabled, mail its
        /// developer.
        case disableEndpoint(reason: String)
    }

    /// The outcome of one event.
    public struct Transition: Sendable, Equatable {
        /// The delivery's new state.
        public let state: State
        /// When the next attempt is due: set exactly when `state` is pending.
        public let nextAttemptAt: Date?
        /// What else to do.
        public let effects: [Effect]

        /// A transition.
        public init(state: State, nextAttemptAt: Date?, effects: [Effect]) {
            self.state = state
            self.nextAttemptAt = nextAttemptAt
            self.effects = effects
        }
    }

    /// An event that cannot happen in the state: a finished delivery is never attempted again (a manual
    /// redelivery is a new delivery).
    public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
        /// The state.
        public let state: State
        /// The refusal of an event in `state`.
        public init(state: State) { self.state = state }
        /// For logs.
        public var description: String { "a delivery in state \(state) cannot be attempted" }
    }

    /// Whether a queued delivery of `eventType` is posted to an endpoint that is (or is not) enabled.
    public static func shouldSend(eventType: String, endpointEnabled: Bool) -> Bool {
        endpointEnabled || eventType == WebhookEvent.testPingType
    }

    /// A jitter sample for ``transition(from:endpoint:on:now:jitter:)``: uniform in -1…1.
    public static func drawJitter(using generator: inout some RandomNumberGenerator) -> Double {
        Double.random(in: -1...1, using: &generator)
    }

    /// The next state after `event`, for a delivery in `state` whose endpoint is `endpoint`, at `now` (when the
    /// attempt ended). `jitter` is a sample from ``drawJitter(using:)`` (clamped to -1…1).
    public func transition(from state: State, endpoint: EndpointHealth, on event: Event, now: Date, jitter: Double) throws(IllegalTransition)
        -> Transition
    {
        guard case .pending(let attempts) = state else { throw IllegalTransition(state: state) }
        let result: AttemptResult
        switch event {
        case .notSent: return Transition(state: .failed(attempts: attempts), nextAttemptAt: nil, effects: [])
        case .attempted(let attempted): result = attempted
        }
        let made = attempts + 1
        if result.isSuccess {
            let healed: [Effect] = if case .failing = endpoint { [.markEndpointHealthy] } else { [] }
            return Transition(state: .succeeded(attempts: made), nextAttemptAt: nil, effects: healed)
        }
        if endpoint == .disabled {
            // A test ping to a disabled endpoint: reported, never retried, and the endpoint stays as it is.
            return Transition(state: .failed(attempts: made), nextAttemptAt: nil, effects: [])
        }
        if case .response(410) = result {
            return Transition(
                state: .failed(attempts: made), nextAttemptAt: nil,
                effects: [.disableEndpoint(reason: "Disabled automatically: the endpoint answered 410 Gone.")])
        }
        let since: Date
        switch endpoint {
        case .failing(let start): since = start
        default: since = now
        }
        if now.timeIntervalSince(since) >= failureWindow {
            let hours = Int(failureWindow / 3600)
            return Transition(
                state: .failed(attempts: made), nextAttemptAt: nil,
                effects: [.disableEndpoint(reason: "Disabled automatically: every delivery failed for \(hours) hours.")])
        }
        let failing: [Effect] = endpoint == .healthy ? [.markEndpointFailing(since: now)] : []
        guard attempts < retryDelays.count else {
            return Transition(state: .failed(attempts: made), nextAttemptAt: nil, effects: failing)
        }
        let scale = 1 + min(max(jitter, -1), 1) * jitterFraction
        return Transition(
            state: .pending(attempts: made), nextAttemptAt: now.addingTimeInterval(retryDelays[attempts] * scale), effects: failing)
    }
}
