/// RFC 4648 §6 base32 (alphabet `A–Z2–7`), the encoding authenticator apps expect for TOTP secrets.
///
/// Encoding leaves out the `=` padding by default: the Key URI format of authenticator apps omits it, and a
/// secret shown on a page is easier to type without it.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes `bytes`; with `padding` the output is padded with `=` to a multiple of 8 characters (RFC 4648 §6).
    public static func encode(_ bytes: [UInt8], padding: Bool = false) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 4) / 5 * 8)
        var buffer: UInt32 = 0
        var bitCount = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bitCount += 8
            while bitCount >= 5 {
                bitCount -= 5
                output.append(alphabet[Int((buffer >> UInt32(bitCount)) & 0x1F)])
            }
            buffer &= (1 << UInt32(bitCount)) - 1
        }
        if bitCount > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bitCount)) & 0x1F)])
        }
        if padding {
            while output.count % 8 != 0 { output.append(UInt8(ascii: "=")) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base32 as people and apps write it: case-insensitive, with or without `=` padding, spaces and
    /// dashes ignored (secrets are often shown in groups). `nil` for any other character, for a length no
    /// encoder produces (1, 3 or 6 characters in the last group), or for non-zero bits left over at the end.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        var sawPadding = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: "="):
                sawPadding = true
                continue
            default:
                break
            }
            guard !sawPadding else { return nil }
            let upper = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) ? byte - 32 : byte
            if upper >= UInt8(ascii: "A") && upper <= UInt8(ascii: "Z") {
                values.append(UInt32(upper - UInt8(ascii: "A")))
            } else if upper >= UInt8(ascii: "2") && upper <= UInt8(ascii: "7") {
                values.append(UInt32(upper - UInt8(ascii: "2") + 26))
            } else {
                return nil
            }
        }
        guard ![1, 3, 6].contains(values.count % 8) else { return nil }
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bitCount = 0
        for value in values {
            buffer = (buffer << 5) | value
            bitCount += 5
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8((buffer >> UInt32(bitCount)) & 0xFF))
                buffer &= (1 << UInt32(bitCount)) - 1
            }
        }
        guard buffer == 0 else { return nil }
        return output
    }
}
