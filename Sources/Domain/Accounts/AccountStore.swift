import Foundation

/// Users as sign-in and password management need them.
public protocol AccountStore {
    /// The active user whose email or username equals `identifier` (already lower-cased), with their password
    /// hash (`nil` when no password was ever set); `nil` when there is no such active user.
    func signInCandidate(identifier: String) throws -> (user: UserAccount, passwordHash: String?)?
    /// An active user by id, with their password hash; `nil` if unknown or deactivated.
    func activeUser(_ id: UserID) throws -> (user: UserAccount, passwordHash: String?)?
    /// Replaces a user's password hash with a re-hash of the same password (stronger parameters).
    func setPasswordHash(_ hash: String, for user: UserID, now: Date) throws
    /// A password change, in one transaction: the new hash (clearing any must-change flag, ``PasswordResetStore``),
    /// every other session of the user ended, and every grant the user gave an app revoked with its tokens and
    /// unexchanged codes (a stolen token or session does not outlive the change). Returns how many grants were
    /// revoked.
    func changePassword(_ hash: String, for user: UserID, keepingSession: [UInt8], now: Date) throws -> Int
    /// Creates a user; throws `.duplicate` when the email or username is taken.
    func createUser(_ user: NewUser, now: Date) throws -> UserID
    /// The id of a school by its sourced id, or `nil`.
    func schoolID(sourcedID: String) throws -> SchoolID?
}

/// A user created by an operator (`catalystwells admin create`).
public struct NewUser: Sendable {
    public var role: Role
    public var schoolID: SchoolID?
    public var givenName: String
    public var familyName: String
    public var email: String
    public var passwordHash: String?

    public init(role: Role, schoolID: SchoolID?, givenName: String, familyName: String, email: String, passwordHash: String?) {
        self.role = role
        self.schoolID = schoolID
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.passwordHash = passwordHash
    }
}

/// Server-side browser sessions, stored by the digest of the cookie value.
public protocol SessionStore {
    /// Stores a new session of `user`, who signed in by `methods` (in the order used; `amr`, RFC 8176).
    func createSession(
        digest: [UInt8], user: UserID, methods: [AuthenticationMethod], now: Date, expiresAt: Date, clientAddress: String, userAgent: String
    ) throws
    /// The session with this digest and its active user, with the methods it was created with (`createdAt` is
    /// the OIDC `auth_time`, `methods` its `amr`); `nil` when there is none or the user is deactivated.
    /// `secondFactor` is read in the same statement, for the check every signed-in page makes, and so are the
    /// person's saved language and their school's default (`languages`, for the page's language).
    func session(digest: [UInt8]) throws -> (
        user: UserAccount, createdAt: Date, lastSeenAt: Date, methods: [AuthenticationMethod], secondFactor: SecondFactorStatus,
        languages: (person: String?, school: String?)
    )?
    /// Records activity.
    func touchSession(digest: [UInt8], now: Date) throws
    /// Ends one session (sign-out, expiry). Deleting a missing session is not an error.
    func deleteSession(digest: [UInt8]) throws
    /// Ends every session of a user except `keeping` (after a password change or reset).
    func deleteSessions(of user: UserID, keeping: [UInt8]?) throws
    /// A person's sessions, most recently used first; `current` marks the one of the asking browser.
    func sessions(of user: UserID, current: [UInt8]?) throws -> [SessionSummary]
    /// Ends one of a person's sessions by its number; `false` when the person has no such session.
    func deleteSession(number: Int64, of user: UserID) throws -> Bool
}

/// A session as its owner's sessions page lists it.
public struct SessionSummary: Sendable, Equatable {
    public let number: Int64
    public let createdAt: Date
    public let lastSeenAt: Date
    public let clientAddress: String
    public let userAgent: String
    public let methods: [AuthenticationMethod]
    public let isCurrent: Bool

