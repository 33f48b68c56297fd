/// The one CBOR reader (RFC 8949) for what authenticators send: strict, bounded, and never trusting a length.
///
/// Accepted: unsigned and negative integers within `Int64`, byte and text strings, arrays and maps of definite
/// length, `true`, `false` and `null`. Refused: indefinite lengths (§3.2.2), tags (§3.4), floats and other simple
/// values (§3.3), reserved additional information (28–30), map keys other than integers and text, the same map
/// key twice (§5.6: readers disagree on which wins), invalid UTF-8 in text, nesting deeper than ``maximumDepth``,
/// a declared length or element count beyond the bytes left, and anything after the item (``decode(_:)``).
///
/// Arguments need not be in their shortest form (the "preferred serialisation" of §4.2.1): CTAP2 authenticators
/// are asked to write it, but no WebAuthn check compares re-encoded bytes, so a longer form cannot make two readers
/// disagree, and refusing it would only lock out an authenticator with a sloppy encoder. Nothing is allocated from
/// a declared size before the input is known to hold it: a string's length is checked against the bytes left, and
/// an array or map needs at least one byte per element (two per entry).
public struct CBORDecoder {
    /// Why bytes were refused, with the offset where it was noticed.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public let offset: Int
        public var description: String { "invalid CBOR at byte \(offset): \(reason)" }
    }

    /// Deepest nesting of arrays and maps accepted. An attestation object nests three deep at most (the attestation
    /// statement's certificate array inside its map inside the object).
    public static let maximumDepth = 8

    private let bytes: [UInt8]
    private var index: Int

    private init(_ bytes: [UInt8], at index: Int) {
        self.bytes = bytes
        self.index = index
    }

    /// Decodes `bytes` as exactly one data item.
    public static func decode(_ bytes: [UInt8]) throws(Failure) -> CBORValue {
        let (value, end) = try decodeItem(bytes, at: 0)
        guard end == bytes.count else { throw Failure(reason: "\(bytes.count - end) bytes after the item", offset: end) }
        return value
    }

    /// Decodes the one data item that starts at `offset` and returns it with the offset just after it: in
    /// authenticator data a COSE key is followed by more bytes and has no length of its own (WebAuthn §6.5.1).
    public static func decodeItem(_ bytes: [UInt8], at offset: Int) throws(Failure) -> (value: CBORValue, end: Int) {
        guard offset >= 0, offset <= bytes.count else { throw Failure(reason: "offset outside the input", offset: offset) }
        var decoder = CBORDecoder(bytes, at: offset)
        let value = try decoder.item(depth: 0)
        return (value, decoder.index)
    }

    private var remaining: Int { bytes.count - index }

    private func failure(_ reason: String, at offset: Int? = nil) -> Failure { Failure(reason: reason, offset: offset ?? index) }

    private mutating func item(depth: Int) throws(Failure) -> CBORValue {
        let start = index
        guard index < bytes.count else { throw failure("unexpected end") }
        let initial = bytes[index]
        index += 1
        let major = initial >> 5
        let info = initial & 0x1F
        if major == 7 {
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 25, 26, 27: throw failure("floating-point number", at: start)
            case 31: throw failure("break outside an indefinite-length item", at: start)
            default: throw failure("simple value \(info)", at: start)
            }
        }
        if info == 31 { throw failure("indefinite length", at: start) }
        if info >= 28 { throw failure("reserved additional information \(info)", at: start) }
        let argument = try self.argument(info)
        switch major {
        case 0:
            guard argument <= UInt64(Int64.max) else { throw failure("integer beyond 64 bits", at: start) }
            return .int(Int64(argument))
        case 1:
            guard argument <= UInt64(Int64.max) else { throw failure("integer beyond 64 bits", at: start) }
            return .int(-1 - Int64(argument))
        case 2:
            return .bytes(try take(argument, start: start))
        case 3:
            let raw = try take(argument, start: start)
            guard let text = String(validating: raw, as: UTF8.self) else { throw failure("invalid UTF-8 in a text string", at: start) }
            return .text(text)
        case 4:
            guard depth < Self.maximumDepth else { throw failure("nested too deeply", at: start) }
            guard argument <= UInt64(remaining) else { throw failure("array of \(argument) items in \(remaining) bytes", at: start) }
            var elements: [CBORValue] = []
            elements.reserveCapacity(Int(argument))
            for _ in 0..<argument { elements.append(try item(depth: depth + 1)) }
            return .array(elements)
        case 5:
            guard depth < Self.maximumDepth else { throw failure("nested too deeply", at: start) }
            guard argument <= UInt64(remaining / 2) else { throw failure("map of \(argument) entries in \(remaining) bytes", at: start) }
            var entries: [CBORMapKey: CBORValue] = [:]
            entries.reserveCapacity(Int(argument))
            for _ in 0..<argument {
                let keyStart = index
                let key: CBORMapKey
                switch try item(depth: depth + 1) {
                case .int(let number): key = .int(number)
                case .text(let text): key = .text(text)
                default: throw failure("map key that is neither an integer nor text", at: keyStart)
                }
                let value = try item(depth: depth + 1)
                guard entries.updateValue(value, forKey: key) == nil else { throw failure("duplicate map key", at: keyStart) }
            }
            return .map(entries)
        default:  // 6: tags carry meanings (dates, bignums, …) that no WebAuthn structure uses.
            throw failure("tag \(argument)", at: start)
        }
    }

    /// The argument of the head (§3): the additional information itself below 24, else the 1, 2, 4 or 8 bytes after.
    private mutating func argument(_ info: UInt8) throws(Failure) -> UInt64 {
        let width: Int
        switch info {
        case 0..<24: return UInt64(info)
        case 24: width = 1
        case 25: width = 2
        case 26: width = 4
        default: width = 8
        }
        guard remaining >= width else { throw failure("unexpected end in an item's head") }
        var value: UInt64 = 0
        for offset in 0..<width { value = value << 8 | UInt64(bytes[index + offset]) }
        index += width
        return value
    }

    /// The next `count` bytes, after checking that the input has them.
    private mutating func take(_ count: UInt64, start: Int) throws(Failure) -> [UInt8] {
        guard count <= UInt64(remaining) else { throw failure("string of \(count) bytes in \(remaining)", at: start) }
        let end = index + Int(count)
        defer { index = end }
        return Array(bytes[index..<end])
    }
}
