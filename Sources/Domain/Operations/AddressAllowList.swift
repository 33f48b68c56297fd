import Foundation

/// Who may reach `/internal/` (cron endpoints, metrics): an explicit list of addresses and networks (CIDR), checked
/// by the app against the peer address nginx passes (`REMOTE_ADDR`; behind a trusted front, nginx's `real_ip`
/// makes that the client's), instead of trusting loopback implicitly (issue 18: with several hosts, cron may call
/// another host's pool). An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is checked as its IPv4 address.
public struct AddressAllowList: Sendable, Equatable, CustomStringConvertible {
    /// One network: an address and how many leading bits must match.
    public struct Network: Sendable, Equatable, CustomStringConvertible {
        /// The network's address.
        public let address: IPAddress
        /// The prefix length (32 for one IPv4 address, 128 for one IPv6 address).
        public let prefixLength: Int

        /// Whether `candidate` is inside the network.
        public func contains(_ candidate: IPAddress) -> Bool {
            guard candidate.bytes.count == address.bytes.count else { return false }
            var bits = prefixLength
            for (a, b) in zip(address.bytes, candidate.bytes) {
                if bits <= 0 { return true }
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                bits -= 8
            }
            return true
        }

        public var description: String { "\(address)/\(prefixLength)" }
    }

    /// The networks, in the order given.
    public let networks: [Network]

    /// The default: this machine's loopback addresses.
    public static let loopback = AddressAllowList(networks: [
        Network(address: IPAddress("127.0.0.0")!, prefixLength: 8), Network(address: IPAddress("::1")!, prefixLength: 128),
    ])

    /// Creates a list of networks.
    public init(networks: [Network]) { self.networks = networks }

    /// Parses `address` or `address/prefix` entries separated by commas; `nil` when one is malformed, a prefix is
    /// out of range, or the list is empty (an empty list would lock cron out; name loopback instead).
    public init?(parsing text: String) {
        var networks: [Network] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
            let maximum = address.bytes.count * 8
            var prefix = maximum
            if parts.count == 2 {
                guard let length = Int(parts[1]), (0...maximum).contains(length), parts[1].allSatisfy(\.isASCII) else { return nil }
                prefix = length
            }
            networks.append(Network(address: address, prefixLength: prefix))
        }
        guard !networks.isEmpty else { return nil }
        self.networks = networks
    }

    /// Whether the peer address (as nginx wrote it) is on the list; an unparsable or empty one never is.
    public func permits(_ peer: String) -> Bool {
        guard var address = IPAddress(peer) else { return false }
        if address.bytes.count == 16, address.bytes[0..<10].allSatisfy({ $0 == 0 }), address.bytes[10] == 0xFF, address.bytes[11] == 0xFF,
            let v4 = IPAddress(bytes: Array(address.bytes[12...]))
        {
            address = v4
        }
        return networks.contains { $0.contains(address) }
    }

    public var description: String { networks.map(\.description).joined(separator: ", ") }
}
