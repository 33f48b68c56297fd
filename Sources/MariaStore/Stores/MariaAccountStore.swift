import Domain
import Foundation

/// ``AccountStore`` and ``PasswordLinkStore`` over the main database.
public struct MariaAccountStore: AccountStore, PasswordLinkStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func signInCandidate(identifier: String) throws -> (user: UserAccount, passwordHash: String?)? {
        let column = identifier.contains("@") ? "email" : "username"
        let rows = try database.query(
            """
            SELECT id, role, school_id, given_name, family_name, email, username, password_hash
            FROM users WHERE \(unsafeRaw: column) = \(identifier) AND active
            """)
        return rows.first.map { ($0.userAccount(), $0.string("password_hash")) }
    }

    public func activeUser(_ id: UserID) throws -> (user: UserAccount, passwordHash: String?)? {
        let rows = try database.query(
            """
            SELECT id, role, school_id, given_name, family_name, email, username, password_hash
            FROM users WHERE id = \(id.rawValue) AND active
            """)
        return rows.first.map { ($0.userAccount(), $0.string("password_hash")) }
    }

    public func setPasswordHash(_ hash: String, for user: UserID, now: Date) throws {
        try database.execute(
            "UPDATE users SET password_hash = \(hash), password_changed_at = \(now), updated_at = \(now) WHERE id = \(user.rawValue)")
    }

    public func createUser(_ user: NewUser, now: Date) throws -> UserID {
        let result = try database.execute(
            """
            INSERT INTO users (school_id, role, given_name, family_name, email, password_hash, password_changed_at,
                               active, created_at, updated_at)
            VALUES (\(user.schoolID?.rawValue), \(user.role.rawValue), \(user.givenName), \(user.familyName),
                    \(user.email.lowercased()), \(user.passwordHash), \(user.passwordHash == nil ? nil : now),
                    TRUE, \(now), \(now))
            """)
        return UserID(result.insertID)
    }

    public func schoolID(sourcedID: String) throws -> SchoolID? {
        try database.query("SELECT id FROM schools WHERE sourced_id = \(sourcedID)").first?.id("id")
    }

    public func createPasswordLink(digest: [UInt8], user: UserID, purpose: PasswordLinkPurpose, now: Date, expiresAt: Date) throws {
        try database.execute(
            """
            INSERT INTO password_links (token_digest, user_id, purpose, created_at, expires_at)
            VALUES (\(digest), \(user.rawValue), \(purpose.rawValue), \(now), \(expiresAt))
            """)
    }

    public func createPasswordLinks(
        _ links: [(digest: [UInt8], user: UserID)], purpose: PasswordLinkPurpose, now: Date, expiresAt: Date
    ) throws {
        let rows = links.map { [$0.digest.sqlValue, $0.user.rawValue.sqlValue, purpose.rawValue.sqlValue, now.sqlValue, expiresAt.sqlValue] }
        for query in MultiRowStatement.queries(
            "INSERT INTO password_links (token_digest, user_id, purpose, created_at, expires_at) VALUES ", rows)
        {
            try database.execute(query)
        }
    }

    public func usersWithValidPasswordLink(_ users: [UserID], purpose: PasswordLinkPurpose, now: Date) throws -> Set<UserID> {
        var found: Set<UserID> = []
        try MultiRowStatement.forEachBatch(of: users.map(\.rawValue)) { chunk in
            for row in try database.query(
                """
                SELECT DISTINCT user_id FROM password_links
                WHERE user_id IN (\(list: chunk)) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND expires_at > \(now)
                """)
            {
                if let id = row.int("user_id") { found.insert(UserID(Int64(id))) }
            }
        }
        return found
    }

    public func hasValidPasswordLink(for user: UserID, purpose: PasswordLinkPurpose, now: Date) throws -> Bool {
        !(try database.query(
            """
            SELECT 1 AS found FROM password_links
            WHERE user_id = \(user.rawValue) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND expires_at > \(now)
            LIMIT 1
            """
        ).isEmpty)
    }

    public func validPasswordLink(digest: [UInt8], now: Date) throws -> (user: UserID, purpose: PasswordLinkPurpose)? {
        let rows = try database.query(
            """
            SELECT l.user_id, l.purpose FROM password_links l JOIN users u ON u.id = l.user_id
            WHERE l.token_digest = \(digest) AND l.used_at IS NULL AND l.expires_at > \(now) AND u.active
            """)
        guard let row = rows.first, let user: UserID = row.id("user_id"),
            let purpose = PasswordLinkPurpose(rawValue: row.string("purpose") ?? "")
        else { return nil }
        return (user, purpose)
    }

    public func consumePasswordLink(digest: [UInt8], newHash: String, now: Date) throws -> UserID? {
        try database.transaction { tx in
            let rows = try tx.query(
                """
                SELECT l.user_id FROM password_links l JOIN users u ON u.id = l.user_id
                WHERE l.token_digest = \(digest) AND l.used_at IS NULL AND l.expires_at > \(now) AND u.active
                FOR UPDATE
                """)
            guard let user: UserID = rows.first?.id("user_id") else { return nil }
            // The conditional UPDATE is what makes the link single-use under concurrent submissions.
            let marked = try tx.execute(
                "UPDATE password_links SET used_at = \(now) WHERE token_digest = \(digest) AND used_at IS NULL")
            guard marked.affectedRows == 1 else { return nil }
            try tx.execute(
                "UPDATE password_links SET used_at = \(now) WHERE user_id = \(user.rawValue) AND used_at IS NULL")
            try tx.execute(
                """
                UPDATE users SET password_hash = \(newHash), password_changed_at = \(now), password_must_change = FALSE, updated_at = \(now)
                WHERE id = \(user.rawValue)
                """)
            try tx.queueBackchannelLogouts(sessionsOf: [user.rawValue], now: now)
            try tx.execute("DELETE FROM sessions WHERE user_id = \(user.rawValue)")
            try tx.revokeEveryGrant(of: user, now: now)
            return user
        }
    }

    /// Locks the user's row, then (through ``Transaction/revokeEveryGrant(of:now:)``) codes, grants, tokens. A code
    /// exchange takes the code row first and a shared lock on the user's row last (the grant's foreign key), so
    /// the two can deadlock; the server then rolls one back and ``MariaDatabase/transaction(_:)`` runs it again,
    /// and either order is correct (a grant made first is revoked, a code revoked first is refused).
    public func changePassword(_ hash: String, for user: UserID, keepingSession: [UInt8], now: Date) throws -> Int {
        try database.transaction { tx in
            try tx.execute(
                """
                UPDATE users SET password_hash = \(hash), password_changed_at = \(now), password_must_change = FALSE, updated_at = \(now)
                WHERE id = \(user.rawValue)
                """)
            try tx.queueBackchannelLogouts(sessionsOf: [user.rawValue], except: keepingSession, now: now)
            try tx.execute("DELETE FROM sessions WHERE user_id = \(user.rawValue) AND token_digest <> \(keepingSession)")
            return try tx.revokeEveryGrant(of: user, now: now)
        }
    }

}
