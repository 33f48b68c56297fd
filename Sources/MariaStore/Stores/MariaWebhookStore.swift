import Domain
import Foundation

/// ``WebhookStore`` over the developers database.
public struct MariaWebhookStore: WebhookStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    /// The select list ``Row/webhookEndpoint()`` reads, for `webhook_endpoints` aliased `e`.
    private static let endpointColumns =
        "e.id, e.application_id, e.url, e.events, e.enabled, e.disabled_reason, e.created_at, e.updated_at"

    public func createEndpoint(_ endpoint: NewWebhookEndpoint, for app: ApplicationID, owner: DeveloperID, now: Date) throws
        -> WebhookEndpointID?
    {
        try database.transaction { tx in
            // One statement: the endpoint is inserted only if the SELECT finds the owner's app.
            let inserted = try tx.execute(
                """
                INSERT INTO webhook_endpoints (application_id, url, events, secret_sealed, enabled, created_at, updated_at)
                SELECT a.id, \(endpoint.url), \(endpoint.events.map(\.rawValue).scopeColumn), \(endpoint.sealedSecret), TRUE,
                       \(now), \(now)
                FROM applications a WHERE a.id = \(app.rawValue) AND \(fragment: member(owner, may: .editApp))
                """)
            guard inserted.affectedRows == 1 else { return nil }
            try tx.recordActivity(
                .webhookAdded, on: app, by: owner, detail: ActivityDetail.webhook(id: Int64(inserted.insertID), url: endpoint.url), now: now)
            return WebhookEndpointID(inserted.insertID)
        }
    }

    public func endpoints(of app: ApplicationID, owner: DeveloperID) throws -> [WebhookEndpoint]? {
        try database.query(
            """
            SELECT a.id AS app_id, \(unsafeRaw: Self.endpointColumns)
            FROM applications a LEFT JOIN webhook_endpoints e ON e.application_id = a.id
            WHERE a.id = \(app.rawValue) AND \(fragment: member(owner, may: .viewApp))
            ORDER BY e.id
            """
        ).ownedList(keyedBy: "id") { $0.webhookEndpoint() }
    }

    public func endpoint(_ id: WebhookEndpointID, owner: DeveloperID) throws -> WebhookEndpoint? {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.endpointColumns)
            FROM webhook_endpoints e JOIN applications a ON a.id = e.application_id
            WHERE e.id = \(id.rawValue) AND \(fragment: member(owner, may: .viewApp))
            """
        ).first?.webhookEndpoint()
    }

    public func updateEndpoint(
        _ id: WebhookEndpointID, owner: DeveloperID, url: String, events: [WebhookEvent], enabled: Bool, now: Date
    ) throws -> Bool {
        try database.transaction { tx in
            // Checked and locked first: an UPDATE that changes nothing reports no affected row, which must not
            // read as "not yours".
            guard let app = try Self.lockEndpoint(id, owner: owner, in: tx) else { return false }
            try tx.execute(
                """
                UPDATE webhook_endpoints
                SET url = \(url), events = \(events.map(\.rawValue).scopeColumn),
                    -- Before `enabled` is assigned (MariaDB assigns left to right): re-enabling starts a new
                    -- failing streak instead of inheriting the old one.
                    failing_since = IF(\(enabled) AND NOT enabled, NULL, failing_since), enabled = \(enabled),
                    disabled_reason = IF(\(enabled), NULL, disabled_reason), updated_at = \(now)
                WHERE id = \(id.rawValue)
                """)
            try tx.recordActivity(.webhookChanged, on: app.id, by: owner, detail: ActivityDetail.webhook(id: id.rawValue, url: url), now: now)
            return true
        }
    }

    public func deleteEndpoint(_ id: WebhookEndpointID, owner: DeveloperID, now: Date) throws -> Bool {
        try database.transaction { tx in
            guard let app = try Self.lockEndpoint(id, owner: owner, in: tx) else { return false }
            try tx.execute("DELETE FROM webhook_endpoints WHERE id = \(id.rawValue)")
            try tx.recordActivity(
                .webhookRemoved, on: app.id, by: owner, detail: ActivityDetail.webhook(id: id.rawValue, url: app.url), now: now)
            return true
        }
    }

    public func enqueueDelivery(_ delivery: NewWebhookDelivery, to endpoint: WebhookEndpointID, owner: DeveloperID, now: Date)
        throws -> DeliveryID?
    {
        let inserted = try database.execute(
            """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, status, next_attempt_at, created_at,
                                            updated_at)
            SELECT e.id, \(delivery.eventID), \(delivery.eventType), \(delivery.payload), 'pending', \(now), \(now), \(now)
            FROM webhook_endpoints e JOIN applications a ON a.id = e.application_id
            WHERE e.id = \(endpoint.rawValue) AND \(fragment: member(owner, may: .editApp))
            """)
        return inserted.affectedRows == 1 ? DeliveryID(inserted.insertID) : nil
    }

    public func deliveries(of endpoint: WebhookEndpointID, owner: DeveloperID, limit: Int, before: DeliveryID?) throws
        -> [WebhookDelivery]?
    {
        let rows = try database.query(
            """
            SELECT e.id AS endpoint_pk, d.id, d.endpoint_id, d.event_id, d.event_type, d.payload, d.status, d.attempts,
                   d.last_response_status, d.latency_ms, d.next_attempt_at, d.redelivery_of, d.created_at, d.updated_at
            FROM webhook_endpoints e JOIN applications a ON a.id = e.application_id
            LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id AND d.id < \(before?.rawValue ?? Int64.max)
            WHERE e.id = \(endpoint.rawValue) AND \(fragment: member(owner, may: .viewApp))
            ORDER BY d.id DESC
            LIMIT \(min(max(limit, 1), 100))
            """)
        guard let deliveries = rows.ownedList(keyedBy: "id", { $0 }) else { return nil }
        guard let newest: DeliveryID = deliveries.first?.id("id"), let oldest: DeliveryID = deliveries.last?.id("id") else {
            return []
        }
        var attempts: [DeliveryID: [WebhookDeliveryAttempt]] = [:]
        for row in try database.query(
            """
            SELECT t.delivery_id, t.attempted_at, t.response_status, t.latency_ms, t.error, t.response_excerpt
            FROM webhook_delivery_attempts t JOIN webhook_deliveries d ON d.id = t.delivery_id
            WHERE d.endpoint_id = \(endpoint.rawValue) AND d.id BETWEEN \(oldest.rawValue) AND \(newest.rawValue)
            ORDER BY t.attempted_at DESC, t.id DESC
            """)
        {
            guard let delivery: DeliveryID = row.id("delivery_id") else { continue }
            attempts[delivery, default: []].append(
                WebhookDeliveryAttempt(
                    attemptedAt: row.date("attempted_at") ?? .distantPast, responseStatus: row.int("response_status"),
                    latencyMilliseconds: row.int("latency_ms") ?? 0, error: row.string("error"),
                    responseExcerpt: row.string("response_excerpt")))
        }
        return deliveries.compactMap { row in
            guard let id: DeliveryID = row.id("id") else { return nil }
            return row.webhookDelivery(attempts: attempts[id] ?? [])
        }
    }

    public func redeliver(_ id: DeliveryID, owner: DeveloperID, now: Date) throws -> DeliveryID? {
        let inserted = try database.execute(
            """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, status, next_attempt_at, redelivery_of,
                                            created_at, updated_at)
            SELECT d.endpoint_id, d.event_id, d.event_type, d.payload, 'pending', \(now), d.id, \(now), \(now)
            FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
            JOIN applications a ON a.id = e.application_id
            WHERE d.id = \(id.rawValue) AND \(fragment: member(owner, may: .editApp))
            """)
        return inserted.affectedRows == 1 ? DeliveryID(inserted.insertID) : nil
    }

    /// The endpoint's app and current URL if `owner` may edit the app, locking the endpoint row for the rest of
    /// the transaction; `nil` otherwise.
    private static func lockEndpoint(_ id: WebhookEndpointID, owner: DeveloperID, in tx: Transaction) throws
        -> (id: ApplicationID, url: String)?
    {
        guard
            let row = try tx.query(
                """
                SELECT e.application_id, e.url FROM webhook_endpoints e JOIN applications a ON a.id = e.application_id
                WHERE e.id = \(id.rawValue) AND \(fragment: member(owner, may: .editApp)) FOR UPDATE
                """
            ).first, let app: ApplicationID = row.id("application_id")
        else { return nil }
        return (app, row.string("url") ?? "")
    }
}

extension Row {
    /// An endpoint read with ``MariaWebhookStore``'s endpoint columns.
    fileprivate func webhookEndpoint() -> WebhookEndpoint? {
        guard let id: WebhookEndpointID = id("id"), let app: ApplicationID = self.id("application_id") else { return nil }
        return WebhookEndpoint(
            id: id, application: app, url: string("url") ?? "",
            // Event types are stored in the scopes' space-separated form; one this code does not know is left out.
            events: scopeList("events").compactMap(WebhookEvent.init(rawValue:)), enabled: flag("enabled"),
            disabledReason: string("disabled_reason"), createdAt: date("created_at") ?? .distantPast,
            updatedAt: date("updated_at") ?? .distantPast)
    }

    /// A delivery of the log with its attempts.
    fileprivate func webhookDelivery(attempts: [WebhookDeliveryAttempt]) -> WebhookDelivery? {
        guard let id: DeliveryID = id("id"), let endpoint: WebhookEndpointID = self.id("endpoint_id"),
            let status = WebhookDelivery.Status(rawValue: string("status") ?? "")
        else { return nil }
        return WebhookDelivery(
            id: id, endpoint: endpoint, eventID: string("event_id") ?? "", eventType: string("event_type") ?? "",
            payload: string("payload") ?? "", status: status, attempts: int("attempts") ?? 0,
            lastResponseStatus: int("last_response_status"), latencyMilliseconds: int("latency_ms"),
            nextAttemptAt: date("next_attempt_at"), createdAt: date("created_at") ?? .distantPast,
            updatedAt: date("updated_at") ?? .distantPast, redeliveryOf: self.id("redelivery_of"), attemptLog: attempts)
    }
}
