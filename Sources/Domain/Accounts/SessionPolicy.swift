import Foundation

/// How long a signed-in browser session lives: an idle limit and an absolute limit, whichever comes first
/// (OWASP Session Management: both are needed; the absolute one bounds a stolen cookie's life).
public struct SessionPolicy: Sendable, Equatable {
    /// Seconds without a request after which the session ends.
    public var idleTimeout: TimeInterval
    /// Seconds after sign-in after which the session ends regardless of activity.
    public var absoluteLifetime: TimeInterval
    /// `last_seen_at` is written at most this often, so reading pages does not write on every request.
    public var touchInterval: TimeInterval

    public init(idleTimeout: TimeInterval, absoluteLifetime: TimeInterval, touchInterval: TimeInterval = 60) {
        self.idleTimeout = idleTimeout
        self.absoluteLifetime = absoluteLifetime
        self.touchInterval = touchInterval
    }

    /// What to do with a session found by its cookie.
    public enum Verdict: Equatable, Sendable {
        /// Valid; `touch` says whether to record the activity now.
        case valid(touch: Bool)
        /// Past its idle or absolute limit: delete it and treat the browser as signed out.
        case expired
    }

    /// Judges a session at `now`.
    public func evaluate(createdAt: Date, lastSeenAt: Date, now: Date) -> Verdict {
        if now.timeIntervalSince(createdAt) >= absoluteLifetime { return .expired }
        if now.timeIntervalSince(lastSeenAt) >= idleTimeout { return .expired }
        return .valid(touch: now.timeIntervalSince(lastSeenAt) >= touchInterval)
    }

    /// When a session created at `createdAt` ends at the latest (for purging and the cookie's Max-Age).
    public func absoluteExpiry(createdAt: Date) -> Date { createdAt.addingTimeInterval(absoluteLifetime) }
}
