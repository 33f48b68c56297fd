import Domain
import Foundation

/// ``APIKeyStore`` over the developers database.
public struct MariaAPIKeyStore: APIKeyStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func createAPIKey(_ key: NewAPIKey, for app: ApplicationID, owner: DeveloperID, now: Date) throws -> APIKeyID? {
        try database.transaction { tx in
            guard try tx.lockApplication(app, member: owner, may: .manageCredentials) else { return nil }
            let inserted = try tx.execute(
                """
                INSERT INTO api_keys (application_id, name, visible_prefix, key_digest, scopes, created_at, created_by)
                VALUES (\(app.rawValue), \(key.name), \(key.visiblePrefix), \(key.digest), \(key.scopes.scopeColumn), \(now),
                        \(owner.rawValue))
                """)
            try tx.requestSync(of: app, now: now)
            try tx.recordActivity(
                .apiKeyCreated, on: app, by: owner, detail: ActivityDetail.apiKey(name: key.name, visiblePrefix: key.visiblePrefix), now: now)
            return APIKeyID(inserted.insertID)
        }
    }

    public func apiKeys(of app: ApplicationID, owner: DeveloperID) throws -> [APIKeySummary]? {
        try database.query(
            """
            SELECT a.id AS app_id, k.id, k.name, k.visible_prefix, k.scopes, k.created_at, k.last_used_at, k.request_count,
                   k.revoked_at, k.attested_at, d.name AS created_by_name
            FROM applications a LEFT JOIN api_keys k ON k.application_id = a.id LEFT JOIN developers d ON d.id = k.created_by
            WHERE a.id = \(app.rawValue) AND \(fragment: member(owner, may: .viewApp))
            ORDER BY k.created_at DESC, k.id DESC
            """
        ).ownedList(keyedBy: "id") { row in
            APIKeySummary(
                id: row.id("id")!, name: row.string("name") ?? "", visiblePrefix: row.string("visible_prefix") ?? "",
                scopes: row.scopeList("scopes"), createdAt: row.date("created_at") ?? .distantPast,
                lastUsedAt: row.date("last_used_at"), requestCount: Int64(row.int("request_count") ?? 0),
                revokedAt: row.date("revoked_at"), attestedAt: row.date("attested_at"), createdBy: row.string("created_by_name"))
        }
    }

    public func revokeAPIKey(_ id: APIKeyID, of app: ApplicationID, owner: DeveloperID, now: Date) throws -> Bool {
        try database.transaction { tx in
            guard try tx.revokeCredential(table: "api_keys", id: id.rawValue, of: app, owner: owner, now: now) else { return false }
            let key = try tx.query("SELECT name, visible_prefix FROM api_keys WHERE id = \(id.rawValue)").first
            try tx.recordActivity(
                .apiKeyRevoked, on: app, by: owner,
                detail: ActivityDetail.apiKey(name: key?.string("name") ?? "", visiblePrefix: key?.string("visible_prefix") ?? ""), now: now)
            return true
        }
    }
}
