import Domain
import Foundation

/// ``SyncTargetStore`` over the main database.
public struct MariaSyncTargetStore: SyncTargetStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// The lock's name; MariaDB named locks are server-wide, so the database name is part of it.
    private static let lockName = "catalystwells.sync"

    public func withSyncLock<T>(_ body: () throws -> T) throws -> T? {
        let name = "\(Self.lockName).\(try database.query("SELECT DATABASE() AS db").first?.string("db") ?? "")"
        // Timeout 0: a run that finds the lock taken answers at once instead of queueing behind it.
        guard try database.query("SELECT GET_LOCK(\(name), 0) AS taken").first?.int("taken") == 1 else { return nil }
        defer { _ = try? database.query("SELECT RELEASE_LOCK(\(name)) AS released") }
        return try body()
    }

    public func apply(_ app: SyncedApplication, as client: OAuthClient, now: Date) throws -> SyncApplyResult {
        try database.transaction { tx in
            var result = SyncApplyResult()
            let clientPK: Int64
            if let row = try tx.query(
                """
                SELECT id, developer_app_id, name, description, logo_url, homepage_url, privacy_url, terms_url, developer_name,
                       verified, first_party, kind, allowed_scopes, status
                FROM oauth_clients WHERE client_id = \(client.clientID.rawValue) FOR UPDATE
                """
            ).first, let pk = row.int("id") {
                clientPK = Int64(pk)
                let stored: [String?] = [
                    row.string("name"), row.string("description"), row.string("logo_url"), row.string("homepage_url"),
                    row.string("privacy_url"), row.string("terms_url"), row.string("developer_name"), row.string("kind"),
                    row.string("allowed_scopes"), row.string("status"), row.int("verified").map { $0 == 1 ? "1" : "0" },
                    row.int("first_party").map { $0 == 1 ? "1" : "0" }, row.int("developer_app_id").map(String.init),
                ]
                if stored != Self.columns(of: client, app: app) {
                    try tx.execute(
                        """
                        UPDATE oauth_clients SET developer_app_id = \(app.id.rawValue), name = \(client.name),
                            description = \(client.description), logo_url = \(client.logoURL), homepage_url = \(client.homepageURL),
                            privacy_url = \(client.privacyURL), terms_url = \(client.termsURL), developer_name = \(client.developerName),
                            verified = \(client.verified), first_party = \(client.firstParty), kind = \(client.kind.rawValue),
                            allowed_scopes = \(client.allowedScopes.sorted().scopeColumn), status = \(client.status.rawValue),
                            updated_at = \(now)
                        WHERE id = \(clientPK)
                        """)
                    result.changed = true
                }
            } else {
                clientPK = try tx.execute(
                    """
                    INSERT INTO oauth_clients (client_id, developer_app_id, name, description, logo_url, homepage_url, privacy_url,
                                               terms_url, developer_name, verified, first_party, kind, allowed_scopes, status,
                                               created_at, updated_at)
                    VALUES (\(client.clientID.rawValue), \(app.id.rawValue), \(client.name), \(client.description), \(client.logoURL),
                            \(client.homepageURL), \(client.privacyURL), \(client.termsURL), \(client.developerName),
                            \(client.verified), \(client.firstParty), \(client.kind.rawValue),
                            \(client.allowedScopes.sorted().scopeColumn), \(client.status.rawValue), \(now), \(now))
                    """
                ).insertID
                result.created = true
                result.changed = true
            }
            if try Self.replaceRedirectURIs(client.redirectURIs, of: clientPK, in: tx) { result.changed = true }
            if try Self.mirrorSecrets(app.secretDigests, of: clientPK, now: now, in: tx) { result.changed = true }
            if try Self.mirrorAPIKeys(app.apiKeys, of: clientPK, in: tx) { result.changed = true }
            if client.status != .active {
                result.tokensRevoked = try Self.revokeEverything(of: clientPK, now: now, in: tx)
                if result.tokensRevoked > 0 { result.changed = true }
            }
            return result
        }
    }

    /// The compared columns, in the order ``apply(_:as:now:)`` reads them.
    private static func columns(of client: OAuthClient, app: SyncedApplication) -> [String?] {
        [
            client.name, client.description, client.logoURL, client.homepageURL, client.privacyURL, client.termsURL,
            client.developerName, client.kind.rawValue, client.allowedScopes.sorted().scopeColumn, client.status.rawValue,
            client.verified ? "1" : "0", client.firstParty ? "1" : "0", String(app.id.rawValue),
        ]
    }

    private static func replaceRedirectURIs(_ uris: [String], of clientPK: Int64, in tx: Transaction) throws -> Bool {
        let current = try tx.query("SELECT uri FROM oauth_client_redirect_uris WHERE client_pk = \(clientPK) ORDER BY position")
            .compactMap { $0.string("uri") }
        guard current != uris else { return false }
        try tx.execute("DELETE FROM oauth_client_redirect_uris WHERE client_pk = \(clientPK)")
        for (position, uri) in uris.enumerated() {
            try tx.execute("INSERT INTO oauth_client_redirect_uris (client_pk, position, uri) VALUES (\(clientPK), \(position), \(uri))")
        }
        return true
    }

    /// Adds the digests main lacks (or re-activates them) and ends the ones the developer revoked.
    private static func mirrorSecrets(_ digests: [[UInt8]], of clientPK: Int64, now: Date, in tx: Transaction) throws -> Bool {
        let rows = try tx.query("SELECT id, secret_digest, valid_until FROM oauth_client_secrets WHERE client_pk = \(clientPK)")
        let wanted = Set(digests)
        var changed = false
        var present: Set<[UInt8]> = []
        for row in rows {
            guard let id = row.int("id"), let digest = row.bytes("secret_digest") else { continue }
            present.insert(digest)
            let active = row.date("valid_until").map { $0 > now } ?? true
            if wanted.contains(digest), !active {
                try tx.execute("UPDATE oauth_client_secrets SET valid_until = NULL WHERE id = \(id)")
                changed = true
            } else if !wanted.contains(digest), active {
                try tx.execute("UPDATE oauth_client_secrets SET valid_until = \(now) WHERE id = \(id)")
                changed = true
            }
        }
        for digest in digests where !present.contains(digest) {
            try tx.execute(
                "INSERT INTO oauth_client_secrets (client_pk, secret_digest, created_at) VALUES (\(clientPK), \(digest), \(now))")
            changed = true
        }
        return changed
    }

    private static func mirrorAPIKeys(_ keys: [SyncedAPIKey], of clientPK: Int64, in tx: Transaction) throws -> Bool {
        let rows = try tx.query("SELECT source_id, revoked_at FROM api_keys WHERE client_pk = \(clientPK)")
        var current: [Int64: Date?] = [:]
        for row in rows { if let id = row.int("source_id") { current[Int64(id)] = row.date("revoked_at") } }
        var changed = false
        for key in keys {
            if let stored = current[key.sourceID] {
                if (stored == nil) != (key.revokedAt == nil) {
                    try tx.execute("UPDATE api_keys SET revoked_at = \(key.revokedAt) WHERE source_id = \(key.sourceID)")
                    changed = true
                }
            } else {
                try tx.execute(
                    """
                    INSERT INTO api_keys (source_id, client_pk, key_digest, scopes, created_at, revoked_at)
                    VALUES (\(key.sourceID), \(clientPK), \(key.digest), \(key.scopes.scopeColumn), \(key.createdAt), \(key.revokedAt))
                    """)
                changed = true
            }
        }
        return changed
    }

    /// A suspended client's grants, tokens and unused codes all end now; returns the tokens revoked.
    private static func revokeEverything(of clientPK: Int64, now: Date, in tx: Transaction) throws -> Int {
        try tx.execute("UPDATE oauth_codes SET expires_at = \(now) WHERE client_pk = \(clientPK) AND expires_at > \(now)")
        try tx.execute("UPDATE oauth_grants SET revoked_at = \(now) WHERE client_pk = \(clientPK) AND revoked_at IS NULL")
        return Int(
            try tx.execute(
                """
                UPDATE oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id SET t.revoked_at = \(now)
                WHERE g.client_pk = \(clientPK) AND t.revoked_at IS NULL
                """
            ).affectedRows)
    }

    public func dailyUsage(from: CalendarDate, through: CalendarDate) throws -> [DailyUsage] {
        let start = from.description
        let end = through.description
        var usage: [String: (requests: Int64, errors: Int64, authorizations: Int64, active: Int64, new: Int64)] = [:]
        func key(_ row: Row) -> String? {
            guard let client = row.string("client_id"), let day = row.string("day") else { return nil }
            return client + " " + day
        }
        for row in try database.query(
            """
            SELECT client_id, CAST(DATE(occurred_at) AS CHAR) AS day, COUNT(*) AS n, SUM(status >= 400) AS e
            FROM data_access_log WHERE occurred_at >= \(start) AND occurred_at < \(end) + INTERVAL 1 DAY
            GROUP BY client_id, day
            """)
        {
            guard let key = key(row) else { continue }
            usage[key, default: (0, 0, 0, 0, 0)].requests = Int64(row.int("n") ?? 0)
            usage[key, default: (0, 0, 0, 0, 0)].errors = Int64(row.int("e") ?? 0)
        }
        for row in try database.query(
            """
            SELECT c.client_id, CAST(DATE(g.created_at) AS CHAR) AS day, COUNT(*) AS n
            FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_pk
            WHERE g.created_at >= \(start) AND g.created_at < \(end) + INTERVAL 1 DAY
            GROUP BY c.client_id, day
            """)
        {
            guard let key = key(row) else { continue }
            usage[key, default: (0, 0, 0, 0, 0)].authorizations = Int64(row.int("n") ?? 0)
        }
        for row in try database.query(
            """
            SELECT client_id, day, COUNT(DISTINCT user_id) AS n FROM (
                SELECT client_id, CAST(DATE(occurred_at) AS CHAR) AS day, actor_user_id AS user_id FROM data_access_log
                WHERE occurred_at >= \(start) AND occurred_at < \(end) + INTERVAL 1 DAY AND actor_user_id IS NOT NULL
                UNION
                SELECT c.client_id, CAST(DATE(g.created_at) AS CHAR), g.user_id FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_pk
                WHERE g.created_at >= \(start) AND g.created_at < \(end) + INTERVAL 1 DAY AND g.user_id IS NOT NULL
            ) AS activity GROUP BY client_id, day
            """)
        {
            guard let key = key(row) else { continue }
            usage[key, default: (0, 0, 0, 0, 0)].active = Int64(row.int("n") ?? 0)
        }
        for row in try database.query(
            """
            SELECT c.client_id, CAST(DATE(s.first_granted_at) AS CHAR) AS day, COUNT(*) AS n
            FROM oauth_consents s JOIN oauth_clients c ON c.id = s.client_pk
            WHERE s.first_granted_at >= \(start) AND s.first_granted_at < \(end) + INTERVAL 1 DAY
            GROUP BY c.client_id, day
            """)
        {
            guard let key = key(row) else { continue }
            usage[key, default: (0, 0, 0, 0, 0)].new = Int64(row.int("n") ?? 0)
        }
        return usage.compactMap { key, value in
            let parts = key.split(separator: " ")
            guard parts.count == 2, let day = CalendarDate(String(parts[1])) else { return nil }
            return DailyUsage(
                clientID: ClientID(String(parts[0])), day: day, apiRequests: value.requests, errors: value.errors,
                authorizations: value.authorizations, activeUsers: value.active, newUsers: value.new)
        }.sorted { ($0.clientID.rawValue, $0.day) < ($1.clientID.rawValue, $1.day) }
    }

    public func pendingEvents(limit: Int) throws -> [PendingEvent] {
        var events: [PendingEvent] = []
        for row in try database.query(
            """
            SELECT id, event_type, client_id, occurred_at FROM webhook_outbox WHERE handed_over_at IS NULL ORDER BY id LIMIT \(limit)
            """)
        {
            guard let id = row.int("id"), let type = row.string("event_type"), let client = row.string("client_id"),
                let at = row.date("occurred_at")
            else { continue }
            events.append(
                PendingEvent(
                    source: "auth", id: Int64(id), type: type, clientID: ClientID(client), occurredAt: at,
                    payload: Self.payload(type: type, at: at, data: ["client_id": client])))
        }
        for row in try database.query(
            """
            SELECT id, event_type, occurred_at, client_id, school_id, class_id, assessment_id, CAST(day AS CHAR) AS day
            FROM api_event_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT \(limit)
            """)
        {
            guard let id = row.int("id"), let type = row.string("event_type"), let client = row.string("client_id"),
                let at = row.date("occurred_at")
            else { continue }
            var data: [String: Any] = ["client_id": client]
            for column in ["school_id", "class_id", "assessment_id"] { if let value = row.int(column) { data[column] = value } }
            if let day = row.string("day") { data["day"] = day }
            events.append(
                PendingEvent(
                    source: "api", id: Int64(id), type: type, clientID: ClientID(client), occurredAt: at,
                    payload: Self.payload(type: type, at: at, data: data)))
        }
        return events.sorted { $0.occurredAt < $1.occurredAt }
    }

    /// The thin JSON body of an event: type, ISO 8601 time and ids.
    private static func payload(type: String, at: Date, data: [String: Any]) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let object: [String: Any] = ["type": type, "timestamp": formatter.string(from: at), "data": data]
        guard let bytes = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func markEventsHandedOver(_ events: [PendingEvent], now: Date) throws {
        try database.transaction { tx in
            for event in events {
                switch event.source {
                case "auth": try tx.execute("UPDATE webhook_outbox SET handed_over_at = \(now) WHERE id = \(event.id) AND handed_over_at IS NULL")
                default: try tx.execute("UPDATE api_event_outbox SET delivered_at = \(now) WHERE id = \(event.id) AND delivered_at IS NULL")
                }
            }
        }
    }

    public func syncState(_ name: String) throws -> String? {
        try database.query("SELECT value FROM sync_state WHERE name = \(name)").first?.string("value")
    }

    public func setSyncState(_ name: String, value: String, now: Date) throws {
        try database.execute(
            """
            INSERT INTO sync_state (name, value, updated_at) VALUES (\(name), \(value), \(now))
            ON DUPLICATE KEY UPDATE updated_at = IF(value = VALUES(value), updated_at, VALUES(updated_at)), value = VALUES(value)
            """)
    }
}
