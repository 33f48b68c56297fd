import Crypto

/// The keys the developers site derives from its key file (`developers.key_file`, 32 random bytes, readable by
/// the developers pool's user only): HKDF-SHA256 (RFC 5869) with a distinct `info` per purpose, so no key
/// serves two.
public struct DeveloperKeyMaterial: Sendable {
    /// Seals TOTP seeds at rest with AES-256-GCM (``KeySealing``): the seed must be recoverable to check codes,
    /// so it is encrypted rather than hashed, and a database dump alone does not yield it.
    public let totpSealingKey: SymmetricKey
    /// Seals webhook signing secrets at rest, for the same reason: they are needed in the clear to sign.
    public let webhookSealingKey: SymmetricKey
    /// Signs the short-lived ``SecondFactorTicket`` between the password step and the code step of a sign-in.
    public let secondFactorTicketKey: SymmetricKey
    /// Keys the digests of recovery codes (``RecoveryCodes``), so a database dump alone cannot test candidates.
    public let recoveryCodeKey: SymmetricKey
    /// Seals the portal's passkey ceremony cookie (the challenge between the options and the answer).
    public let passkeyCeremonyKey: SymmetricKey

    /// Derives the keys from the file's bytes.
    public init(secret: [UInt8]) {
        let input = SymmetricKey(data: secret)
        func derive(_ label: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: input, info: Array(label.utf8), outputByteCount: 32)
        }
        totpSealingKey = derive("catalystwells developers totp-seed sealing v1")
        webhookSealingKey = derive("catalystwells developers webhook-secret sealing v1")
        secondFactorTicketKey = derive("catalystwells developers second-factor ticket v1")
        recoveryCodeKey = derive("catalystwells developers recovery-code digests v1")
        passkeyCeremonyKey = derive("catalystwells developers passkey ceremony v1")
    }

    /// The associated data that binds a sealed TOTP seed to its account, so a sealed seed copied onto another
    /// account's row does not open.
    public static func totpAssociatedData(_ developer: DeveloperID) -> [UInt8] {
        Array("totp:\(developer.rawValue)".utf8)
    }
}

/// Proof that a developer passed the password step of a sign-in and still owes the TOTP code: a cookie value
/// `id.expiry.mac`, HMAC-SHA256 under ``DeveloperKeyMaterial/secondFactorTicketKey``.
///
/// It is worth exactly what the password is worth, for ``lifetime`` seconds: it opens the code form, nothing
/// else. Code attempts are throttled per account, and a code step is accepted once (RFC 6238 §5.2), so
/// holding a ticket does not help to guess or replay codes.
public enum SecondFactorTicket {
    /// How long the code form stays open after the password step, in seconds.
    public static let lifetime: Int64 = 300

    /// A ticket for `developer`, valid until `now + lifetime`.
    public static func issue(for developer: DeveloperID, now: Int64, key: SymmetricKey) -> String {
        let payload = "\(developer.rawValue).\(now + lifetime)"
        return payload + "." + mac(payload, key: key)
    }

    /// The developer a well-formed, authentic and unexpired ticket names; `nil` otherwise.
    public static func verify(_ ticket: String, now: Int64, key: SymmetricKey) -> DeveloperID? {
        let parts = ticket.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let id = Int64(parts[0]), id > 0, let expiry = Int64(parts[1]) else { return nil }
        let payload = "\(parts[0]).\(parts[1])"
        guard SecretToken.constantTimeEquals(Array(mac(payload, key: key).utf8), Array(parts[2].utf8)), now < expiry else {
            return nil
        }
        return DeveloperID(id)
    }

    private static func mac(_ payload: String, key: SymmetricKey) -> String {
        SecretToken.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key)))
    }
}
