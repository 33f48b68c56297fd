import Crypto
import Foundation

/// Webhook signing secrets and signatures in the Standard Webhooks format (DESIGN §8).
///
/// A secret is `whsec_` and the standard base64 of 32 random bytes; the bytes after decoding are the HMAC key.
/// It is shown once and stored sealed (``KeySealing``), since signing needs it back. A delivery carries
/// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
/// "id.timestamp.body">`; binding id and timestamp into the MAC lets receivers refuse replays and old
/// messages, which the original's body-only signature could not.
public enum WebhookSecret {
    /// Type prefix of webhook secrets.
    public static let prefix = "whsec_"
    /// Random bytes of a secret.
    public static let keyLength = 32
    /// How far a receiver's clock may differ from the timestamp before a message is refused.
    public static let defaultTolerance: TimeInterval = 300

    /// A new secret from `generator`.
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        let bytes = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + Data(bytes).base64EncodedString()
    }

    /// The HMAC key inside a secret; `nil` unless it is `whsec_` and base64 of ``keyLength`` bytes.
    public static func keyBytes(of secret: String) -> [UInt8]? {
        guard secret.hasPrefix(prefix), let data = Data(base64Encoded: String(secret.dropFirst(prefix.count))),
            data.count == keyLength
        else { return nil }
        return Array(data)
    }

    /// The `webhook-signature` value for one delivery: `v1,` and the base64 HMAC-SHA256, under the secret's
    /// key bytes, of `"\(id).\(timestamp).\(body)"`.
    public static func signature(keyBytes: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> String {
        let message = Array("\(id).\(timestamp).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: keyBytes))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// What a receiver does (and what our docs show): whether one of the space-separated signatures in
    /// `header` is a valid `v1` signature and the timestamp is within `tolerance` of `now`. Signatures are
    /// compared in constant time.
    public static func verify(
        header: String, keyBytes: [UInt8], id: String, timestamp: Int64, body: [UInt8], now: Date,
        tolerance: TimeInterval = defaultTolerance
    ) -> Bool {
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Array(signature(keyBytes: keyBytes, id: id, timestamp: timestamp, body: body).utf8)
        var matched = false
        for candidate in header.split(separator: " ") {
            matched = SecretToken.constantTimeEquals(Array(candidate.utf8), expected) || matched
        }
        return matched
    }
}
