import Foundation

/// A school's search filter with the typed name in it (RFC 4515): the template an admin writes, such as
/// `(&(objectClass=user)(sAMAccountName={name}))`, and the one way a name gets into it, escaped.
public struct LDAPFilterTemplate: Sendable, Equatable, CustomStringConvertible {
    /// Where the typed name goes.
    public static let placeholder = "{name}"
    /// The longest template stored.
    public static let maximumLength = 1024

    /// The template as written.
    public let text: String

    /// A template that is a parenthesised filter with balanced parentheses, of printable characters, naming
    /// ``placeholder`` at least once; `nil` otherwise. The directory judges the rest (and "test this provider" shows
    /// what it said).
    public init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard (1...Self.maximumLength).contains(text.utf8.count), text.hasPrefix("("), text.hasSuffix(")"),
            text.contains(Self.placeholder), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        var depth = 0
        for (index, byte) in text.utf8.enumerated() {
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") { depth -= 1 }
            // Exactly one outermost filter: depth returns to 0 only at the last byte.
            if depth < 0 || (depth == 0 && index != text.utf8.count - 1) { return nil }
        }
        guard depth == 0 else { return nil }
        self.text = text
    }

    /// The filter for `name`: every ``placeholder`` replaced by the name escaped by ``LDAPFilterTemplate/escape(_:)``.
    public func filter(for name: String) -> String {
        text.replacingOccurrences(of: Self.placeholder, with: Self.escape(name))
    }

    public var description: String { text }

    /// An assertion value as RFC 4515 §3 wants it in a string filter: `*`, `(`, `)`, `\` and NUL as `\2a`, `\28`,
    /// `\29`, `\5c` and `\00`. Beyond what §3 requires, every other byte outside printable ASCII (controls, DEL and
    /// each byte of a non-ASCII UTF-8 sequence) is written as `\xx` as well: the filter stays plain ASCII, and no
    /// byte of the name can end the value, start a nested filter or be read differently by a server's parser.
    public static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"), 0x00..<0x20, 0x7F...0xFF:
                escaped += "\\" + hex(byte)
            default:
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return escaped
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        return String(String.UnicodeScalarView([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]))
    }
}
