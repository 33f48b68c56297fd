import Crypto
import Foundation

/// Server-provided DPoP nonces (RFC 9449 §8), without state: a nonce is the HMAC of a time slot under a key derived
/// from `oauth.key_file`, so every worker of every host issues and accepts the same values. A nonce is accepted
/// in its own slot and the next one, so it lives between one and two ``slotLength``s; an old nonce is answered
/// with `use_dpop_nonce` and a fresh one.
public enum DPoPNonce {
    /// Seconds per slot.
    public static let slotLength: TimeInterval = 120

    /// The nonce to hand out at `now` (the `DPoP-Nonce` header).
    public static func current(now: Date, key: SymmetricKey) -> String {
        value(slot: slot(of: now), key: key)
    }

    /// Whether `nonce` was issued in the current or the previous slot.
    public static func accepts(_ nonce: String, now: Date, key: SymmetricKey) -> Bool {
        let current = slot(of: now)
        return nonce == value(slot: current, key: key) || nonce == value(slot: current - 1, key: key)
    }

    private static func slot(of date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / slotLength).rounded(.down)) }

    private static func value(slot: Int64, key: SymmetricKey) -> String {
        var message = Array("dpop-nonce".utf8)
        withUnsafeBytes(of: slot.bigEndian) { message.append(contentsOf: $0) }
        return SecretToken.base64URL(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)).prefix(24))
    }
}

/// The replay cache of DPoP proofs (RFC 9449 §11.1): each proof's `jti` (per key) is accepted once while its `iat`
/// is inside the accepted window.
public protocol DPoPProofStore {
    /// Records the use of a proof; `false` when that digest was recorded before (a replay). One atomic statement:
    /// of two concurrent uses exactly one gets `true`.
    func recordProofUse(digest: [UInt8], expiresAt: Date) throws -> Bool
    /// Deletes entries that expired before `before`; returns how many.
    func purgeProofUses(before: Date) throws -> Int
}
