import Foundation

// Storage of developer accounts on the developers site (DESIGN.md §7), split per concern like the app site's
// `AccountStore`/`SessionStore`. Every implementation works against catalyst_developers only (DESIGN.md §4).
// Sign-in throttling reuses ``SignInThrottleStore`` (the same contract over the developers database's own
// table), and expired rows go through ``AccountPurgeStore``.
//
// Secrets never reach a store in the clear: session cookies, mailed links and recovery codes arrive as
// 32-byte digests, passwords as PHC hash strings, and the TOTP seed sealed (AES-256-GCM) by the caller.

/// Developer accounts: sign-up, sign-in, passwords and the TOTP second factor with its recovery codes.
public protocol DeveloperAccountStore {
    /// Creates an `unverified` account whose terms were accepted at `now`, with the email lower-cased.
    /// Throws ``StoreError`` `.duplicate` when an account with this email (compared case-insensitively)
    /// exists, whatever its state; nothing is written then.
    func createDeveloper(_ developer: NewDeveloper, now: Date) throws -> DeveloperID
    /// The account with this email (compared case-insensitively) and its password hash, in any state (the
    /// caller decides what an unverified or suspended account may do, after checking the password so the
    /// answer does not reveal that the account exists); `nil` when there is none.
    func developer(email: String) throws -> (account: DeveloperAccount, passwordHash: String)?
    /// The account with this id and its password hash, in any state; `nil` when there is none.
    func developer(_ id: DeveloperID) throws -> (account: DeveloperAccount, passwordHash: String)?
    /// Moves an `unverified` account to `active`. Returns `false` (and changes nothing) when the account is
    /// unknown, already active or suspended: this never lifts a suspension.
    func markVerified(_ id: DeveloperID, now: Date) throws -> Bool
    /// Saves (or with `nil` clears) the language the developer chose with the switcher; an unknown id changes
    /// nothing. The tag is checked by the caller (``LanguageNegotiation/match(_:)``).
    func setPreferredLanguage(_ language: String?, of id: DeveloperID, now: Date) throws
    /// Replaces the password hash and nothing else: for a re-hash with stronger parameters at sign-in.
    func setPasswordHash(_ hash: String, for id: DeveloperID, now: Date) throws
    /// A password change by the signed-in developer, in one transaction: sets the hash, ends every session
    /// of the account except `keepingSession` (the digest of the session making the change; `nil` ends all)
    /// and voids their unused `reset_password` links.
    func changePassword(_ hash: String, for id: DeveloperID, keepingSession: [UInt8]?, now: Date) throws

    /// The account's TOTP seed (sealed) and state; `nil` when it has none, neither pending nor enabled.
    func totp(of id: DeveloperID) throws -> DeveloperTOTP?
    /// Stores a freshly generated seed (sealed) for an enrolment that still has to be confirmed with a code,
    /// replacing an earlier pending one. Returns `false` and changes nothing when TOTP is already enabled:
    /// a new enrolment must not silently replace the seed in use (disable it first).
    func setPendingTOTPSecret(_ sealedSecret: [UInt8], for id: DeveloperID, now: Date) throws -> Bool
    /// Confirms an enrolment, in one transaction: only if the pending seed is still `sealedSecret` (the one
    /// the confirmation code was checked against: another tab may have started a new enrolment since) and
    /// TOTP is not enabled yet, it marks TOTP enabled at `now`, records `step` (the step of the confirmation
    /// code) as the last one used, and replaces the recovery codes with `recoveryCodeDigests`. Returns
    /// `false` when those conditions do not hold, in which case nothing changed.
    func enableTOTP(
        for id: DeveloperID, sealedSecret: [UInt8], step: Int64, recoveryCodeDigests: [[UInt8]], now: Date
    ) throws -> Bool
    /// Turns TOTP off, in one transaction: forgets the seed (pending or enabled), the last used step and
    /// every recovery code. Disabling an account without TOTP is not an error.
    func disableTOTP(for id: DeveloperID, now: Date) throws
    /// The replay guard of RFC 6238 §5.2: records `step` (the time step of a code that just verified) as
    /// used, only if TOTP is enabled and `step` is greater than the last used step, in one conditional
    /// UPDATE. Returns `true` for exactly one of any number of concurrent calls with the same step; `false`
    /// means the code (or an older one) was already used and the sign-in must be refused.
    func recordTOTPStep(_ step: Int64, for id: DeveloperID) throws -> Bool
    /// Regenerates recovery codes, in one transaction: deletes all of the account's codes, used or not, and
    /// stores `digests` unused. Returns `false` and changes nothing when TOTP is not enabled (codes exist
    /// only alongside an enabled second factor).
    func replaceRecoveryCodes(_ digests: [[UInt8]], for id: DeveloperID, now: Date) throws -> Bool
    /// Uses one recovery code: marks it used if it belongs to the account and is unused, in one conditional
    /// UPDATE. Returns `true` for exactly one of any number of concurrent calls; `false` for an unknown,
    /// another account's, or an already used code.
    func consumeRecoveryCode(digest: [UInt8], for id: DeveloperID, now: Date) throws -> Bool
    /// The digests of the account's unused recovery codes (to match typed input against in constant time
    /// with ``RecoveryCodes/match(_:unusedDigests:)``, and to count what is left); empty without TOTP.
    func unusedRecoveryCodeDigests(of id: DeveloperID) throws -> [[UInt8]]
}

