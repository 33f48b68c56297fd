import Foundation

/// Client secrets of developers' applications: generated on request and shown once, stored only
/// as the caller's 32-byte digest (``ClientSecret``), at most ``ClientSecretSummary/maximumActive`` active
/// so a rotation needs no downtime. Whether the app is approved is the page's check; the store checks the
/// owner and the limit. Adding or revoking marks the app for the next developers → main sync.
public protocol ApplicationCredentialStore {
    /// Adds a secret by its digest to the app if `owner` owns it, in one transaction that locks the app row,
    /// so of concurrent adds only as many succeed as the limit leaves room for. Returns `.limitReached`
    /// (nothing written) when ``ClientSecretSummary/maximumActive`` secrets are active already, `.notFound`
    /// when there is no such app of `owner`.
    func addClientSecret(digest: [UInt8], to app: ApplicationID, owner: DeveloperID, now: Date) throws -> ClientSecretAddition
    /// The app's secrets, active and revoked, newest first, if `owner` owns the app; `nil` otherwise.
    func clientSecrets(of app: ApplicationID, owner: DeveloperID) throws -> [ClientSecretSummary]?
    /// Revokes an active secret of the app at `now`. Returns `false` (nothing changed) when the secret is
    /// unknown, of another app or developer, or already revoked.
    func revokeClientSecret(_ id: ClientSecretID, of app: ApplicationID, owner: DeveloperID, now: Date) throws -> Bool
}

/// The result of ``ApplicationCredentialStore/addClientSecret(digest:to:owner:now:)``.
public enum ClientSecretAddition: Sendable, Equatable {
    /// Stored; show the secret now, it cannot be shown again.
    case added(ClientSecretID)
    /// Two secrets are active: revoke one first.
    case limitReached
    /// No such app of this developer.
    case notFound
}

/// One row of the credentials page's secret list; the secret itself is never stored.
public struct ClientSecretSummary: Sendable, Equatable {
    /// Most secrets an app may have active at once: the old one and its replacement during a rotation.
    public static let maximumActive = 2

    /// The row id, for the revoke form.
    public let id: ClientSecretID
    /// When it was generated.
    public let createdAt: Date
    /// When a token request last authenticated with it (filled in by the sync); `nil` if never.
    public let lastUsedAt: Date?
    /// When it was revoked; `nil` while active.
    public let revokedAt: Date?
    /// When a platform admin confirmed it (``CredentialAttestation``); `nil` while it waits, and until then the
    /// sign-in server does not accept it.
    public let attestedAt: Date?
    /// The name of the member who created it; `nil` when unknown.
    public var createdBy: String?

    /// Creates the value.
    public init(
        id: ClientSecretID, createdAt: Date, lastUsedAt: Date?, revokedAt: Date?, attestedAt: Date? = nil, createdBy: String? = nil
    ) {
        self.createdBy = createdBy
        self.id = id
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.attestedAt = attestedAt
    }

    /// Whether the secret still authenticates.
    public var isActive: Bool { revokedAt == nil }
}
