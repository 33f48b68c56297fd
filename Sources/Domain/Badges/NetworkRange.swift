import Foundation

/// A network range in CIDR notation (RFC 4632 §3.1 for IPv4, RFC 4291 §2.3 for IPv6): `10.20.0.0/16`,
/// `2001:db8:42::/48`; a bare address is a range of one. Used by a school's badge policy (``BadgePolicy``) to say
/// from where badges work.
///
/// Addresses are parsed here, without the C library, so the rule is a plain function: dotted-quad IPv4 (four decimal
/// parts, no leading zeros), IPv6 with `::` and an embedded IPv4 tail. An IPv4-mapped IPv6 address
/// (`::ffff:10.0.0.1`, what a dual-stack socket reports) matches IPv4 ranges as its IPv4 address. Zone indices
/// (`fe80::1%eth0`) are refused.
public struct NetworkRange: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6; the bits past ``prefixLength`` are zero.
    public let network: [UInt8]
    public let prefixLength: Int

    /// A range from its CIDR text; `nil` for anything else (host bits set are cleared: `10.1.2.3/8` is `10.0.0.0/8`).
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = Self.address(String(parts[0])) else { return nil }
        let bits = address.count * 8
        var length = bits
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(parts[1]),
                value <= bits, !(parts[1].count > 1 && parts[1].hasPrefix("0"))
            else { return nil }
            length = value
        }
        network = Self.masked(address, length)
        prefixLength = length
    }

    /// The canonical text: `10.0.0.0/8`, `2001:db8::/32` (IPv6 in full hexadecimal groups, zeros compressed once).
    public var description: String { Self.text(network) + "/\(prefixLength)" }

    /// Whether `address` (an IPv4 or IPv6 address as text, e.g. `request.remoteAddress`) lies in the range;
    /// `false` for text that is no address.
    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.address(address) else { return false }
        if network.count == 4, bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        return Self.masked(bytes, prefixLength) == network
    }

    /// The address's bytes (4 or 16), or `nil`.
    static func address(_ text: String) -> [UInt8]? {
        if text.contains(":") { return ipv6(Substring(text)) }
        return ipv4(Substring(text))
    }

    private static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }), !(part.count > 1 && part.hasPrefix("0")),
                let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func ipv6(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count <= 45 else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, last: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if last, index == fields.count - 1, field.contains(".") {
                    guard let tail = ipv4(field) else { return nil }
                    bytes += tail
                    continue
                }
                guard !field.isEmpty, field.count <= 4, field.allSatisfy(\.isHexDigit), let value = UInt16(field, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        if halves.count == 1 {
            guard let bytes = groups(halves[0], last: true), bytes.count == 16 else { return nil }
            return bytes
        }
        guard let head = groups(halves[0], last: false), let tail = groups(halves[1], last: true), head.count + tail.count <= 14 else {
            return nil
        }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(8, max(0, length - index * 8))
            return kept == 8 ? byte : kept == 0 ? 0 : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - kept))
        }
    }

    private static func text(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
        // The longest run of two or more zero groups is written as "::" (RFC 5952 §4.2).
        var best = (start: -1, length: 0)
        var index = 0
        while index < 8 {
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > best.length, end - index >= 2 { best = (index, end - index) }
            index = max(end, index + 1)
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.start >= 0 else { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.length)...].joined(separator: ":")
    }
}
