import Domain
import Foundation

/// The in-memory twin of ``BadgeStore``.
final class MemoryBadges: BadgeStore, @unchecked Sendable {
    private let lock = NSLock()
    private var badges: [UserID: (digest: [UInt8], issued: Date, used: Date?)] = [:]
    private var policies: [SchoolID: BadgePolicy] = [:]

    func badgeHolder(digest: [UInt8]) throws -> UserID? { lock.withLock { badges.first { $0.value.digest == digest }?.key } }

    func badgeDates(of users: [UserID]) throws -> [UserID: Date] {
        lock.withLock { Dictionary(uniqueKeysWithValues: users.compactMap { user in badges[user].map { (user, $0.issued) } }) }
    }

    func issueBadge(digest: [UInt8], to user: UserID, replacing: Bool, now: Date) throws -> Bool {
        try lock.withLock {
            guard replacing || badges[user] == nil else { return false }
            guard !badges.contains(where: { $0.key != user && $0.value.digest == digest }) else {
                throw StoreError(.duplicate, detail: "user_badges.secret_digest")
            }
            badges[user] = (digest, now, nil)
            return true
        }
    }

    func revokeBadge(of user: UserID) throws -> Bool { lock.withLock { badges.removeValue(forKey: user) != nil } }

    func recordBadgeUse(of user: UserID, now: Date) throws { lock.withLock { badges[user]?.used = now } }

    func badgePolicy(of school: SchoolID) throws -> BadgePolicy { lock.withLock { policies[school] ?? .standard } }

    func setBadgePolicy(_ policy: BadgePolicy, of school: SchoolID, now: Date) throws { lock.withLock { policies[school] = policy } }
}
