import Domain
import Foundation

/// ``ConsentStore`` over the main database: what each user agreed to share with which client.
public struct MariaConsentStore: ConsentStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func consent(user: UserID, client: ClientID) throws -> Consent? {
        try database.query(
            """
            SELECT c.client_id, s.scopes, s.first_granted_at, s.last_used_at
            FROM oauth_consents s JOIN oauth_clients c ON c.id = s.client_pk
            WHERE s.user_id = \(user.rawValue) AND c.client_id = \(client.rawValue) AND s.revoked_at IS NULL
            """
        ).first.flatMap(Self.consent)
    }

    /// A consent withdrawn earlier starts afresh (its old scopes and first-granted time are not revived).
    /// Throws `StoreError(.constraint)` for an unknown client.
    public func recordConsent(user: UserID, client: ClientID, scopes: Set<String>, now: Date) throws {
        try database.transaction { tx in
            guard let clientPK = try tx.clientPK(client) else {
                throw StoreError(.constraint, detail: "recordConsent: no client \(client)")
            }
            // Read-modify-write under the row lock; two first consents racing deadlock on the gap and the
            // transaction's retry finds the other's row.
            let current = try tx.query(
                """
                SELECT scopes, revoked_at FROM oauth_consents
                WHERE user_id = \(user.rawValue) AND client_pk = \(clientPK) FOR UPDATE
                """
            ).first
            if let current, current.date("revoked_at") == nil {
                let merged = scopes.union(current.scopeList("scopes")).sorted().scopeColumn
                try tx.execute(
                    """
                    UPDATE oauth_consents SET scopes = \(merged), last_used_at = \(now)
                    WHERE user_id = \(user.rawValue) AND client_pk = \(clientPK)
                    """)
            } else {
                try tx.execute(
                    """
                    INSERT INTO oauth_consents (user_id, client_pk, scopes, first_granted_at, last_used_at, revoked_at)
                    VALUES (\(user.rawValue), \(clientPK), \(scopes.sorted().scopeColumn), \(now), \(now), NULL)
                    ON DUPLICATE KEY UPDATE scopes = VALUES(scopes), first_granted_at = VALUES(first_granted_at),
                        last_used_at = VALUES(last_used_at), revoked_at = NULL
                    """)
                try Self.recordEvent("authorization.granted", client: client, now: now, in: tx)
            }
        }
    }

    /// Ties in last use are ordered by client id, so the list is stable.
    public func consents(of user: UserID) throws -> [Consent] {
        try database.query(
            """
            SELECT c.client_id, s.scopes, s.first_granted_at, s.last_used_at
            FROM oauth_consents s JOIN oauth_clients c ON c.id = s.client_pk
            WHERE s.user_id = \(user.rawValue) AND s.revoked_at IS NULL
            ORDER BY s.last_used_at DESC, s.first_granted_at DESC, c.client_id
            """
        ).compactMap(Self.consent)
    }

    /// Also ends the user's codes for the client that were not exchanged yet. An unknown client, or no consent,
    /// changes nothing.
    public func revokeConsent(user: UserID, client: ClientID, now: Date) throws {
        try database.transaction { tx in
            guard let clientPK = try tx.clientPK(client) else { return }
            let revoked = try tx.execute(
                """
                UPDATE oauth_consents SET revoked_at = \(now)
                WHERE user_id = \(user.rawValue) AND client_pk = \(clientPK) AND revoked_at IS NULL
                """)
            try tx.revokeGrants(user: user, clientPK: clientPK, now: now)
            if revoked.affectedRows > 0 { try Self.recordEvent("authorization.revoked", client: client, now: now, in: tx) }
        }
    }

    /// Records a webhook event in the outbox, in the caller's transaction: the event exists exactly when the
    /// change it reports does. Sync hands it to the app's endpoints.
    private static func recordEvent(_ type: String, client: ClientID, now: Date, in tx: Transaction) throws {
        try tx.execute(
            "INSERT INTO webhook_outbox (event_type, client_id, occurred_at) VALUES (\(type), \(client.rawValue), \(now))")
    }

    private static func consent(_ row: Row) -> Consent? {
        guard let client = row.string("client_id"), let first = row.date("first_granted_at") else { return nil }
        return Consent(
            clientID: ClientID(client), scopes: row.scopeSet("scopes"), firstGrantedAt: first,
            lastUsedAt: row.date("last_used_at"))
    }
}
