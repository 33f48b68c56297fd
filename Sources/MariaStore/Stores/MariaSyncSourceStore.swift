import Domain
import Foundation

/// ``SyncSourceStore`` over the developers database, as the app pool's account (narrow grants:
/// `deploy/mariadb/bootstrap.sh`).
public struct MariaSyncSourceStore: SyncSourceStore {
    let database: MariaDatabase

    /// Creates the store over a handle on the developers database.
    public init(database: MariaDatabase) { self.database = database }

    public func applicationsToSync(limit: Int) throws -> [SyncedApplication] {
        let rows = try database.query(
            """
            SELECT \(unsafeRaw: applicationColumns), a.sync_requested_at, d.name AS developer_name
            FROM applications a JOIN developers d ON d.id = a.developer_id
            WHERE a.sync_requested_at IS NOT NULL
            ORDER BY a.sync_requested_at, a.id LIMIT \(limit)
            """)
        return try rows.compactMap { row -> SyncedApplication? in
            guard let stored = row.storedApplication(), let marker = row.date("sync_requested_at") else { return nil }
            let live: ApprovedApplication?
            switch stored.review.state {
            case .approved(let app), .suspended(let app, _): live = app
            default: live = nil
            }
            let id = stored.id.rawValue
            let secrets =
                live == nil
                ? []
                : try database.query(
                    "SELECT secret_digest FROM application_client_secrets WHERE application_id = \(id) AND revoked_at IS NULL ORDER BY id"
                ).compactMap { $0.bytes("secret_digest") }
            let keys =
                live == nil
                ? []
                : try database.query(
                    "SELECT id, key_digest, scopes, created_at, revoked_at FROM api_keys WHERE application_id = \(id) ORDER BY id"
                ).compactMap { key -> SyncedAPIKey? in
                    guard let keyID = key.int("id"), let digest = key.bytes("key_digest"), let created = key.date("created_at") else { return nil }
                    return SyncedAPIKey(
                        sourceID: Int64(keyID), digest: digest, scopes: key.scopeList("scopes"), createdAt: created, revokedAt: key.date("revoked_at")
                    )
                }
            return SyncedApplication(
                id: stored.id, clientID: stored.clientID, status: stored.review.status, live: live?.live ?? stored.review.currentContent,
                grantedScopes: live?.grantedScopes ?? [], developerName: row.string("developer_name") ?? "", secretDigests: secrets,
                apiKeys: keys, marker: marker)
        }
    }

    public func clearSyncRequest(of id: ApplicationID, marker: Date) throws -> Bool {
        try database.execute(
            "UPDATE applications SET sync_requested_at = NULL WHERE id = \(id.rawValue) AND sync_requested_at = \(marker)"
        ).affectedRows == 1
    }

    public func applicationIDs(of clientIDs: [ClientID]) throws -> [ClientID: ApplicationID] {
        var found: [ClientID: ApplicationID] = [:]
        // In chunks, so a long list never makes one huge statement.
        for chunk in stride(from: 0, to: clientIDs.count, by: 200).map({ Array(clientIDs[$0..<min($0 + 200, clientIDs.count)]) }) {
            for row in try database.query("SELECT id, client_id FROM applications WHERE client_id IN (\(list: chunk.map(\.rawValue)))") {
                if let client = row.string("client_id"), let id = row.int("id") { found[ClientID(client)] = ApplicationID(Int64(id)) }
            }
        }
        return found
    }

    public func enqueueEvents(_ events: [(event: PendingEvent, application: ApplicationID)], now: Date) throws -> Int {
        guard !events.isEmpty else { return 0 }
        return try database.transaction { tx in
            try events.reduce(0) { queued, item in queued + (try tx.enqueueWebhookEvent(item.event, for: item.application, now: now)) }
        }
    }

    public func recordAPIKeyUsage(_ usage: [APIKeyUsage]) throws {
        guard !usage.isEmpty else { return }
        try database.transaction { tx in
            for key in usage {
                try tx.execute(
                    "UPDATE api_keys SET request_count = \(key.requestCount), last_used_at = \(key.lastUsedAt) WHERE id = \(key.keyID)")
            }
        }
    }

    public func recordClientSecretUsage(_ usage: [ClientSecretUsage]) throws {
        guard !usage.isEmpty else { return }
        try database.transaction { tx in
            for secret in usage {
                try tx.execute(
                    """
                    UPDATE application_client_secrets SET last_used_at = \(secret.lastUsedAt)
                    WHERE secret_digest = \(secret.digest) AND (last_used_at IS NULL OR last_used_at < \(secret.lastUsedAt))
                    """)
            }
        }
    }

