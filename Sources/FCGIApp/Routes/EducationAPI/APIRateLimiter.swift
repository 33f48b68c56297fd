import Domain
import Foundation
import Synchronization

/// The per-app limits of the education API, sized by the app's tier in the configuration (`[api] partner_clients`
/// get the partner limits, every other app the default ones).
///
/// Each app has one token bucket for the whole installation, in the database (``RateBucketStore``): nginx spreads
/// an app's calls over every worker of every host, and a worker recycles every `max_requests`, so a bucket per
/// worker would let an app reach workers × hosts × its limit and refill on every recycle. A worker takes a lease of
/// a tenth of the burst at a time (``APIRateLease``) and spends it from memory, so the database sees one short
/// transaction per that many calls of a busy app, none for an idle one.
final class APIRateLimiter: Sendable {
    /// One tier's limits.
    struct Limits: Sendable, Equatable {
        /// Calls per minute.
        let perMinute: Int
        /// Calls at once.
        let burst: Int
    }

    private let leases = Mutex<[String: APIRateLease]>([:])
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

    /// Takes a token for one call of `client` at `now`: from this worker's lease, or from the shared bucket in
    /// `store` when the lease is spent (a lease of nothing refuses the app's calls from memory for one token
    /// interval). The store is called outside the lock (other apps' calls do not wait for
    /// it); a store failure propagates (the responder answers 503), it never waives the limit.
    func take(_ client: ClientID, store: any RateBucketStore, now: Date) throws -> TokenBucket.Decision {
        if let decision = leases.withLock({ $0[client.rawValue, default: APIRateLease()].spend(now: now) }) { return decision }
        let limits = limits(of: client)
        let outcome = try store.leaseTokens(
            client: client, upTo: APIRateLease.leaseSize(capacity: limits.burst), capacity: limits.burst, perMinute: limits.perMinute,
            now: now)
        return leases.withLock { leases in
            leases[client.rawValue, default: APIRateLease()].add(
                granted: outcome.granted, shared: outcome.decision, perMinute: limits.perMinute, now: now)
            return leases[client.rawValue, default: APIRateLease()].spend(now: now) ?? outcome.decision
        }
    }
}
