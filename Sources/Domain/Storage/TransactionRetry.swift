/// When a whole transaction is tried again after the database refused it as a conflict: a deadlock or lock-wait
/// timeout on one server, or a Galera certification failure (1213 at `COMMIT`, when another node committed a
/// write to the same rows first). Retrying at once would collide again with the same writers, so each wait grows
/// exponentially, is jittered (half fixed, half random) so that colliding callers spread out, is capped per
/// wait, and all waits together stay within ``budget``; after ``attempts`` tries the conflict is the caller's.
public struct TransactionRetry: Sendable, Equatable {
    /// Tries in all, the first included.
    public let attempts: Int
    /// The wait after the first failed try, before jitter.
    public let base: Duration
    /// The longest single wait.
    public let cap: Duration
    /// The most all waits of one transaction may add up to.
    public let budget: Duration

    /// Creates a policy.
    public init(attempts: Int, base: Duration, cap: Duration, budget: Duration) {
        precondition(attempts >= 1, "a transaction is tried at least once")
        self.attempts = attempts
        self.base = base
        self.cap = cap
        self.budget = budget
    }

    /// Four tries, waits of about 5, 10 and 20 ms (each between half and all of that), at most 250 ms in all: a
    /// request thread gives up within a fraction of a second and the client gets 503 with `Retry-After`.
    public static let standard = TransactionRetry(attempts: 4, base: .milliseconds(5), cap: .milliseconds(100), budget: .milliseconds(250))

    /// The wait before the next try after `failed` tries failed (1 after the first), having waited `waited` so
    /// far; `nil` when no try is left or the budget is spent. `unit` is a random number in [0, 1) (a parameter,
    /// so the rule is a plain function): the wait is `(1 + unit) / 2` of the exponential step.
    public func delay(afterFailedAttempts failed: Int, waited: Duration, unit: Double) -> Duration? {
        guard failed >= 1, failed < attempts else { return nil }
        let step = min(cap, base * (1 << min(failed - 1, 30)))
        let wait = min(step * ((1 + min(max(unit, 0), 1)) / 2), budget - waited)
        return wait > .zero ? wait : nil
    }
}
