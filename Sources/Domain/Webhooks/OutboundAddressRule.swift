/// Which resolved addresses the platform may connect to when it posts a webhook (DESIGN §8).
///
/// A webhook URL is chosen by a developer, so without this rule the platform would be a proxy into its own
/// network (SSRF): the database host, the cloud metadata service at 169.254.169.254, the admin panel on
/// loopback. Enforces, for every address a host resolves to (one refused address refuses the host, so a name
/// that resolves to a public and a private address cannot be used to reach the private one):
/// - never: unspecified and "this network" (0.0.0.0/8, `::` — Linux connects them to the local host),
///   multicast (224.0.0.0/4, ff00::/8), limited broadcast (255.255.255.255), documentation (192.0.2.0/24,
///   198.51.100.0/24, 203.0.113.0/24 — RFC 5737; 2001:db8::/32 — RFC 3849; 3fff::/20 — RFC 9637) and other
///   special-purpose blocks that are no one's server (RFC 6890: 192.0.0.0/24, 198.18.0.0/15, 192.88.99.0/24,
///   240.0.0.0/4, 100::/64, 2001::/23);
/// - unless ``allowPrivateTargets`` (test stacks and closed networks only): loopback (127.0.0.0/8, ::1),
///   private networks (RFC 1918: 10/8, 172.16/12, 192.168/16), shared CGNAT space (100.64.0.0/10, RFC 6598),
///   link-local (169.254.0.0/16, fe80::/10), unique-local (fc00::/7, RFC 4193) and the deprecated site-local
///   fec0::/10;
/// - IPv6 forms that carry an IPv4 address are judged by that address: IPv4-mapped `::ffff:a.b.c.d` and
///   IPv4-translated `::ffff:0:a.b.c.d` (RFC 4291 §2.5.5, RFC 2765), IPv4-compatible `::a.b.c.d`, NAT64
///   `64:ff9b::/96` (RFC 6052) and 6to4 `2002::/16` (RFC 3056).
public struct OutboundAddressRule: Sendable, Equatable {
    /// What kind of address it is, as far as this rule cares.
    public enum Category: String, Sendable, CaseIterable {
        /// A routable public address.
        case `public`
        /// 127.0.0.0/8, ::1.
        case loopback
        /// RFC 1918 networks.
        case privateNetwork = "private network"
        /// 100.64.0.0/10, carrier-grade NAT.
        case sharedAddressSpace = "shared address space"
        /// 169.254.0.0/16, fe80::/10.
        case linkLocal = "link-local"
        /// fc00::/7 and fec0::/10.
        case uniqueLocal = "unique-local"
        /// 0.0.0.0/8 and `::`.
        case unspecified
        /// 224.0.0.0/4, ff00::/8.
        case multicast
        /// 255.255.255.255.
        case broadcast
        /// Documentation examples.
        case documentation
        /// Other special-purpose blocks.
        case reserved

        /// Whether ``OutboundAddressRule/allowPrivateTargets`` lifts the refusal: addresses of a real host on
        /// a private network, as a test receiver on loopback is.
        public var isPrivateUse: Bool {
            switch self {
            case .loopback, .privateNetwork, .sharedAddressSpace, .linkLocal, .uniqueLocal: true
            case .public, .unspecified, .multicast, .broadcast, .documentation, .reserved: false
            }
        }
    }

    /// Why a host may not be connected to.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The first refused address; `nil` when the host resolved to nothing.
        public let address: IPAddress?
        /// Its category.
        public let category: Category?

        /// A refusal of `address` (`nil`: no address at all).
        public init(address: IPAddress?, category: Category?) {
            self.address = address
            self.category = category
        }

