import Domain
import Foundation

/// ``SessionStore``, ``SignInThrottleStore`` and ``AccountPurgeStore`` over the main database.
public struct MariaSessionStore: SessionStore, SignInThrottleStore, AccountPurgeStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// The methods are stored whole or not at all: more than the column holds is a `StoreError`, never a
    /// shortened `amr`.
    public func createSession(
        digest: [UInt8], user: UserID, methods: [AuthenticationMethod], now: Date, expiresAt: Date, clientAddress: String,
        userAgent: String
    ) throws {
        try database.execute(
            """
            INSERT INTO sessions (token_digest, user_id, created_at, amr, last_seen_at, expires_at, client_address, user_agent)
            VALUES (\(digest), \(user.rawValue), \(now), \(methods.methodColumn), \(now), \(expiresAt),
                    \(String(clientAddress.prefix(45))), \(String(userAgent.prefix(255))))
            """)
    }

    public func session(digest: [UInt8]) throws -> (
        user: UserAccount, createdAt: Date, lastSeenAt: Date, methods: [AuthenticationMethod], secondFactor: SecondFactorStatus,
        languages: (person: String?, school: String?)
    )? {
        // The second-factor facts and the saved languages ride along in the same statement (primary-key and
        // unique-key lookups), so the check every signed-in page makes costs no round trip of its own.
        let rows = try database.query(
            """
            SELECT s.created_at, s.last_seen_at, s.amr, u.id, u.role, u.school_id, u.given_name, u.family_name, u.email, u.username,
                   u.record_version,
                   (SELECT p.required_roles FROM school_second_factor_policies p WHERE p.school_id = u.school_id) AS required_roles,
                   EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL)
                   OR EXISTS (SELECT 1 FROM user_passkeys k WHERE k.user_id = u.id) AS second_factor_on,
                   u.preferred_language, (SELECT sc.default_language FROM schools sc WHERE sc.id = u.school_id) AS school_language
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_digest = \(digest) AND u.active
            """)
        guard let row = rows.first, let created = row.date("created_at"), let seen = row.date("last_seen_at") else { return nil }
        let status = SecondFactorStatus(
            policy: row.string("required_roles").map(MariaSecondFactorStore.policy) ?? .standard, enrolled: row.int("second_factor_on") == 1)
        return (
            row.userAccount(), created, seen, row.methodList("amr"), status, (row.string("preferred_language"), row.string("school_language"))
        )
    }

    public func touchSession(digest: [UInt8], now: Date) throws {
        try database.execute("UPDATE sessions SET last_seen_at = \(now) WHERE token_digest = \(digest)")
    }

    public func deleteSession(digest: [UInt8]) throws {
        try database.execute("DELETE FROM sessions WHERE token_digest = \(digest)")
    }

    public func sessions(of user: UserID, current: [UInt8]?) throws -> [SessionSummary] {
        try database.query(
            """
            SELECT id, token_digest, created_at, last_seen_at, amr, client_address, user_agent
            FROM sessions WHERE user_id = \(user.rawValue) ORDER BY last_seen_at DESC, id DESC
            """
        ).map { row in
            SessionSummary(
                number: Int64(row.int("id") ?? 0), createdAt: row.date("created_at") ?? .distantPast,
                lastSeenAt: row.date("last_seen_at") ?? .distantPast, clientAddress: row.string("client_address") ?? "",
                userAgent: row.string("user_agent") ?? "", methods: row.methodList("amr"),
                isCurrent: current != nil && row.bytes("token_digest") == current)
        }
    }

    public func deleteSession(number: Int64, of user: UserID) throws -> Bool {
        // The owner is part of the condition: a number from someone else's page matches no row.
        try database.execute("DELETE FROM sessions WHERE id = \(number) AND user_id = \(user.rawValue)").affectedRows == 1
    }

    public func deleteSessions(of user: UserID, keeping: [UInt8]?) throws {
        if let keeping {
            try database.execute("DELETE FROM sessions WHERE user_id = \(user.rawValue) AND token_digest <> \(keeping)")
        } else {
            try database.execute("DELETE FROM sessions WHERE user_id = \(user.rawValue)")
        }
    }

    /// Expired sessions ended per transaction by ``purgeExpired(now:idleTimeout:throttleWindow:)``.
    static let purgeBatch = 1_000

    private var counters: ThrottleTable { ThrottleTable(database: database, table: "sign_in_throttle") }

    public func throttleState(key: [UInt8]) throws -> SignInThrottleState? { try counters.state(key: key) }

    public func updateThrottle(key: [UInt8], _ update: (SignInThrottleState?) -> SignInThrottleState) throws {
        try counters.update(key: key, update)
    }

    public func clearThrottle(key: [UInt8]) throws { try counters.clear(key: key) }

    public func purgeExpired(now: Date, idleTimeout: TimeInterval, throttleWindow: TimeInterval) throws
        -> (sessions: Int, passwordLinks: Int, throttleCounters: Int)
    {
        // Never a bare DELETE: an expired session's apps are told by back-channel logout, in the transaction that
        // deletes it, so the purge and the cron's run (which share this rule) never race to queue or to lose them.
        var sessions = 0
        while true {
            let ended = try MariaLogoutStore.endExpiredSessions(
                database, now: now, idleSince: now.addingTimeInterval(-idleTimeout), limit: Self.purgeBatch)
            sessions += ended.sessions
            if ended.sessions < Self.purgeBatch { break }
        }
        let links = try database.execute(
            """
            DELETE FROM password_links
            WHERE expires_at <= \(now) OR used_at <= \(now.addingTimeInterval(-86400))
            """)
        let throttles = try database.execute(
            """
            DELETE FROM sign_in_throttle
            WHERE window_started_at <= \(now.addingTimeInterval(-throttleWindow)) AND (locked_until IS NULL OR locked_until <= \(now))
            """)
        return (sessions, links.affectedRows, throttles.affectedRows)
    }
}
