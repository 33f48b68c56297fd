import Crypto

/// Encrypts signing keys for storage with AES-256-GCM under a key kept in a file outside the database, so a
/// database dump alone cannot sign ID tokens.
///
/// The sealed form is `nonce (12) ‖ ciphertext ‖ tag (16)` (swift-crypto's `combined`). The key id is bound
/// as associated data, so a sealed key copied onto another row fails to open.
public enum KeySealing {
    /// Seals `plaintext`. The nonce comes from `generator` (pass `SystemRandomNumberGenerator` in production).
    public static func seal(
        _ plaintext: [UInt8], key: SymmetricKey, associatedData: [UInt8], using generator: inout some RandomNumberGenerator
    ) throws -> [UInt8] {
        guard key.bitCount == 256 else { throw SigningKeyError.sealingKeyNot256Bits }
        var nonceBytes = [UInt8](repeating: 0, count: 12)
        for index in nonceBytes.indices { nonceBytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: nonceBytes), authenticating: associatedData)
        guard let combined = box.combined else { throw SigningKeyError.sealingFailed }
        return Array(combined)
    }

    /// Opens what ``seal(_:key:associatedData:using:)`` produced; throws ``SigningKeyError/sealedKeyRejected``
    /// when the key, the associated data or any byte differs.
    public static func open(_ sealed: [UInt8], key: SymmetricKey, associatedData: [UInt8]) throws -> [UInt8] {
        guard key.bitCount == 256 else { throw SigningKeyError.sealingKeyNot256Bits }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: key, authenticating: associatedData))
        } catch {
            throw SigningKeyError.sealedKeyRejected
        }
    }
}

/// Why a signing key could not be made, loaded or used. The description is for operators (CLI, logs).
public struct SigningKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Base: String, Sendable {
        case sealingKeyNot256Bits = "the key-sealing key must be 256 bits"
        case sealingFailed = "sealing the signing key failed"
        case sealedKeyRejected = "the sealed signing key does not open with this key (wrong key file or tampered row)"
        case malformedPrivateKey = "the private key could not be read"
        case keyIDMismatch = "the stored key does not match its kid (the row was edited)"
        case signingFailed = "signing failed"
    }
    private let base: Base
    private init(_ base: Base) { self.base = base }
    public var description: String { base.rawValue }

    /// The `SymmetricKey` given for sealing is not 256 bits.
    public static let sealingKeyNot256Bits = SigningKeyError(.sealingKeyNot256Bits)
    /// AES-GCM sealing failed.
    public static let sealingFailed = SigningKeyError(.sealingFailed)
    /// Authentication failed while opening: wrong key, other row, or tampered bytes.
    public static let sealedKeyRejected = SigningKeyError(.sealedKeyRejected)
    /// The opened bytes are not a private key of the algorithm.
    public static let malformedPrivateKey = SigningKeyError(.malformedPrivateKey)
    /// The opened key's thumbprint is not the row's `kid`.
    public static let keyIDMismatch = SigningKeyError(.keyIDMismatch)
    /// The crypto library refused to sign.
    public static let signingFailed = SigningKeyError(.signingFailed)
}