        /// For the delivery log (shown to the developer, who chose the URL): names the address and its kind.
        public var description: String {
            guard let address, let category else { return "the host resolved to no address" }
            return "refused target \(address) (\(category.rawValue) address)"
        }
    }

    /// Whether loopback and private networks may be targets (`[webhooks] allow_private_targets`).
    public var allowPrivateTargets: Bool

    /// A rule; production leaves `allowPrivateTargets` false.
    public init(allowPrivateTargets: Bool) {
        self.allowPrivateTargets = allowPrivateTargets
    }

    /// Whether `address` may be connected to.
    public func permits(_ address: IPAddress) -> Bool {
        let category = Self.category(of: address)
        return category == .public || (allowPrivateTargets && category.isPrivateUse)
    }

    /// The addresses a host resolved to, in resolver order, when every one is permitted; otherwise the
    /// refusal naming the first that is not (or that there were none).
    public func check(_ addresses: [IPAddress]) -> Result<[IPAddress], Refusal> {
        guard !addresses.isEmpty else { return .failure(Refusal(address: nil, category: nil)) }
        if let refused = addresses.first(where: { !permits($0) }) {
            return .failure(Refusal(address: refused, category: Self.category(of: refused)))
        }
        return .success(addresses)
    }

    /// The category of an address.
    public static func category(of address: IPAddress) -> Category {
        let b = address.bytes
        if address.isIPv4 { return ipv4Category(b[0], b[1], b[2], b[3]) }
        if let embedded = embeddedIPv4(b) {
            // `::` and `::1` have the IPv4-compatible shape but are IPv6's own unspecified and loopback.
            if b[0..<15].allSatisfy({ $0 == 0 }), b[15] <= 1 { return b[15] == 0 ? .unspecified : .loopback }
            return ipv4Category(embedded[0], embedded[1], embedded[2], embedded[3])
        }
        let first16 = UInt16(b[0]) << 8 | UInt16(b[1])
        switch first16 {
        case 0xFF00...0xFFFF: return .multicast
        case 0xFE80...0xFEBF: return .linkLocal
        case 0xFEC0...0xFEFF, 0xFC00...0xFDFF: return .uniqueLocal
        case 0x2001 where b[2] == 0x0D && b[3] == 0xB8: return .documentation
        case 0x3FFF where b[2] < 0x10: return .documentation
        case 0x2001 where b[2] <= 0x01: return .reserved
        case 0x0100 where b[2..<8].allSatisfy({ $0 == 0 }): return .reserved
        default:
            // Only 2000::/3 is allocated global unicast; everything else is unassigned or special.
            return (0x2000...0x3FFF).contains(first16) ? .public : .reserved
        }
    }

    private static func ipv4Category(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Category {
        switch (a, b, c) {
        case (0, _, _): return .unspecified
        case (10, _, _), (172, 16...31, _), (192, 168, _): return .privateNetwork
        case (100, 64...127, _): return .sharedAddressSpace
        case (127, _, _): return .loopback
        case (169, 254, _): return .linkLocal
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): return .documentation
        case (192, 0, 0), (198, 18...19, _), (192, 88, 99): return .reserved
        case (224...239, _, _): return .multicast
        case (255, 255, 255) where d == 255: return .broadcast
        case (240...255, _, _): return .reserved
        default: return .public
        }
    }

    /// The IPv4 address inside an IPv6 address of the mapped, translated, compatible, NAT64 or 6to4 forms.
    private static func embeddedIPv4(_ b: [UInt8]) -> [UInt8]? {
        let zeros = { (range: Range<Int>) in b[range].allSatisfy { $0 == 0 } }
        if zeros(0..<10), b[10] == 0xFF, b[11] == 0xFF { return Array(b[12..<16]) }  // ::ffff:a.b.c.d
        if zeros(0..<8), b[8] == 0xFF, b[9] == 0xFF, b[10] == 0, b[11] == 0 { return Array(b[12..<16]) }  // ::ffff:0:a.b.c.d
        if zeros(0..<12) { return Array(b[12..<16]) }  // ::a.b.c.d
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xFF, b[3] == 0x9B, zeros(4..<12) { return Array(b[12..<16]) }  // 64:ff9b::/96
        if b[0] == 0x20, b[1] == 0x02 { return Array(b[2..<6]) }  // 2002:AABB:CCDD::/48
        return nil
    }
}
