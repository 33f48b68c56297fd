import Domain
import Foundation

/// ``DeveloperAccountStore`` over the developers database.
public struct MariaDeveloperAccountStore: DeveloperAccountStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func createDeveloper(_ developer: NewDeveloper, now: Date) throws -> DeveloperID {
        let result = try database.execute(
            """
            INSERT INTO developers (email, name, company, password_hash, state, terms_accepted_at, created_at, updated_at)
            VALUES (\(developer.email.lowercased()), \(developer.name), \(developer.company), \(developer.passwordHash),
                    'unverified', \(now), \(now), \(now))
            """)
        return DeveloperID(result.insertID)
    }

    public func developer(email: String) throws -> (account: DeveloperAccount, passwordHash: String)? {
        try database.query(
            "SELECT \(unsafeRaw: developerColumns) FROM developers d WHERE d.email = \(email.lowercased())"
        ).first.map { ($0.developerAccount(), $0.string("password_hash") ?? "") }
    }

    public func developer(_ id: DeveloperID) throws -> (account: DeveloperAccount, passwordHash: String)? {
        try database.query("SELECT \(unsafeRaw: developerColumns) FROM developers d WHERE d.id = \(id.rawValue)")
            .first.map { ($0.developerAccount(), $0.string("password_hash") ?? "") }
    }

    public func markVerified(_ id: DeveloperID, now: Date) throws -> Bool {
        try database.execute(
            "UPDATE developers SET state = 'active', updated_at = \(now) WHERE id = \(id.rawValue) AND state = 'unverified'"
        ).affectedRows == 1
    }

    public func setPreferredLanguage(_ language: String?, of id: DeveloperID, now: Date) throws {
        try database.execute("UPDATE developers SET preferred_language = \(language), updated_at = \(now) WHERE id = \(id.rawValue)")
    }

    public func setPasswordHash(_ hash: String, for id: DeveloperID, now: Date) throws {
        try database.execute(
            "UPDATE developers SET password_hash = \(hash), updated_at = \(now) WHERE id = \(id.rawValue)")
    }

    public func changePassword(_ hash: String, for id: DeveloperID, keepingSession: [UInt8]?, now: Date) throws {
        try database.transaction { tx in
            try tx.execute("UPDATE developers SET password_hash = \(hash), updated_at = \(now) WHERE id = \(id.rawValue)")
            if let keepingSession {
                try tx.execute(
                    "DELETE FROM developer_sessions WHERE developer_id = \(id.rawValue) AND token_digest <> \(keepingSession)")
            } else {
                try tx.execute("DELETE FROM developer_sessions WHERE developer_id = \(id.rawValue)")
            }
            try tx.execute(
                """
                UPDATE developer_links SET used_at = \(now)
                WHERE developer_id = \(id.rawValue) AND purpose = 'reset_password' AND used_at IS NULL
                """)
        }
    }

    public func totp(of id: DeveloperID) throws -> DeveloperTOTP? {
        let rows = try database.query(
            """
            SELECT totp_secret_sealed, totp_enabled_at, totp_last_used_step FROM developers
            WHERE id = \(id.rawValue) AND totp_secret_sealed IS NOT NULL
            """)
        guard let row = rows.first, let sealed = row.bytes("totp_secret_sealed") else { return nil }
        return DeveloperTOTP(
            sealedSecret: sealed, enabledAt: row.date("totp_enabled_at"), lastUsedStep: row.int("totp_last_used_step").map(Int64.init))
    }

    public func setPendingTOTPSecret(_ sealedSecret: [UInt8], for id: DeveloperID, now: Date) throws -> Bool {
        try database.execute(
            """
            UPDATE developers SET totp_secret_sealed = \(sealedSecret), totp_last_used_step = NULL, updated_at = \(now)
            WHERE id = \(id.rawValue) AND totp_enabled_at IS NULL
            """
        ).affectedRows == 1
    }

    public func enableTOTP(
        for id: DeveloperID, sealedSecret: [UInt8], step: Int64, recoveryCodeDigests: [[UInt8]], now: Date
    ) throws -> Bool {
        guard step >= 0 else { return false }
        return try database.transaction { tx in
            // Conditional on the very seed the code was checked against, so a concurrent re-enrolment in
            // another tab cannot get a seed the developer never saw enabled.
            let enabled = try tx.execute(
                """
                UPDATE developers SET totp_enabled_at = \(now), totp_last_used_step = \(step), updated_at = \(now)
                WHERE id = \(id.rawValue) AND totp_enabled_at IS NULL AND totp_secret_sealed = \(sealedSecret)
                """)
            guard enabled.affectedRows == 1 else { return false }
            try Self.replaceCodes(recoveryCodeDigests, of: id, now: now, in: tx)
            return true
        }
    }

    public func disableTOTP(for id: DeveloperID, now: Date) throws {
        try database.transaction { tx in
            try tx.execute(
                """
                UPDATE developers SET totp_secret_sealed = NULL, totp_enabled_at = NULL, totp_last_used_step = NULL,
                    updated_at = \(now)
                WHERE id = \(id.rawValue)
                """)
            try tx.execute("DELETE FROM developer_recovery_codes WHERE developer_id = \(id.rawValue)")
        }
    }

    public func recordTOTPStep(_ step: Int64, for id: DeveloperID) throws -> Bool {
        guard step >= 0 else { return false }
        // One statement: the row lock makes concurrent calls with the same step run one after another, and
        // each re-reads the committed last step, so only the first sees `step` as new.
        return try database.execute(
            """
            UPDATE developers SET totp_last_used_step = \(step)
            WHERE id = \(id.rawValue) AND totp_enabled_at IS NOT NULL
              AND (totp_last_used_step IS NULL OR totp_last_used_step < \(step))
            """
        ).affectedRows == 1
    }

    public func replaceRecoveryCodes(_ digests: [[UInt8]], for id: DeveloperID, now: Date) throws -> Bool {
        try database.transaction { tx in
            // Locking the account row orders this against a concurrent disableTOTP, which would otherwise be
            // able to leave codes behind for an account without a second factor.
            let enabled = try tx.query(
                "SELECT id FROM developers WHERE id = \(id.rawValue) AND totp_enabled_at IS NOT NULL FOR UPDATE")
            guard !enabled.isEmpty else { return false }
            try Self.replaceCodes(digests, of: id, now: now, in: tx)
            return true
        }
    }

    public func consumeRecoveryCode(digest: [UInt8], for id: DeveloperID, now: Date) throws -> Bool {
        try database.execute(
            """
            UPDATE developer_recovery_codes SET used_at = \(now)
            WHERE developer_id = \(id.rawValue) AND code_digest = \(digest) AND used_at IS NULL
            """
        ).affectedRows == 1
    }

    public func unusedRecoveryCodeDigests(of id: DeveloperID) throws -> [[UInt8]] {
        try database.query(
            """
            SELECT code_digest FROM developer_recovery_codes WHERE developer_id = \(id.rawValue) AND used_at IS NULL
            ORDER BY code_digest
            """
        ).compactMap { $0.bytes("code_digest") }
    }

    /// Deletes every recovery code of the account and stores `digests` unused, inside the caller's transaction.
    private static func replaceCodes(_ digests: [[UInt8]], of id: DeveloperID, now: Date, in tx: Transaction) throws {
        try tx.execute("DELETE FROM developer_recovery_codes WHERE developer_id = \(id.rawValue)")
        for digest in digests {
            try tx.execute(
                "INSERT INTO developer_recovery_codes (developer_id, code_digest, created_at) VALUES (\(id.rawValue), \(digest), \(now))")
        }
    }
}
