import Foundation

/// A token bucket (per API client): `capacity` requests at once, refilled at `ratePerSecond`.
///
/// A plain value: the caller keeps one per client and passes the time, so every rule is testable with fixed
/// instants. The headers follow the common `X-RateLimit-*` convention: the limit per minute, what is left now,
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

    /// Takes a token for a request at `now`, when there is one.
    public mutating func take(now: Date) -> Decision {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        tokens = min(capacity, tokens + elapsed * ratePerSecond)
        updatedAt = max(updatedAt, now)
        let allowed = tokens >= 1
        if allowed { tokens -= 1 }
        let reset = Int(((capacity - tokens) / ratePerSecond).rounded(.up))
        let retry = allowed ? 0 : max(1, Int(((1 - tokens) / ratePerSecond).rounded(.up)))
        return Decision(allowed: allowed, remaining: Int(tokens.rounded(.down)), resetSeconds: reset, retryAfterSeconds: retry)
    }
}
