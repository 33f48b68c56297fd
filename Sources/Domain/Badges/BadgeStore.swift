import Foundation

/// Students' QR badges and the schools' badge policies (main database). A person has at most one badge: its keyed
/// digest (``BadgeSecret/digest(key:)``) is the lookup key, unique over everyone.
public protocol BadgeStore {
    /// The holder of the badge whose digest is `digest`, or `nil` when no badge has it (never issued, rotated or
    /// revoked): the holder may be deactivated, which the caller checks.
    func badgeHolder(digest: [UInt8]) throws -> UserID?
    /// When each of `users` who has a badge got it (absent: no badge).
    func badgeDates(of users: [UserID]) throws -> [UserID: Date]
    /// Gives `user` a badge with `digest`, replacing any they had (rotation: the old digest stops matching in the
    /// same transaction). With `replacing` false a person who already has one keeps it and `false` is returned. A
    /// digest that another person's badge has throws ``StoreError`` (`.duplicate`) and changes nothing.
    func issueBadge(digest: [UInt8], to user: UserID, replacing: Bool, now: Date) throws -> Bool
    /// Removes the person's badge; `false` when they had none.
    func revokeBadge(of user: UserID) throws -> Bool
    /// Notes a sign-in with the person's badge.
    func recordBadgeUse(of user: UserID, now: Date) throws
    /// The school's rule (``BadgePolicy/standard`` when it has chosen none).
    func badgePolicy(of school: SchoolID) throws -> BadgePolicy
    /// Replaces the school's rule.
    func setBadgePolicy(_ policy: BadgePolicy, of school: SchoolID, now: Date) throws
}
