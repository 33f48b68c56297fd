/// Why a passkey registration or sign-in was refused. ``message`` is plain text for the page (the page escapes it)
/// and never quotes what the browser sent; ``logReason`` is the short form for the log line.
public enum PasskeyRefusal: Error, Sendable, Equatable {
    /// The attestation object, authenticator data, client data or a key could not be read.
    case malformed(String)
    /// The ceremony state is for the other ceremony (a registration's challenge offered to sign in, or back).
    case wrongCeremony
    /// `clientDataJSON.type` is not the ceremony's (`webauthn.create` / `webauthn.get`).
    case wrongType
    /// The challenge the browser signed is not the one this ceremony issued.
    case challengeMismatch
    /// The page that ran the ceremony is not one of ours (the origin, cut short for the log).
    case wrongOrigin(String)
    /// The ceremony ran in a cross-origin iframe.
    case crossOrigin
    /// The browser says Token Binding was used; we never use it, so the binding cannot be checked.
    case tokenBindingNotSupported
    /// The authenticator data is for another relying party id.
    case wrongRelyingParty
    /// The authenticator did not test that a person was there (UP flag).
    case userNotPresent
    /// The account's policy requires user verification (PIN, biometrics) and the authenticator did not do it.
    case userNotVerified
    /// A registration without attested credential data (AT flag): no key to register.
    case noCredentialData
    /// The credential's key is of a type, algorithm or size we do not accept.
    case unsupportedKey(String)
    /// An attestation format other than `none` or packed self-attestation.
    case attestationNotSupported(String)
    /// A packed self-attestation whose signature does not verify with the credential's own key.
    case badAttestationSignature
    /// The credential belongs to another account than the one signing in, or the user handle does not match.
    case wrongAccount(String)
    /// The backup eligibility flag differs from the one registered: it is fixed for a credential's life (§6.1.3).
    case backupEligibilityChanged
    /// The assertion signature does not verify with the registered key.
    case badSignature
    /// The signature counter did not increase: a sign of a cloned authenticator (§6.1.1).
    case counterWentBackwards(stored: UInt32, received: UInt32)

    /// What the page says.
    public var message: String {
        switch self {
        case .malformed: "The security key's answer could not be read."
        case .wrongCeremony, .challengeMismatch: "This passkey request does not belong to this page; start again."
        case .wrongType: "The browser answered a different passkey request; start again."
        case .wrongOrigin: "The passkey was used on another site than this one."
        case .crossOrigin: "Passkeys cannot be used from inside another site's page."
        case .tokenBindingNotSupported: "The browser used a connection binding this site does not support."
        case .wrongRelyingParty: "This passkey was made for another site."
        case .userNotPresent: "The security key did not confirm that you were there; touch it when asked and try again."
        case .userNotVerified: "Your account needs a passkey unlocked with a PIN, fingerprint or face; try again and unlock it."
        case .noCredentialData: "The security key did not send a new passkey."
        case .unsupportedKey: "This kind of passkey is not supported (ES256 or RS256 of at least 2048 bits)."
        case .attestationNotSupported: "The security key sent an attestation this site does not accept."
        case .badAttestationSignature: "The security key's attestation does not verify."
        case .wrongAccount: "This passkey belongs to another account."
        case .backupEligibilityChanged: "This passkey reports a different backup setting than when it was added; add it again."
        case .badSignature: "The passkey's signature does not verify."
        case .counterWentBackwards:
            "This passkey's counter went backwards, which suggests a copied security key; it was not accepted. Ask an administrator."
        }
    }

    /// A short phrase for the log line.
    public var logReason: String {
        switch self {
        case .malformed(let detail): "malformed (\(detail))"
        case .wrongOrigin(let origin): "wrong origin \(origin)"
        case .unsupportedKey(let detail): "unsupported key (\(detail))"
        case .attestationNotSupported(let format): "attestation format \(format) not supported"
        case .wrongAccount(let detail): "wrong account (\(detail))"
        case .counterWentBackwards(let stored, let received):
            "counter went backwards (stored \(stored), received \(received)): possible cloned authenticator"
        default: "\(self)"
        }
    }
}
