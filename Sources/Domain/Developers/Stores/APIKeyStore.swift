import Foundation

/// API keys of developers' applications: shown once, stored as the caller's keyed digest
/// (``APIKey/digest(key:hmacKey:)``) with a short visible prefix. Creating or revoking marks the app for the
/// next developers → main sync. Which scopes a key may have is ``APIKey/validate(name:scopes:approvedScopes:registry:)``'s
/// rule, and whether the app is approved the page's check.
public protocol APIKeyStore {
    /// Stores a new key of the app if `owner` owns it; `nil` (nothing written) otherwise. Throws
    /// ``StoreError`` `.duplicate` for a digest already stored (a repeated key: draw another).
    func createAPIKey(_ key: NewAPIKey, for app: ApplicationID, owner: DeveloperID, now: Date) throws -> APIKeyID?
    /// The app's keys, active and revoked, newest first, with usage, if `owner` owns the app; `nil` otherwise.
    func apiKeys(of app: ApplicationID, owner: DeveloperID) throws -> [APIKeySummary]?
    /// Revokes an active key of the app at `now`. Returns `false` (nothing changed) when the key is unknown,
    /// of another app or developer, or already revoked.
    func revokeAPIKey(_ id: APIKeyID, of app: ApplicationID, owner: DeveloperID, now: Date) throws -> Bool
}

/// A key being created; the key itself is shown to the developer and never reaches the store.
public struct NewAPIKey: Sendable, CustomStringConvertible {
    /// The developer's name for the key, validated.
    public var name: String
    /// Its scopes, a subset of the app's approved app-level scopes.
    public var scopes: [String]
    /// What the list shows, such as `cw_key_AbC123xy` (``APIKey/visiblePrefix(of:)``).
    public var visiblePrefix: String
    /// HMAC-SHA256 of the key under the server's key: 32 bytes.
    public var digest: [UInt8]

    /// Describes a key.
    public init(name: String, scopes: [String], visiblePrefix: String, digest: [UInt8]) {
        self.name = name
        self.scopes = scopes
        self.visiblePrefix = visiblePrefix
        self.digest = digest
    }

    /// Leaves the digest out.
    public var description: String { "NewAPIKey(name: \(name), prefix: \(visiblePrefix), digest: <redacted>)" }
}

/// One row of an app's key list.
public struct APIKeySummary: Sendable, Equatable {
    /// The row id, for the revoke form.
    public let id: APIKeyID
    /// The developer's name for it.
    public let name: String
    /// The visible start of the key.
    public let visiblePrefix: String
    /// Its scopes.
    public let scopes: [String]
    /// When it was created.
    public let createdAt: Date
    /// When it was last used (filled in by the sync); `nil` if never.
    public let lastUsedAt: Date?
    /// Requests made with it, as last synced.
    public let requestCount: Int64
    /// When it was revoked; `nil` while active.
    public let revokedAt: Date?
    /// When a platform admin confirmed it (``CredentialAttestation``); `nil` while it waits, and until then the
    /// education API does not accept it.
    public let attestedAt: Date?
    /// The name of the member who created it; `nil` when unknown.
    public var createdBy: String?

    /// Creates the value.
    public init(
        id: APIKeyID, name: String, visiblePrefix: String, scopes: [String], createdAt: Date, lastUsedAt: Date?,
        requestCount: Int64, revokedAt: Date?, attestedAt: Date? = nil, createdBy: String? = nil
    ) {
        self.attestedAt = attestedAt
        self.createdBy = createdBy
        self.id = id
        self.name = name
        self.visiblePrefix = visiblePrefix
        self.scopes = scopes
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.requestCount = requestCount
        self.revokedAt = revokedAt
    }

    /// Whether the key still works.
    public var isActive: Bool { revokedAt == nil }
}
