/// A tiny JSON writer for JOSE objects (JWS headers, claims, JWKs), whose output is fully determined by the
/// value: object members in the order given, integers only, strings escaped per RFC 8259 §7 (quote,
/// backslash and control characters; everything else as UTF-8). Signatures and thumbprints are computed
/// over these exact bytes, so no encoder-dependent float formatting, key order or `\/` escaping can creep in.
enum CanonicalJSON: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case array([CanonicalJSON])
    case object([(String, CanonicalJSON)])

    static func == (lhs: CanonicalJSON, rhs: CanonicalJSON) -> Bool { lhs.text == rhs.text }

    /// The serialized text, without insignificant whitespace.
    var text: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .string(let value):
            Self.writeString(value, to: &output)
        case .integer(let value):
            output += String(value)
        case .bool(let value):
            output += value ? "true" : "false"
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (name, value)) in members.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(name, to: &output)
                output += ":"
                value.write(to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16, uppercase: false)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
