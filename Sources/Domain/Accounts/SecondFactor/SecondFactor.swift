import Crypto
import Foundation

/// Which roles of a school must have a second factor (issue 16, item 5). Platform admins always must: they decide
/// which apps may read student data. A school that decided nothing requires it of its school admins.
public struct SecondFactorPolicy: Sendable, Equatable {
    /// The roles a school can require it of.
    public static let requirableRoles: [Role] = [.schoolAdmin, .teacher, .parent, .student]
    public var requiredRoles: Set<Role>

    public init(requiredRoles: Set<Role>) { self.requiredRoles = requiredRoles }

    /// The policy of a school that decided nothing: school admins must, teachers are offered it.
    public static let standard = SecondFactorPolicy(requiredRoles: [.schoolAdmin])

    /// Whether a person of `role` must have a second factor.
    public func requires(_ role: Role) -> Bool { role == .platformAdmin || requiredRoles.contains(role) }
}

/// What the check every signed-in page makes needs: the person's school's policy (``SecondFactorPolicy/standard``
/// without a school or a decision) and whether the person has a second factor on (an enabled TOTP seed or a passkey).
public struct SecondFactorStatus: Sendable, Equatable {
    public let policy: SecondFactorPolicy
    public let enrolled: Bool

    public init(policy: SecondFactorPolicy, enrolled: Bool) {
        self.policy = policy
        self.enrolled = enrolled
    }

    /// Whether a person of `role` must set up a second factor before anything else.
    public func mustEnrol(_ role: Role) -> Bool { policy.requires(role) && !enrolled }
}

/// A person's TOTP enrolment (RFC 6238): the seed sealed under ``OAuthKeyMaterial/totpSealingKey``, when it was
/// confirmed (`nil` while pending) and the newest time step used (older or equal codes are replays).
public struct UserTOTP: Sendable, Equatable, CustomStringConvertible {
    public let sealedSecret: [UInt8]
    public let enabledAt: Date?
    public let lastUsedStep: Int64?

    public init(sealedSecret: [UInt8], enabledAt: Date?, lastUsedStep: Int64?) {
        self.sealedSecret = sealedSecret
        self.enabledAt = enabledAt
        self.lastUsedStep = lastUsedStep
    }

    public var description: String { "UserTOTP(sealedSecret: <redacted>, enabledAt: \(enabledAt.map { "\($0)" } ?? "nil"))" }

    /// The associated data a user's seed is sealed with, so a seed moved to another person's row does not open.
    public static func associatedData(_ user: UserID) -> [UInt8] { Array("catalystwells school totp v1 \(user.rawValue)".utf8) }
}

/// School users' second factors and the schools' policies (main database). The same guarantees as the portal's:
/// an enabled seed is never silently replaced, a time step and a recovery code are accepted once, each in one
/// conditional statement.
public protocol SecondFactorStore {
    func totp(of user: UserID) throws -> UserTOTP?
    /// Stores a pending seed, replacing an earlier pending one; `false` when TOTP is already enabled.
    func setPendingTOTPSecret(_ sealedSecret: [UInt8], for user: UserID, now: Date) throws -> Bool
    /// Confirms the enrolment of exactly `sealedSecret` with the confirming code's `step`, storing recovery codes.
    func enableTOTP(for user: UserID, sealedSecret: [UInt8], step: Int64, recoveryCodeDigests: [[UInt8]], now: Date) throws -> Bool
    /// Forgets the seed and the recovery codes.
    func disableTOTP(for user: UserID) throws
    /// Records `step` as used if it is newer than the last one; `true` for exactly one concurrent caller.
    func recordTOTPStep(_ step: Int64, for user: UserID) throws -> Bool
    /// Replaces the recovery codes; `false` when TOTP is not enabled.
    func replaceRecoveryCodes(_ digests: [[UInt8]], for user: UserID, now: Date) throws -> Bool
    /// Uses one recovery code; `true` for exactly one concurrent caller.
    func consumeRecoveryCode(digest: [UInt8], for user: UserID, now: Date) throws -> Bool
    func unusedRecoveryCodeCount(of user: UserID) throws -> Int
    /// A school's policy (``SecondFactorPolicy/standard`` when it decided nothing).
    func secondFactorPolicy(of school: SchoolID) throws -> SecondFactorPolicy
    func setSecondFactorPolicy(_ policy: SecondFactorPolicy, of school: SchoolID, now: Date) throws
}

/// Between the first factor and the code: who proved what, and where they go next, in a sealed cookie (AES-GCM, a
/// few minutes). No session exists until the code is right.
public struct PendingSecondFactor: Sendable, Equatable {
    /// How long the code form stays open.
    public static let lifetime: TimeInterval = 300

    public let user: UserID
    public let methods: [AuthenticationMethod]
    public let next: String?
    public let startedAt: Date

    public init(user: UserID, methods: [AuthenticationMethod], next: String?, startedAt: Date) {
        self.user = user
        self.methods = methods
        self.next = next
        self.startedAt = startedAt
    }

    public func sealed(key: SymmetricKey, using generator: inout some RandomNumberGenerator) throws -> String {
        let document: JSONValue = [
            "u": .int(Int(user.rawValue)), "m": .array(methods.map { .string($0.rawValue) }), "x": .optional(next),
            "t": .int(Int(startedAt.timeIntervalSince1970)),
        ]
        return SecretToken.base64URL(try KeySealing.seal(document.serialized(), key: key, associatedData: Self.associatedData, using: &generator))
    }

    /// The pending sign-in in a cookie value, if it opens under `key` and is younger than ``lifetime``.
    public static func open(_ cookie: String?, key: SymmetricKey, now: Date) -> Self? {
        guard let cookie, cookie.utf8.count <= 2048, let sealed = Base64URL.decode(cookie),
            let plain = try? KeySealing.open(sealed, key: key, associatedData: associatedData),
            let document = try? JSONParser.parse(plain), let user = document[member: "u"]?.intValue, user > 0,
            let methods = document[member: "m"]?.arrayValue?.compactMap(\.stringValue), let seconds = document[member: "t"]?.intValue
        else { return nil }
        let started = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard now >= started.addingTimeInterval(-60), now.timeIntervalSince(started) <= lifetime else { return nil }
        return Self(
            user: UserID(Int64(user)), methods: methods.map(AuthenticationMethod.init(rawValue:)), next: document[member: "x"]?.stringValue,
            startedAt: started)
    }

    private static let associatedData = Array("catalystwells pending second factor v1".utf8)
}
