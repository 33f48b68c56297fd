import Foundation

// Sync (DESIGN §8): what moves between catalyst_developers and catalyst_main, as plain values. The
// stores read and write them; ``SyncRun`` in the app decides the order, which is what makes a run crash-safe:
// main is changed in one transaction per app first, and only then is the app's request marker cleared in the
// developers database, and only if no newer change set it again meanwhile. A run killed between the two
// leaves the marker, so the next run applies the same (idempotent) change again.

/// An approved or suspended application as the OAuth server must run it, read from the developers database.
public struct SyncedApplication: Sendable, Equatable {
    /// Its row in the developers database.
    public let id: ApplicationID
    /// The public client id.
    public let clientID: ClientID
    /// `approved` or `suspended`; anything else is never read for sync.
    public let status: ApplicationReview.Status
    /// The live, reviewed content.
    public let live: ApplicationDraft
    /// The scopes the reviewer granted.
    public let grantedScopes: [String]
    /// The developer's name, shown on the consent page.
    public let developerName: String
    /// Keyed digests of the active client secrets.
    public let secretDigests: [[UInt8]]
    /// Every API key of the app, active or revoked.
    public let apiKeys: [SyncedAPIKey]
    /// The value of the app's sync request marker when it was read; clearing it is conditional on it.
    public let marker: Date

    /// Creates the value.
    public init(
        id: ApplicationID, clientID: ClientID, status: ApplicationReview.Status, live: ApplicationDraft, grantedScopes: [String],
        developerName: String, secretDigests: [[UInt8]], apiKeys: [SyncedAPIKey], marker: Date
    ) {
        self.id = id
        self.clientID = clientID
        self.status = status
        self.live = live
        self.grantedScopes = grantedScopes
        self.developerName = developerName
        self.secretDigests = secretDigests
        self.apiKeys = apiKeys
        self.marker = marker
    }

    /// The OAuth client the main database should hold: reviewed, so marked verified; never first-party;
    /// suspended exactly when the app is; allowed only the granted scopes.
    public func oauthClient(logoBaseURL: String?) -> OAuthClient {
        OAuthClient(
            clientID: clientID, name: live.name, description: live.description,
            logoURL: live.logoSHA256.flatMap { sha in logoBaseURL.map { $0 + "/logos/" + sha } }, homepageURL: live.homepageURL,
            privacyURL: live.privacyPolicyURL, termsURL: live.termsURL, developerName: developerName, verified: true, firstParty: false,
            kind: live.clientType, redirectURIs: live.redirectURIs, allowedScopes: Set(grantedScopes),
            status: status == .approved ? .active : .suspended, requiresDPoP: live.clientAuthentication.requiresDPoPBoundTokens,
            privateKeyJWT: live.clientAuthentication.privateKeyJWT,
            requiresPushedAuthorizationRequests: live.clientAuthentication.requiresPushedAuthorizationRequests,
            subjectType: SubjectType.forNewClient(firstParty: false), idTokenSigningAlgorithm: live.openID.idTokenSigningAlgorithm)
    }
}

/// An API key as sync carries it: the digest, never the key.
public struct SyncedAPIKey: Sendable, Equatable {
    /// Its id in the developers database.
    public let sourceID: Int64
    /// HMAC-SHA256 under the credential key.
    public let digest: [UInt8]
    /// Its scopes.
    public let scopes: [String]
    /// When it was created.
    public let createdAt: Date
    /// When it was revoked; `nil` while active.
    public let revokedAt: Date?

    /// Creates the value.
    public init(sourceID: Int64, digest: [UInt8], scopes: [String], createdAt: Date, revokedAt: Date?) {
        self.sourceID = sourceID
        self.digest = digest
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// What applying one application changed in the main database.
public struct SyncApplyResult: Sendable, Equatable {
    /// The client row was created.
    public var created = false
    /// Anything about the client changed (content, status, URIs, secrets or keys).
    public var changed = false
    /// Tokens revoked because the app is suspended.
    public var tokensRevoked = 0
    /// Active secrets and keys of the app left out because main holds no confirmation for them
    /// (``CredentialAttestation``).
    public var unattested = 0

    /// A result with nothing changed.
    public init(created: Bool = false, changed: Bool = false, tokensRevoked: Int = 0, unattested: Int = 0) {
        self.created = created
        self.changed = changed
        self.tokensRevoked = tokensRevoked
        self.unattested = unattested
    }
}

/// One app's usage on one UTC day, computed in the main database.
public struct DailyUsage: Sendable, Equatable {
    /// The app's client id.
    public let clientID: ClientID
    /// The day.
    public let day: CalendarDate
    /// Education API requests made with the app's tokens or keys.
    public let apiRequests: Int64
    /// Of those, answered with an error status (400 and above).
    public let errors: Int64
    /// Grants started (authorization code or client credentials).
    public let authorizations: Int64
    /// Distinct users with a grant started, or an API request on their behalf, that day.
    public let activeUsers: Int64
    /// Users who connected the app for the first time that day.
    public let newUsers: Int64

    /// Creates the value.
    public init(clientID: ClientID, day: CalendarDate, apiRequests: Int64, errors: Int64, authorizations: Int64, activeUsers: Int64, newUsers: Int64)
    {
        self.clientID = clientID
        self.day = day
        self.apiRequests = apiRequests
        self.errors = errors
        self.authorizations = authorizations
        self.activeUsers = activeUsers
        self.newUsers = newUsers
    }
}

/// A webhook event recorded in the main database, waiting to be handed to the developers database.
public struct PendingEvent: Sendable, Equatable {
    /// Which outbox it is in: `auth` (authorizations) or `api` (education API writes).
    public let source: String
    /// Its outbox id: the delivery's event id is derived from it, so handing it over twice is harmless.
    public let id: Int64
    /// A ``WebhookEvent`` raw value.
    public let type: String
    /// The app it concerns.
    public let clientID: ClientID
    /// When it happened.
    public let occurredAt: Date
    /// The thin JSON payload (ids, type, time; no personal data).
    public let payload: String

    /// Creates the value.
    public init(source: String, id: Int64, type: String, clientID: ClientID, occurredAt: Date, payload: String) {
        self.source = source
        self.id = id
        self.type = type
        self.clientID = clientID
        self.occurredAt = occurredAt
        self.payload = payload
    }

    /// The `webhook-id` of its deliveries, the same at every hand-over.
    public var eventID: String { "evt_\(source)_\(id)" }
}

/// An API key's use as counted in the main database: absolute figures, so sending them twice is harmless.
public struct APIKeyUsage: Sendable, Equatable {
    /// The key's id in the developers database.
    public let keyID: Int64
    /// Education API requests made with it, ever.
    public let requestCount: Int64
    /// Its latest request.
    public let lastUsedAt: Date

    /// Creates the value.
    public init(keyID: Int64, requestCount: Int64, lastUsedAt: Date) {
        self.keyID = keyID
        self.requestCount = requestCount
        self.lastUsedAt = lastUsedAt
    }
}

/// A client secret's latest use as recorded in the main database, identified by its digest (the same in both
/// databases, since both pools digest under the credential key).
public struct ClientSecretUsage: Sendable, Equatable {
    /// HMAC-SHA256 of the secret under the credential key.
    public let digest: [UInt8]
    /// When it last authenticated its client.
    public let lastUsedAt: Date

    /// Creates the value.
    public init(digest: [UInt8], lastUsedAt: Date) {
        self.digest = digest
        self.lastUsedAt = lastUsedAt
    }
}
