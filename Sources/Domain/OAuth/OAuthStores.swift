import Foundation

/// Registered clients and their secrets.
public protocol ClientStore {
    /// The client with this `client_id`, whatever its status; `nil` when unknown.
    func client(_ id: ClientID) throws -> OAuthClient?
    /// Keyed digests (HMAC-SHA256, see ``ClientSecret``) of the client's secrets that are valid at `now`
    /// (at most two during a rotation).
    func activeSecretDigests(of id: ClientID, now: Date) throws -> [[UInt8]]
    /// The client with this `client_id` and the keyed digests of its secrets valid at `now`, read together
    /// (one round trip on every token, revocation and introspection request); `nil` when unknown.
    func authenticationRecord(of id: ClientID, now: Date) throws -> (client: OAuthClient, secretDigests: [[UInt8]])?
    /// Registers a client; `.duplicate` when the `client_id` is taken.
    func createClient(_ client: OAuthClient, now: Date) throws
    /// Adds a secret (its keyed digest); secrets older than the newest two stop being valid at `now`.
    func addSecret(digest: [UInt8], to id: ClientID, now: Date) throws
    /// Notes that the secret with this digest authenticated the client at `now`; writes only when the last
    /// note is older than ``ClientSecretUse/recordingInterval``, so a busy client costs at most one write a minute.
    func recordSecretUse(digest: [UInt8], of id: ClientID, now: Date) throws
}

/// How often a client secret's last use is written down.
public enum ClientSecretUse {
    /// Uses closer together than this are not written again.
    public static let recordingInterval: TimeInterval = 60
}

/// Authorization codes: single use, short-lived, and the trigger of replay revocation.
public protocol AuthorizationCodeStore {
    /// Stores a code by its digest.
    func createCode(digest: [UInt8], grant: AuthorizationCodeGrant, now: Date) throws
    /// Atomically marks the code used and returns what it was issued for. A code already used returns
    /// `.replayed` with the grant its first exchange created (the caller revokes that grant, RFC 6749 §4.1.2 /
    /// RFC 9700 §4.2.4); an unknown or expired code returns `.invalid`.
    func consumeCode(digest: [UInt8], now: Date) throws -> CodeConsumption
    /// Records the grant created by exchanging a code, so a replay can find and revoke it.
    func attachGrant(_ grant: GrantID, toCode digest: [UInt8]) throws
}

/// The outcome of ``AuthorizationCodeStore/consumeCode(digest:now:)``.
public enum CodeConsumption: Sendable, Equatable {
    case consumed(AuthorizationCodeGrant)
    case replayed(GrantID?)
    case invalid
}

/// Grants and their token families.
public protocol TokenStore {
    /// Creates a grant for a user (or none, for client_credentials) and stores its first tokens.
    func createGrant(client: ClientID, user: UserID?, scopes: [String], authTime: Date?, tokens: [NewToken], now: Date) throws -> GrantID
    /// The token with this digest, whatever its state; `nil` when unknown.
    func token(digest: [UInt8]) throws -> StoredToken?
    /// Exchanges a refresh token for new tokens in one atomic step. Only one of N concurrent calls with the
    /// same token succeeds; the others get `.alreadyRotated`. A token rotated longer than `grace` ago is a
    /// reuse: the whole grant is revoked and `.reuseDetected` returned (RFC 9700 §4.14.2).
    func rotateRefreshToken(digest: [UInt8], client: ClientID, replacement: [NewToken], now: Date, grace: TimeInterval) throws -> RefreshRotation
    /// Revokes one token (RFC 7009: a refresh token revokes its grant). Unknown tokens and tokens of other
    /// clients are ignored (the caller answers 200 either way).
    func revokeToken(digest: [UInt8], client: ClientID, now: Date) throws
    /// Revokes a grant and every token of it.
    func revokeGrant(_ grant: GrantID, now: Date) throws
    /// Revokes every grant of a user for a client (the user disconnected the app).
    func revokeGrants(user: UserID, client: ClientID, now: Date) throws
    /// Deletes codes and tokens expired before `before`, at most `limit` rows per call; returns how many.
    func purgeExpired(before: Date, limit: Int) throws -> Int
}

/// The outcome of ``TokenStore/rotateRefreshToken(digest:client:replacement:now:grace:)``.
public enum RefreshRotation: Sendable, Equatable {
    /// Rotated: the old token is spent; here is what it carried.
    case rotated(StoredToken)
    /// Another request rotated it within the grace window; nothing changed.
    case alreadyRotated
    /// A rotated token came back after the grace window: the grant is now revoked.
    case reuseDetected
    /// Unknown, expired, revoked, or another client's.
    case invalid
}

/// What users agreed to share with which client.
public protocol ConsentStore {
    /// The user's standing consent to the client, if any (revoked consents are `nil`).
    func consent(user: UserID, client: ClientID) throws -> Consent?
    /// Adds scopes to the user's consent (creating it), and marks it used at `now`.
    func recordConsent(user: UserID, client: ClientID, scopes: Set<String>, now: Date) throws
    /// The user's connected apps with their consent, newest use first.
    func consents(of user: UserID) throws -> [Consent]
    /// Withdraws consent and revokes every grant and token of the user for the client, in one transaction.
    func revokeConsent(user: UserID, client: ClientID, now: Date) throws
}

/// ID token signing keys.
public protocol SigningKeyStore {
    /// Keys to publish in the JWKS: the current ones and retired ones retired after `publishedSince`.
    func publishedKeys(publishedSince: Date) throws -> [SigningKeyRecord]
    /// The newest unretired key of an algorithm.
    func currentKey(_ algorithm: SigningKeyRecord.Algorithm) throws -> SigningKeyRecord?
    /// Adds a key and retires the previous current key of the same algorithm at `now`.
    func addKey(_ key: SigningKeyRecord, now: Date) throws
}
