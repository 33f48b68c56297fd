import Foundation

/// Passwords set or reset by the people responsible for someone (a school admin for anyone of the school, a
/// teacher for the students of their classes; ``SchoolAccess/mayResetPassword(_:of:_:)``), the school's rule
/// for temporary passwords, and the step that replaces a temporary password at sign-in.
public protocol PasswordResetStore {
    /// Whether the active person must choose a new password before a password sign-in makes a session: their
    /// password is a temporary one their school wants replaced. `false` for an unknown or deactivated person.
    func mustChangePassword(_ user: UserID) throws -> Bool
    /// Applies `resets` in one transaction, all or nothing: each person's new hash and must-change flag, their
    /// unused password links voided, every session of theirs ended, every grant they gave an app revoked with its
    /// tokens and unexchanged codes (as a password change does). A person who is not active is skipped. Returns
    /// the grants revoked per person changed.
    func resetPasswords(_ resets: [PasswordReset], now: Date) throws -> [UserID: Int]
    /// The sign-in step that replaces a temporary password: sets `hash` and clears the flag only while the flag
    /// is set and the stored hash is still `expected` (so the step works once, and not after another reset); ends
    /// every session of the person and revokes their grants. Returns `false`, changing nothing, otherwise.
    func replaceTemporaryPassword(of user: UserID, expected: String, with hash: String, now: Date) throws -> Bool
    /// The school's rule: whether a temporary password must be changed at the next sign-in (`true` unless the
    /// school said otherwise).
    func temporaryPasswordsMustChange(in school: SchoolID) throws -> Bool
    /// Records the school's rule.
    func setTemporaryPasswordsMustChange(_ mustChange: Bool, in school: SchoolID, now: Date) throws
    /// The active students of a school in one grade level, by family then given name.
    func students(of school: SchoolID, gradeLevel: String) throws -> [PersonSummary]
    /// The grade levels the school's active students have, in ascending order.
    func gradeLevels(of school: SchoolID) throws -> [String]
}

/// One person's new password, as its hash.
public struct PasswordReset: Sendable, Equatable {
    public let user: UserID
    public let hash: String
    /// Whether the person must choose their own password at their next password sign-in.
    public let mustChange: Bool

    public init(user: UserID, hash: String, mustChange: Bool) {
        self.user = user
        self.hash = hash
        self.mustChange = mustChange
    }
}
