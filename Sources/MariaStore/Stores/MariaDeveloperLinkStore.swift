import Domain
import Foundation

/// ``DeveloperLinkStore`` over the developers database.
public struct MariaDeveloperLinkStore: DeveloperLinkStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func createLink(digest: [UInt8], developer: DeveloperID, purpose: DeveloperLinkPurpose, now: Date, expiresAt: Date) throws {
        try database.execute(
            """
            INSERT INTO developer_links (token_digest, developer_id, purpose, created_at, expires_at)
            VALUES (\(digest), \(developer.rawValue), \(purpose.rawValue), \(now), \(expiresAt))
            """)
    }

    public func newestLinkCreatedAt(of developer: DeveloperID, purpose: DeveloperLinkPurpose) throws -> Date? {
        try database.query(
            """
            SELECT MAX(created_at) AS newest FROM developer_links
            WHERE developer_id = \(developer.rawValue) AND purpose = \(purpose.rawValue)
            """
        ).first?.date("newest")
    }

    public func link(digest: [UInt8], now: Date) throws -> DeveloperLinkStatus {
        Self.status(try database.query(Self.lookup(digest, forUpdate: false)).first, now: now)
    }

    public func consumeVerificationLink(digest: [UInt8], now: Date) throws -> DeveloperLinkStatus {
        try database.transaction { tx in
            let status = Self.status(try tx.query(Self.lookup(digest, forUpdate: true)).first, now: now)
            guard case .valid(let developer, .verifyEmail) = status else { return Self.refused(status) }
            try tx.execute(
                """
                UPDATE developer_links SET used_at = \(now)
                WHERE developer_id = \(developer.rawValue) AND purpose = 'verify_email' AND used_at IS NULL
                """)
            try tx.execute(
                "UPDATE developers SET state = 'active', updated_at = \(now) WHERE id = \(developer.rawValue) AND state = 'unverified'")
            return status
        }
    }

    public func consumeResetLink(digest: [UInt8], newHash: String, now: Date) throws -> DeveloperLinkStatus {
        try database.transaction { tx in
            let status = Self.status(try tx.query(Self.lookup(digest, forUpdate: true)).first, now: now)
            guard case .valid(let developer, .resetPassword) = status else { return Self.refused(status) }
            try tx.execute(
                "UPDATE developer_links SET used_at = \(now) WHERE developer_id = \(developer.rawValue) AND used_at IS NULL")
            try tx.execute(
                """
                UPDATE developers
                SET password_hash = \(newHash), state = IF(state = 'unverified', 'active', state), updated_at = \(now)
                WHERE id = \(developer.rawValue)
                """)
            try tx.execute("DELETE FROM developer_sessions WHERE developer_id = \(developer.rawValue)")
            return status
        }
    }

    /// The link with its account's state. With `forUpdate` both rows stay locked to the end of the
    /// transaction, so of concurrent consumers the second reads the first one's `used_at` and is refused.
    private static func lookup(_ digest: [UInt8], forUpdate: Bool) -> SQLQuery {
        """
        SELECT l.developer_id, l.purpose, l.expires_at, l.used_at, d.state
        FROM developer_links l JOIN developers d ON d.id = l.developer_id
        WHERE l.token_digest = \(digest)\(unsafeRaw: forUpdate ? " FOR UPDATE" : "")
        """
    }

    /// What a looked-up link is worth at `now`; "used" wins over "expired" since it is the more useful answer.
    private static func status(_ row: Row?, now: Date) -> DeveloperLinkStatus {
        guard let row, let developer: DeveloperID = row.id("developer_id"),
            let purpose = DeveloperLinkPurpose(rawValue: row.string("purpose") ?? ""),
            let expiresAt = row.date("expires_at"),
            let state = DeveloperAccount.State(rawValue: row.string("state") ?? ""), state != .suspended
        else { return .invalid }
        if row.date("used_at") != nil { return .used }
        if expiresAt <= now { return .expired }
        return .valid(developer, purpose)
    }

    /// The answer to a consume call that did not consume: a valid link of the other purpose is `.invalid`.
    private static func refused(_ status: DeveloperLinkStatus) -> DeveloperLinkStatus {
        if case .valid = status { return .invalid }
        return status
    }
}
