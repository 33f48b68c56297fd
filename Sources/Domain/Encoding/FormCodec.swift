/// The one percent and `application/x-www-form-urlencoded` codec (WHATWG URL §5; RFC 3986 §2.1): request
/// paths, query strings and form bodies, HTTP Basic client credentials (RFC 6749 §2.3.1, Appendix B), and the
/// links and redirects the sites build. Strict about malformed input.
public enum FormCodec {
    /// Why input could not be decoded; the message is safe to show.
    public struct Failure: Error, Equatable {
        public let message: String
        public init(message: String) { self.message = message }
    }

    /// Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`), then validates UTF-8.
    public static func percentDecode(_ input: Substring.UTF8View, plusAsSpace: Bool, what: String) throws(Failure) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var index = input.startIndex
        while index != input.endIndex {
            let byte = input[index]
            if byte == UInt8(ascii: "%") {
                let first = input.index(after: index)
                guard first != input.endIndex, input.index(after: first) != input.endIndex,
                    let high = hexValue(input[first]), let low = hexValue(input[input.index(after: first)])
                else { throw Failure(message: "invalid percent-encoding in \(what)") }
                bytes.append(high << 4 | low)
                index = input.index(first, offsetBy: 2)
                continue
            }
            bytes.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = input.index(after: index)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Failure(message: "\(what) is not valid UTF-8")
        }
        return text
    }

    /// Parses `a=1&b=2` into ordered pairs; empty pieces are skipped, a missing `=` gives an empty value.
    /// Cut on the bytes `&` and `=` as WHATWG URL §5.1 does (comparing `Character`s was most of a query's cost).
    public static func parsePairs(_ input: Substring, what: String) throws(Failure) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for piece in input.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                let name = try percentDecode(piece[..<equals], plusAsSpace: true, what: what)
                let value = try percentDecode(piece[piece.index(after: equals)...], plusAsSpace: true, what: what)
                pairs.append((name, value))
            } else {
                pairs.append((try percentDecode(piece, plusAsSpace: true, what: what), ""))
            }
        }
        return pairs
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters and `/` (kept readable in paths such as
    /// `next=/student`), for query values and form fields.
    public static func encode(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