/// A developer signing up.
public struct NewDeveloper: Sendable, CustomStringConvertible {
    /// The sign-in email; the store lower-cases it.
    public var email: String
    /// The person's name.
    public var name: String
    /// Their company; `nil` when they gave none.
    public var company: String?
    /// The PHC string of their password (argon2id).
    public var passwordHash: String

    /// Describes a sign-up.
    public init(email: String, name: String, company: String?, passwordHash: String) {
        self.email = email
        self.name = name
        self.company = company
        self.passwordHash = passwordHash
    }

    /// Leaves the password hash out, so a logged value cannot be attacked offline.
    public var description: String { "NewDeveloper(email: \(email), passwordHash: <redacted>)" }
}

/// A developer's TOTP second factor as stored.
public struct DeveloperTOTP: Sendable, Equatable, CustomStringConvertible {
    /// The seed, sealed with AES-256-GCM by the application; the store never sees it in the clear.
    public let sealedSecret: [UInt8]
    /// When the enrolment was confirmed; `nil` while it is pending.
    public let enabledAt: Date?
    /// The newest time step accepted so far; codes of this step or older are replays.
    public let lastUsedStep: Int64?

    /// Creates the value.
    public init(sealedSecret: [UInt8], enabledAt: Date?, lastUsedStep: Int64?) {
        self.sealedSecret = sealedSecret
        self.enabledAt = enabledAt
        self.lastUsedStep = lastUsedStep
    }

    /// Leaves the sealed seed out.
    public var description: String {
        "DeveloperTOTP(sealedSecret: <redacted>, enabledAt: \(enabledAt.map { "\($0)" } ?? "nil"))"
    }
}

/// Marker type for ``DeveloperSessionID``.
public enum DeveloperSessionRecord {}

/// The public id of a developer session: what the sessions page puts in its sign-out forms instead of the
/// cookie's digest.
public typealias DeveloperSessionID = RecordID<DeveloperSessionRecord>

/// Server-side browser sessions of the developers site, stored by the digest of the cookie value.
public protocol DeveloperSessionStore {
    /// Stores a new session. The address and user agent are cut to 45 and 255 characters.
    func createSession(
        digest: [UInt8], developer: DeveloperID, now: Date, expiresAt: Date, clientAddress: String, userAgent: String
    ) throws
    /// The session with this digest and its account; `nil` when there is none or the account is suspended
    /// (a suspension takes effect on the next request even before its sessions are deleted). An `unverified`
    /// account's session is returned: what it may reach is ``DeveloperAccount/State/access``. Idle and
    /// absolute limits are the caller's (``SessionPolicy``).
    func session(digest: [UInt8]) throws -> (account: DeveloperAccount, createdAt: Date, lastSeenAt: Date)?
    /// Records activity.
    func touchSession(digest: [UInt8], now: Date) throws
    /// Ends one session (sign-out, expiry). Deleting a missing session is not an error.
    func deleteSession(digest: [UInt8]) throws
    /// Ends every session of a developer except `keeping` ("sign out everywhere else"; `nil` ends all).
    func deleteSessions(of developer: DeveloperID, keeping: [UInt8]?) throws
    /// The developer's stored sessions for the sessions page, most recently seen first, with `isCurrent` set
    /// on the one whose digest is `current`. Sessions past the policy's limits that the purge has not removed
    /// yet are included; the caller filters them with ``SessionPolicy``.
    func sessions(of developer: DeveloperID, current: [UInt8]?) throws -> [DeveloperSessionSummary]
    /// Ends the session with this id only if it belongs to `developer`. Returns `false` when there is no
    /// such session of theirs (another developer's id changes nothing, and the caller answers 404).
    func deleteSession(_ id: DeveloperSessionID, of developer: DeveloperID) throws -> Bool
}

