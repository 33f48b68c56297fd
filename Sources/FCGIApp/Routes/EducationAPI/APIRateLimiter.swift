import Domain
import Foundation
import Synchronization

/// The per-app token buckets of one worker process (``TokenBucket``).
///
/// Per worker, not per installation: nginx spreads an app's calls over the pool's workers, so an app can reach
/// up to workers × the configured rate. Sharing buckets would cost a database or shared-memory round trip
/// per call; the per-minute figure is a fairness limit, and nginx's per-address limits stay in front of it.
final class APIRateLimiter: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    /// Calls per minute per app.
    let perMinute: Int
    /// Burst per app.
    let burst: Int

    /// A limiter with the configured rate and burst.
    convenience init(_ api: Configuration.API) {
        self.init(perMinute: api.rateLimitPerMinute, burst: api.rateLimitBurst)
    }

    init(perMinute: Int, burst: Int) {
        self.perMinute = perMinute
        self.burst = burst
    }

    /// Takes a token from `client`'s bucket at `now`.
    func take(_ client: ClientID, now: Date) -> TokenBucket.Decision {
        buckets.withLock { buckets in
            var bucket = buckets[client.rawValue] ?? TokenBucket(capacity: burst, perMinute: perMinute, now: now)
            let decision = bucket.take(now: now)
            buckets[client.rawValue] = bucket
            return decision
        }
    }
}
