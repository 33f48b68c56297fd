import Crypto

/// The keys of the app site, derived from two key files (32 random bytes each) with HKDF-SHA256 (RFC 5869)
/// and a distinct `info` for each purpose, so that one secret never serves two:
/// - the OAuth key file (`oauth.key_file`, app pool only) seals ID-token signing keys and derives the
///   replacement of a rotated refresh token;
/// - the credential key file (`credentials.key_file`, both pools) keys the digests of client secrets and API
///   keys, because the developers site issues them and the app site checks them: the digest a developer's
///   secret gets on the portal is the one sync carries to the main database and the token endpoint compares.
public struct OAuthKeyMaterial: Sendable {
    /// Keys the HMAC digests of client secrets (``ClientSecret``).
    public let clientSecretKey: SymmetricKey
    /// Seals ID-token signing keys at rest (``KeySealing``).
    public let sealingKey: SymmetricKey
    /// Derives a refresh token's replacement pair from it (``TokenDerivation``).
    public let rotationKey: SymmetricKey
    /// Authenticates the authorization endpoint's sign-in detour marker (``SignInDetourMarker``).
    public let detourKey: SymmetricKey
    /// Authenticates the entries of the trusted-device cookie (``TrustedDevice``).
    public let deviceKey: SymmetricKey
    /// Seals upstream providers' client secrets at rest (``UpstreamClientSecret``).
    public let upstreamSecretKey: SymmetricKey
    /// Seals the cookie a browser carries through an upstream sign-in (``UpstreamSignInTicket``).
    public let upstreamTicketKey: SymmetricKey
    /// Seals the service-account passwords of schools' directories at rest (``DirectoryBindPassword``).
    public let directorySecretKey: SymmetricKey
    /// Seals school users' TOTP seeds at rest (``UserTOTP``).
    public let totpSealingKey: SymmetricKey
    /// Keys the digests of school users' recovery codes (``RecoveryCodes``).
    public let recoveryCodeKey: SymmetricKey
    /// Seals the cookie between the first factor and the code (``PendingSecondFactor``).
    public let pendingSecondFactorKey: SymmetricKey
    /// Seals the cookie of a passkey ceremony (``PasskeyCeremony``).
    public let passkeyCeremonyKey: SymmetricKey
    /// Keys the digests of students' QR badge secrets (``BadgeSecret``).
    public let badgeKey: SymmetricKey
    /// Authenticates the ticket between a temporary password and the person's own (``ChoosePasswordTicket``).
    public let choosePasswordKey: SymmetricKey
    /// Computes the server's DPoP nonces (``DPoPNonce``).
    public let dpopNonceKey: SymmetricKey
    /// The nonces under ``dpopNonceKey``, each slot's computed once.
    public let dpopNonces: DPoPNonces
    /// Computes pairwise subject identifiers (``SubjectIdentifiers``).
    public let subjects: SubjectIdentifiers
    /// Keys the `sid` of ID and logout tokens (``SessionIdentifier``).
    public let sessionIDKey: SymmetricKey

    /// Derives the keys from the two files' bytes.
    public init(secret: [UInt8], credentials: CredentialKeyMaterial) {
        let derive = { (purpose: String) in KeyDerivation.key(from: secret, for: purpose) }
        clientSecretKey = credentials.clientSecretKey
        sealingKey = derive("catalystwells signing-key sealing v1")
        rotationKey = derive("catalystwells refresh rotation v1")
        detourKey = derive("catalystwells sign-in detour v1")
        deviceKey = derive("catalystwells trusted device v1")
        upstreamSecretKey = derive("catalystwells upstream client secrets v1")
        upstreamTicketKey = derive("catalystwells upstream sign-in ticket v1")
        directorySecretKey = derive("catalystwells directory bind passwords v1")
        totpSealingKey = derive("catalystwells school totp sealing v1")
        recoveryCodeKey = derive("catalystwells school recovery codes v1")
        pendingSecondFactorKey = derive("catalystwells pending second factor v1")
        passkeyCeremonyKey = derive("catalystwells passkey ceremony v1")
        badgeKey = derive("catalystwells badge digests v1")
        choosePasswordKey = derive("catalystwells choose-password ticket v1")
        dpopNonceKey = derive("catalystwells dpop nonce v1")
        dpopNonces = DPoPNonces(key: dpopNonceKey)
        subjects = SubjectIdentifiers(oauthKey: secret)
        sessionIDKey = derive("catalystwells session id v1")
    }
}

/// The digest keys of machine-generated credentials, derived from the credential key file that both pools
/// read: a developers-database dump alone cannot even test a candidate secret or key. Also the key of queued
/// mail at rest.
public struct CredentialKeyMaterial: Sendable {
    /// Keys the HMAC digests of client secrets (``ClientSecret``).
    public let clientSecretKey: SymmetricKey
    /// Keys the HMAC digests of API keys (``APIKey``).
    public let apiKeyKey: SymmetricKey
    /// Seals queued mail bodies (``MailSealing``). From this file because both pools and their cron commands read
    /// it, and both sites queue mail.
    public let mailSealingKey: SymmetricKey
    /// Seals export archives waiting for their download (`export_jobs`, ``ExportRules/sealingContext(job:)``). The
    /// developers pool can derive it too, but cannot reach the main database where the archives are.
    public let exportSealingKey: SymmetricKey

    /// Derives the keys from the file's bytes.
    public init(secret: [UInt8]) {
        let derive = { (purpose: String) in KeyDerivation.key(from: secret, for: purpose) }
        clientSecretKey = derive("catalystwells client-secret digests v1")
        apiKeyKey = derive("catalystwells api-key digests v1")
        mailSealingKey = derive("catalystwells mail outbox sealing v1")
        exportSealingKey = derive("catalystwells export archive sealing v1")
    }
}

/// One 256-bit key per purpose from a key file's bytes: HKDF-SHA256 (RFC 5869) with the purpose as `info`, so one
/// secret never serves two purposes.
enum KeyDerivation {
    static func key(from secret: [UInt8], for purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: Array(purpose.utf8), outputByteCount: 32)
    }
}
