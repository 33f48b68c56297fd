import Domain
import Foundation

/// ``WebhookDeliveryQueue`` over the same tables: the developers pool's account runs the sender.
extension MariaWebhookStore: WebhookDeliveryQueue {
    public func claimNextDue(now: Date, leaseUntil: Date, skipping: Set<WebhookEndpointID>) throws -> ClaimedWebhookDelivery? {
        // `NOT IN (NULL)` would match nothing; 0 is never an endpoint id.
        let skipped = skipping.isEmpty ? [0] : skipping.map(\.rawValue).sorted()
        return try database.transaction { tx in
            // Only the delivery row is locked (no join, so the endpoint row stays free for the portal), and a
            // row another run is claiming is skipped rather than waited for (MariaDB ≥ 10.6).
            guard
                let row = try tx.query(
                    """
                    SELECT id, endpoint_id, event_id, event_type, payload, attempts FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= \(now) AND endpoint_id NOT IN (\(list: skipped))
                    ORDER BY next_attempt_at, id LIMIT 1
                    FOR UPDATE SKIP LOCKED
                    """
                ).first, let id: DeliveryID = row.id("id"), let endpointID: WebhookEndpointID = row.id("endpoint_id")
            else { return nil }
            try tx.execute("UPDATE webhook_deliveries SET next_attempt_at = \(leaseUntil) WHERE id = \(id.rawValue)")
            guard
                let endpoint = try tx.query(
                    "SELECT application_id, url, secret_sealed, enabled FROM webhook_endpoints WHERE id = \(endpointID.rawValue)"
                ).first, let app: ApplicationID = endpoint.id("application_id")
            else { return nil }
            return ClaimedWebhookDelivery(
                id: id, endpoint: endpointID, application: app, url: endpoint.string("url") ?? "",
                sealedSecret: endpoint.bytes("secret_sealed") ?? [], endpointEnabled: endpoint.flag("enabled"),
                eventID: row.string("event_id") ?? "", eventType: row.string("event_type") ?? "", payload: row.string("payload") ?? "",
                attempts: row.int("attempts") ?? 0, leaseUntil: leaseUntil)
        }
    }

    public func finish(
        _ claim: ClaimedWebhookDelivery, log: WebhookDeliveryAttempt, now: Date,
        decide: (WebhookDeliveryPolicy.EndpointHealth) throws -> WebhookDeliveryPolicy.Transition
    ) throws -> WebhookDeliveryFinish {
        try database.transaction { tx in
            // Delivery first, then endpoint: the order the claim and the cascade of an endpoint deletion share
            // at least on the delivery side; a deadlock with a deletion is retried by `transaction`.
            guard
                let delivery = try tx.query(
                    """
                    SELECT status = 'pending' AND attempts = \(claim.attempts) AND next_attempt_at = \(claim.leaseUntil) AS held
                    FROM webhook_deliveries WHERE id = \(claim.id.rawValue) FOR UPDATE
                    """
                ).first
            else { return .claimLost }
            try tx.execute(
                """
                INSERT INTO webhook_delivery_attempts (delivery_id, attempted_at, response_status, latency_ms, error, response_excerpt)
                VALUES (\(claim.id.rawValue), \(log.attemptedAt), \(log.responseStatus), \(max(log.latencyMilliseconds, 0)), \(log.error),
                        \(log.responseExcerpt))
                """)
            // Compared in SQL, where the lease has the column's microsecond precision on both sides.
            guard delivery.flag("held") else { return .claimLost }
            guard
                let endpoint = try tx.query(
                    "SELECT enabled, failing_since FROM webhook_endpoints WHERE id = \(claim.endpoint.rawValue) FOR UPDATE"
                ).first
            else { return .claimLost }
            let health: WebhookDeliveryPolicy.EndpointHealth =
                if !endpoint.flag("enabled") { .disabled } else if let since = endpoint.date("failing_since") { .failing(since: since) } else {
                    .healthy
                }
            let transition = try decide(health)
            let (status, attempts): (String, Int) =
                switch transition.state {
                case .pending(let n): ("pending", n)
                case .succeeded(let n): ("succeeded", n)
                case .failed(let n): ("failed", n)
                }
            try tx.execute(
                """
                UPDATE webhook_deliveries
                SET status = \(status), attempts = \(attempts), last_response_status = \(log.responseStatus),
                    latency_ms = \(max(log.latencyMilliseconds, 0)), next_attempt_at = \(transition.nextAttemptAt), updated_at = \(now)
                WHERE id = \(claim.id.rawValue)
                """)
            var disabled: DisabledWebhookEndpoint?
            for effect in transition.effects {
                switch effect {
                case .markEndpointFailing(let since):
                    try tx.execute(
                        "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, \(since)) WHERE id = \(claim.endpoint.rawValue)")
                case .markEndpointHealthy:
                    try tx.execute("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = \(claim.endpoint.rawValue)")
                case .disableEndpoint(let reason):
                    let changed = try tx.execute(
                        """
                        UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = \(reason), failing_since = NULL, updated_at = \(now)
                        WHERE id = \(claim.endpoint.rawValue) AND enabled
                        """)
                    guard changed.affectedRows == 1 else { continue }
                    disabled = try Self.disabledNotice(claim, reason: reason, in: tx)
                }
            }
            return .recorded(transition, disabled: disabled)
        }
    }

    /// What the developer's mail about a disabled endpoint needs.
    private static func disabledNotice(_ claim: ClaimedWebhookDelivery, reason: String, in tx: Transaction) throws
        -> DisabledWebhookEndpoint?
    {
        guard
            let row = try tx.query(
                """
                SELECT a.name, d.email, d.name AS developer_name, d.preferred_language FROM applications a JOIN developers d ON d.id = a.developer_id
                WHERE a.id = \(claim.application.rawValue)
                """
            ).first
        else { return nil }
        return DisabledWebhookEndpoint(
            endpoint: claim.endpoint, application: claim.application, url: claim.url, applicationName: row.string("name") ?? "",
            developerEmail: row.string("email") ?? "", developerName: row.string("developer_name") ?? "", reason: reason,
            developerLanguage: row.string("preferred_language"))
    }
}

extension MariaWebhookStore {
    /// Counts `pending` rows through `ix_webhook_deliveries_due`.
    public func pendingCount() throws -> Int? {
        try database.query("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'").first?.int("n")
    }
}
