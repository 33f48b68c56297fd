import Domain
import Foundation

/// ``SchoolAppPolicyStore`` over the main database: `school_app_policies` and `school_app_requests`.
public struct MariaSchoolAppPolicyStore: SchoolAppPolicyStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func policy(school: SchoolID, client: ClientID) throws -> SchoolAppPolicy? {
        if let decided = try database.query(
            """
            SELECT p.status AS policy_status, p.scope_limit FROM school_app_policies p JOIN oauth_clients c ON c.id = p.client_pk
            WHERE p.school_id = \(school.rawValue) AND c.client_id = \(client.rawValue)
            """
        ).first?.schoolAppPolicy() {
            return decided
        }
        // A school that requires agreements has the apps it has not decided about blocked (AgreementSettings);
        // first-party clients, the installation's own, need no agreement.
        let requires =
            try database.query(
                """
                SELECT s.require_agreement FROM school_agreement_settings s JOIN oauth_clients c ON c.client_id = \(client.rawValue)
                WHERE s.school_id = \(school.rawValue) AND NOT c.first_party
                """
            ).first?.flag("require_agreement") ?? false
        return requires ? SchoolAppPolicy(status: .blocked, scopeLimit: nil) : nil
    }

    public func apps(for school: SchoolID) throws -> [SchoolAppEntry] {
        try database.query(
            """
            SELECT \(unsafeRaw: MariaClientStore.clientColumns), p.status AS policy_status, p.scope_limit,
              (SELECT COUNT(*) FROM school_app_requests r WHERE r.school_id = \(school.rawValue) AND r.client_pk = c.id) AS pending
            FROM oauth_clients c LEFT JOIN school_app_policies p ON p.client_pk = c.id AND p.school_id = \(school.rawValue)
            WHERE c.status = 'active'
            ORDER BY c.name, c.client_id
            """
        ).map { SchoolAppEntry(client: $0.oauthClient(), policy: $0.schoolAppPolicy(), pendingRequests: $0.int("pending") ?? 0) }
    }

    /// Lock order as in `Transaction+OAuthGrants.swift`: the policy row, then codes, then grants, then tokens.
    public func setPolicy(_ policy: SchoolAppPolicy, school: SchoolID, client: ClientID, by admin: UserID, now: Date) throws -> Int {
        try database.transaction { tx in
            guard let clientPK = try tx.clientPK(client) else { throw StoreError(.constraint, detail: "setPolicy: no client \(client)") }
            let limit = policy.scopeLimit.map { $0.sorted().scopeColumn }
            try tx.execute(
                """
                INSERT INTO school_app_policies (school_id, client_pk, status, scope_limit, updated_by, updated_at)
                VALUES (\(school.rawValue), \(clientPK), \(policy.status.rawValue), \(limit), \(admin.rawValue), \(now))
                ON DUPLICATE KEY UPDATE status = VALUES(status), scope_limit = VALUES(scope_limit),
                    updated_by = VALUES(updated_by), updated_at = VALUES(updated_at)
                """)
            try tx.execute("DELETE FROM school_app_requests WHERE school_id = \(school.rawValue) AND client_pk = \(clientPK)")
            guard policy.status == .blocked else { return 0 }
            return try tx.endConnections(of: clientPK, school: school, now: now)
        }
    }

    public func requestAccess(school: SchoolID, client: ClientID, user: UserID, now: Date) throws {
        try database.execute(
            """
            INSERT INTO school_app_requests (school_id, client_pk, user_id, requested_at)
            SELECT \(school.rawValue), id, \(user.rawValue), \(now) FROM oauth_clients WHERE client_id = \(client.rawValue)
            ON DUPLICATE KEY UPDATE requested_at = requested_at
            """)
    }
}

extension Transaction {
    /// Ends a client's connections to a school's users, after its policy row was written (the lock order of
    /// `Transaction+OAuthGrants.swift`): their unexchanged codes, then grants, then tokens. Returns the grants revoked.
    func endConnections(of clientPK: Int64, school: SchoolID, now: Date) throws -> Int {
        try execute(
            """
            UPDATE oauth_codes o JOIN users u ON u.id = o.user_id SET o.expires_at = \(now)
            WHERE o.client_pk = \(clientPK) AND u.school_id = \(school.rawValue) AND o.consumed_at IS NULL AND o.expires_at > \(now)
            """)
        let revoked = try execute(
            """
            UPDATE oauth_grants g JOIN users u ON u.id = g.user_id SET g.revoked_at = \(now)
            WHERE g.client_pk = \(clientPK) AND u.school_id = \(school.rawValue) AND g.revoked_at IS NULL
            """)
        try execute(
            """
            UPDATE oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN users u ON u.id = g.user_id
            SET t.revoked_at = \(now)
            WHERE g.client_pk = \(clientPK) AND u.school_id = \(school.rawValue) AND t.revoked_at IS NULL
            """)
        return revoked.affectedRows
    }
}
