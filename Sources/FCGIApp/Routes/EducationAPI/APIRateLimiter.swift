import Domain
import Foundation
import Synchronization

/// The per-app token buckets of one worker process (``TokenBucket``), sized by the app's tier in the
/// configuration (`[api] partner_clients` get the partner limits, every other app the default ones).
///
/// Per worker, not per installation: nginx spreads an app's calls over the pool's workers, so an app can reach
/// up to workers × the configured rate. Sharing buckets would cost a database or shared-memory round trip
/// per call; the per-minute figure is a fairness limit, and nginx's per-address limits stay in front of it.
final class APIRateLimiter: Sendable {
    /// One tier's limits.
    struct Limits: Sendable, Equatable {
        /// Calls per minute.
        let perMinute: Int
        /// Calls at once.
        let burst: Int
    }

    private let buckets = Mutex<[String: TokenBucket]>([:])
    /// The default tier.
    let standard: Limits
    /// The partner tier and its apps.
    let partner: Limits
    let partnerClients: Set<String>

    /// A limiter with the configured tiers.
    convenience init(_ api: Configuration.API) {
        self.init(
            standard: Limits(perMinute: api.rateLimitPerMinute, burst: api.rateLimitBurst),
            partner: Limits(perMinute: api.partnerRateLimitPerMinute, burst: api.partnerRateLimitBurst), partnerClients: api.partnerClients)
    }

    init(standard: Limits, partner: Limits, partnerClients: Set<String>) {
        self.standard = standard
        self.partner = partner
        self.partnerClients = partnerClients
    }

    /// The limits of an app's tier.
    func limits(of client: ClientID) -> Limits { partnerClients.contains(client.rawValue) ? partner : standard }

    /// Takes a token from `client`'s bucket at `now`.
    func take(_ client: ClientID, now: Date) -> TokenBucket.Decision {
        let limits = limits(of: client)
        return buckets.withLock { buckets in
            var bucket = buckets[client.rawValue] ?? TokenBucket(capacity: limits.burst, perMinute: limits.perMinute, now: now)
            let decision = bucket.take(now: now)
            buckets[client.rawValue] = bucket
            return decision
        }
    }
}
