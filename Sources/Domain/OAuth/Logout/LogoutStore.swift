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

/// Logout registrations of clients, the sessions behind grants, and the back-channel logout queue (main database).
public protocol LogoutStore {
    /// The client's registration; an empty one when it registered nothing, `nil` when there is no such client.
    func logoutRegistration(of client: ClientID) throws -> ClientLogoutRegistration?
    /// Replaces the client's registration in one transaction; `false` when there is no such client.
    func setLogoutRegistration(_ registration: ClientLogoutRegistration, of client: ClientID) throws -> Bool
    /// Queues, in one statement, one back-channel logout per (client, user, session) for every grant issued under one
    /// of these sessions whose client is active and has a back-channel URI, due at once. Returns how many.
    func queueBackchannelLogouts(sessionDigests: [[UInt8]], now: Date) throws -> Int
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