/// One row of the sessions page.
public struct DeveloperSessionSummary: Sendable, Equatable {
    /// The id the page's sign-out form sends back.
    public let id: DeveloperSessionID
    /// When the developer signed in.
    public let createdAt: Date
    /// The last recorded activity.
    public let lastSeenAt: Date
    /// The absolute expiry.
    public let expiresAt: Date
    /// The client address at sign-in.
    public let clientAddress: String
    /// The browser's `User-Agent` at sign-in.
    public let userAgent: String
    /// Whether this is the session viewing the page.
    public let isCurrent: Bool

    /// Creates a row.
    public init(
        id: DeveloperSessionID, createdAt: Date, lastSeenAt: Date, expiresAt: Date, clientAddress: String,
        userAgent: String, isCurrent: Bool
    ) {
        self.id = id
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.clientAddress = clientAddress
        self.userAgent = userAgent
        self.isCurrent = isCurrent
    }
}

/// Why a link was mailed to a developer.
public enum DeveloperLinkPurpose: String, Sendable, CaseIterable {
    /// Confirms the sign-up email; using it makes an `unverified` account `active`.
    case verifyEmail = "verify_email"
    /// "Forgot your password?"
    case resetPassword = "reset_password"
}

/// What a mailed link is worth, so the page can say why it does not work: an expired or already used
/// verification or reset link says so instead of failing silently.
public enum DeveloperLinkStatus: Sendable, Equatable {
    /// Unused, unexpired, of an account that is not suspended. From a `consume…` call: it was, and this call
    /// used it.
    case valid(DeveloperID, DeveloperLinkPurpose)
    /// Already used, or voided when another link of the account was used.
    case used
    /// Unused but past its expiry.
    case expired
    /// Unknown, of a suspended account, or (from a `consume…` call) of the other purpose.
    case invalid
}

/// Single-use, expiring links mailed to developers: email verification and password reset.
public protocol DeveloperLinkStore {
    /// Stores a link by the digest of its token.
    func createLink(digest: [UInt8], developer: DeveloperID, purpose: DeveloperLinkPurpose, now: Date, expiresAt: Date) throws
    /// When the newest link of this purpose was created for the developer, used or not; `nil` if never (for
    /// the resend cool-down).
    func newestLinkCreatedAt(of developer: DeveloperID, purpose: DeveloperLinkPurpose) throws -> Date?
    /// The status of a link at `now`, changing nothing (to show the reset form or say why not).
    func link(digest: [UInt8], now: Date) throws -> DeveloperLinkStatus
    /// Uses a `verify_email` link, in one transaction: only if it is still valid, marks it and the account's
    /// other unused `verify_email` links used and makes an `unverified` account `active` (an active one stays
    /// active). Returns `.valid` when this call used it; otherwise the reason, and nothing changed. Of N
    /// concurrent calls with the same link exactly one gets `.valid`.
    func consumeVerificationLink(digest: [UInt8], now: Date) throws -> DeveloperLinkStatus
    /// Uses a `reset_password` link, in one transaction: only if it is still valid, marks it and every other
    /// unused link of the account used, sets the password hash, ends all the account's sessions and, since
    /// the link proved the mailbox, makes an `unverified` account `active`. Returns `.valid` when this call
    /// used it; otherwise the reason, and nothing changed. Of N concurrent calls exactly one gets `.valid`.
    func consumeResetLink(digest: [UInt8], newHash: String, now: Date) throws -> DeveloperLinkStatus
}
