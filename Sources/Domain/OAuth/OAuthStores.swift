import Foundation

/// Registered clients and their secrets.
public protocol ClientStore {
    /// The client with this `client_id`, whatever its status; `nil` when unknown.
    func client(_ id: ClientID) throws -> OAuthClient?
    /// Keyed digests (HMAC-SHA256, see ``ClientSecret``) of the client's secrets that are valid at `now`
    /// (at most two during a rotation).
    func activeSecretDigests(of id: ClientID, now: Date) throws -> [[UInt8]]
    /// The client with this `client_id` and the keyed digests of its secrets valid at `now`, read together
    /// (one round trip on every token, revocation and introspection request); `nil` when unknown. With
    /// `presentedDigest` (the keyed digest of the secret the request presented) the same statement also tells
    /// whether that secret's use is due to be written (``ClientAuthenticationRecord/presentedSecretUseDue``), so
    /// the usual request makes no second round trip for ``recordSecretUse(digest:of:now:)``. Without
    /// `redirectURIs` the record's client has none (`redirectURIs` empty): for the endpoints that never look at
    /// them (introspection, revocation, and every grant but `authorization_code`), which then skip their read.
    func authenticationRecord(of id: ClientID, presentedDigest: [UInt8]?, redirectURIs: Bool, now: Date) throws
        -> ClientAuthenticationRecord?
    /// Registers a client; `.duplicate` when the `client_id` is taken.
    func createClient(_ client: OAuthClient, now: Date) throws
    /// Adds a secret (its keyed digest); secrets older than the newest two stop being valid at `now`.
    func addSecret(digest: [UInt8], to id: ClientID, now: Date) throws
    /// Sets how the client's ID tokens and logout tokens are signed (`id_token_signed_response_alg`, main 0046); `false`
    /// when there is no such client. The next token issued uses it.
    func updateIDTokenSigningAlgorithm(_ algorithm: SigningKeyRecord.Algorithm, of id: ClientID) throws -> Bool
    /// Notes that the secret with this digest authenticated the client at `now`; writes only when the last
    /// note is older than ``ClientSecretUse/recordingInterval``, so a busy client costs at most one write a minute.
    func recordSecretUse(digest: [UInt8], of id: ClientID, now: Date) throws
}

extension ClientStore {
    /// ``authenticationRecord(of:presentedDigest:redirectURIs:now:)`` without a presented secret, redirect URIs included.
    public func authenticationRecord(of id: ClientID, now: Date) throws -> ClientAuthenticationRecord? {
        try authenticationRecord(of: id, presentedDigest: nil, redirectURIs: true, now: now)
    }

    /// ``authenticationRecord(of:presentedDigest:redirectURIs:now:)`` with the redirect URIs.
    public func authenticationRecord(of id: ClientID, presentedDigest: [UInt8]?, now: Date) throws -> ClientAuthenticationRecord? {
        try authenticationRecord(of: id, presentedDigest: presentedDigest, redirectURIs: true, now: now)
    }
}

/// What authenticating a client needs, read in one statement (``ClientStore/authenticationRecord(of:presentedDigest:redirectURIs:now:)``).
public struct ClientAuthenticationRecord: Sendable {
    /// The client, whatever its status.
    public let client: OAuthClient
    /// Keyed digests of its secrets valid at the time asked about (at most two during a rotation).
    public let secretDigests: [[UInt8]]
    /// The presented digest is one of ``secretDigests`` and its last use was written longer than
    /// ``ClientSecretUse/recordingInterval`` ago (or never): only then is
    /// ``ClientStore/recordSecretUse(digest:of:now:)`` worth a statement.
    public let presentedSecretUseDue: Bool

    /// A record.
    public init(client: OAuthClient, secretDigests: [[UInt8]], presentedSecretUseDue: Bool = false) {
        self.client = client
        self.secretDigests = secretDigests
        self.presentedSecretUseDue = presentedSecretUseDue
    }
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
    /// Exchanges a code for a grant and its first tokens in ONE transaction (RFC 6749 §4.1.3), so that no
    /// failure leaves a spent code without its grant, or a grant without its code:
    /// - unknown, or expired before it was used: `.invalid`, nothing changes;
    /// - used before: the replay is recorded and the grant the first exchange created is revoked with all its
    ///   tokens (RFC 6749 §4.1.2, RFC 9700 §4.2.4), `.replayed`;
    /// - otherwise `check` is asked, with what the code was issued for and its user when that account is still
    ///   active (`nil` otherwise). An error spends the code (single use holds for failed exchanges too, so a
    ///   PKCE verifier cannot be guessed over several tries) and is returned as `.refused`. `nil` spends the
    ///   code, creates the grant with the code's scopes and `auth_time`, stores `tokens(code)` in it (which tokens
    ///   depends on what the code carries: a refresh token only with `offline_access`) and links the grant to the
    ///   code (`.issued`).
    /// Any error thrown (the database went away, a deadlock after the retries) rolls all of it back: the code
    /// is as usable afterwards as it was before.
    func exchangeCode(
        digest: [UInt8], tokens: (AuthorizationCodeGrant) -> [NewToken], now: Date, check: (AuthorizationCodeGrant, UserAccount?) -> OAuthError?
    ) throws -> CodeExchange
}

