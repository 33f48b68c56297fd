import Foundation

/// A token bucket (per API client): `capacity` requests at once, refilled at `ratePerSecond`.
///
/// A plain value: the caller passes the time, so every rule is testable with fixed instants. One bucket per app
/// is kept in the database (``RateBucketStore``) and every worker of every host takes tokens from it in small
/// leases (``lease(upTo:now:)``), spending them locally (``APIRateLease``). The headers follow the common `X-RateLimit-*` convention: the limit per minute, what is left now,
/// and the seconds until the bucket is full again.
public struct TokenBucket: Sendable, Equatable {
    /// Largest burst.
    public let capacity: Double
    /// Refill per second.
    public let ratePerSecond: Double
    /// Tokens now (at ``updatedAt``).
    public private(set) var tokens: Double
    /// When ``tokens`` was computed.
    public private(set) var updatedAt: Date

    /// A full bucket at `now`.
    public init(capacity: Int, perMinute: Int, now: Date) {
        self.capacity = Double(max(capacity, 1))
        self.ratePerSecond = Double(max(perMinute, 1)) / 60
        self.tokens = self.capacity
        self.updatedAt = now
    }

    /// A bucket as stored: `tokens` at `updatedAt` (clamped to `0...capacity`).
    public init(capacity: Int, perMinute: Int, tokens: Double, updatedAt: Date) {
        self.init(capacity: capacity, perMinute: perMinute, now: updatedAt)
        self.tokens = min(self.capacity, max(0, tokens.isFinite ? tokens : 0))
    }

    /// The outcome of one request.
    public struct Decision: Sendable, Equatable {
        /// Whether the request may go ahead.
        public let allowed: Bool
        /// Whole tokens left after it.
        public let remaining: Int
        /// Seconds until the bucket is full (`X-RateLimit-Reset`).
        public let resetSeconds: Int
        /// Seconds until one token is back, for `Retry-After` (0 when allowed).
        public let retryAfterSeconds: Int

        /// A decision.
        public init(allowed: Bool, remaining: Int, resetSeconds: Int, retryAfterSeconds: Int) {
            self.allowed = allowed
            self.remaining = remaining
            self.resetSeconds = resetSeconds
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// Takes a token for a request at `now`, when there is one: a lease of one.
    public mutating func take(now: Date) -> Decision { lease(upTo: 1, now: now).decision }

    /// Takes up to `count` whole tokens at `now` for a worker to spend locally: as many as there are (possibly
    /// none). The decision describes the bucket after the lease; `retryAfterSeconds` is set when nothing was granted.
    public mutating func lease(upTo count: Int, now: Date) -> (granted: Int, decision: Decision) {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        tokens = min(capacity, tokens + elapsed * ratePerSecond)
        updatedAt = max(updatedAt, now)
        let granted = max(0, min(count, Int(tokens.rounded(.down))))
        tokens -= Double(granted)
        let reset = Int(((capacity - tokens) / ratePerSecond).rounded(.up))
        let retry = granted > 0 ? 0 : max(1, Int(((1 - tokens) / ratePerSecond).rounded(.up)))
        return (granted, Decision(allowed: granted > 0, remaining: Int(tokens.rounded(.down)), resetSeconds: reset, retryAfterSeconds: retry))
    }
}
