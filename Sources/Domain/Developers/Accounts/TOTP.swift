import Crypto
import Foundation

/// Time-based one-time passwords for the developers site's second factor (RFC 6238 over RFC 4226 HOTP).
///
/// - The moving factor is the time step `floor((unix time − T0) / period)` with T0 = 0 (RFC 6238 §4.2).
/// - Codes are the dynamically truncated HMAC (RFC 4226 §5.3), `digits` long with leading zeros.
/// - Verification accepts the current step and ``defaultWindow`` steps either side for clock drift
///   (RFC 6238 §5.2 recommends at most one step back), and refuses any step at or before the last step the
///   account used, so a code seen over a shoulder or in a log cannot be replayed (RFC 6238 §5.2, RFC 4226 §7.2).
/// - The defaults (SHA-1, 6 digits, 30 s) are what every authenticator app implements; SHA-256/512 exist for
///   the RFC 6238 Appendix B vectors.
public enum TOTP {
    /// The HMAC hash (RFC 6238 §1.2).
    public enum Algorithm: String, Sendable, CaseIterable {
        /// HMAC-SHA-1: the algorithm of RFC 4226 and of every authenticator app.
        case sha1 = "SHA1"
        /// HMAC-SHA-256 (RFC 6238 §1.2).
        case sha256 = "SHA256"
        /// HMAC-SHA-512 (RFC 6238 §1.2).
        case sha512 = "SHA512"
    }

    /// Bytes of a new secret: 160 bits, the HMAC-SHA-1 output size RFC 4226 §4 (R6) recommends.
    public static let secretLength = 20
    /// Digits of a code.
    public static let defaultDigits = 6
    /// Seconds per time step (RFC 6238 §5.2).
    public static let defaultPeriod: Int64 = 30
    /// Steps accepted on either side of the current one.
    public static let defaultWindow = 1

    /// A new secret from `generator` (pass `SystemRandomNumberGenerator` in production).
    public static func makeSecret(using generator: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<secretLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The time step of `date` (RFC 6238 §4.2): whole periods since the Unix epoch, rounded down, so a date
    /// before 1970 has a negative step.
    public static func timeStep(at date: Date, period: Int64 = defaultPeriod) -> Int64 {
        precondition(period > 0, "the TOTP period must be positive")
        return Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code for `date`.
    public static func code(
        secret: [UInt8], at date: Date, digits: Int = defaultDigits, period: Int64 = defaultPeriod,
        algorithm: Algorithm = .sha1
    ) -> String {
        hotp(secret: secret, counter: UInt64(bitPattern: timeStep(at: date, period: period)), digits: digits, algorithm: algorithm)
    }

    /// RFC 4226 §5.3 HOTP: HMAC over the 8-byte big-endian counter, dynamic truncation to 31 bits, the low
    /// `digits` decimal digits with leading zeros. `digits` is 6…9 (RFC 4226 §5.3 asks for at least 6; ten
    /// digits would exceed the 31-bit value).
    public static func hotp(secret: [UInt8], counter: UInt64, digits: Int = defaultDigits, algorithm: Algorithm = .sha1) -> String {
        precondition((6...9).contains(digits), "HOTP codes have 6 to 9 digits")
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64($0))) }
        let key = SymmetricKey(data: secret)
        let mac: [UInt8]
        switch algorithm {
        case .sha1: mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: mac = Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The time step `code` belongs to, or `nil` when it matches no step in `now ± window` that is later than
    /// `lastUsedStep`. The caller stores the returned step as the account's new last used step, atomically
    /// with the sign-in, so the same code (or an older one) is refused next time.
    ///
    /// The code may contain spaces (apps show `123 456`); anything else that is not exactly `digits` ASCII
    /// digits is refused. Every candidate step is computed and compared in constant time, so timing says
    /// nothing about which step matched. Should two steps of the window both produce the code, the later one
    /// is returned, so the code cannot be used a second time for the later step.
    public static func verify(
        code: String, secret: [UInt8], at date: Date, window: Int = defaultWindow, lastUsedStep: Int64?,
        digits: Int = defaultDigits, period: Int64 = defaultPeriod, algorithm: Algorithm = .sha1
    ) -> Int64? {
        precondition(window >= 0, "the TOTP window cannot be negative")
        let typed = Array(code.utf8.filter { $0 != UInt8(ascii: " ") })
        guard typed.count == digits, typed.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let current = timeStep(at: date, period: period)
        var matched: Int64? = nil
        for offset in -window...window {
            let (step, overflow) = current.addingReportingOverflow(Int64(offset))
            guard !overflow, step >= 0 else { continue }
            if let lastUsedStep, step <= lastUsedStep { continue }
            let expected = Array(hotp(secret: secret, counter: UInt64(step), digits: digits, algorithm: algorithm).utf8)
            if SecretToken.constantTimeEquals(expected, typed) { matched = step }
        }
        return matched
    }

    /// The `otpauth://` Key URI that authenticator apps read from the enrolment QR code:
    /// `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
    ///
    /// Issuer and account are percent-encoded separately (UTF-8, everything but RFC 3986 unreserved characters
    /// and `@`), so a colon or space inside either cannot shift the `Issuer:account` split; the secret is
    /// unpadded base32. The issuer is repeated as a parameter, which apps prefer over the label prefix.
    public static func provisioningURI(
        secret: [UInt8], issuer: String, account: String, digits: Int = defaultDigits, period: Int64 = defaultPeriod,
        algorithm: Algorithm = .sha1
    ) -> String {
        let label = percentEncode(issuer) + ":" + percentEncode(account)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(percentEncode(issuer))"
            + "&algorithm=\(algorithm.rawValue)&digits=\(digits)&period=\(period)"
    }

    /// RFC 3986 §2.1 percent-encoding of UTF-8 bytes, keeping unreserved characters (§2.3) and `@` (allowed
    /// in a path segment, and what apps show in an email account name).
    static func percentEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            let keep =
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "-._~@".utf8.contains(byte)
            if keep {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(hex[Int(byte >> 4)])
                output.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }
}
