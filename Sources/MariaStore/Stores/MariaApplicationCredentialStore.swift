import Domain
import Foundation

/// ``ApplicationCredentialStore`` (client secrets) over the developers database.
public struct MariaApplicationCredentialStore: ApplicationCredentialStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func addClientSecret(digest: [UInt8], to app: ApplicationID, owner: DeveloperID, now: Date) throws
        -> ClientSecretAddition
    {
        try database.transaction { tx in
            // The app's row lock serialises concurrent adds: each counts only after the previous one committed.
            guard try tx.lockApplication(app, member: owner, may: .manageCredentials) else { return .notFound }
            let active =
                try tx.query(
                    """
                    SELECT COUNT(*) AS n FROM application_client_secrets
                    WHERE application_id = \(app.rawValue) AND revoked_at IS NULL
                    """
                ).first?.int("n") ?? 0
            guard active < ClientSecretSummary.maximumActive else { return .limitReached }
            let inserted = try tx.execute(
                """
                INSERT INTO application_client_secrets (application_id, secret_digest, created_at, created_by)
                VALUES (\(app.rawValue), \(digest), \(now), \(owner.rawValue))
                """)
            try tx.requestSync(of: app, now: now)
            try tx.recordActivity(.clientSecretCreated, on: app, by: owner, detail: "#\(inserted.insertID)", now: now)
            return .added(ClientSecretID(inserted.insertID))
        }
    }

    public func clientSecrets(of app: ApplicationID, owner: DeveloperID) throws -> [ClientSecretSummary]? {
        try database.query(
            """
            SELECT a.id AS app_id, s.id, s.created_at, s.last_used_at, s.revoked_at, s.attested_at, d.name AS created_by_name
            FROM applications a LEFT JOIN application_client_secrets s ON s.application_id = a.id
                LEFT JOIN developers d ON d.id = s.created_by
            WHERE a.id = \(app.rawValue) AND \(fragment: member(owner, may: .viewApp))
            ORDER BY s.created_at DESC, s.id DESC
            """
        ).ownedList(keyedBy: "id") { row in
            ClientSecretSummary(
                id: row.id("id")!, createdAt: row.date("created_at") ?? .distantPast, lastUsedAt: row.date("last_used_at"),
                revokedAt: row.date("revoked_at"), attestedAt: row.date("attested_at"), createdBy: row.string("created_by_name"))
        }
    }

    public func revokeClientSecret(_ id: ClientSecretID, of app: ApplicationID, owner: DeveloperID, now: Date) throws -> Bool {
        try database.transaction { tx in
            guard try tx.revokeCredential(table: "application_client_secrets", id: id.rawValue, of: app, owner: owner, now: now) else {
                return false
            }
            try tx.recordActivity(.clientSecretRevoked, on: app, by: owner, detail: "#\(id.rawValue)", now: now)
            return true
        }
    }
}
