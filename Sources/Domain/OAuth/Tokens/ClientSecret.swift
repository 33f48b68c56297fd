import Crypto

/// Client secrets: machine-generated 256-bit random values (`cw_cs_…`), stored only as a keyed hash.
///
/// A secret has full entropy, so a slow password hash would only cost CPU on every token request; a keyed
/// HMAC-SHA256 (DESIGN §5) is as strong against guessing, and the key lives in a file outside the database, so
/// a stolen table alone does not even allow testing a candidate secret.
public enum ClientSecret {
    /// Type prefix of client secrets.
    public static let prefix = "cw_cs_"

    /// A new secret, shown once to the developer and never stored.
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        SecretToken.make(prefix: prefix, using: &generator)
    }

    /// HMAC-SHA256(key, UTF-8 secret): what ``ClientStore`` keeps.
    public static func digest(secret: String, key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: key))
    }

    /// Whether `secret` matches one of the active digests (at most two during a rotation). Every digest is
    /// compared, in constant time, so timing does not tell which one matched or where they differ.
    public static func matches(secret: String, digests: [[UInt8]], key: SymmetricKey) -> Bool {
        let candidate = digest(secret: secret, key: key)
        var matched = false
        for stored in digests {
            matched = SecretToken.constantTimeEquals(candidate, stored) || matched
        }
        return matched
    }
}
