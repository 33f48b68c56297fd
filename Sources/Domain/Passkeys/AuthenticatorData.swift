/// Authenticator data (WebAuthn §6.1) as an authenticator sent it: what it signs in both ceremonies.
///
/// Layout: `rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian)`, then the attested credential data when AT is
/// set (§6.5.1: `aaguid (16) ‖ credentialIdLength (2) ‖ credentialId ‖ credentialPublicKey (a COSE_Key)`), then
/// the extension outputs (a CBOR map) when ED is set, then nothing. Refused: fewer than 37 bytes, a credential id
/// over 1023 bytes (§5.1.3 of Level 3), BS without BE (§6.1.3), a key or extensions that are not one CBOR map,
/// and any byte left over. Extension outputs are read (so they are well-formed and bounded) and otherwise ignored:
/// we ask for none.
public struct AuthenticatorData: Sendable, Equatable {
    /// The flags byte (§6.1, table "flags").
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// UP: a person touched or otherwise confirmed presence.
        public static let userPresent = Flags(rawValue: 1 << 0)
        /// UV: the authenticator verified the person (PIN, biometrics).
        public static let userVerified = Flags(rawValue: 1 << 2)
        /// BE: the credential may be backed up (a synced passkey).
        public static let backupEligible = Flags(rawValue: 1 << 3)
        /// BS: the credential is backed up now.
        public static let backedUp = Flags(rawValue: 1 << 4)
        /// AT: attested credential data follows.
        public static let attestedCredentialData = Flags(rawValue: 1 << 6)
        /// ED: extension outputs follow.
        public static let extensionData = Flags(rawValue: 1 << 7)
    }

    /// A new credential's id and key (§6.5.1).
    public struct AttestedCredential: Sendable, Equatable {
        /// The authenticator model's AAGUID (16 bytes; zero when the browser anonymised it).
        public let aaguid: [UInt8]
        /// The credential id (at most ``maximumCredentialIDLength`` bytes).
        public let credentialID: [UInt8]
        /// The COSE_Key exactly as sent: what is stored and read again at each sign-in.
        public let publicKey: [UInt8]
    }

    /// Longest credential id accepted (Level 3 §5.1.3 and §7.1 step "credentialId length").
    public static let maximumCredentialIDLength = 1023
    /// Longest authenticator data accepted: an 8192-bit RSA key with a 1023-byte id fits with room for extensions.
    public static let maximumLength = 8192

    /// SHA-256 of the relying party id the authenticator used.
    public let rpIDHash: [UInt8]
    public let flags: Flags
    /// The signature counter (0 for authenticators without one, such as most synced passkeys).
    public let signCount: UInt32
    /// Present when AT is set.
    public let attestedCredential: AttestedCredential?
    /// The bytes read: what the assertion signature covers.
    public let bytes: [UInt8]

    /// Reads authenticator data.
    public init(_ bytes: [UInt8]) throws(PasskeyRefusal) {
        guard bytes.count <= Self.maximumLength else { throw .malformed("authenticator data longer than \(Self.maximumLength) bytes") }
        guard bytes.count >= 37 else { throw .malformed("authenticator data shorter than 37 bytes") }
        rpIDHash = Array(bytes[0..<32])
        flags = Flags(rawValue: bytes[32])
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        guard flags.contains(.backupEligible) || !flags.contains(.backedUp) else {
            throw .malformed("backed up (BS) but not backup eligible (BE)")
        }
        var index = 37
        if flags.contains(.attestedCredentialData) {
            guard bytes.count - index >= 18 else { throw .malformed("attested credential data cut short") }
            let aaguid = Array(bytes[index..<index + 16])
            let length = Int(bytes[index + 16]) << 8 | Int(bytes[index + 17])
            index += 18
            guard length <= Self.maximumCredentialIDLength else { throw .malformed("credential id longer than 1023 bytes") }
            guard length > 0 else { throw .malformed("empty credential id") }
            guard bytes.count - index >= length else { throw .malformed("credential id cut short") }
            let credentialID = Array(bytes[index..<index + length])
            index += length
            let end = try Self.map(in: bytes, at: index, what: "credential public key")
            attestedCredential = AttestedCredential(aaguid: aaguid, credentialID: credentialID, publicKey: Array(bytes[index..<end]))
            index = end
        } else {
            attestedCredential = nil
        }
        if flags.contains(.extensionData) {
            index = try Self.map(in: bytes, at: index, what: "extension outputs")
        }
        guard index == bytes.count else { throw .malformed("\(bytes.count - index) bytes after the authenticator data") }
        self.bytes = bytes
    }

    /// The end of the CBOR map that starts at `offset`.
    private static func map(in bytes: [UInt8], at offset: Int, what: String) throws(PasskeyRefusal) -> Int {
        let decoded: (value: CBORValue, end: Int)
        do {
            decoded = try CBORDecoder.decodeItem(bytes, at: offset)
        } catch {
            throw .malformed("\(what): \(error.reason)")
        }
        guard case .map = decoded.value else { throw .malformed("\(what) is not a CBOR map") }
        return decoded.end
    }
}
