import Domain
import Foundation

/// ``PasswordResetStore`` over the main database: `users.password_must_change` and `school_password_policies`.
public struct MariaPasswordResetStore: PasswordResetStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func mustChangePassword(_ user: UserID) throws -> Bool {
        try database.query("SELECT password_must_change FROM users WHERE id = \(user.rawValue) AND active").first?.flag("password_must_change")
            ?? false
    }

    /// Locks the people's rows in id order (two bulk resets of overlapping classes then wait for each other instead
    /// of deadlocking), then each person's hash, links, sessions and grants as ``MariaAccountStore`` does for one.
    public func resetPasswords(_ resets: [PasswordReset], now: Date) throws -> [UserID: Int] {
        guard !resets.isEmpty else { return [:] }
        return try database.transaction { tx in
            let ids = resets.map(\.user.rawValue).sorted()
            let active = Set(
                try tx.query("SELECT id FROM users WHERE id IN (\(list: ids)) AND active ORDER BY id FOR UPDATE").compactMap {
                    $0.id("id") as UserID?
                })
            var revoked: [UserID: Int] = [:]
            for reset in resets where active.contains(reset.user) {
                let user = reset.user.rawValue
                try tx.execute(
                    """
                    UPDATE users SET password_hash = \(reset.hash), password_changed_at = \(now), password_must_change = \(reset.mustChange),
                      updated_at = \(now)
                    WHERE id = \(user)
                    """)
                try tx.execute("UPDATE password_links SET used_at = \(now) WHERE user_id = \(user) AND used_at IS NULL")
                try tx.queueBackchannelLogouts(sessionsOf: [user], now: now)
                try tx.execute("DELETE FROM sessions WHERE user_id = \(user)")
                revoked[reset.user] = try tx.revokeEveryGrant(of: reset.user, now: now)
            }
            return revoked
        }
    }

    public func replaceTemporaryPassword(of user: UserID, expected: String, with hash: String, now: Date) throws -> Bool {
        try database.transaction { tx in
            // The conditional UPDATE is what makes the step single-use under concurrent submissions.
            let changed = try tx.execute(
                """
                UPDATE users SET password_hash = \(hash), password_changed_at = \(now), password_must_change = FALSE, updated_at = \(now)
                WHERE id = \(user.rawValue) AND active AND password_must_change AND password_hash = \(expected)
                """)
            guard changed.affectedRows == 1 else { return false }
            try tx.execute("UPDATE password_links SET used_at = \(now) WHERE user_id = \(user.rawValue) AND used_at IS NULL")
            try tx.queueBackchannelLogouts(sessionsOf: [user.rawValue], now: now)
            try tx.execute("DELETE FROM sessions WHERE user_id = \(user.rawValue)")
            try tx.revokeEveryGrant(of: user, now: now)
            return true
        }
    }

    public func temporaryPasswordsMustChange(in school: SchoolID) throws -> Bool {
        try database.query("SELECT temporary_must_change FROM school_password_policies WHERE school_id = \(school.rawValue)").first?.flag(
            "temporary_must_change") ?? true
    }

    public func setTemporaryPasswordsMustChange(_ mustChange: Bool, in school: SchoolID, now: Date) throws {
        try database.execute(
            """
            INSERT INTO school_password_policies (school_id, temporary_must_change, updated_at) VALUES (\(school.rawValue), \(mustChange), \(now))
            ON DUPLICATE KEY UPDATE temporary_must_change = VALUES(temporary_must_change), updated_at = VALUES(updated_at)
            """)
    }

    public func students(of school: SchoolID, gradeLevel: String) throws -> [PersonSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: MariaSchoolworkStore.userColumns) FROM users u
            WHERE u.school_id = \(school.rawValue) AND u.role = 'student' AND u.active AND u.grade_level = \(gradeLevel)
            ORDER BY u.family_name, u.given_name, u.id
            """
        ).map { $0.personSummary() }
    }

    public func gradeLevels(of school: SchoolID) throws -> [String] {
        try database.query(
            """
            SELECT DISTINCT grade_level FROM users
            WHERE school_id = \(school.rawValue) AND role = 'student' AND active AND grade_level IS NOT NULL AND grade_level <> ''
            ORDER BY grade_level
            """
        ).compactMap { $0.string("grade_level") }
    }
}
