import Crypto

/// A passkey that passed registration: what the store keeps for the account.
public struct RegisteredPasskey: Sendable, Equatable {
    /// The credential id (the browser's `rawId`); unique across all accounts, which the store must enforce.
    public let credentialID: [UInt8]
    /// The COSE_Key as the authenticator sent it: stored, and read again with ``PasskeyPublicKey/init(cose:)``.
    public let publicKey: [UInt8]
    /// ES256 (-7) or RS256 (-257).
    public let coseAlgorithm: Int64
    /// The counter at registration (the floor for the first sign-in).
    public let signCount: UInt32
    /// BE: a synced passkey. Fixed for the credential's life; sign-ins must report the same.
    public let backupEligible: Bool
    /// BS: backed up at registration (it may change later).
    public let backedUp: Bool
    /// Whether the authenticator verified the person while registering.
    public let userVerified: Bool
    /// The authenticator model (16 bytes, zero when anonymised).
    public let aaguid: [UInt8]
    /// `none` or `packed` (self-attestation).
    public let attestationFormat: String
}

/// The registration ceremony's checks (WebAuthn Level 2 §7.1), given the response the browser posted and the
/// ceremony state from the browser's sealed cookie:
/// 1. the ceremony is a registration (step 1 of ours: a sign-in's challenge is not reusable here);
/// 2. `clientDataJSON`: type `webauthn.create`, our challenge, one of our origins, not cross-origin (steps 5–10);
/// 3. the attestation object is one CBOR map with `fmt` (text), `attStmt` (map) and `authData` (bytes) (step 12);
/// 4. `rpIdHash` is SHA-256 of our RP id, UP is set, UV is set when `requireUserVerification` (steps 13–15);
/// 5. attested credential data is present and its key is ES256 or RS256 ≥ 2048 bits, an algorithm we offered
///    (step 16);
/// 6. the attestation statement is `none` with an empty statement, or `packed` self-attestation (no `x5c`) whose
///    `alg` is the credential's and whose `sig` over `authData ‖ SHA-256(clientDataJSON)` verifies with the
///    credential's own key (§8.2 "If x5c is not present"); any other format is refused (steps 18–21). With
///    attestation conveyance `none`, which our options ask for, browsers send `none`.
/// What stays with the caller: that the credential id is not registered yet (step 22), then storing the result.
public enum PasskeyRegistration {
    /// Longest attestation object accepted.
    public static let maximumAttestationObjectLength = 16_384

    /// Checks a registration response.
    public static func verify(
        attestationObject: [UInt8], clientDataJSON: [UInt8], ceremony: PasskeyCeremony, relyingParty: PasskeyRelyingParty,
        requireUserVerification: Bool
    ) -> Result<RegisteredPasskey, PasskeyRefusal> {
        do {
            return .success(
                try check(
                    attestationObject: attestationObject, clientDataJSON: clientDataJSON, ceremony: ceremony, relyingParty: relyingParty,
                    requireUserVerification: requireUserVerification))
        } catch {
            return .failure(error)
        }
    }

    private static func check(
        attestationObject: [UInt8], clientDataJSON: [UInt8], ceremony: PasskeyCeremony, relyingParty: PasskeyRelyingParty,
        requireUserVerification: Bool
    ) throws(PasskeyRefusal) -> RegisteredPasskey {
        guard ceremony.purpose == .registration else { throw .wrongCeremony }
        try CollectedClientData.check(
            clientDataJSON, type: CollectedClientData.createType, challenge: ceremony.challenge, origins: relyingParty.origins)

        guard attestationObject.count <= maximumAttestationObjectLength else {
            throw .malformed("attestation object longer than \(maximumAttestationObjectLength) bytes")
        }
        let object: CBORValue
        do {
            object = try CBORDecoder.decode(attestationObject)
        } catch {
            throw .malformed("attestation object: \(error.reason)")
        }
        guard case .map = object, let format = object["fmt"]?.textValue, let statement = object["attStmt"]?.mapValue,
            let authDataBytes = object["authData"]?.bytesValue
        else { throw .malformed("attestation object without fmt, attStmt and authData") }

        let authData = try AuthenticatorData(authDataBytes)
        guard authData.rpIDHash == relyingParty.idHash else { throw .wrongRelyingParty }
        guard authData.flags.contains(.userPresent) else { throw .userNotPresent }
        if requireUserVerification, !authData.flags.contains(.userVerified) { throw .userNotVerified }
        guard let credential = authData.attestedCredential else { throw .noCredentialData }
        let key = try PasskeyPublicKey(cose: credential.publicKey)

        switch format {
        case "none":
            guard statement.isEmpty else { throw .malformed("attestation format none with a statement") }
        case "packed":
            if statement["x5c"] != nil { throw .attestationNotSupported("packed with a certificate chain") }
            if statement["ecdaaKeyId"] != nil { throw .attestationNotSupported("packed with ECDAA") }
            guard let alg = statement["alg"]?.intValue, let signature = statement["sig"]?.bytesValue, statement.count == 2 else {
                throw .malformed("packed attestation statement without alg and sig")
            }
            guard alg == key.coseAlgorithm else { throw .badAttestationSignature }
            let signed = authDataBytes + Array(SHA256.hash(data: clientDataJSON))
            guard key.isValidSignature(signature, for: signed) else { throw .badAttestationSignature }
        default:
            throw .attestationNotSupported(String(format.prefix(32)))
        }

        return RegisteredPasskey(
            credentialID: credential.credentialID, publicKey: credential.publicKey, coseAlgorithm: key.coseAlgorithm,
            signCount: authData.signCount, backupEligible: authData.flags.contains(.backupEligible),
            backedUp: authData.flags.contains(.backedUp), userVerified: authData.flags.contains(.userVerified), aaguid: credential.aaguid,
            attestationFormat: format)
    }
}