    public func credentialsAwaitingConfirmation(limit: Int) throws -> [PendingCredential] {
        let secrets = try database.query(
            """
            SELECT \(unsafeRaw: Self.secretColumns) \(unsafeRaw: Self.secretTables)
            WHERE c.attested_at IS NULL AND c.revoked_at IS NULL AND a.status = 'approved' ORDER BY c.created_at, c.id LIMIT \(limit)
            """)
        let keys = try database.query(
            """
            SELECT \(unsafeRaw: Self.keyColumns) \(unsafeRaw: Self.keyTables)
            WHERE c.attested_at IS NULL AND c.revoked_at IS NULL AND a.status = 'approved' ORDER BY c.created_at, c.id LIMIT \(limit)
            """)
        let all = (secrets.compactMap { Self.pending($0, .clientSecret) } + keys.compactMap { Self.pending($0, .apiKey) })
        return Array(all.sorted { ($0.createdAt, $0.sourceID) < ($1.createdAt, $1.sourceID) }.prefix(limit))
    }

    public func activeCredential(_ kind: CredentialAttestation.Kind, id: Int64) throws -> PendingCredential? {
        let (columns, tables) = kind == .clientSecret ? (Self.secretColumns, Self.secretTables) : (Self.keyColumns, Self.keyTables)
        return try database.query(
            "SELECT \(unsafeRaw: columns) \(unsafeRaw: tables) WHERE c.id = \(id) AND c.revoked_at IS NULL AND a.status = 'approved'"
        ).first.flatMap { Self.pending($0, kind) }
    }

    public func markCredentialConfirmed(_ attestation: CredentialAttestation, now: Date) throws {
        guard let id = attestation.sourceID else { return }
        let table = attestation.kind == .clientSecret ? "application_client_secrets" : "api_keys"
        try database.transaction { tx in
            try tx.execute(
                """
                UPDATE \(unsafeRaw: table) SET attested_at = \(now)
                WHERE id = \(id) AND application_id = \(attestation.application.rawValue) AND attested_at IS NULL
                """)
            try tx.execute("UPDATE applications SET sync_requested_at = \(now) WHERE id = \(attestation.application.rawValue)")
        }
    }

    private static let ownerColumns = "a.id AS app_id, a.name AS app_name, a.client_id, d.name AS developer_name, d.email AS developer_email"
    private static let secretColumns = "c.id, c.secret_digest AS digest, c.created_at, \(ownerColumns)"
    private static let secretTables =
        "FROM application_client_secrets c JOIN applications a ON a.id = c.application_id JOIN developers d ON d.id = a.developer_id"
    private static let keyColumns = "c.id, c.key_digest AS digest, c.name, c.visible_prefix, c.scopes, c.created_at, \(ownerColumns)"
    private static let keyTables = "FROM api_keys c JOIN applications a ON a.id = c.application_id JOIN developers d ON d.id = a.developer_id"

    private static func pending(_ row: Row, _ kind: CredentialAttestation.Kind) -> PendingCredential? {
        guard let id = row.int("id"), let digest = row.bytes("digest"), let created = row.date("created_at"), let app = row.int("app_id"),
            let client = row.string("client_id")
        else { return nil }
        let label = kind == .apiKey ? "\(row.string("name") ?? "") (\(row.string("visible_prefix") ?? "")…)" : ""
        return PendingCredential(
            application: ApplicationID(Int64(app)), applicationName: row.string("app_name") ?? "", clientID: ClientID(client),
            developerName: row.string("developer_name") ?? "", developerEmail: row.string("developer_email") ?? "", kind: kind,
            sourceID: Int64(id), digest: digest, label: label, scopes: kind == .apiKey ? row.scopeList("scopes") : [], createdAt: created)
    }
}

extension Transaction {
    /// Queues one delivery of `event` to every enabled endpoint of `application` subscribed to its type, unless
    /// that endpoint already has an original (not a redelivery) delivery with the event's id; returns how many.
    /// One INSERT … SELECT, so handing the same event over again (after a crash) queues nothing.
    func enqueueWebhookEvent(_ event: PendingEvent, for application: ApplicationID, now: Date) throws -> Int {
        Int(
            try execute(
                """
                INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at,
                                                created_at, updated_at)
                SELECT e.id, \(event.eventID), \(event.type), \(event.payload), 'pending', 0, \(now), \(now), \(now)
                FROM webhook_endpoints e
                WHERE e.application_id = \(application.rawValue) AND e.enabled
                  AND CONCAT(' ', e.events, ' ') LIKE CONCAT('% ', \(event.type), ' %')
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                                  WHERE d.endpoint_id = e.id AND d.event_id = \(event.eventID) AND d.redelivery_of IS NULL)
                """
            ).affectedRows)
    }
}

extension MariaSyncSourceStore {
    /// `MIN(sync_requested_at)` over the applications (an index range: `ix_applications_sync`).
    public func oldestSyncRequest() throws -> Date? {
        try database.query("SELECT MIN(sync_requested_at) AS oldest FROM applications").first?.date("oldest")
    }
}
