import Domain
import Foundation

/// ``LogoutStore`` over the main database: `oauth_client_logout`, `oauth_client_post_logout_redirect_uris`,
/// `oauth_grants.session_digest` and the `backchannel_logouts` queue (migration 0042).
public struct MariaLogoutStore: LogoutStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func logoutRegistration(of client: ClientID) throws -> ClientLogoutRegistration? {
        guard
            let row = try database.query(
                """
                SELECT c.id, l.backchannel_logout_uri, l.backchannel_logout_session_required
                FROM oauth_clients c LEFT JOIN oauth_client_logout l ON l.client_pk = c.id
                WHERE c.client_id = \(client.rawValue)
                """
            ).first, let clientPK = row.int("id")
        else { return nil }
        let uris = try database.query(
            "SELECT uri FROM oauth_client_post_logout_redirect_uris WHERE client_pk = \(clientPK) ORDER BY position"
        ).compactMap { $0.string("uri") }
        return ClientLogoutRegistration(
            postLogoutRedirectURIs: uris, backchannelLogoutURI: row.string("backchannel_logout_uri"),
            backchannelLogoutSessionRequired: row.flag("backchannel_logout_session_required"))
    }

    /// Throws `StoreError(.constraint)` for a registration with ``ClientLogoutRegistration/problems()``.
    public func setLogoutRegistration(_ registration: ClientLogoutRegistration, of client: ClientID) throws -> Bool {
        guard registration.problems().isEmpty else {
            throw StoreError(.constraint, detail: "setLogoutRegistration: \(registration.problems().joined(separator: " "))")
        }
        return try database.transaction { tx in
            guard let clientPK = try tx.query("SELECT id FROM oauth_clients WHERE client_id = \(client.rawValue) FOR UPDATE").first?.int("id")
            else { return false }
            try Self.replaceRegistration(of: Int64(clientPK), with: registration, in: tx)
            return true
        }
    }

    /// Replaces a client's logout registration rows (its back-channel URI and post-logout redirect URIs) inside `tx`,
    /// for ``setLogoutRegistration(_:of:)`` and for sync. The caller has checked ``ClientLogoutRegistration/problems()``.
    static func replaceRegistration(of clientPK: Int64, with registration: ClientLogoutRegistration, in tx: Transaction) throws {
        try tx.execute("DELETE FROM oauth_client_post_logout_redirect_uris WHERE client_pk = \(clientPK)")
        try tx.execute("DELETE FROM oauth_client_logout WHERE client_pk = \(clientPK)")
        if registration.backchannelLogoutURI != nil || registration.backchannelLogoutSessionRequired {
            try tx.execute(
                """
                INSERT INTO oauth_client_logout (client_pk, backchannel_logout_uri, backchannel_logout_session_required)
                VALUES (\(clientPK), \(registration.backchannelLogoutURI), \(registration.backchannelLogoutSessionRequired))
                """)
        }
        for (position, uri) in registration.postLogoutRedirectURIs.enumerated() {
            try tx.execute(
                "INSERT INTO oauth_client_post_logout_redirect_uris (client_pk, position, uri) VALUES (\(clientPK), \(position), \(uri))")
        }
    }

    public func queueBackchannelLogouts(sessionDigests: [[UInt8]], now: Date) throws -> Int {
        guard !sessionDigests.isEmpty else { return 0 }
        return try database.execute(Self.queueLogouts(sessionDigests, now: now)).affectedRows
    }

    /// One back-channel logout for each active app with a logout URI that holds a grant issued through one of these
    /// sessions (the grant's person and session).
    static func queueLogouts(_ sessionDigests: [[UInt8]], now: Date) -> SQLQuery {
        """
        INSERT INTO backchannel_logouts (client_pk, user_id, session_digest, created_at, next_attempt_at)
        SELECT DISTINCT g.client_pk, g.user_id, g.session_digest, \(now), \(now)
        FROM oauth_grants g
        JOIN oauth_clients c ON c.id = g.client_pk AND c.status = 'active'
        JOIN oauth_client_logout l ON l.client_pk = g.client_pk AND l.backchannel_logout_uri IS NOT NULL
        WHERE g.session_digest IN (\(list: sessionDigests)) AND g.user_id IS NOT NULL
        """
    }

    public func session(ofGrant grant: GrantID) throws -> GrantSession? {
        guard
            let row = try database.query(
                """
                SELECT s.token_digest, s.created_at, s.last_seen_at
                FROM oauth_grants g JOIN sessions s ON s.token_digest = g.session_digest
                WHERE g.id = \(grant.rawValue)
                """
            ).first, let digest = row.bytes("token_digest"), let created = row.date("created_at"), let seen = row.date("last_seen_at")
        else { return nil }
        return GrantSession(digest: digest, createdAt: created, lastSeenAt: seen)
    }

    public func endSessions(digests: [[UInt8]], now: Date) throws -> Int {
        guard !digests.isEmpty else { return 0 }
        return try database.transaction { tx in
            let stored = try tx.query("SELECT token_digest FROM sessions WHERE token_digest IN (\(list: digests)) FOR UPDATE")
                .compactMap { $0.bytes("token_digest") }
            return try tx.endSessions(stored, now: now)
        }
    }

    public func endExpiredSessions(now: Date, idleSince: Date, limit: Int) throws -> ExpiredSessionsEnded {
        try Self.endExpiredSessions(database, now: now, idleSince: idleSince, limit: limit)
    }

    /// ``endExpiredSessions(now:idleSince:limit:)`` for the session store's purge, which shares its rule.
    static func endExpiredSessions(_ database: MariaDatabase, now: Date, idleSince: Date, limit: Int) throws -> ExpiredSessionsEnded {
        try database.transaction { tx in
            // The two conditions each have their index (ix_sessions_expiry; last_seen_at is scanned within a user's
            // few rows at most when the purge keeps up); SKIP LOCKED leaves a session another runner is ending to it.
            let expired = try tx.query(
                """
                SELECT token_digest FROM sessions WHERE expires_at <= \(now) OR last_seen_at <= \(idleSince)
                ORDER BY expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """
            ).compactMap { $0.bytes("token_digest") }
            guard !expired.isEmpty else { return ExpiredSessionsEnded() }
            let logouts = try tx.endSessions(expired, now: now)
            return ExpiredSessionsEnded(sessions: expired.count, logouts: logouts)
        }
    }

    public func sessionDigests(of user: UserID, keeping: [UInt8]?) throws -> [[UInt8]] {
        try database.query("SELECT token_digest FROM sessions WHERE user_id = \(user.rawValue)")
            .compactMap { $0.bytes("token_digest") }.filter { $0 != keeping }
    }

    public func sessionDigest(number: Int64, of user: UserID) throws -> [UInt8]? {
        try database.query("SELECT token_digest FROM sessions WHERE id = \(number) AND user_id = \(user.rawValue)").first?.bytes("token_digest")
    }

    /// One transaction, grants locked before their tokens (the lock order of `Transaction+OAuthGrants.swift`).
    public func revokeGrants(sessionDigest: [UInt8], now: Date) throws -> Int {
        try database.transaction { tx in
            let grants = try tx.query(
                "SELECT id FROM oauth_grants WHERE session_digest = \(sessionDigest) AND revoked_at IS NULL ORDER BY id FOR UPDATE"
            ).compactMap { row -> GrantID? in row.id("id") }
            for grant in grants { try tx.revokeGrant(grant, now: now) }
            return grants.count
        }
    }

    /// Rows are claimed under `FOR UPDATE SKIP LOCKED`, so two runners take different rows.
    public func claimDueBackchannelLogouts(now: Date, lease: TimeInterval, limit: Int) throws -> [BackchannelLogoutJob] {
        try database.transaction { tx in
            let due = try tx.query(
                "SELECT id FROM backchannel_logouts WHERE next_attempt_at <= \(now) ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED"
            ).compactMap { $0.int("id").map(Int64.init) }
            guard !due.isEmpty else { return [] }
            // The client rows are read without a lock (as everywhere: a client's rows are only read by token work).
            let rows = try tx.query(
                """
                SELECT b.id, b.user_id, b.session_digest, b.attempts, c.client_id, c.subject_type, c.id_token_signed_response_alg,
                  l.backchannel_logout_uri
                FROM backchannel_logouts b
                JOIN oauth_clients c ON c.id = b.client_pk
                LEFT JOIN oauth_client_logout l ON l.client_pk = b.client_pk
                WHERE b.id IN (\(list: due)) ORDER BY b.next_attempt_at
                """)
            var jobs: [BackchannelLogoutJob] = []
            for row in rows {
                guard let id = row.int("id").map(Int64.init), let user: UserID = row.id("user_id"), let client = row.string("client_id")
                else { continue }
                guard let uri = row.string("backchannel_logout_uri") else {
                    // The app removed its back-channel URI since: nothing to send to.
                    try tx.execute(
                        """
                        UPDATE backchannel_logouts SET next_attempt_at = NULL, last_error = 'no back-channel logout URI registered any more',
                               revision = revision + 1, sync_pending = TRUE
                        WHERE id = \(id)
                        """)
                    continue
                }
                let attempts = row.int("attempts") ?? 0
                try tx.execute(
                    """
                    UPDATE backchannel_logouts SET attempts = attempts + 1, next_attempt_at = \(now.addingTimeInterval(lease)),
                           revision = revision + 1, sync_pending = TRUE
                    WHERE id = \(id)
                    """)
                jobs.append(
                    BackchannelLogoutJob(
                        id: id, clientID: ClientID(client), uri: uri, user: user, sessionDigest: row.bytes("session_digest"), attempts: attempts,
                        subjectType: row.subjectType(), signingAlgorithm: row.idTokenSigningAlgorithm()))
            }
            return jobs
        }
    }

    public func recordBackchannelAttempt(_ id: Int64, deliveredAt: Date?, status: Int?, error: String?, nextAttemptAt: Date?) throws {
        let error = error.map { String($0.prefix(255)) }
        try database.execute(
            """
            UPDATE backchannel_logouts SET delivered_at = \(deliveredAt), last_status = \(status), last_error = \(error),
                   next_attempt_at = \(nextAttemptAt), revision = revision + 1, sync_pending = TRUE
            WHERE id = \(id)
            """)
    }

    public func purgeFinishedBackchannelLogouts(before: Date, limit: Int) throws -> Int {
        try database.execute(
            "DELETE FROM backchannel_logouts WHERE next_attempt_at IS NULL AND created_at < \(before) ORDER BY id LIMIT \(limit)"
        ).affectedRows
    }

    public func backchannelLogouts(of client: ClientID, limit: Int) throws -> [BackchannelLogoutEntry] {
        try database.query(
            """
            SELECT b.id, b.created_at, b.attempts, b.delivered_at, b.next_attempt_at, b.last_status, b.last_error
            FROM backchannel_logouts b JOIN oauth_clients c ON c.id = b.client_pk
            WHERE c.client_id = \(client.rawValue) ORDER BY b.created_at DESC, b.id DESC LIMIT \(limit)
            """
        ).compactMap { row in
            guard let id = row.int("id").map(Int64.init), let created = row.date("created_at") else { return nil }
            return BackchannelLogoutEntry(
                id: id, createdAt: created, attempts: row.int("attempts") ?? 0, deliveredAt: row.date("delivered_at"),
                nextAttemptAt: row.date("next_attempt_at"), lastStatus: row.int("last_status"), lastError: row.string("last_error"))
        }
    }
}

