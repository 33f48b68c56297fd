import Crypto
import Foundation

/// Failed sign-in counting per account identifier, per client address and per trusted device.
///
/// The account key is the identifier as typed (normalised), not a user id, so an unknown account is counted
/// and locked exactly like a known one and the answers cannot tell them apart. After `limit` failures inside
/// `window` an account key is locked for `lockout`; a success clears the account key (not the address key, or an
/// attacker could reset it with their own account).
///
/// An address is never locked for long: a school's pupils share one public address, and one pupil guessing
/// must not lock the school out. Past `addressLimit` failures every further failure from it makes the address
/// wait (``addressSlowdown`` more seconds for each one, up to ten times that), so guessing from it slows to a
/// crawl while a classmate waits seconds. A browser holding a ``TrustedDevice`` entry for the name typed is
/// counted under that device instead of the name and the address, so neither a guesser at the same address nor
/// one who types a classmate's name can lock a pupil out of their own device.
public struct SignInThrottlePolicy: Sendable, Equatable {
    /// Failures per account identifier before a lock.
    public var accountLimit: Int
    /// Failures per client address before a lock (higher: a school shares one address behind NAT).
    public var addressLimit: Int
    /// Seconds over which failures are counted.
    public var window: TimeInterval
    /// Seconds a lock lasts.
    public var lockout: TimeInterval
    /// Seconds an address waits for each failure past its limit (capped at ten times this, and at `lockout`).
    public var addressSlowdown: TimeInterval

    public init(accountLimit: Int, addressLimit: Int, window: TimeInterval, lockout: TimeInterval, addressSlowdown: TimeInterval = 3) {
        self.accountLimit = accountLimit
        self.addressLimit = addressLimit
        self.window = window
        self.lockout = lockout
        self.addressSlowdown = addressSlowdown
    }

    /// Which counter a key belongs to.
    public enum Scope: Sendable {
        /// A name typed at sign-in (known or not).
        case account
        /// A client address (counted by ``network(of:)``).
        case address
        /// A known person's checks that nobody types a name for: a signed-in re-check of the password, a second
        /// factor. A namespace of its own, so no name typed at sign-in can count against it.
        case person
        /// A browser's trusted-device entry for one name (``TrustedDevice/Entry/id``): sign-ins from it are
        /// counted here instead of under the name and the address.
        case device
    }

    /// The key under which a counter is stored: SHA-256 of the scope and the normalised value, so the table
    /// holds no identifiers or addresses in the clear. Addresses are counted by ``network(of:)``.
    public static func key(_ scope: Scope, _ value: String) -> [UInt8] {
        let normalised = scope == .address ? network(of: value) : value.lowercased()
        let label =
            switch scope {
            case .account: "account:"
            case .address: "address:"
            case .person: "person:"
            case .device: "device:"
            }
        return Array(SHA256.hash(data: Array((label + normalised).utf8)))
    }

    /// The network an address is counted as: an IPv4 address itself (also when written IPv4-mapped,
    /// `::ffff:192.0.2.1`); for IPv6 its /64, one subscriber's network (RFC 4291 §2.5.4: an interface id is the
    /// low 64 bits, which a host may change at will, so counting per /128 would count nothing). Text that is not
    /// an address is counted as itself.
    public static func network(of address: String) -> String {
        let text = address.split(separator: "%", maxSplits: 1).first.map(String.init)?.lowercased() ?? ""
        guard text.contains(":"), let groups = ipv6Groups(text) else { return text }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "\(groups[6] >> 8).\(groups[6] & 0xFF).\(groups[7] >> 8).\(groups[7] & 0xFF)"
        }
        return groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }

    /// The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2, with `::` and a dotted IPv4 tail), or `nil`.
    private static func ipv6Groups(_ text: String) -> [UInt16]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func parse(_ part: String) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var groups: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    let octets = piece.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
                    guard octets.count == 4 else { return nil }
                    groups.append(UInt16(octets[0]) << 8 | UInt16(octets[1]))
                    groups.append(UInt16(octets[2]) << 8 | UInt16(octets[3]))
                } else {
                    guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                    groups.append(value)
                }
            }
            return groups
        }
        guard let head = parse(halves[0]), let tail = halves.count == 2 ? parse(halves[1]) : [] else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard head.count + tail.count < 8 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    /// The limit of a scope.
    public func limit(_ scope: Scope) -> Int { scope == .address ? addressLimit : accountLimit }

    /// The wait of an address `over` failures past its limit (0 = the failure that reached it).
    func slowdown(over: Int) -> TimeInterval {
        min(addressSlowdown * Double(over + 1), addressSlowdown * 10, lockout)
    }

    /// Whether a sign-in may be attempted: `nil` if so, else the seconds until the lock ends.
    public func retryAfter(_ state: SignInThrottleState?, now: Date) -> Int? {
        guard let until = state?.lockedUntil, until > now else { return nil }
        return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    /// The counter after one more failure at `now`.
    public func recordingFailure(_ state: SignInThrottleState?, scope: Scope, now: Date) -> SignInThrottleState {
        var next = state ?? SignInThrottleState(failures: 0, windowStartedAt: now, lockedUntil: nil)
        if let until = next.lockedUntil, until <= now {
            // A name's lock ends with a clean slate; an address's slow-down ends with its count kept, so the next
            // failure in the window waits longer.
            next =
                scope == .address
                ? SignInThrottleState(failures: next.failures, windowStartedAt: next.windowStartedAt, lockedUntil: nil)
                : SignInThrottleState(failures: 0, windowStartedAt: now, lockedUntil: nil)
        }
        if now.timeIntervalSince(next.windowStartedAt) >= window {
            next.failures = 0
            next.windowStartedAt = now
        }
        next.failures += 1
        let over = next.failures - limit(scope)
        if over >= 0 {
            next.lockedUntil = now.addingTimeInterval(scope == .address ? slowdown(over: over) : lockout)
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
