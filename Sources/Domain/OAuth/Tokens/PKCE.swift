import Crypto

/// Proof Key for Code Exchange (RFC 7636), S256 only: `plain` is refused (RFC 9700 §2.1.1).
public enum PKCE {
    /// Allowed `code_verifier` lengths (RFC 7636 §4.1).
    public static let verifierLengths = 43...128

    /// RFC 7636 §4.1: `code-verifier = 43*128unreserved`, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
    public static func isValidVerifier(_ verifier: String) -> Bool {
        verifierLengths.contains(verifier.utf8.count) && verifier.utf8.allSatisfy(isUnreserved)
    }

    /// RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)) without padding: 43 characters of the
    /// base64url alphabet.
    public static func isValidS256Challenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43
            && challenge.utf8.allSatisfy { byte in
                isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }

    /// RFC 7636 §4.2: `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
    public static func s256Challenge(verifier: String) -> String {
        SecretToken.base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// RFC 7636 §4.6: whether `verifier` is well formed and hashes to `challenge` (compared in constant time).
    public static func verify(verifier: String, challenge: String) -> Bool {
        guard isValidVerifier(verifier) else { return false }
        return SecretToken.constantTimeEquals(Array(s256Challenge(verifier: verifier).utf8), Array(challenge.utf8))
    }

    /// RFC 3986 §2.3 unreserved characters.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "~")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
    }
}