extension Transaction {
    /// Queues the back-channel logouts of these sessions, which the caller holds locked, and deletes them; returns how
    /// many logouts were queued. The rows of ``MariaLogoutStore/queueBackchannelLogouts(sessionDigests:now:)``.
    func endSessions(_ digests: [[UInt8]], now: Date) throws -> Int {
        guard !digests.isEmpty else { return 0 }
        let queued = try execute(MariaLogoutStore.queueLogouts(digests, now: now)).affectedRows
        try execute("DELETE FROM sessions WHERE token_digest IN (\(list: digests))")
        return queued
    }

    /// Queues back-channel logouts for every session of these users, in the caller's transaction and before it deletes
    /// them (their grants still name them): the same rows as ``MariaLogoutStore/queueBackchannelLogouts(sessionDigests:now:)``,
    /// for the stores that end sessions by user (roster deactivation, password resets). They are sent by the cron run.
    @discardableResult
    func queueBackchannelLogouts(sessionsOf users: some Collection<Int64>, except keeping: [UInt8]? = nil, now: Date) throws -> Int {
        guard !users.isEmpty else { return 0 }
        return try execute(
            """
            INSERT INTO backchannel_logouts (client_pk, user_id, session_digest, created_at, next_attempt_at)
            SELECT DISTINCT g.client_pk, g.user_id, g.session_digest, \(now), \(now)
            FROM sessions s
            JOIN oauth_grants g ON g.session_digest = s.token_digest
            JOIN oauth_clients c ON c.id = g.client_pk AND c.status = 'active'
            JOIN oauth_client_logout l ON l.client_pk = g.client_pk AND l.backchannel_logout_uri IS NOT NULL
            WHERE s.user_id IN (\(list: users)) AND (\(keeping) IS NULL OR s.token_digest <> \(keeping))
            """
        ).affectedRows
    }
}
