import Crypto

/// The two keys derived from the installation's OAuth key file (32 random bytes), so that one secret never
/// serves two purposes: HKDF-SHA256 (RFC 5869) with a distinct `info` for each.
public struct OAuthKeyMaterial: Sendable {
    /// Keys the HMAC digests of client secrets (``ClientSecret``).
    public let clientSecretKey: SymmetricKey
    /// Seals ID-token signing keys at rest (``KeySealing``).
    public let sealingKey: SymmetricKey

    /// Derives both keys from the file's bytes.
    public init(secret: [UInt8]) {
        let input = SymmetricKey(data: secret)
        clientSecretKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: input, info: Array("catalystwells client-secret digests v1".utf8), outputByteCount: 32)
        sealingKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: input, info: Array("catalystwells signing-key sealing v1".utf8), outputByteCount: 32)
    }
}
