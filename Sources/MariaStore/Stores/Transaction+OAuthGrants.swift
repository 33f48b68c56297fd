import Domain
import Foundation

/// Grant revocation, shared by ``MariaTokenStore`` and ``MariaConsentStore`` so that "revoke" means the same
/// rows in every path.
///
/// Lock order, followed by every operation that changes a token family so that concurrent ones queue rather
/// than deadlock: consent row, then codes, then the grant row, then its tokens. Client rows are only read.
extension Transaction {
    /// The surrogate key of a client. Read without a lock: a client's key never changes, and locking the client
    /// row would queue every grant of the client behind one request.
    func clientPK(_ client: ClientID) throws -> Int64? {
        try query("SELECT id FROM oauth_clients WHERE client_id = \(client.rawValue)").first?.int("id").map(Int64.init)
    }

    /// Revokes a grant and every token of it at `now`; a grant revoked earlier keeps its first revocation time.
    func revokeGrant(_ grant: GrantID, now: Date) throws {
        try execute("UPDATE oauth_grants SET revoked_at = COALESCE(revoked_at, \(now)) WHERE id = \(grant.rawValue)")
        try execute(
            "UPDATE oauth_tokens SET revoked_at = \(now) WHERE grant_id = \(grant.rawValue) AND revoked_at IS NULL")
    }

    /// Revokes every grant of a user for a client and their tokens, and ends the user's unexchanged codes for
    /// the client, so a code issued just before the user disconnected the app cannot start a new grant after.
    func revokeGrants(user: UserID, clientPK: Int64, now: Date) throws {
        try execute(
            """
            UPDATE oauth_codes SET expires_at = \(now)
            WHERE user_id = \(user.rawValue) AND client_pk = \(clientPK) AND consumed_at IS NULL AND expires_at > \(now)
            """)
        try execute(
            """
            UPDATE oauth_grants SET revoked_at = \(now)
            WHERE user_id = \(user.rawValue) AND client_pk = \(clientPK) AND revoked_at IS NULL
            """)
        try execute(
            """
            UPDATE oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id
            SET t.revoked_at = \(now)
            WHERE g.user_id = \(user.rawValue) AND g.client_pk = \(clientPK) AND t.revoked_at IS NULL
            """)
    }

    /// Revokes every grant a user gave any app, their tokens and the user's unexchanged codes (a password
    /// change or reset). Returns how many grants were revoked.
    @discardableResult
    func revokeEveryGrant(of user: UserID, now: Date) throws -> Int {
        try execute(
            "UPDATE oauth_codes SET expires_at = \(now) WHERE user_id = \(user.rawValue) AND consumed_at IS NULL AND expires_at > \(now)")
        let revoked = try execute(
            "UPDATE oauth_grants SET revoked_at = \(now) WHERE user_id = \(user.rawValue) AND revoked_at IS NULL")
        try execute(
            """
            UPDATE oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id SET t.revoked_at = \(now)
            WHERE g.user_id = \(user.rawValue) AND t.revoked_at IS NULL
            """)
        return revoked.affectedRows
    }

    /// Inserts tokens into a grant, in one statement.
    func insertTokens(_ tokens: [NewToken], grant: GrantID, now: Date) throws {
        guard !tokens.isEmpty else { return }
        var sql = SQLQuery.StringInterpolation(literalCapacity: 96 + tokens.count * 20, interpolationCount: tokens.count * 7)
        sql.appendLiteral("INSERT INTO oauth_tokens (token_digest, kind, grant_id, scopes, dpop_jkt, issued_at, expires_at) VALUES ")
        for (index, token) in tokens.enumerated() {
            sql.appendLiteral(index == 0 ? "(" : ", (")
            sql.appendInterpolation(token.digest)
            sql.appendLiteral(", ")
            sql.appendInterpolation(token.kind.rawValue)
            sql.appendLiteral(", ")
            sql.appendInterpolation(grant.rawValue)
            sql.appendLiteral(", ")
            sql.appendInterpolation(token.scopes?.scopeColumn)
            sql.appendLiteral(", ")
            sql.appendInterpolation(token.confirmation)
            sql.appendLiteral(", ")
            sql.appendInterpolation(now)
            sql.appendLiteral(", ")
            sql.appendInterpolation(token.expiresAt)
            sql.appendLiteral(")")
        }
        try execute(SQLQuery(stringInterpolation: sql))
    }
}
