import Foundation

/// A back-channel logout waiting to be sent, as a runner claims it.
public struct BackchannelLogoutJob: Sendable, Equatable {
    public let id: Int64
    public let clientID: ClientID
    /// The client's `backchannel_logout_uri` as it is now.
    public let uri: String
    public let user: UserID
    /// The digest of the ended session (for `sid`); `nil` when not known.
    public let sessionDigest: [UInt8]?
    /// Tries made before this one.
    public let attempts: Int
    /// How the client sees the user's `sub` (the logout token carries the one its ID tokens did).
    public let subjectType: SubjectType
    /// The algorithm of the client's ID tokens, which its logout tokens are signed with too.
    public let signingAlgorithm: SigningKeyRecord.Algorithm

    public init(
        id: Int64, clientID: ClientID, uri: String, user: UserID, sessionDigest: [UInt8]?, attempts: Int, subjectType: SubjectType = .public,
        signingAlgorithm: SigningKeyRecord.Algorithm = .rs256
    ) {
        self.subjectType = subjectType
        self.signingAlgorithm = signingAlgorithm
        self.id = id
        self.clientID = clientID
        self.uri = uri
        self.user = user
        self.sessionDigest = sessionDigest
        self.attempts = attempts
    }
}

/// One back-channel logout as the app's log shows it.
public struct BackchannelLogoutEntry: Sendable, Equatable {
    public let id: Int64
    public let createdAt: Date
    public let attempts: Int
    public let deliveredAt: Date?
    /// `nil` once finished.
    public let nextAttemptAt: Date?
    public let lastStatus: Int?
    public let lastError: String?

    public init(id: Int64, createdAt: Date, attempts: Int, deliveredAt: Date?, nextAttemptAt: Date?, lastStatus: Int?, lastError: String?) {
        self.id = id
        self.createdAt = createdAt
        self.attempts = attempts
        self.deliveredAt = deliveredAt
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
    }
}

/// The browser session a grant was issued under, while its row is stored (it may be past its limits and not yet
/// deleted: ``isAlive(under:now:)`` judges).
public struct GrantSession: Sendable, Equatable {
    /// The SHA-256 of the session's cookie (the key of `sessions`), which `sid` is derived from.
    public let digest: [UInt8]
    public let createdAt: Date
    public let lastSeenAt: Date

    public init(digest: [UInt8], createdAt: Date, lastSeenAt: Date) {
        self.digest = digest
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }

    /// Whether the session is still one the person is signed in with: within its idle and absolute limits.
    public func isAlive(under policy: SessionPolicy, now: Date) -> Bool {
        policy.evaluate(createdAt: createdAt, lastSeenAt: lastSeenAt, now: now) != .expired
    }
}

/// What one run of ``LogoutStore/endExpiredSessions(now:idleSince:limit:)`` did.
public struct ExpiredSessionsEnded: Sendable, Equatable {
    /// Sessions deleted.
    public var sessions: Int
    /// Back-channel logouts queued for them.
    public var logouts: Int

    public init(sessions: Int = 0, logouts: Int = 0) {
        self.sessions = sessions
        self.logouts = logouts
    }
}

/// Logout registrations of clients, the sessions behind grants, and the back-channel logout queue (main database).
public protocol LogoutStore {
    /// The client's registration; an empty one when it registered nothing, `nil` when there is no such client.
    func logoutRegistration(of client: ClientID) throws -> ClientLogoutRegistration?
    /// Replaces the client's registration in one transaction; `false` when there is no such client.
    func setLogoutRegistration(_ registration: ClientLogoutRegistration, of client: ClientID) throws -> Bool
    /// Queues, in one statement, one back-channel logout per (client, user, session) for every grant issued under one
    /// of these sessions whose client is active and has a back-channel URI, due at once. Returns how many.
    func queueBackchannelLogouts(sessionDigests: [[UInt8]], now: Date) throws -> Int
    /// The session `grant` was issued under while its row is stored; `nil` when the grant names none (issued before
    /// main 0042, or not through a browser) or the session ended (deleted). For the `sid` of refreshed ID tokens.
    func session(ofGrant grant: GrantID) throws -> GrantSession?
    /// Ends these sessions in one transaction: queues the back-channel logouts of those still stored (as
    /// ``queueBackchannelLogouts(sessionDigests:now:)``) and deletes them, under their row locks, so a session ended
    /// twice at once (the request that found it expired and the cron) has its logouts queued once. Returns how many
    /// logouts were queued.
    func endSessions(digests: [[UInt8]], now: Date) throws -> Int
    /// Ends up to `limit` sessions past their absolute expiry (`expires_at <= now`) or idle since `idleSince`
    /// (`last_seen_at <= idleSince`), oldest first, in one transaction: their back-channel logouts are queued and the
    /// rows deleted, as ``endSessions(digests:now:)``. Rows another runner holds are skipped, never waited for.
    /// Back-Channel Logout 1.0 §2.5: a session that merely expires is a logout the apps it was used with should learn of.
    func endExpiredSessions(now: Date, idleSince: Date, limit: Int) throws -> ExpiredSessionsEnded
    /// The digests of a person's sessions except `keeping` (to queue their logouts before they are deleted).
    func sessionDigests(of user: UserID, keeping: [UInt8]?) throws -> [[UInt8]]
    /// The digest of one of a person's sessions by its number, `nil` when there is none.
    func sessionDigest(number: Int64, of user: UserID) throws -> [UInt8]?
    /// Revokes every grant issued under this session, with all its tokens (RFC 7009 §2.1: a grant's family goes
    /// together). Returns how many grants.
    func revokeGrants(sessionDigest: [UInt8], now: Date) throws -> Int
    /// Claims up to `limit` due logouts: each claimed row's next try is pushed out by `lease` and its try counted, so
    /// concurrent runners never send one at once.
    func claimDueBackchannelLogouts(now: Date, lease: TimeInterval, limit: Int) throws -> [BackchannelLogoutJob]
    /// Records the outcome of a try: delivered (`deliveredAt`), the answer's status or the error, and the next try
    /// (`nil`: finished).
    func recordBackchannelAttempt(
        _ id: Int64, deliveredAt: Date?, status: Int?, error: String?, nextAttemptAt: Date?
    ) throws
    /// A client's most recent back-channel logouts, newest first.
    func backchannelLogouts(of client: ClientID, limit: Int) throws -> [BackchannelLogoutEntry]
    /// Deletes up to `limit` finished logouts (delivered or given up) created before `before`; returns how many.
    func purgeFinishedBackchannelLogouts(before: Date, limit: Int) throws -> Int
}
