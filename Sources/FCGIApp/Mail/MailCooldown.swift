import Domain
import Foundation

/// At most one mail of a kind per person per cool-down, claimed atomically: the claim is a counter in the site's
/// throttle table (its own namespace, ``SignInThrottlePolicy/Scope/person``), read and written under the row's
/// lock, so two forms sent at once cannot both pass a check-then-send (reading the newest link and then mailing
/// was a race: the second request's work could run before the first one's link existed).
enum MailCooldown {
    /// Whether this caller may send `kind` to `person` now (and, if so, starts the cool-down).
    static func claim(_ store: any SignInThrottleStore, kind: String, person: String, cooldown: TimeInterval, now: Date) throws -> Bool {
        let policy = SignInThrottlePolicy(accountLimit: 1, addressLimit: 1, window: cooldown, lockout: cooldown)
        var claimed = false
        try store.updateThrottle(key: SignInThrottlePolicy.key(.person, "mail-cooldown:\(kind):\(person)")) { state in
            // The store may run this again if its transaction is retried: the last run decides.
            claimed = policy.retryAfter(state, now: now) == nil
            guard claimed else { return state ?? SignInThrottleState(failures: 1, windowStartedAt: now, lockedUntil: now) }
            return policy.recordingFailure(state, scope: .person, now: now)
        }
        return claimed
    }
}
