import Crypto

/// A registered passkey as the store gives it back for a sign-in.
public struct StoredPasskey: Sendable, Equatable {
    public var credentialID: [UInt8]
    /// The account the passkey signs in.
    public var owner: PasskeyAccount
    /// The WebAuthn user handle (`user.id` of the registration options) of ``owner``.
    public var userHandle: [UInt8]
    /// The COSE_Key kept from registration.
    public var publicKey: [UInt8]
    /// The highest counter seen so far.
    public var signCount: UInt32
    /// BE at registration.
    public var backupEligible: Bool

    public init(credentialID: [UInt8], owner: PasskeyAccount, userHandle: [UInt8], publicKey: [UInt8], signCount: UInt32, backupEligible: Bool) {
        self.credentialID = credentialID
        self.owner = owner
        self.userHandle = userHandle
        self.publicKey = publicKey
        self.signCount = signCount
        self.backupEligible = backupEligible
    }
}

/// What a verified sign-in changes on the stored passkey.
public struct VerifiedPasskeyAssertion: Sendable, Equatable {
    /// The account signed in.
    public let account: PasskeyAccount
    /// The counter to store (unchanged at 0 for authenticators without one).
    public let signCount: UInt32
    /// BS now (a passkey may become backed up after registration).
    public let backedUp: Bool
    /// Whether the authenticator verified the person (an `amr` of `user` and `pop`, or only `pop`).
    public let userVerified: Bool
}

/// The sign-in ceremony's checks (WebAuthn Level 2 §7.2), given the response the browser posted, the passkey the
/// store found by the response's credential id, and the ceremony state from the browser's sealed cookie:
/// 1. the ceremony is a sign-in; if it named an account, the passkey is that account's; a user handle, when sent,
///    is the passkey's; without a named account one is required (step 6);
/// 2. `clientDataJSON`: type `webauthn.get`, our challenge, one of our origins, not cross-origin (steps 10–14);
/// 3. `rpIdHash` is SHA-256 of our RP id, UP is set, UV is set when `requireUserVerification` (steps 15–17);
/// 4. BE is what it was at registration (Level 3 §7.2 step "backup eligibility");
/// 5. the signature over `authenticatorData ‖ SHA-256(clientDataJSON)` verifies with the stored key (steps 19–20);
/// 6. the counter grew, unless both the stored and the new one are 0 (step 21: a counter that did not grow is
///    refused as a possible clone).
/// What stays with the caller: finding the passkey by credential id (and, for a named account, that the id was
/// one offered), refusing a challenge used before, and storing the new counter and BS.
public enum PasskeyAssertion {
    /// Longest signature accepted (an 8192-bit RSA signature).
    public static let maximumSignatureLength = 1024

    /// Checks a sign-in response.
    public static func verify(
        authenticatorData: [UInt8], clientDataJSON: [UInt8], signature: [UInt8], userHandle: [UInt8]?, credential: StoredPasskey,
        ceremony: PasskeyCeremony, relyingParty: PasskeyRelyingParty, requireUserVerification: Bool
    ) -> Result<VerifiedPasskeyAssertion, PasskeyRefusal> {
        do {
            return .success(
                try check(
                    authenticatorData: authenticatorData, clientDataJSON: clientDataJSON, signature: signature, userHandle: userHandle,
                    credential: credential, ceremony: ceremony, relyingParty: relyingParty, requireUserVerification: requireUserVerification))
        } catch {
            return .failure(error)
        }
    }

    private static func check(
        authenticatorData: [UInt8], clientDataJSON: [UInt8], signature: [UInt8], userHandle: [UInt8]?, credential: StoredPasskey,
        ceremony: PasskeyCeremony, relyingParty: PasskeyRelyingParty, requireUserVerification: Bool
    ) throws(PasskeyRefusal) -> VerifiedPasskeyAssertion {
        guard ceremony.purpose == .signIn else { throw .wrongCeremony }
        if let named = ceremony.account, named != credential.owner { throw .wrongAccount("the passkey of another account than the one named") }
        if let userHandle {
            guard SecretToken.constantTimeEquals(userHandle, credential.userHandle) else { throw .wrongAccount("user handle differs") }
        } else if ceremony.account == nil {
            throw .wrongAccount("no user handle in a sign-in without a username")
        }

        try CollectedClientData.check(clientDataJSON, type: CollectedClientData.getType, challenge: ceremony.challenge, origins: relyingParty.origins)

        let authData = try AuthenticatorData(authenticatorData)
        guard authData.rpIDHash == relyingParty.idHash else { throw .wrongRelyingParty }
        guard authData.flags.contains(.userPresent) else { throw .userNotPresent }
        if requireUserVerification, !authData.flags.contains(.userVerified) { throw .userNotVerified }
        guard authData.flags.contains(.backupEligible) == credential.backupEligible else { throw .backupEligibilityChanged }

        guard signature.count <= maximumSignatureLength else { throw .badSignature }
        let key = try PasskeyPublicKey(cose: credential.publicKey)
        let signed = authenticatorData + Array(SHA256.hash(data: clientDataJSON))
        guard key.isValidSignature(signature, for: signed) else { throw .badSignature }

        let received = authData.signCount
        guard received > credential.signCount || (received == 0 && credential.signCount == 0) else {
            throw .counterWentBackwards(stored: credential.signCount, received: received)
        }
        return VerifiedPasskeyAssertion(
            account: credential.owner, signCount: received, backedUp: authData.flags.contains(.backedUp),
            userVerified: authData.flags.contains(.userVerified))
    }
}
