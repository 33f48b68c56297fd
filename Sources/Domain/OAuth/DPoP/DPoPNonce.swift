import Crypto
import Foundation
import Synchronization

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
    public static func accepts(_ nonce: String, now: Date, key: SymmetricKey) -> Bool { age(of: nonce, now: now, key: key) != nil }

    /// How old an accepted nonce is.
    public enum Age: Sendable, Equatable {
        /// Issued in the current slot: accepted in the next one too.
        case current
        /// Issued in the previous slot: accepted until this one ends, so a successful answer hands out the current
        /// nonce (RFC 9449 §8.2) and the client's next request needs no `use_dpop_nonce` round trip.
        case lastSlot
    }

    /// The age of `nonce` at `now`, or `nil` when it is not one of the two accepted.
    public static func age(of nonce: String, now: Date, key: SymmetricKey) -> Age? {
        let current = slot(of: now)
        if nonce == value(slot: current, key: key) { return .current }
        return nonce == value(slot: current - 1, key: key) ? .lastSlot : nil
    }

    static func slot(of date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / slotLength).rounded(.down)) }

    static func value(slot: Int64, key: SymmetricKey) -> String {
        var message = Array("dpop-nonce".utf8)
        withUnsafeBytes(of: slot.bigEndian) { message.append(contentsOf: $0) }
        return SecretToken.base64URL(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)).prefix(24))
    }
}

/// ``DPoPNonce`` under one key, each slot's nonce computed once: a request checks one nonce and may hand out
/// another, and each HMAC cost more than the rest of the nonce rule (swift-crypto sets the key up on every call).
/// The values depend only on the key and the slot, so a worker's copy is never stale.
public final class DPoPNonces: Sendable {
    private let key: SymmetricKey
    private let known = Mutex<(slot: Int64, current: String, previous: String)?>(nil)

    /// Nonces under `key` (``OAuthKeyMaterial/dpopNonceKey``).
    public init(key: SymmetricKey) { self.key = key }

    /// ``DPoPNonce/current(now:key:)``.
    public func current(now: Date) -> String { slots(at: now).current }

    /// ``DPoPNonce/age(of:now:key:)``.
    public func age(of nonce: String, now: Date) -> DPoPNonce.Age? {
        let (current, previous) = slots(at: now)
        if nonce == current { return .current }
        return nonce == previous ? .lastSlot : nil
    }

    private func slots(at now: Date) -> (current: String, previous: String) {
        let slot = DPoPNonce.slot(of: now)
        if let known = known.withLock({ $0 }), known.slot == slot { return (known.current, known.previous) }
        let fresh = (slot: slot, current: DPoPNonce.value(slot: slot, key: key), previous: DPoPNonce.value(slot: slot - 1, key: key))
        known.withLock { $0 = fresh }
        return (fresh.current, fresh.previous)
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
