import Domain
import Foundation

/// ``SecondFactorStore`` over main's `user_totp`, `user_recovery_codes` and `school_second_factor_policies`.
public struct MariaSecondFactorStore: SecondFactorStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func totp(of user: UserID) throws -> UserTOTP? {
        try database.query("SELECT secret_sealed, enabled_at, last_used_step FROM user_totp WHERE user_id = \(user.rawValue)").first.map {
            UserTOTP(
                sealedSecret: $0.bytes("secret_sealed") ?? [], enabledAt: $0.date("enabled_at"),
                lastUsedStep: $0.int("last_used_step").map(Int64.init))
        }
    }

    public func setPendingTOTPSecret(_ sealedSecret: [UInt8], for user: UserID, now: Date) throws -> Bool {
        // A row with an enabled seed is left alone: the conditional update matches nothing and the insert is ignored.
        let changed = try database.execute(
            """
            INSERT INTO user_totp (user_id, secret_sealed, enabled_at, last_used_step, created_at)
            VALUES (\(user.rawValue), \(sealedSecret), NULL, NULL, \(now))
            ON DUPLICATE KEY UPDATE
                secret_sealed = IF(enabled_at IS NULL, VALUES(secret_sealed), secret_sealed),
                created_at = IF(enabled_at IS NULL, VALUES(created_at), created_at)
            """)
        guard changed.affectedRows > 0 else { return false }
        return try totp(of: user).map { $0.enabledAt == nil && $0.sealedSecret == sealedSecret } ?? false
    }

    public func enableTOTP(for user: UserID, sealedSecret: [UInt8], step: Int64, recoveryCodeDigests: [[UInt8]], now: Date) throws -> Bool {
        guard step >= 0 else { return false }
        return try database.transaction { tx in
            let enabled = try tx.execute(
                """
                UPDATE user_totp SET enabled_at = \(now), last_used_step = \(step)
                WHERE user_id = \(user.rawValue) AND enabled_at IS NULL AND secret_sealed = \(sealedSecret)
                """)
            guard enabled.affectedRows == 1 else { return false }
            try Self.replaceCodes(recoveryCodeDigests, of: user, now: now, in: tx)
            return true
        }
    }

    public func disableTOTP(for user: UserID) throws {
        try database.transaction { tx in
            try tx.execute("DELETE FROM user_recovery_codes WHERE user_id = \(user.rawValue)")
            try tx.execute("DELETE FROM user_totp WHERE user_id = \(user.rawValue)")
        }
    }

    public func recordTOTPStep(_ step: Int64, for user: UserID) throws -> Bool {
        guard step >= 0 else { return false }
        return try database.execute(
            """
            UPDATE user_totp SET last_used_step = \(step)
            WHERE user_id = \(user.rawValue) AND enabled_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < \(step))
            """
        ).affectedRows == 1
    }

    public func replaceRecoveryCodes(_ digests: [[UInt8]], for user: UserID, now: Date) throws -> Bool {
        try database.transaction { tx in
            guard !(try tx.query("SELECT user_id FROM user_totp WHERE user_id = \(user.rawValue) AND enabled_at IS NOT NULL FOR UPDATE")).isEmpty
            else { return false }
            try Self.replaceCodes(digests, of: user, now: now, in: tx)
            return true
        }
    }

    public func consumeRecoveryCode(digest: [UInt8], for user: UserID, now: Date) throws -> Bool {
        try database.execute(
            "UPDATE user_recovery_codes SET used_at = \(now) WHERE user_id = \(user.rawValue) AND code_digest = \(digest) AND used_at IS NULL"
        ).affectedRows == 1
    }

    public func unusedRecoveryCodeCount(of user: UserID) throws -> Int {
        try database.query("SELECT COUNT(*) AS n FROM user_recovery_codes WHERE user_id = \(user.rawValue) AND used_at IS NULL").first?.int("n")
            ?? 0
    }

    public func secondFactorPolicy(of school: SchoolID) throws -> SecondFactorPolicy {
        guard let row = try database.query("SELECT required_roles FROM school_second_factor_policies WHERE school_id = \(school.rawValue)").first
        else { return .standard }
        return Self.policy(row.string("required_roles") ?? "")
    }

    /// A policy from the `required_roles` SET column.
    static func policy(_ roles: String) -> SecondFactorPolicy {
        SecondFactorPolicy(requiredRoles: Set(roles.split(separator: ",").compactMap { Role(rawValue: String($0)) }))
    }

    public func setSecondFactorPolicy(_ policy: SecondFactorPolicy, of school: SchoolID, now: Date) throws {
        let roles = SecondFactorPolicy.requirableRoles.filter { policy.requiredRoles.contains($0) }.map(\.rawValue).joined(separator: ",")
        try database.execute(
            """
            INSERT INTO school_second_factor_policies (school_id, required_roles, updated_at) VALUES (\(school.rawValue), \(roles), \(now))
            ON DUPLICATE KEY UPDATE required_roles = VALUES(required_roles), updated_at = VALUES(updated_at)
            """)
    }

    private static func replaceCodes(_ digests: [[UInt8]], of user: UserID, now: Date, in tx: Transaction) throws {
        try tx.execute("DELETE FROM user_recovery_codes WHERE user_id = \(user.rawValue)")
        for digest in digests {
            try tx.execute("INSERT INTO user_recovery_codes (user_id, code_digest, created_at) VALUES (\(user.rawValue), \(digest), \(now))")
        }
    }
}
