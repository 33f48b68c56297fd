import Crypto

/// The `sid` claim (OIDC Front-/Back-Channel Logout §3 and §2.4): one identifier per browser session, the same in
/// every ID token and logout token issued for that session, so an app can match a logout token to its own session.
///
/// It is the first 128 bits of HMAC-SHA256 over the session's digest (the SHA-256 of the cookie that `sessions` is
/// keyed by) under a key derived from the OAuth key file: not the cookie, and not something the cookie or the digest
/// can be recovered from, while any worker can compute it again from the digest without a lookup.
public enum SessionIdentifier {
    /// The `sid` of the session whose cookie has this SHA-256 digest.
    public static func sid(sessionDigest: [UInt8], key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: sessionDigest, using: key)
        return SecretToken.base64URL(Array(mac).prefix(16))
    }
}