    public init(
        number: Int64, createdAt: Date, lastSeenAt: Date, clientAddress: String, userAgent: String, methods: [AuthenticationMethod],
        isCurrent: Bool
    ) {
        self.number = number
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.clientAddress = clientAddress
        self.userAgent = userAgent
        self.methods = methods
        self.isCurrent = isCurrent
    }
}

/// Failed sign-in counters (see ``SignInThrottlePolicy``).
public protocol SignInThrottleStore {
    /// The counter of a key, or `nil`.
    func throttleState(key: [UInt8]) throws -> SignInThrottleState?
    /// Replaces the counter of a key with `update(current)`, atomically with respect to concurrent updates
    /// of the same key.
    func updateThrottle(key: [UInt8], _ update: (SignInThrottleState?) -> SignInThrottleState) throws
    /// Forgets a key (after a successful sign-in).
    func clearThrottle(key: [UInt8]) throws
}

/// Single-use links that reset or first set a password.
public protocol PasswordLinkStore {
    /// Stores a link by the digest of its token.
    func createPasswordLink(digest: [UInt8], user: UserID, purpose: PasswordLinkPurpose, now: Date, expiresAt: Date) throws
    /// Whether the user already has an unused, unexpired link of this purpose (so a re-import does not mail
    /// the same person again).
    func hasValidPasswordLink(for user: UserID, purpose: PasswordLinkPurpose, now: Date) throws -> Bool
    /// Stores many links of one purpose and expiry at once (a roster import's set-password links).
    func createPasswordLinks(_ links: [(digest: [UInt8], user: UserID)], purpose: PasswordLinkPurpose, now: Date, expiresAt: Date) throws
    /// Of `users`, those that already have an unused, unexpired link of this purpose.
    func usersWithValidPasswordLink(_ users: [UserID], purpose: PasswordLinkPurpose, now: Date) throws -> Set<UserID>
    /// The user of a link that is unused and unexpired at `now`, or `nil`.
    func validPasswordLink(digest: [UInt8], now: Date) throws -> (user: UserID, purpose: PasswordLinkPurpose)?
    /// In one transaction: marks the link used (only if it is still unused and unexpired), sets the password
    /// hash (clearing any must-change flag), voids the user's other links, ends all their sessions and revokes every grant they gave an app with
    /// its tokens and unexchanged codes. Returns the user, or `nil` when the link was no longer valid (used
    /// concurrently, expired), in which case nothing changed.
    func consumePasswordLink(digest: [UInt8], newHash: String, now: Date) throws -> UserID?
}

extension PasswordLinkStore {
    /// One link at a time; a store that can write many in one statement does so.
    public func createPasswordLinks(
        _ links: [(digest: [UInt8], user: UserID)], purpose: PasswordLinkPurpose, now: Date, expiresAt: Date
    ) throws {
        for link in links { try createPasswordLink(digest: link.digest, user: link.user, purpose: purpose, now: now, expiresAt: expiresAt) }
    }

    /// One user at a time; a store that can ask about many in one statement does so.
    public func usersWithValidPasswordLink(_ users: [UserID], purpose: PasswordLinkPurpose, now: Date) throws -> Set<UserID> {
        Set(try users.filter { try hasValidPasswordLink(for: $0, purpose: purpose, now: now) })
    }
}

/// Why a password link was sent.
public enum PasswordLinkPurpose: String, Sendable {
    /// "Forgot your password?"
    case reset
    /// A new account (imported or created by an operator) that has no password yet.
    case set
}

/// Removal of sign-in records that can no longer be used, run by `catalystwells purge` from cron.
public protocol AccountPurgeStore {
    /// Deletes sessions past their absolute expiry or idle longer than `idleTimeout` (queueing their back-channel
    /// logouts first where the store keeps them, as ``LogoutStore/endExpiredSessions(now:idleSince:limit:)``), password
    /// links expired or used more than a day ago, and throttle counters whose window and lock are over.
    /// Returns how many rows of each went.
    func purgeExpired(now: Date, idleTimeout: TimeInterval, throttleWindow: TimeInterval) throws
        -> (sessions: Int, passwordLinks: Int, throttleCounters: Int)
}
