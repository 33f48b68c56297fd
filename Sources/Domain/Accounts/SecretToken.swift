import Crypto
import Foundation

/// Random bearer secrets (session cookies, password links) and the digests stored in their place.
///
/// A token is 32 random bytes (256 bits), base64url without padding, behind a type prefix so a leaked value
/// says what it is. Only ``digest(_:)`` of a token is ever stored: a database dump cannot be replayed.
public enum SecretToken {
    /// A new token such as `cw_ses_…`; the random source is a parameter so tests can fix it.
    public static func make(prefix: String, using generator: inout some RandomNumberGenerator) -> String {
        // Four 64-bit draws rather than 32 byte draws: the system generator makes a system call per draw.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            var word = generator.next()
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return prefix + base64URL(bytes)
    }

    /// The SHA-256 of the token's UTF-8 bytes: what the database keeps.
    public static func digest(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// Whether `token` has the shape of a token of this prefix (checked before any lookup, so junk costs
    /// nothing and never reaches the database).
    public static func isWellFormed(_ token: String, prefix: String) -> Bool {
        guard token.hasPrefix(prefix) else { return false }
        let body = token.utf8.dropFirst(prefix.utf8.count)
        return body.count == 43
            && body.allSatisfy { byte in
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2D || byte == 0x5F
            }
    }

    /// Constant-time comparison of two byte strings of any length.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// RFC 4648 §5 base64url without padding.
    public static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        // Written directly: Foundation's base64 followed by three `replacingOccurrences` (through NSString) was
        // a sixth of a code exchange's instructions, RSA included.
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(group >> 18 & 0x3F)])
            out.append(alphabet[Int(group >> 12 & 0x3F)])
            if second != nil { out.append(alphabet[Int(group >> 6 & 0x3F)]) }
            if third != nil { out.append(alphabet[Int(group & 0x3F)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
}

/// Prefixes of the app site's tokens.
public enum TokenPrefix {
    /// Browser session cookies.
    public static let session = "cw_ses_"
    /// The anonymous CSRF cookie of signed-out forms.
    public static let formCookie = "cw_frm_"
    /// Password reset and set-password links.
    public static let passwordLink = "cw_pwl_"
}
