import Domain
import Foundation

/// ``DeveloperSessionStore`` and ``AccountPurgeStore`` over the developers database.
public struct MariaDeveloperSessionStore: DeveloperSessionStore, AccountPurgeStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func createSession(
        digest: [UInt8], developer: DeveloperID, now: Date, expiresAt: Date, clientAddress: String, userAgent: String
    ) throws {
        try database.execute(
            """
            INSERT INTO developer_sessions (token_digest, developer_id, created_at, last_seen_at, expires_at, client_address,
                                            user_agent)
            VALUES (\(digest), \(developer.rawValue), \(now), \(now), \(expiresAt), \(String(clientAddress.prefix(45))),
                    \(String(userAgent.prefix(255))))
            """)
    }

    public func session(digest: [UInt8]) throws -> (account: DeveloperAccount, createdAt: Date, lastSeenAt: Date)? {
        let rows = try database.query(
            """
            SELECT s.created_at, s.last_seen_at, \(unsafeRaw: developerColumns)
            FROM developer_sessions s JOIN developers d ON d.id = s.developer_id
            WHERE s.token_digest = \(digest) AND d.state <> 'suspended'
            """)
        guard let row = rows.first, let created = row.date("created_at"), let seen = row.date("last_seen_at") else { return nil }
        return (row.developerAccount(), created, seen)
    }

    public func touchSession(digest: [UInt8], now: Date) throws {
        try database.execute("UPDATE developer_sessions SET last_seen_at = \(now) WHERE token_digest = \(digest)")
    }

    public func deleteSession(digest: [UInt8]) throws {
        try database.execute("DELETE FROM developer_sessions WHERE token_digest = \(digest)")
    }

    public func deleteSessions(of developer: DeveloperID, keeping: [UInt8]?) throws {
        if let keeping {
            try database.execute(
                "DELETE FROM developer_sessions WHERE developer_id = \(developer.rawValue) AND token_digest <> \(keeping)")
        } else {
            try database.execute("DELETE FROM developer_sessions WHERE developer_id = \(developer.rawValue)")
        }
    }

    public func sessions(of developer: DeveloperID, current: [UInt8]?) throws -> [DeveloperSessionSummary] {
        try database.query(
            """
            SELECT id, token_digest, created_at, last_seen_at, expires_at, client_address, user_agent
            FROM developer_sessions WHERE developer_id = \(developer.rawValue)
            ORDER BY last_seen_at DESC, id DESC
            """
        ).map { row in
            DeveloperSessionSummary(
                id: row.id("id")!, createdAt: row.date("created_at") ?? .distantPast,
                lastSeenAt: row.date("last_seen_at") ?? .distantPast, expiresAt: row.date("expires_at") ?? .distantPast,
                clientAddress: row.string("client_address") ?? "", userAgent: row.string("user_agent") ?? "",
                isCurrent: current != nil && row.bytes("token_digest") == current)
        }
    }

    public func deleteSession(_ id: DeveloperSessionID, of developer: DeveloperID) throws -> Bool {
        // The owner is part of the condition: an id from another developer's page matches no row.
        try database.execute(
            "DELETE FROM developer_sessions WHERE id = \(id.rawValue) AND developer_id = \(developer.rawValue)"
        ).affectedRows == 1
    }

    /// Deletes developer sessions past their absolute expiry or idle longer than `idleTimeout`, links expired
    /// or used more than a day ago (reported as `passwordLinks`), and throttle counters whose window and lock
    /// are over.
    public func purgeExpired(now: Date, idleTimeout: TimeInterval, throttleWindow: TimeInterval) throws
        -> (sessions: Int, passwordLinks: Int, throttleCounters: Int)
    {
        let sessions = try database.execute(
            """
            DELETE FROM developer_sessions
            WHERE expires_at <= \(now) OR last_seen_at <= \(now.addingTimeInterval(-idleTimeout))
            """)
        // Used and expired links stay a day, so a late or second click is told why the link no longer works
        // rather than that it is unknown.
        let dayAgo = now.addingTimeInterval(-86400)
        let links = try database.execute("DELETE FROM developer_links WHERE expires_at <= \(dayAgo) OR used_at <= \(dayAgo)")
        let throttles = try database.execute(
            """
            DELETE FROM developer_sign_in_throttle
            WHERE window_started_at <= \(now.addingTimeInterval(-throttleWindow)) AND (locked_until IS NULL OR locked_until <= \(now))
            """)
        return (sessions.affectedRows, links.affectedRows, throttles.affectedRows)
    }
}
