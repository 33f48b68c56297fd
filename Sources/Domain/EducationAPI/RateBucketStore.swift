import Foundation

/// Where the apps' API token buckets live, shared by every worker of every host, so an app's limit holds however
/// many workers serve it and a recycled worker does not start with a full bucket.
///
/// Workers do not call it per request: each takes a lease of a few tokens (``APIRateLease``) and spends them
/// locally, so the store is written once per lease.
public protocol RateBucketStore {
    /// Atomically (under the bucket's lock): reads `client`'s bucket (a full one when it has none; stored tokens
    /// beyond a since-lowered `capacity` are cut to it), takes up to `count` tokens from it at `now` and writes it
    /// back. Returns what was granted and the bucket's state after the lease.
    func leaseTokens(
        client: ClientID, upTo count: Int, capacity: Int, perMinute: Int, now: Date
    ) throws -> (granted: Int, decision: TokenBucket.Decision)

    /// Deletes the buckets no lease has touched since `cutoff` (full again by then, and made anew on the next call);
    /// returns how many.
    func purgeIdleBuckets(updatedBefore cutoff: Date) throws -> Int
}

/// One worker's share of an app's bucket: tokens leased from the shared bucket and not yet spent.
///
/// A plain value with the rules of spending and of how much to lease; the caller holds one per app and asks the
/// ``RateBucketStore`` for more when it is empty. Tokens a worker holds when it exits are lost, never returned,
/// so the limit errs on the strict side: an app can be refused at most (workers × threads ×
/// ``leaseSize(capacity:)``) calls early (each thread whose lease ran out at the same moment takes one), never
/// served more than its bucket allows.
public struct APIRateLease: Sendable, Equatable {
    /// Leased tokens not yet spent.
    public private(set) var tokens: Int
    /// The shared bucket as of the last lease (for the `X-RateLimit-*` headers).
    public private(set) var shared: TokenBucket.Decision
    /// After a lease that granted nothing: until when calls are refused from memory, without asking the store
    /// again (so an app past its limit costs the database at most one lease per token interval per worker).
    public private(set) var refusedUntil: Date?

    /// An empty lease.
    public init() {
        tokens = 0
        shared = TokenBucket.Decision(allowed: true, remaining: 0, resetSeconds: 0, retryAfterSeconds: 0)
        refusedUntil = nil
    }

    /// How many tokens one lease asks for: a tenth of the burst (at least one), so a busy app costs the store one
    /// write per that many calls and parked tokens stay a small share of the bucket.
    public static func leaseSize(capacity: Int) -> Int { max(1, capacity / 10) }

    /// Answers one call at `now` from memory: a spent leased token, or the refusal of a recent empty lease; `nil`
    /// when the caller must lease.
    public mutating func spend(now: Date) -> TokenBucket.Decision? {
        if tokens > 0 {
            tokens -= 1
            return TokenBucket.Decision(
                allowed: true, remaining: tokens + shared.remaining, resetSeconds: shared.resetSeconds, retryAfterSeconds: 0)
        }
        guard let until = refusedUntil, now < until else { return nil }
        return TokenBucket.Decision(
            allowed: false, remaining: 0, resetSeconds: shared.resetSeconds,
            retryAfterSeconds: max(1, Int(until.timeIntervalSince(now).rounded(.up))))
    }

    /// Adds a lease's outcome at `now`; then ``spend(now:)`` answers for the call that asked for it. A lease of
    /// nothing refuses calls until one token is back in the shared bucket (`perMinute` is the app's rate).
    public mutating func add(granted: Int, shared decision: TokenBucket.Decision, perMinute: Int, now: Date) {
        tokens += max(0, granted)
        shared = decision
        if granted > 0 {
            refusedUntil = nil
        } else {
            let tokenInterval = 60 / Double(max(perMinute, 1))
            refusedUntil = now.addingTimeInterval(min(Double(decision.retryAfterSeconds), tokenInterval))
        }
    }
}
