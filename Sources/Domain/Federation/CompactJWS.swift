import Foundation

/// A JWS in compact serialisation (RFC 7515 §7.1) as received from outside: the parsed header and payload, the
/// signature bytes and the signing input, before anything is trusted. ``UpstreamIDTokenRules`` decides what to
/// trust.
public struct CompactJWS: Sendable {
    /// Why a token could not even be read.
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "malformed token: \(reason)" }
    }

    /// Longest token accepted, in bytes (an ID token is a few kilobytes).
    public static let maximumLength = 16_384

    /// The protected header.
    public let header: JSONValue
    /// The payload (the claims, for a JWT).
    public let payload: JSONValue
    /// The signature bytes.
    public let signature: [UInt8]
    /// `BASE64URL(header) '.' BASE64URL(payload)`: what the signature covers.
    public let signingInput: [UInt8]

    /// `alg` of the header (`nil` when missing or not a string).
    public var algorithm: String? { header[member: "alg"]?.stringValue }
    /// `kid` of the header.
    public var keyID: String? { header[member: "kid"]?.stringValue }

    /// Reads a compact JWS: three base64url parts (no padding), a JSON object header and a JSON object payload.
    public init(_ token: String) throws(Malformed) {
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumLength else { throw Malformed(reason: "longer than \(Self.maximumLength) bytes") }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Malformed(reason: "not three parts (a JWE or a JSON serialisation is not accepted)") }
        guard let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw Malformed(reason: "a part is not base64url") }
        do {
            header = try JSONParser.parse(headerBytes)
            payload = try JSONParser.parse(payloadBytes)
        } catch {
            throw Malformed(reason: "\(error)")
        }
        guard case .object = header, case .object = payload else { throw Malformed(reason: "header or payload is not a JSON object") }
        self.signature = signature
        signingInput = Array(parts[0]) + [UInt8(ascii: ".")] + Array(parts[1])
    }
}

/// Base64url without padding (RFC 7515 §2, RFC 4648 §5), strict: padding, whitespace and the standard alphabet's
/// `+` and `/` are refused, as are impossible lengths and non-zero trailing bits.
public enum Base64URL {
    /// The bytes of `text`, or `nil` when it is not strict base64url.
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in text {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // The leftover bits must be zero, so each byte string has one encoding.
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }

    /// Decodes a string.
    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }
}
