import Domain
import Foundation

/// ``BadgeStore`` over main's `user_badges` and `school_badge_policies`.
public struct MariaBadgeStore: BadgeStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func badgeHolder(digest: [UInt8]) throws -> UserID? {
        try database.query("SELECT user_id FROM user_badges WHERE secret_digest = \(digest)").first?.int("user_id").map { UserID(Int64($0)) }
    }

    public func badgeDates(of users: [UserID]) throws -> [UserID: Date] {
        var dates: [UserID: Date] = [:]
        for start in stride(from: 0, to: users.count, by: 500) {
            let chunk = users[start..<min(users.count, start + 500)].map(\.rawValue)
            for row in try database.query("SELECT user_id, issued_at FROM user_badges WHERE user_id IN (\(list: chunk))") {
                if let id = row.int("user_id"), let date = row.date("issued_at") { dates[UserID(Int64(id))] = date }
            }
        }
        return dates
    }

    public func issueBadge(digest: [UInt8], to user: UserID, replacing: Bool, now: Date) throws -> Bool {
        if replacing {
            // One transaction: the old digest is gone the moment the new one is there. Not INSERT … ON DUPLICATE KEY
            // UPDATE, which would update whichever row a colliding digest matched — another person's.
            return try database.transaction { tx in
                try tx.execute("DELETE FROM user_badges WHERE user_id = \(user.rawValue)")
                try tx.execute(
                    "INSERT INTO user_badges (user_id, secret_digest, issued_at) VALUES (\(user.rawValue), \(digest), \(now))")
                return true
            }
        }
        do {
            try database.execute("INSERT INTO user_badges (user_id, secret_digest, issued_at) VALUES (\(user.rawValue), \(digest), \(now))")
            return true
        } catch let error as StoreError where error.kind == .duplicate {
            // The person's row (they keep their badge), unless the duplicate was the digest of someone else's.
            guard try !database.query("SELECT user_id FROM user_badges WHERE user_id = \(user.rawValue)").isEmpty else { throw error }
            return false
        }
    }

    public func revokeBadge(of user: UserID) throws -> Bool {
        try database.execute("DELETE FROM user_badges WHERE user_id = \(user.rawValue)").affectedRows == 1
    }

    public func recordBadgeUse(of user: UserID, now: Date) throws {
        try database.execute("UPDATE user_badges SET last_used_at = \(now) WHERE user_id = \(user.rawValue)")
    }

    public func badgePolicy(of school: SchoolID) throws -> BadgePolicy {
        guard let row = try database.query("SELECT roles, networks FROM school_badge_policies WHERE school_id = \(school.rawValue)").first
        else { return .standard }
        return BadgePolicy(
            roles: Set((row.string("roles") ?? "").split(separator: ",").compactMap { Role(rawValue: String($0)) }),
            networks: (row.string("networks") ?? "").split(separator: " ").compactMap { NetworkRange(String($0)) })
    }

    public func setBadgePolicy(_ policy: BadgePolicy, of school: SchoolID, now: Date) throws {
        let roles = BadgePolicy.allowableRoles.filter { policy.roles.contains($0) }.map(\.rawValue).joined(separator: ",")
        let networks = policy.networks.map(\.description).joined(separator: " ")
        try database.execute(
            """
            INSERT INTO school_badge_policies (school_id, roles, networks, updated_at)
            VALUES (\(school.rawValue), \(roles), \(networks), \(now))
            ON DUPLICATE KEY UPDATE roles = VALUES(roles), networks = VALUES(networks), updated_at = VALUES(updated_at)
            """)
    }
}
