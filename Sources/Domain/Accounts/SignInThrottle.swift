import Crypto
import Foundation

/// Failed sign-in counting per account identifier and per client address.
///
/// The account key is the identifier as typed (normalised), not a user id, so an unknown account is counted
/// and locked exactly like a known one and the answers cannot tell them apart. After `limit` failures inside
/// `window` the key is locked for `lockout`; a success clears the account key (not the address key, or an
/// attacker could reset it with their own account).
public struct SignInThrottlePolicy: Sendable, Equatable {
    /// Failures per account identifier before a lock.
    public var accountLimit: Int
    /// Failures per client address before a lock (higher: a school shares one address behind NAT).
    public var addressLimit: Int
    /// Seconds over which failures are counted.
    public var window: TimeInterval
    /// Seconds a lock lasts.
    public var lockout: TimeInterval

    public init(accountLimit: Int, addressLimit: Int, window: TimeInterval, lockout: TimeInterval) {
        self.accountLimit = accountLimit
        self.addressLimit = addressLimit
        self.window = window
        self.lockout = lockout
    }

    /// Which counter a key belongs to.
    public enum Scope: Sendable {
        case account, address
    }

    /// The key under which a counter is stored: SHA-256 of the scope and the normalised value, so the table
    /// holds no identifiers or addresses in the clear.
    public static func key(_ scope: Scope, _ value: String) -> [UInt8] {
        let label = scope == .account ? "account:" : "address:"
        return Array(SHA256.hash(data: Array((label + value.lowercased()).utf8)))
    }

    /// The limit of a scope.
    public func limit(_ scope: Scope) -> Int { scope == .account ? accountLimit : addressLimit }

    /// Whether a sign-in may be attempted: `nil` if so, else the seconds until the lock ends.
    public func retryAfter(_ state: SignInThrottleState?, now: Date) -> Int? {
        guard let until = state?.lockedUntil, until > now else { return nil }
        return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    /// The counter after one more failure at `now`.
    public func recordingFailure(_ state: SignInThrottleState?, scope: Scope, now: Date) -> SignInThrottleState {
        var next = state ?? SignInThrottleState(failures: 0, windowStartedAt: now, lockedUntil: nil)
        if let until = next.lockedUntil, until <= now {
            next = SignInThrottleState(failures: 0, windowStartedAt: now, lockedUntil: nil)
        }
        if now.timeIntervalSince(next.windowStartedAt) >= window {
            next.failures = 0
            next.windowStartedAt = now
        }
        next.failures += 1
        if next.failures >= limit(scope) {
            next.lockedUntil = now.addingTimeInterval(lockout)
        }
        return next
    }
}

/// One throttle counter as stored.
public struct SignInThrottleState: Sendable, Equatable {
    public var failures: Int
    public var windowStartedAt: Date
    public var lockedUntil: Date?

    public init(failures: Int, windowStartedAt: Date, lockedUntil: Date?) {
        self.failures = failures
        self.windowStartedAt = windowStartedAt
        self.lockedUntil = lockedUntil
    }
}
