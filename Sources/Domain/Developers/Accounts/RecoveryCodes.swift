import Crypto

/// Single-use recovery codes, the way back in when the authenticator is lost (shown once at TOTP enrolment).
///
/// A code is ten characters from an alphabet without look-alikes (no `0 o 1 l i`), shown as `xxxx-xxxx-xx`:
/// 31^10 ≈ 2^49.5 possibilities each, ample for a code that also sits behind the sign-in throttle. Being
/// machine-generated and high-entropy, a code is stored as an HMAC-SHA256 of its canonical form under a key from
/// the developers key file (the slow password hash is for human-chosen secrets, DESIGN §5): 2^49.5 is too few to
/// leave testable offline, so a database dump alone must not allow it. Codes stored before the digests were
/// keyed (a plain SHA-256) keep working until the set is replaced. The canonical form ignores case, dashes and
/// spaces, so the code can be typed as it reads.
public enum RecoveryCodes {
    /// Codes per set.
    public static let count = 10
    /// Characters per code, dashes excluded.
    public static let length = 10
    /// The characters codes are made of.
    public static let alphabet = Array("23456789abcdefghjkmnpqrstuvwxyz")

    /// A new set of ``count`` distinct codes formatted for display, such as `k7m2-9qxa-4t`.
    public static func generate(using generator: inout some RandomNumberGenerator) -> [String] {
        var codes: [String] = []
        while codes.count < count {
            let raw = String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
            let code = format(raw)
            if !codes.contains(code) { codes.append(code) }
        }
        return codes
    }

    /// The canonical form of what a user typed: lower-cased, spaces, tabs and dashes removed; `nil` when the
    /// rest is not ``length`` characters of the ``alphabet`` (so junk never reaches a comparison).
    public static func normalize(_ input: String) -> String? {
        guard input.utf8.count <= 64 else { return nil }
        let kept = input.lowercased().filter { $0 != "-" && $0 != " " && $0 != "\t" }
        guard kept.count == length, kept.allSatisfy(alphabet.contains) else { return nil }
        return kept
    }

    /// HMAC-SHA256(`key`, the code's canonical form): what the store keeps. `nil` for input ``normalize(_:)``
    /// refuses.
    public static func digest(_ code: String, key: SymmetricKey) -> [UInt8]? {
        guard let canonical = normalize(code) else { return nil }
        return Array(HMAC<SHA256>.authenticationCode(for: Array(canonical.utf8), using: key))
    }

    /// The SHA-256 of a code's canonical form: how codes were stored before their digests were keyed.
    public static func legacyDigest(_ code: String) -> [UInt8]? {
        guard let canonical = normalize(code) else { return nil }
        return Array(SHA256.hash(data: Array(canonical.utf8)))
    }

    /// The index in `unusedDigests` of the code the user typed (keyed, or a legacy plain digest), or `nil`. Every
    /// digest is compared in constant time, so timing does not say which one matched. The caller marks that code
    /// used in the same conditional write that accepts it, so a code works once even under parallel requests.
    public static func match(_ input: String, unusedDigests: [[UInt8]], key: SymmetricKey) -> Int? {
        guard let keyed = digest(input, key: key), let legacy = legacyDigest(input) else { return nil }
        var matched: Int? = nil
        for (index, stored) in unusedDigests.enumerated()
        where SecretToken.constantTimeEquals(keyed, stored) || SecretToken.constantTimeEquals(legacy, stored) {
            matched = index
        }
        return matched
    }

    /// `xxxx-xxxx-xx` from ten characters.
    private static func format(_ raw: String) -> String {
        let characters = Array(raw)
        return String(characters[0..<4]) + "-" + String(characters[4..<8]) + "-" + String(characters[8..<10])
    }
}
