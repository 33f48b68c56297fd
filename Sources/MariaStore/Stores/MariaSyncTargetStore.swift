import Domain
import Foundation

/// ``SyncTargetStore`` over the main database.
public struct MariaSyncTargetStore: SyncTargetStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// How long a run holds the sync lease without writing; every write transaction of the run renews it.
    static let leaseDuration: Duration = .seconds(120)

    /// Sync's lease (``LeaseName/sync``, main's `leases`), not a MariaDB named lock: one run in the installation
    /// whatever host or Galera node it reaches, and while `body` runs every transaction on this handle checks the
    /// fence first, so a run that lost the lease (paused past its expiry) cannot commit after a newer run started.
    public func withSyncLock<T>(_ body: () throws -> T) throws -> T? {
        let leases = MariaLeaseStore(database: database)
        guard let grant = try leases.acquire(.sync, holder: MariaLeaseStore.newHolder(), duration: Self.leaseDuration) else { return nil }
        database.fence = grant
        defer {
            database.fence = nil
            _ = try? leases.release(grant)
        }
        return try body()
    }

    public func apply(_ app: SyncedApplication, as client: OAuthClient, now: Date) throws -> SyncApplyResult {
        try database.transaction { tx in
            var result = SyncApplyResult()
            let clientPK: Int64
            if let row = try tx.query(
                """
                SELECT id, \(unsafeRaw: Self.comparedColumns) FROM oauth_clients WHERE client_id = \(client.clientID.rawValue) FOR UPDATE
                """
            ).first, let pk = row.int("id") {
                // A client_id that belongs to a first-party client or another app is never taken over.
                guard row.int("developer_app_id").map(Int64.init) == app.id.rawValue else {
                    throw StoreError(.constraint, detail: "sync: client_id \(client.clientID) is another client's in main")
                }
                clientPK = Int64(pk)
                if Self.stored(row) != Self.columns(of: client, app: app) {
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
                                               dpop_bound_access_tokens, subject_type, created_at, updated_at)
                    VALUES (\(client.clientID.rawValue), \(app.id.rawValue), \(client.name), \(client.description), \(client.logoURL),
                            \(client.homepageURL), \(client.privacyURL), \(client.termsURL), \(client.developerName),
                            \(client.verified), \(client.firstParty), \(client.kind.rawValue),
                            \(client.allowedScopes.sorted().scopeColumn), \(client.status.rawValue),
                            \(client.requiresDPoP || client.kind == .public), \(client.subjectType.rawValue), \(now), \(now))
                    """
                ).insertID
                result.created = true
                result.changed = true
            }
            if try Self.replaceRedirectURIs(client.redirectURIs, of: clientPK, in: tx) { result.changed = true }
            if try Self.replaceDataDeclarations(app.live.dataDeclarations, of: clientPK, in: tx) { result.changed = true }
            if try Self.replaceClientAuthentication(of: client, clientPK: clientPK, in: tx) { result.changed = true }
            if try Self.replaceOpenIDSettings(app.live.openID, clientPK: clientPK, in: tx) { result.changed = true }
            if try Self.replaceLTITool(app.live.lti, clientPK: clientPK, in: tx) { result.changed = true }
            // Credentials are added only with an admin's confirmation recorded here (CredentialAttestation): the
            // developers database alone can name any digest.
            let attestations = try Self.credentialAttestations(of: app.id, in: tx)
            let secrets = try Self.mirrorSecrets(
                app.secretDigests, of: clientPK, now: now, in: tx,
                admitting: { digest in attestations.contains { $0.admitsSecret(digest, of: app.id) } })
            let keys = try Self.mirrorAPIKeys(
                app.apiKeys, of: clientPK, now: now, in: tx, admitting: { key in attestations.contains { $0.admitsKey(key, of: app.id) } })
            if secrets.changed || keys.changed { result.changed = true }
            result.unattested = secrets.unattested + keys.unattested
            if client.status != .active {
                result.tokensRevoked = try Self.revokeEverything(of: clientPK, now: now, in: tx)
                if result.tokensRevoked > 0 { result.changed = true }
            }
            return result
        }
    }

    public func applyRestrictions(_ app: SyncedApplication, now: Date) throws -> SyncApplyResult {
        try database.transaction { tx in
            var result = SyncApplyResult()
            // Only the client synced from this very app; nothing is created.
            guard
                let row = try tx.query(
                    """
                    SELECT id, status FROM oauth_clients
                    WHERE client_id = \(app.clientID.rawValue) AND developer_app_id = \(app.id.rawValue) FOR UPDATE
                    """
                ).first, let pk = row.int("id")
            else { return result }
            let clientPK = Int64(pk)
            // Secrets and keys the developer no longer has active end; none is added or re-activated.
            if try Self.mirrorSecrets(app.secretDigests, of: clientPK, now: now, in: tx, admitting: nil).changed { result.changed = true }
            if try Self.mirrorAPIKeys(app.apiKeys, of: clientPK, now: now, in: tx, admitting: nil).changed { result.changed = true }
            if app.status == .suspended {
                if row.string("status") != OAuthClient.Status.suspended.rawValue {
                    try tx.execute(
                        "UPDATE oauth_clients SET status = \(OAuthClient.Status.suspended.rawValue), updated_at = \(now) WHERE id = \(clientPK)")
                    result.changed = true
                }
                result.tokensRevoked = try Self.revokeEverything(of: clientPK, now: now, in: tx)
                if result.tokensRevoked > 0 { result.changed = true }
            }
            return result
        }
    }

    /// The client columns sync compares with what the app describes.
    private static let comparedColumns = """
        developer_app_id, name, description, logo_url, homepage_url, privacy_url, terms_url, developer_name, verified, first_party,
        kind, allowed_scopes, status
        """

    /// A row's ``comparedColumns`` as ``columns(of:app:)`` lists them.
    private static func stored(_ row: Row) -> [String?] {
        [
            row.string("name"), row.string("description"), row.string("logo_url"), row.string("homepage_url"),
            row.string("privacy_url"), row.string("terms_url"), row.string("developer_name"), row.string("kind"),
            row.string("allowed_scopes"), row.string("status"), row.int("verified").map { $0 == 1 ? "1" : "0" },
            row.int("first_party").map { $0 == 1 ? "1" : "0" }, row.int("developer_app_id").map(String.init),
        ]
    }

    /// The compared columns, in the order ``stored(_:)`` reads them.
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

    /// Makes the client's data declarations exactly `declarations` (the reviewed live version's); whether
    /// anything changed.
    private static func replaceDataDeclarations(_ declarations: [DataDeclaration], of clientPK: Int64, in tx: Transaction) throws -> Bool {
        let current = try tx.query(
            "SELECT scope, purpose, retention, retention_days, sub_processors FROM oauth_client_data_declarations WHERE client_pk = \(clientPK) ORDER BY position"
        ).map(\.clientDataDeclaration)
        guard current != declarations.map(Optional.some) else { return false }
        try tx.execute("DELETE FROM oauth_client_data_declarations WHERE client_pk = \(clientPK)")
        for (position, declaration) in declarations.enumerated() {
            try tx.execute(
                """
                INSERT INTO oauth_client_data_declarations (client_pk, position, scope, purpose, retention, retention_days, sub_processors)
                VALUES (\(clientPK), \(position), \(declaration.scope), \(declaration.purpose), \(declaration.retention.kind),
                        \(declaration.retention.customDays), \(DataDeclarationColumns.processorsJSON(declaration.subProcessors)))
                """)
        }
        return true
    }

    /// The credential confirmations main holds for the app.
    private static func credentialAttestations(of app: ApplicationID, in tx: Transaction) throws -> [CredentialAttestation] {
        try tx.query("SELECT kind, source_id, digest, scopes FROM credential_attestations WHERE developer_app_id = \(app.rawValue)")
            .compactMap { row in
                guard let kind = row.string("kind").flatMap(CredentialAttestation.Kind.init(rawValue:)), let digest = row.bytes("digest")
                else { return nil }
                return CredentialAttestation(
                    application: app, kind: kind, sourceID: row.int("source_id").map(Int64.init), digest: digest, scopes: row.scopeList("scopes"))
            }
    }

    /// Ends the secrets main runs that the app no longer has active and, when `admitting` is given, adds the
    /// active ones main lacks that it admits; `unattested` counts those it does not. An ended secret is never
    /// made valid again: the developer cannot undo a revocation, so a digest that comes back active is a
    /// tampered row.
    private static func mirrorSecrets(
        _ digests: [[UInt8]], of clientPK: Int64, now: Date, in tx: Transaction, admitting: (([UInt8]) -> Bool)?
    ) throws -> (changed: Bool, unattested: Int) {
        let rows = try tx.query("SELECT id, secret_digest, valid_until FROM oauth_client_secrets WHERE client_pk = \(clientPK)")
        let wanted = Set(digests)
        var changed = false
        var unattested = 0
        var present: Set<[UInt8]> = []
        for row in rows {
            guard let id = row.int("id"), let digest = row.bytes("secret_digest") else { continue }
            present.insert(digest)
            let active = row.date("valid_until").map { $0 > now } ?? true
            if !wanted.contains(digest), active {
                try tx.execute("UPDATE oauth_client_secrets SET valid_until = \(now) WHERE id = \(id)")
                changed = true
            }
        }
        guard let admitting else { return (changed, 0) }
        for digest in digests where !present.contains(digest) {
            guard admitting(digest) else {
                unattested += 1
                continue
            }
            try tx.execute(
                "INSERT INTO oauth_client_secrets (client_pk, secret_digest, created_at) VALUES (\(clientPK), \(digest), \(now))")
            changed = true
        }
        return (changed, unattested)
    }

    /// Mirrors the app's API keys: a key main has that the app lists as revoked, or no longer lists, is revoked;
    /// when `admitting` is given, an active key main lacks is added if it admits it (`unattested` counts those it
    /// does not). A revoked key is never made to work again, and a key's digest and scopes in main never change.
    private static func mirrorAPIKeys(
        _ keys: [SyncedAPIKey], of clientPK: Int64, now: Date, in tx: Transaction, admitting: ((SyncedAPIKey) -> Bool)?
    ) throws -> (changed: Bool, unattested: Int) {
        let rows = try tx.query("SELECT source_id, revoked_at FROM api_keys WHERE client_pk = \(clientPK)")
        var current: [Int64: Date?] = [:]
        for row in rows { if let id = row.int("source_id") { current[Int64(id)] = row.date("revoked_at") } }
        var changed = false
        var unattested = 0
        let active = Set(keys.filter { $0.revokedAt == nil }.map(\.sourceID))
        for (sourceID, revokedAt) in current where revokedAt == nil && !active.contains(sourceID) {
            // The time the developer revoked it, but never later than now.
            let revokedAt = min(keys.first { $0.sourceID == sourceID }?.revokedAt ?? now, now)
            try tx.execute("UPDATE api_keys SET revoked_at = \(revokedAt) WHERE client_pk = \(clientPK) AND source_id = \(sourceID)")
            changed = true
        }
        guard let admitting else { return (changed, 0) }
        for key in keys where key.revokedAt == nil && current[key.sourceID] == nil {
            guard admitting(key) else {
                unattested += 1
                continue
            }
            try tx.execute(
                """
                INSERT INTO api_keys (source_id, client_pk, key_digest, scopes, created_at, revoked_at)
                VALUES (\(key.sourceID), \(clientPK), \(key.digest), \(key.scopes.scopeColumn), \(key.createdAt), NULL)
                """)
            changed = true
        }
        return (changed, unattested)
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

    /// Settled means written `settle` seconds before the database's clock (`UTC_TIMESTAMP(6)` in the statement
    /// that decides), not this host's: on several hosts the clocks differ, and the log's `written_at` is the
    /// database's own. (Grants' `created_at` and the outbox's `occurred_at` come from the writing host's clock; NTP
    /// keeps hosts within milliseconds of each other, well inside the settle time.)
    public func collectUsage(now: Date, settle: TimeInterval) throws -> Int {
        let settled = Int64((settle * 1_000_000).rounded())
        return try database.transaction { tx in
            var folded = 0
            // The access log: requests and errors, and the users they acted for.
            let logFrom = Int64(try Self.state("usage_log_id", in: tx) ?? "0") ?? 0
            if let logTo = try Self.settledEnd(
                table: "data_access_log", after: logFrom, timeColumn: "written_at", settled: settled, in: tx)
            {
                try tx.execute(
                    """
                    INSERT INTO usage_daily (client_id, day, api_requests, errors, dirty)
                    SELECT client_id, DATE(occurred_at), SUM(first_of_call), SUM(first_of_call AND status >= 400), TRUE FROM data_access_log
                    WHERE id > \(logFrom) AND id <= \(logTo) GROUP BY client_id, DATE(occurred_at)
                    ON DUPLICATE KEY UPDATE api_requests = api_requests + VALUES(api_requests), errors = errors + VALUES(errors),
                        dirty = TRUE
                    """)
                try tx.execute(
                    """
                    INSERT IGNORE INTO usage_daily_users (client_id, day, user_id)
                    SELECT DISTINCT client_id, DATE(occurred_at), actor_user_id FROM data_access_log
                    WHERE id > \(logFrom) AND id <= \(logTo) AND actor_user_id IS NOT NULL
                    """)
                try tx.execute(
                    """
                    INSERT INTO usage_api_keys (source_id, request_count, last_used_at, dirty)
                    SELECT api_key_id, SUM(first_of_call), MAX(occurred_at), TRUE FROM data_access_log
                    WHERE id > \(logFrom) AND id <= \(logTo) AND api_key_id IS NOT NULL GROUP BY api_key_id
                    ON DUPLICATE KEY UPDATE request_count = request_count + VALUES(request_count),
                        last_used_at = GREATEST(last_used_at, VALUES(last_used_at)), dirty = TRUE
                    """)
                folded += Int(logTo - logFrom)
                try Self.setState("usage_log_id", String(logTo), now: now, in: tx)
            }
            // Grants: authorizations, and the users who made them.
            let grantFrom = Int64(try Self.state("usage_grant_id", in: tx) ?? "0") ?? 0
            if let grantTo = try Self.settledEnd(table: "oauth_grants", after: grantFrom, timeColumn: "created_at", settled: settled, in: tx) {
                try tx.execute(
                    """
                    INSERT INTO usage_daily (client_id, day, authorizations, dirty)
                    SELECT c.client_id, DATE(g.created_at), COUNT(*), TRUE FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_pk
                    WHERE g.id > \(grantFrom) AND g.id <= \(grantTo) GROUP BY c.client_id, DATE(g.created_at)
                    ON DUPLICATE KEY UPDATE authorizations = authorizations + VALUES(authorizations), dirty = TRUE
                    """)
                try tx.execute(
                    """
                    INSERT IGNORE INTO usage_daily_users (client_id, day, user_id)
                    SELECT DISTINCT c.client_id, DATE(g.created_at), g.user_id FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_pk
                    WHERE g.id > \(grantFrom) AND g.id <= \(grantTo) AND g.user_id IS NOT NULL
                    """)
                // A new active user of a day whose counters had no other change still needs pushing.
                try tx.execute(
                    """
                    UPDATE usage_daily u JOIN (SELECT DISTINCT c.client_id, DATE(g.created_at) AS day FROM oauth_grants g
                        JOIN oauth_clients c ON c.id = g.client_pk WHERE g.id > \(grantFrom) AND g.id <= \(grantTo)) AS touched
                        ON touched.client_id = u.client_id AND touched.day = u.day
                    SET u.dirty = TRUE
                    """)
                folded += Int(grantTo - grantFrom)
                try Self.setState("usage_grant_id", String(grantTo), now: now, in: tx)
            }
            // First consents (the consent store's authorization.granted events): new users.
            let consentFrom = Int64(try Self.state("usage_consent_id", in: tx) ?? "0") ?? 0
            if let consentTo = try Self.settledEnd(
                table: "webhook_outbox", after: consentFrom, timeColumn: "occurred_at", settled: settled, in: tx)
            {
                try tx.execute(
                    """
                    INSERT INTO usage_daily (client_id, day, new_users, dirty)
                    SELECT client_id, DATE(occurred_at), COUNT(*), TRUE FROM webhook_outbox
                    WHERE id > \(consentFrom) AND id <= \(consentTo) AND event_type = 'authorization.granted'
                    GROUP BY client_id, DATE(occurred_at)
                    ON DUPLICATE KEY UPDATE new_users = new_users + VALUES(new_users), dirty = TRUE
                    """)
                folded += Int(consentTo - consentFrom)
                try Self.setState("usage_consent_id", String(consentTo), now: now, in: tx)
            }
            return folded
        }
    }

    /// The highest id after `after` below which every row is settled (written more than `settled` microseconds
    /// before the database's clock), or `nil`
    /// when there is nothing settled to fold.
    /// Source rows (by id) one run folds at most from each table.
    static let foldLimit: Int64 = 100_000

    private static func settledEnd(
        table: String, after: Int64, timeColumn: String, settled: Int64, in tx: Transaction
    ) throws -> Int64? {
        // Identifiers come from this file's constants only. At most `foldLimit` ids per run: a backlog (a restored
        // database, a district's first sync) is folded over several runs, each inside the client's read timeout; the
        // window starts at the first id past the watermark, so a gap in the ids never stalls it.
        let row = try tx.query(
            """
            SELECT MAX(id) AS last,
                MIN(IF(\(unsafeRaw: timeColumn) >= UTC_TIMESTAMP(6) - INTERVAL \(settled) MICROSECOND, id, NULL)) AS first_unsettled
            FROM \(unsafeRaw: table)
            WHERE id > \(after) AND id <= (SELECT MIN(id) FROM \(unsafeRaw: table) WHERE id > \(after)) + \(foldLimit)
            """
        ).first
        guard let last = row?.int("last") else { return nil }
        let end = row?.int("first_unsettled").map { Int64($0) - 1 } ?? Int64(last)
        return end > after ? end : nil
    }

    private static func state(_ name: String, in tx: Transaction) throws -> String? {
        try tx.query("SELECT value FROM sync_state WHERE name = \(name) FOR UPDATE").first?.string("value")
    }

    private static func setState(_ name: String, _ value: String, now: Date, in tx: Transaction) throws {
        try tx.execute(
            """
            INSERT INTO sync_state (name, value, updated_at) VALUES (\(name), \(value), \(now))
            ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)
            """)
    }

    public func changedUsage(limit: Int) throws -> [DailyUsage] {
        try database.query(
            """
            SELECT u.client_id, CAST(u.day AS CHAR) AS day, u.api_requests, u.errors, u.authorizations, u.new_users,
                u.active_users_kept + (SELECT COUNT(*) FROM usage_daily_users a WHERE a.client_id = u.client_id AND a.day = u.day)
                    AS active_users
            FROM usage_daily u WHERE u.dirty ORDER BY u.day, u.client_id LIMIT \(limit)
            """
        ).compactMap { row in
            guard let client = row.string("client_id"), let day = row.string("day").flatMap(CalendarDate.init) else { return nil }
            return DailyUsage(
                clientID: ClientID(client), day: day, apiRequests: Int64(row.int("api_requests") ?? 0), errors: Int64(row.int("errors") ?? 0),
                authorizations: Int64(row.int("authorizations") ?? 0), activeUsers: Int64(row.int("active_users") ?? 0),
                newUsers: Int64(row.int("new_users") ?? 0))
        }
    }

    public func changedAPIKeyUsage(limit: Int) throws -> [APIKeyUsage] {
        try database.query(
            "SELECT source_id, request_count, last_used_at FROM usage_api_keys WHERE dirty ORDER BY source_id LIMIT \(limit)"
        ).compactMap { row in
            guard let id = row.int("source_id"), let last = row.date("last_used_at") else { return nil }
            return APIKeyUsage(keyID: Int64(id), requestCount: Int64(row.int("request_count") ?? 0), lastUsedAt: last)
        }
    }

    public func markAPIKeyUsagePushed(_ usage: [APIKeyUsage]) throws {
        try database.transaction { tx in
            for key in usage { try tx.execute("UPDATE usage_api_keys SET dirty = FALSE WHERE source_id = \(key.keyID)") }
        }
    }

    public func changedBackchannelLogouts(limit: Int) throws -> [BackchannelDeliveryChange] {
        try database.query(
            """
            SELECT b.id, b.revision, b.created_at, b.attempts, b.delivered_at, b.next_attempt_at, b.last_status, b.last_error, c.client_id
            FROM backchannel_logouts b JOIN oauth_clients c ON c.id = b.client_pk
            WHERE b.sync_pending ORDER BY b.id LIMIT \(limit)
            """
        ).compactMap { row in
            guard let id = row.int("id").map(Int64.init), let created = row.date("created_at"), let client = row.string("client_id"),
                let revision = row.int("revision")
            else { return nil }
            return BackchannelDeliveryChange(
                clientID: ClientID(client),
                entry: BackchannelLogoutEntry(
                    id: id, createdAt: created, attempts: row.int("attempts") ?? 0, deliveredAt: row.date("delivered_at"),
                    nextAttemptAt: row.date("next_attempt_at"), lastStatus: row.int("last_status"), lastError: row.string("last_error")),
                revision: Int64(revision))
        }
    }

    public func markBackchannelLogoutsPushed(_ changes: [BackchannelDeliveryChange]) throws {
        try database.transaction { tx in
            // The sender changes these rows while sync runs: only the revision that was copied is cleared.
            for change in changes {
                try tx.execute(
                    "UPDATE backchannel_logouts SET sync_pending = FALSE WHERE id = \(change.entry.id) AND revision = \(change.revision)")
            }
        }
    }

    public func changedClientSecretUsage(limit: Int) throws -> [ClientSecretUsage] {
        try database.query(
            """
            SELECT secret_digest, last_used_at FROM oauth_client_secrets
            WHERE last_used_at IS NOT NULL AND (last_used_pushed_at IS NULL OR last_used_pushed_at < last_used_at)
            ORDER BY id LIMIT \(limit)
            """
        ).compactMap { row in
            guard let digest = row.bytes("secret_digest"), let last = row.date("last_used_at") else { return nil }
            return ClientSecretUsage(digest: digest, lastUsedAt: last)
        }
    }

    public func markClientSecretUsagePushed(_ usage: [ClientSecretUsage]) throws {
        try database.transaction { tx in
            // The time that was sent, not "now": a use recorded since the read is newer and goes next run.
            for secret in usage {
                try tx.execute(
                    "UPDATE oauth_client_secrets SET last_used_pushed_at = \(secret.lastUsedAt) WHERE secret_digest = \(secret.digest)")
            }
        }
    }

    public func markUsagePushed(_ usage: [DailyUsage]) throws {
        try database.transaction { tx in
            // Only sync writes these rows and it is single-flight, so nothing changed them since they were read.
            for day in usage {
                try tx.execute("UPDATE usage_daily SET dirty = FALSE WHERE client_id = \(day.clientID.rawValue) AND day = \(day.day.description)")
            }
        }
    }

    public func pendingEvents(limit: Int) throws -> [PendingEvent] {
        var events: [PendingEvent] = []
        for row in try database.query(
            """
            SELECT id, event_type, client_id, occurred_at, subject FROM webhook_outbox WHERE handed_over_at IS NULL ORDER BY id LIMIT \(limit)
            """)
        {
            guard let id = row.int("id"), let type = row.string("event_type"), let client = row.string("client_id"),
                let at = row.date("occurred_at")
            else { continue }
            var data: [String: WebhookPayload.Value] = ["client_id": .text(client)]
            // `person.erased`: the subject identifier the app was given (`sub`), nothing else about the person.
            if let subject = row.string("subject") { data["sub"] = .text(subject) }
            events.append(
                PendingEvent(
                    source: "auth", id: Int64(id), type: type, clientID: ClientID(client), occurredAt: at,
                    payload: WebhookPayload.json(type: type, at: at, data: data)))
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
            var data: [String: WebhookPayload.Value] = ["client_id": .text(client)]
            for column in ["school_id", "class_id", "assessment_id"] { if let value = row.int(column) { data[column] = .number(Int64(value)) } }
            if let day = row.string("day") { data["day"] = .text(day) }
            events.append(
                PendingEvent(
                    source: "api", id: Int64(id), type: type, clientID: ClientID(client), occurredAt: at,
                    payload: WebhookPayload.json(type: type, at: at, data: data)))
        }
        return events.sorted { $0.occurredAt < $1.occurredAt }
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

    public func recordReviewDecision(_ attestation: ReviewAttestation, version: Int64, decidedBy: UserID?, now: Date) throws {
        try database.execute(
            """
            INSERT INTO review_attestations (developer_app_id, client_id, content_sha256, suspended, developer_app_version, decided_by, decided_at)
            VALUES (\(attestation.application.rawValue), \(attestation.clientID.rawValue), \(attestation.digest), \(attestation.suspended),
                    \(version), \(decidedBy?.rawValue ?? 0), \(now))
            ON DUPLICATE KEY UPDATE
                client_id = IF(VALUES(developer_app_version) > developer_app_version, VALUES(client_id), client_id),
                content_sha256 = IF(VALUES(developer_app_version) > developer_app_version, VALUES(content_sha256), content_sha256),
                suspended = IF(VALUES(developer_app_version) > developer_app_version, VALUES(suspended), suspended),
                decided_by = IF(VALUES(developer_app_version) > developer_app_version, VALUES(decided_by), decided_by),
                decided_at = IF(VALUES(developer_app_version) > developer_app_version, VALUES(decided_at), decided_at),
                developer_app_version = GREATEST(developer_app_version, VALUES(developer_app_version))
            """)
    }

    public func adoptEarlierApproval(of app: SyncedApplication, as client: OAuthClient, now: Date) throws -> ReviewAttestation? {
        // Declarations came after decisions were recorded: an app approved before has none, so content with
        // declarations was never run unrecorded and is not adopted.
        guard app.status == .approved, client.status == .active, app.live.dataDeclarations.isEmpty else { return nil }
        return try database.transaction { tx in
            guard try tx.query("SELECT 1 AS one FROM review_attestations WHERE developer_app_id = \(app.id.rawValue) FOR UPDATE").isEmpty,
                let row = try tx.query(
                    """
                    SELECT id, \(unsafeRaw: Self.comparedColumns) FROM oauth_clients
                    WHERE client_id = \(client.clientID.rawValue) AND developer_app_id = \(app.id.rawValue)
                    """
                ).first, let pk = row.int("id")
            else { return nil }
            let uris = try tx.query("SELECT uri FROM oauth_client_redirect_uris WHERE client_pk = \(pk) ORDER BY position").compactMap {
                $0.string("uri")
            }
            guard Self.stored(row) == Self.columns(of: client, app: app), uris == client.redirectURIs else { return nil }
            let attestation = ReviewAttestation(
                application: app.id, clientID: app.clientID,
                digest: ReviewAttestation.digest(clientID: app.clientID, live: app.live, grantedScopes: app.grantedScopes), suspended: false)
            try tx.execute(
                """
                INSERT INTO review_attestations (developer_app_id, client_id, content_sha256, suspended, developer_app_version, decided_by, decided_at)
                VALUES (\(app.id.rawValue), \(app.clientID.rawValue), \(attestation.digest), FALSE, 0, 0, \(now))
                """)
            return attestation
        }
    }

    public func recordCredentialAttestation(_ attestation: CredentialAttestation, decidedBy: UserID, now: Date) throws {
        try database.transaction { tx in
            if let row = try tx.query(
                """
                SELECT id, developer_app_id, source_id, scopes FROM credential_attestations
                WHERE kind = \(attestation.kind.rawValue) AND digest = \(attestation.digest) FOR UPDATE
                """
            ).first, let id = row.int("id") {
                guard row.int("developer_app_id").map(Int64.init) == attestation.application.rawValue else {
                    throw StoreError(.duplicate, detail: "credential_attestations: the digest is confirmed for another app")
                }
                // The same app's credential confirmed again as it is now (another id or scopes): the latest wins.
                if row.int("source_id").map(Int64.init) != attestation.sourceID || row.scopeList("scopes") != attestation.scopes {
                    try tx.execute(
                        """
                        UPDATE credential_attestations SET source_id = \(attestation.sourceID), scopes = \(attestation.scopes.scopeColumn),
                            decided_by = \(decidedBy.rawValue), decided_at = \(now)
                        WHERE id = \(id)
                        """)
                }
                return
            }
            try tx.execute(
                """
                INSERT INTO credential_attestations (developer_app_id, kind, source_id, digest, scopes, decided_by, decided_at)
                VALUES (\(attestation.application.rawValue), \(attestation.kind.rawValue), \(attestation.sourceID), \(attestation.digest),
                        \(attestation.scopes.scopeColumn), \(decidedBy.rawValue), \(now))
                """)
        }
    }

    public func attestedCredentialDigests(_ digests: [[UInt8]]) throws -> Set<[UInt8]> {
        var found: Set<[UInt8]> = []
        for start in stride(from: 0, to: digests.count, by: 200) {
            let chunk = digests[start..<min(start + 200, digests.count)]
            for row in try database.query("SELECT digest FROM credential_attestations WHERE digest IN (\(list: chunk))") {
                if let digest = row.bytes("digest") { found.insert(digest) }
            }
        }
        return found
    }

    public func reviewAttestations(of applications: [ApplicationID]) throws -> [ApplicationID: ReviewAttestation] {
        var found: [ApplicationID: ReviewAttestation] = [:]
        for start in stride(from: 0, to: applications.count, by: 200) {
            let chunk = applications[start..<min(start + 200, applications.count)].map(\.rawValue)
            for row in try database.query(
                "SELECT developer_app_id, client_id, content_sha256, suspended FROM review_attestations WHERE developer_app_id IN (\(list: chunk))")
            {
                guard let id = row.int("developer_app_id"), let client = row.string("client_id"), let digest = row.bytes("content_sha256"),
                    let suspended = row.int("suspended")
                else { continue }
                let application = ApplicationID(Int64(id))
                found[application] = ReviewAttestation(
                    application: application, clientID: ClientID(client), digest: digest, suspended: suspended != 0)
            }
        }
        return found
    }

    public func syncState(_ name: String) throws -> String? {
        try database.query("SELECT value FROM sync_state WHERE name = \(name)").first?.string("value")
    }

    public func setSyncState(_ name: String, value: String, now: Date) throws {
        // A transaction, so that under the sync lease the fence is checked first.
        try database.transaction { tx in
            try tx.execute(
                """
                INSERT INTO sync_state (name, value, updated_at) VALUES (\(name), \(value), \(now))
                ON DUPLICATE KEY UPDATE updated_at = IF(value = VALUES(value), updated_at, VALUES(updated_at)), value = VALUES(value)
                """)
        }
    }
}
