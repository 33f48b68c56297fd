/// One CBOR data item (RFC 8949) of the kinds WebAuthn uses: the attestation object, COSE keys and authenticator
/// extension outputs. ``CBORDecoder`` makes them; nothing else in WebAuthn needs floats, tags or undefined.
public enum CBORValue: Sendable, Equatable {
    /// An unsigned (major type 0) or negative (major type 1) integer. Integers outside `Int64` are refused by
    /// the decoder: no WebAuthn or COSE field needs them.
    case int(Int64)
    /// A byte string (major type 2).
    case bytes([UInt8])
    /// A text string (major type 3), valid UTF-8.
    case text(String)
    /// An array (major type 4).
    case array([CBORValue])
    /// A map (major type 5) with integer or text keys, each key once.
    case map([CBORMapKey: CBORValue])
    /// `true` or `false` (simple values 21 and 20).
    case bool(Bool)
    /// `null` (simple value 22).
    case null

    /// The member `key` of a map (`nil` for other values or a missing key).
    public subscript(key: CBORMapKey) -> CBORValue? {
        guard case .map(let entries) = self else { return nil }
        return entries[key]
    }

    /// The integer, if this is one.
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The bytes, if this is a byte string.
    public var bytesValue: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }

    /// The text, if this is a text string.
    public var textValue: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// The entries, if this is a map.
    public var mapValue: [CBORMapKey: CBORValue]? {
        if case .map(let entries) = self { return entries }
        return nil
    }
}

/// A CBOR map key. COSE labels are integers and the attestation object's keys are text (RFC 9052 §7, WebAuthn
/// §6.5); keys of other types are refused, which also makes "the same key twice" a plain equality.
public enum CBORMapKey: Sendable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    case int(Int64)
    case text(String)

    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .text(value) }
}