extension AuthorizationCodeStore {
    /// ``exchangeCode(digest:tokens:now:check:)`` with the same tokens whatever the code carried.
    public func exchangeCode(
        digest: [UInt8], tokens: [NewToken], now: Date, check: (AuthorizationCodeGrant, UserAccount?) -> OAuthError?
    ) throws -> CodeExchange {
        try exchangeCode(digest: digest, tokens: { _ in tokens }, now: now, check: check)
    }
}

/// The outcome of ``AuthorizationCodeStore/exchangeCode(digest:tokens:now:check:)``.
public enum CodeExchange: Sendable, Equatable {
    /// The grant was created with the tokens; here is what the code carried and whose it was.
    case issued(GrantID, AuthorizationCodeGrant, UserAccount)
    /// The check refused the exchange; the code is spent.
    case refused(OAuthError)
    /// The code had been used; its grant (if the first exchange created one) is now revoked.
    case replayed(GrantID?)
    /// Unknown or expired.
    case invalid
}

/// Grants and their token families.
public protocol TokenStore {
    /// Creates a grant for a user (or none, for client_credentials) and stores its first tokens.
    func createGrant(client: ClientID, user: UserID?, scopes: [String], authTime: Date?, tokens: [NewToken], now: Date) throws -> GrantID
    /// Stores a client's own access token (client_credentials, RFC 6749 §4.4) with its `scopes`, in the client's
    /// current app grant: its newest grant without a user that is not revoked and whose expiry covers the token.
    /// Only when there is none (the first token, after the app grant was revoked, or when it nears its end) is a
    /// new app grant created, ending `grantLifetime` after `now`. So the usual token is one INSERT and one commit.
    /// Revoking the app grant (the app suspended, disabled or deleted) revokes its tokens like any grant's, and a
    /// later token starts a new one; revoking the token alone (RFC 7009) leaves the grant. Throws
    /// `StoreError(.constraint)` when the client does not exist.
    func issueAppToken(client: ClientID, scopes: [String], token: NewToken, grantLifetime: TimeInterval, now: Date) throws
    /// The token with this digest, whatever its state; `nil` when unknown.
    func token(digest: [UInt8]) throws -> StoredToken?
    /// Exchanges a refresh token for new tokens in one atomic step. Only one of N concurrent calls with the
    /// same token succeeds; the others get `.alreadyRotated`, or `.repeated` when they passed the very same
    /// `replacement` (a retry after a lost answer, see ``TokenDerivation``) and its refresh token is still
    /// unused. A token rotated longer than `grace` ago is a reuse: the whole grant is revoked and
    /// `.reuseDetected` returned (RFC 9700 §4.14.2).
    /// No replacement outlives its grant's `absoluteLifetime` (counted from the grant's creation): their expiries are
    /// cut to it.
    func rotateRefreshToken(
        digest: [UInt8], client: ClientID, replacement: [NewToken], now: Date, grace: TimeInterval, absoluteLifetime: TimeInterval
    ) throws -> RefreshRotation
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

extension TokenStore {
    /// ``rotateRefreshToken(digest:client:replacement:now:grace:absoluteLifetime:)`` without an absolute limit.
    public func rotateRefreshToken(
        digest: [UInt8], client: ClientID, replacement: [NewToken], now: Date, grace: TimeInterval
    ) throws -> RefreshRotation {
        try rotateRefreshToken(digest: digest, client: client, replacement: replacement, now: now, grace: grace, absoluteLifetime: .infinity)
    }
}

/// The outcome of ``TokenStore/rotateRefreshToken(digest:client:replacement:now:grace:absoluteLifetime:)``.
public enum RefreshRotation: Sendable, Equatable {
    /// Rotated: the old token is spent; here is what it carried.
    case rotated(StoredToken)
    /// This very rotation (the same `replacement`) was committed within the grace window and its new refresh
    /// token has not been used: the answer was probably lost, so the caller answers again with the same pair.
    /// Carries the old token and the replacement access token as stored.
    case repeated(StoredToken, access: StoredToken)
    /// Another request rotated it within the grace window; nothing changed.
    case alreadyRotated
    /// A rotated token came back after the grace window: the grant is now revoked.
    case reuseDetected
    /// Unknown, expired, revoked, or another client's.
    case invalid
}

/// Access tokens as the resources that accept them see them (userinfo, introspection, the education API).
public protocol BearerTokenStore {
    /// The token with this digest together with what ``BearerRule`` decides on, all read at once: its client's
    /// status and currently allowed scopes, its user when that account is active, and the decision of the user's
    /// school about the client. `nil` when unknown.
    func bearer(digest: [UInt8]) throws -> BearerRecord?
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
    /// The key that signs now: the newest of the algorithm whose `notBefore` has passed and that is not retired,
    /// by the store's clock (the database's, so every host agrees).
    func currentKey(_ algorithm: SigningKeyRecord.Algorithm) throws -> SigningKeyRecord?
    /// Adds a key and retires the previous unretired keys of the same algorithm when the new one starts signing
    /// (its `notBefore`, else `now`), so one key signs at any moment and the new one is published first.
    func addKey(_ key: SigningKeyRecord, now: Date) throws
}
