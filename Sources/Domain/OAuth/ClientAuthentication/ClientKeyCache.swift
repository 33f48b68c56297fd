import Foundation

/// The `jwks_uri` documents of `private_key_jwt` clients as last fetched, bounded, with the rule for fetching again:
/// a set is used for ``maximumAge``; an assertion naming a `kid` the set lacks (the client rotated its keys) fetches
/// once more, but such fetches happen at most once per ``refetchInterval`` per client, so made-up `kid`s cannot make
/// the provider hammer a client's server. A fetch that failed is not tried again for ``refetchInterval`` (assertions
/// naming the client are refused meanwhile), so requests claiming a client whose server is down do not each wait for
/// it. At most ``capacity`` sets are kept; the oldest fetch goes first.
///
/// A plain value: the caller keeps one per worker behind a lock, passes the time and does the fetching.
public struct ClientKeyCache: Sendable {
    /// How long fetched keys are used.
    public static let maximumAge: TimeInterval = 300
    /// The shortest time between two fetches for an unknown `kid` of one client.
    public static let refetchInterval: TimeInterval = 60
    /// How many clients' sets are kept.
    public let capacity: Int

    private var entries: [String: (keys: ClientKeySet, fetchedAt: Date)] = [:]
    private var unknownKidFetches: [String: Date] = [:]
    private var failures: [String: Date] = [:]

    /// An empty cache of at most `capacity` sets.
    public init(capacity: Int = 256) { self.capacity = max(1, capacity) }

    /// What to do for an assertion naming `kid`.
    public enum Step: Sendable {
        /// Verify with these keys.
        case use(ClientKeySet)
        /// Fetch the document, hand it to ``store(_:for:at:)`` (or report ``failed(_:at:)``), then verify with it.
        case fetch
        /// A fetch failed less than ``refetchInterval`` ago and no usable keys are kept: refuse.
        case unavailable
    }

    /// The cache key of a client's document: its client_id and URL (a changed URL is a new entry).
    public static func key(clientID: ClientID, uri: String) -> String { clientID.rawValue + " " + uri }

    /// The keys to use for `key` at `now`, or `.fetch` when none are kept, they are old, or they lack `kid` and no
    /// unknown-`kid` fetch happened within ``refetchInterval`` (that `.fetch` is counted here).
    public mutating func step(_ key: String, kid: String?, now: Date) -> Step {
        if let failed = failures[key], now.timeIntervalSince(failed) < Self.refetchInterval, now >= failed {
            if let entry = entries[key], now.timeIntervalSince(entry.fetchedAt) < Self.maximumAge { return .use(entry.keys) }
            return .unavailable
        }
        guard let entry = entries[key] else { return .fetch }
        let age = now.timeIntervalSince(entry.fetchedAt)
        if age >= Self.maximumAge || age < 0 { return .fetch }
        if let kid, !entry.keys.contains(kid: kid) {
            let since = unknownKidFetches[key].map { now.timeIntervalSince($0) }
            if since.map({ $0 >= Self.refetchInterval || $0 < 0 }) ?? true {
                unknownKidFetches[key] = now
                return .fetch
            }
        }
        return .use(entry.keys)
    }

    /// Keeps a fetched set, dropping the oldest when full.
    public mutating func store(_ keys: ClientKeySet, for key: String, at now: Date) {
        if entries[key] == nil, entries.count >= capacity,
            let oldest = entries.min(by: { $0.value.fetchedAt < $1.value.fetchedAt })?.key
        {
            entries[oldest] = nil
            unknownKidFetches[oldest] = nil
        }
        entries[key] = (keys, now)
        failures[key] = nil
        if unknownKidFetches.count > capacity * 2 { unknownKidFetches = [:] }
    }

    /// Notes a fetch that failed (unreachable, not 200, not a usable key set).
    public mutating func failed(_ key: String, at now: Date) {
        if failures.count >= capacity * 2 { failures = failures.filter { now.timeIntervalSince($0.value) < Self.refetchInterval } }
        failures[key] = now
    }

    /// How many sets are kept.
    public var count: Int { entries.count }
}
