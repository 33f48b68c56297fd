import Foundation

/// A platform admin's confirmation of one client secret or API key of a developer app, recorded in the main
/// database, so sync adds to the OAuth server only credentials an admin confirmed (issue 13, item 7).
///
/// Secrets and keys are made on the developer portal and stored there as HMAC digests under the credential key,
/// which the developers pool holds. Whoever controls that pool can therefore write the digest of a secret of
/// their own choosing next to any approved app; if sync copied every digest it found, they would hold a working
/// secret for every app. ``ReviewAttestation`` does not help here: it covers the reviewed content, and secrets
/// change without review. So each new credential waits until an admin confirms it on the review panel (app
/// site), which records this value in main, where the developers pool cannot write; sync adds a digest only
/// when main holds one for the same app, kind and digest (and, for a key, the same id and scopes).
///
/// Ending a credential needs none: it only takes access away. What this cannot tell apart is a credential made
/// by the developer and one made by whoever controls the portal in the developer's name: the admin confirms a
/// request, and only an out-of-band check (asking the developer) separates the two (ARCHITECTURE.md, "Trust
/// between the pools").
public struct CredentialAttestation: Sendable, Equatable {
    /// What is confirmed.
    public enum Kind: String, Sendable, CaseIterable {
        /// A `cw_cs_` client secret.
        case clientSecret = "client_secret"
        /// A `cw_key_` API key.
        case apiKey = "api_key"
    }

    /// The app in the developers database.
    public let application: ApplicationID
    /// What it is.
    public let kind: Kind
    /// The credential's id in the developers database; `nil` for a secret main ran before confirmations existed.
    public let sourceID: Int64?
    /// HMAC-SHA256 of the credential under the credential key, as the OAuth tables hold it.
    public let digest: [UInt8]
    /// An API key's scopes; empty for a client secret.
    public let scopes: [String]

    /// Creates the value.
    public init(application: ApplicationID, kind: Kind, sourceID: Int64?, digest: [UInt8], scopes: [String]) {
        self.application = application
        self.kind = kind
        self.sourceID = sourceID
        self.digest = digest
        self.scopes = scopes
    }

    /// Whether sync may add the client secret with `digest` to the client synced from `app`.
    public func admitsSecret(_ digest: [UInt8], of app: ApplicationID) -> Bool {
        kind == .clientSecret && application == app && SecretToken.constantTimeEquals(self.digest, digest)
    }

    /// Whether sync may add `key` to the client synced from `app`: the same app, id, digest and scopes (as a set;
    /// a key's scopes are never changed after it is made, so different scopes are a different key).
    public func admitsKey(_ key: SyncedAPIKey, of app: ApplicationID) -> Bool {
        kind == .apiKey && application == app && sourceID == key.sourceID && SecretToken.constantTimeEquals(digest, key.digest)
            && Set(scopes) == Set(key.scopes)
    }
}

/// An active client secret or API key of an approved app that main holds no ``CredentialAttestation`` for:
/// what the review panel lists for a platform admin to confirm.
public struct PendingCredential: Sendable, Equatable {
    /// The app in the developers database.
    public let application: ApplicationID
    /// Its name, for the list.
    public let applicationName: String
    /// Its public client id.
    public let clientID: ClientID
    /// The developer's name and email, for the admin to check with them.
    public let developerName: String
    /// The developer's email address.
    public let developerEmail: String
    /// What it is.
    public let kind: CredentialAttestation.Kind
    /// Its id in the developers database.
    public let sourceID: Int64
    /// Its keyed digest: what the confirmation records and what the admin's form names.
    public let digest: [UInt8]
    /// An API key's name and visible prefix (empty for a secret).
    public let label: String
    /// An API key's scopes (empty for a secret).
    public let scopes: [String]
    /// When the developer made it.
    public let createdAt: Date

    /// Creates the value.
    public init(
        application: ApplicationID, applicationName: String, clientID: ClientID, developerName: String, developerEmail: String,
        kind: CredentialAttestation.Kind, sourceID: Int64, digest: [UInt8], label: String, scopes: [String], createdAt: Date
    ) {
        self.application = application
        self.applicationName = applicationName
        self.clientID = clientID
        self.developerName = developerName
        self.developerEmail = developerEmail
        self.kind = kind
        self.sourceID = sourceID
        self.digest = digest
        self.label = label
        self.scopes = scopes
        self.createdAt = createdAt
    }

    /// The confirmation an admin gives it.
    public var attestation: CredentialAttestation {
        CredentialAttestation(application: application, kind: kind, sourceID: sourceID, digest: digest, scopes: kind == .apiKey ? scopes : [])
    }

    /// The digest in lower-case hex: what the admin's form carries back, so an admin confirms the very credential
    /// they were shown (a row changed in between no longer matches).
    public var digestHex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }

    /// The first 16 hex digits of the digest, for the admin and the developer to compare.
    public var fingerprint: String { String(digestHex.prefix(16)) }

    /// The 32 bytes written as 64 hex digits (either case); `nil` for anything else.
    public static func digest(hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
