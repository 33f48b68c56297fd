import Foundation

/// The upstream providers' signing keys as last fetched, with the one rule for fetching them again: keys are kept
/// for ``maximumAge``; a token naming a `kid` the cached set lacks (the provider rotated its keys) fetches once
/// more, however recent the last fetch, but such unknown-`kid` fetches happen at most once per ``refetchInterval``
/// per provider, so tokens with made-up `kid`s cannot make us hammer the provider's `jwks_uri`.
///
/// A plain value: the caller keeps one per worker behind a lock, passes the time and does the fetching, so every
/// rule is testable with fixed instants and no network.
public struct UpstreamKeyCache: Sendable {
    /// How long fetched keys are used before they are fetched again.
    public static let maximumAge: TimeInterval = 3600
    /// The shortest time between two fetches for one provider.
    public static let refetchInterval: TimeInterval = 60

    private var entries: [String: (keys: JSONWebKeySet, fetchedAt: Date)] = [:]
    /// When each provider's keys were last fetched because of an unknown `kid`.
    private var unknownKidFetches: [String: Date] = [:]

    public init() {}

    /// What to do for a token of `provider` naming `kid` (`nil`: no kid) at `now`.
    public enum Step: Sendable {
        /// Verify with these keys.
        case use(JSONWebKeySet)
        /// Fetch the provider's JWKS, give it to ``store(_:for:at:)``, then verify with it.
        case fetch
    }

    /// The keys to verify with, or `.fetch` when there are none yet, they are old, or they lack `kid` and no
    /// fetch for an unknown `kid` happened within ``refetchInterval`` (a `.fetch` for an unknown `kid` is counted
    /// here, whether or not the fetch then succeeds).
    public mutating func step(provider: String, kid: String?, now: Date) -> Step {
        guard let entry = entries[provider] else { return .fetch }
        let age = now.timeIntervalSince(entry.fetchedAt)
        if age >= Self.maximumAge || age < 0 { return .fetch }
        if let kid, entry.keys.keys[kid] == nil {
            let since = unknownKidFetches[provider].map { now.timeIntervalSince($0) }
            if since == nil || since! >= Self.refetchInterval || since! < 0 {
                unknownKidFetches[provider] = now
                return .fetch
            }
        }
        return .use(entry.keys)
    }

    /// Keeps a freshly fetched set.
    public mutating func store(_ keys: JSONWebKeySet, for provider: String, at now: Date) {
        entries[provider] = (keys, now)
    }
}
