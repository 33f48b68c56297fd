import Domain
import Foundation

/// ``AuthorizationCodeStore`` and ``TokenStore`` over the main database: codes, grants and their token families.
///
/// Every operation that changes more than one row of a family runs in one transaction, locking the grant row
/// before its tokens (the full lock order is in `Transaction+OAuthGrants.swift`), so concurrent requests on one
/// family queue behind each other instead of deadlocking.
public struct MariaTokenStore: AuthorizationCodeStore, TokenStore, BearerTokenStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// A token's own columns with its grant's user, its scopes (its own when narrowed, else the grant's) and its
    /// client's id. A constant.
    static let tokenColumns = """
        t.kind, t.grant_id, t.issued_at, t.expires_at, COALESCE(t.revoked_at, g.revoked_at) AS revoked_at, t.rotated_at,
        g.user_id, COALESCE(t.scopes, g.scopes) AS scopes, c.client_id, t.dpop_jkt, c.subject_type
        """

    // MARK: AuthorizationCodeStore

    /// Throws `StoreError(.constraint)` when the client or user does not exist, `.duplicate` for a digest
    /// already stored.
    public func createCode(digest: [UInt8], grant: AuthorizationCodeGrant, now: Date) throws {
        let inserted = try database.execute(
            """
            INSERT INTO oauth_codes (code_digest, client_pk, user_id, redirect_uri, scopes, code_challenge, nonce, auth_time, amr,
                                     created_at, expires_at, session_digest, dpop_jkt)
            SELECT \(digest), id, \(grant.userID.rawValue), \(grant.redirectURI), \(grant.scopes.scopeColumn),
                   \(grant.codeChallenge), \(grant.nonce), \(grant.authTime), \(grant.methods.methodColumn), \(now), \(grant.expiresAt),
                   \(grant.sessionDigest), \(grant.dpopJKT)
            FROM oauth_clients WHERE client_id = \(grant.clientID.rawValue)
            """)
        guard inserted.affectedRows == 1 else {
            throw StoreError(.constraint, detail: "createCode: no client \(grant.clientID)")
        }
    }

    /// One transaction, the code row locked first (the lock order of `Transaction+OAuthGrants.swift`): of any
    /// number of concurrent exchanges of one code, the first to lock it spends it and creates the grant, and
    /// every later one finds it spent and revokes that grant. The client's and user's rows are read without a
    /// lock (locking them would queue every exchange of one app behind each other).
    public func exchangeCode(
        digest: [UInt8], tokens makeTokens: (AuthorizationCodeGrant) -> [NewToken], now: Date,
        check: (AuthorizationCodeGrant, UserAccount?) -> OAuthError?
    ) throws -> CodeExchange {
        try database.transaction { tx in
            guard
                let code = try tx.query(
                    """
                    SELECT client_pk, user_id, redirect_uri, scopes, code_challenge, nonce, auth_time, amr, expires_at, consumed_at,
                           grant_id, session_digest, dpop_jkt
                    FROM oauth_codes WHERE code_digest = \(digest) FOR UPDATE
                    """
                ).first, let clientPK = code.int("client_pk"), let userID: UserID = code.id("user_id"),
                let authTime = code.date("auth_time"), let expiresAt = code.date("expires_at")
            else { return .invalid }
            if code.date("consumed_at") != nil {
                let grant: GrantID? = code.id("grant_id")
                try tx.execute("UPDATE oauth_codes SET replayed_at = COALESCE(replayed_at, \(now)) WHERE code_digest = \(digest)")
                if let grant { try tx.revokeGrant(grant, now: now) }
                return .replayed(grant)
            }
            guard expiresAt > now,
                let owner = try tx.query(
                    """
                    SELECT c.client_id, u.id, u.role, u.school_id, u.given_name, u.family_name, u.email, u.username, u.active
                    FROM oauth_clients c LEFT JOIN users u ON u.id = \(userID.rawValue) WHERE c.id = \(clientPK)
                    """
                ).first, let clientID = owner.string("client_id")
            else { return .invalid }
            let grant = AuthorizationCodeGrant(
                clientID: ClientID(clientID), userID: userID, redirectURI: code.string("redirect_uri") ?? "",
                scopes: code.scopeList("scopes"), codeChallenge: code.string("code_challenge"), nonce: code.string("nonce"),
                authTime: authTime, methods: code.methodList("amr"), expiresAt: expiresAt, sessionDigest: code.bytes("session_digest"),
                dpopJKT: code.string("dpop_jkt"))
            let user = owner.int("id") != nil && owner.flag("active") ? owner.userAccount() : nil
            if let refusal = check(grant, user) {
                try tx.execute("UPDATE oauth_codes SET consumed_at = \(now) WHERE code_digest = \(digest)")
                return .refused(refusal)
            }
            guard let user else { throw StoreError(.constraint, detail: "exchangeCode: check accepted a code of an inactive user") }
            let tokens = makeTokens(grant)
            let inserted = try tx.execute(
                """
                INSERT INTO oauth_grants (client_pk, user_id, scopes, auth_time, created_at, expires_at, session_digest)
                VALUES (\(clientPK), \(userID.rawValue), \(grant.scopes.scopeColumn), \(authTime), \(now), \(tokens.map(\.expiresAt).max() ?? now),
                        \(grant.sessionDigest))
                """)
            let grantID = GrantID(inserted.insertID)
            try tx.insertTokens(tokens, grant: grantID, now: now)
            try tx.execute("UPDATE oauth_codes SET consumed_at = \(now), grant_id = \(grantID.rawValue) WHERE code_digest = \(digest)")
            return .issued(grantID, grant, user)
        }
    }

    // MARK: TokenStore

    /// Throws `StoreError(.constraint)` when the client (or user) does not exist.
    public func createGrant(
        client: ClientID, user: UserID?, scopes: [String], authTime: Date?, tokens: [NewToken], now: Date
    ) throws -> GrantID {
        try database.transaction { tx in
            let expiresAt = tokens.map(\.expiresAt).max() ?? now
            let inserted = try tx.execute(
                """
                INSERT INTO oauth_grants (client_pk, user_id, scopes, auth_time, created_at, expires_at)
                SELECT id, \(user?.rawValue), \(scopes.scopeColumn), \(authTime), \(now), \(expiresAt)
                FROM oauth_clients WHERE client_id = \(client.rawValue)
                """)
            guard inserted.affectedRows == 1 else { throw StoreError(.constraint, detail: "createGrant: no client \(client)") }
            let grant = GrantID(inserted.insertID)
            try tx.insertTokens(tokens, grant: grant, now: now)
            return grant
        }
    }

    /// The usual case is one statement, an `INSERT … SELECT` of the app grant through `ix_oauth_grants_user_client`
    /// (user NULL, then the client, newest first: the app grant is the newest user-less grant of its client, since
    /// no other kind is created any more), in autocommit: one commit. Its read of the grant is a locking one (as
    /// every `INSERT … SELECT`'s is), so a revocation committed before is seen and one running concurrently waits
    /// for the token and then revokes it too; and even a token written into a grant revoked a moment later is
    /// revoked, since a token's revocation is its own or its grant's. Otherwise one transaction creates the app
    /// grant and stores the token.
    public func issueAppToken(client: ClientID, scopes: [String], token: NewToken, grantLifetime: TimeInterval, now: Date) throws {
        let scopeColumn = (token.scopes ?? scopes).scopeColumn
        let inserted = try database.execute(
            """
            INSERT INTO oauth_tokens (token_digest, kind, grant_id, scopes, dpop_jkt, issued_at, expires_at)
            SELECT \(token.digest), \(token.kind.rawValue), g.id, \(scopeColumn), \(token.confirmation), \(now), \(token.expiresAt)
            FROM oauth_grants g FORCE INDEX (ix_oauth_grants_user_client)
            WHERE g.user_id IS NULL AND g.client_pk = (SELECT c.id FROM oauth_clients c WHERE c.client_id = \(client.rawValue))
              AND g.revoked_at IS NULL AND g.expires_at >= \(token.expiresAt)
            ORDER BY g.id DESC LIMIT 1
            """)
        guard inserted.affectedRows == 0 else { return }
        try database.transaction { tx in
            let grant = try tx.execute(
                """
                INSERT INTO oauth_grants (client_pk, user_id, scopes, auth_time, created_at, expires_at)
                SELECT id, NULL, \(scopes.scopeColumn), NULL, \(now), \(max(now.addingTimeInterval(grantLifetime), token.expiresAt))
                FROM oauth_clients WHERE client_id = \(client.rawValue)
                """)
            guard grant.affectedRows == 1 else { throw StoreError(.constraint, detail: "issueAppToken: no client \(client)") }
            try tx.insertTokens(
                [
                    NewToken(
                        digest: token.digest, kind: token.kind, expiresAt: token.expiresAt, scopes: token.scopes ?? scopes,
                        confirmation: token.confirmation)
                ],
                grant: GrantID(grant.insertID), now: now)
        }
    }

    /// One statement: the token, its grant and client, the grant's user, and the policy of that user's school
    /// for the client (both by primary or unique key).
    public func bearer(digest: [UInt8]) throws -> BearerRecord? {
        guard
            let row = try database.query(
                """
                SELECT \(unsafeRaw: Self.tokenColumns), c.status AS client_status, c.allowed_scopes,
                       u.id, u.role, u.school_id, u.given_name, u.family_name, u.email, u.username, u.active AS user_active,
                       COALESCE(p.status, IF(s.require_agreement AND NOT c.first_party, 'blocked', NULL)) AS policy_status, p.scope_limit
                FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN oauth_clients c ON c.id = g.client_pk
                LEFT JOIN users u ON u.id = g.user_id
                LEFT JOIN school_app_policies p ON p.school_id = u.school_id AND p.client_pk = g.client_pk
                LEFT JOIN school_agreement_settings s ON s.school_id = u.school_id
                WHERE t.token_digest = \(digest)
                """
            ).first, let token = row.storedToken()
        else { return nil }
        return BearerRecord(
            token: token, clientStatus: OAuthClient.Status(rawValue: row.string("client_status") ?? "") ?? .disabled,
            clientAllowedScopes: row.scopeSet("allowed_scopes"),
            user: row.int("id") != nil && row.flag("user_active") ? row.userAccount() : nil,
            schoolPolicy: row.schoolAppPolicy())
    }

    public func token(digest: [UInt8]) throws -> StoredToken? {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.tokenColumns)
            FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN oauth_clients c ON c.id = g.client_pk
            WHERE t.token_digest = \(digest)
            """
        ).first?.storedToken()
    }

    /// One transaction: the grant row is locked first (the family's mutex), then the token row; both locking
    /// reads see the latest committed state, so of N concurrent calls with one token the first to get the
    /// grant lock rotates and commits, and every later one finds `rotated_at` set. The old token is marked
    /// rotated and the replacements inserted under that lock, so a family never has two live refresh tokens.
    /// Requests on one family only ever wait for each other, so the caller never sees a deadlock; the
    /// transaction's retry covers one caused by an unrelated statement. What to do is
    /// ``RefreshPolicy/decide(token:client:now:grace:)``, on the locked state.
    public func rotateRefreshToken(
        digest: [UInt8], client: ClientID, replacement: [NewToken], now: Date, grace: TimeInterval, absoluteLifetime: TimeInterval
    ) throws -> RefreshRotation {
        try database.transaction { tx in
            // What never changes for a token: its kind and grant, the grant's client, user and scopes (a plain read).
            guard
                let family = try tx.query(
                    """
                    SELECT t.kind, t.grant_id, g.user_id, COALESCE(t.scopes, g.scopes) AS scopes, c.client_id
                    FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN oauth_clients c ON c.id = g.client_pk
                    WHERE t.token_digest = \(digest)
                    """
                ).first, let kind = StoredToken.Kind(rawValue: family.string("kind") ?? ""),
                let grant: GrantID = family.id("grant_id"), let owner = family.string("client_id")
            else { return .invalid }

            guard
                let grantRow = try tx.query(
                    "SELECT revoked_at, scopes, created_at FROM oauth_grants WHERE id = \(grant.rawValue) FOR UPDATE"
                ).first,
                let state = try tx.query(
                    """
                    SELECT issued_at, expires_at, revoked_at, rotated_at FROM oauth_tokens
                    WHERE token_digest = \(digest) FOR UPDATE
                    """
                ).first,
                let issuedAt = state.date("issued_at"), let expiresAt = state.date("expires_at")
            else { return .invalid }
            let token = StoredToken(
                kind: kind, grantID: grant, clientID: ClientID(owner), userID: family.id("user_id"),
                scopes: family.scopeList("scopes"), issuedAt: issuedAt, expiresAt: expiresAt,
                revokedAt: state.date("revoked_at") ?? grantRow.date("revoked_at"), rotatedAt: state.date("rotated_at"))

            switch RefreshPolicy.decide(token: token, client: client, now: now, grace: grace) {
            case .refuse:
                return .invalid
            case .rotatedWithinGrace:
                // The very rotation this request asks for, committed before (the answer was lost)? Then its pair
                // is handed out again, as long as its refresh token has not been used or revoked since.
                // Locking reads of the token rows alone (the grant is locked already: the family's lock order) see
                // what a rotation that committed while this request waited for the grant wrote; a plain read would
                // see the transaction's snapshot.
                let replacements = try replacement.map { new -> StoredToken? in
                    guard
                        let row = try tx.query(
                            """
                            SELECT kind, issued_at, expires_at, revoked_at, rotated_at, scopes FROM oauth_tokens
                            WHERE token_digest = \(new.digest) AND grant_id = \(grant.rawValue) FOR UPDATE
                            """
                        ).first, let kind = StoredToken.Kind(rawValue: row.string("kind") ?? ""), let issued = row.date("issued_at"),
                        let expires = row.date("expires_at")
                    else { return nil }
                    return StoredToken(
                        kind: kind, grantID: grant, clientID: token.clientID, userID: token.userID,
                        scopes: row.string("scopes") == nil ? grantRow.scopeList("scopes") : row.scopeList("scopes"), issuedAt: issued,
                        expiresAt: expires, revokedAt: row.date("revoked_at") ?? grantRow.date("revoked_at"), rotatedAt: row.date("rotated_at"))
                }
                return RefreshPolicy.repetition(of: token, replacements: replacements, now: now) ?? .alreadyRotated
            case .revokeGrant(let doomed, _):
                try tx.revokeGrant(doomed, now: now)
                return .reuseDetected
            case .rotate:
                // The grant's absolute end: no replacement outlives it, and a family past it is over.
                var replacement = replacement
                if absoluteLifetime.isFinite, let created = grantRow.date("created_at") {
                    let end = created.addingTimeInterval(absoluteLifetime)
                    guard end > now else { return .invalid }
                    replacement = replacement.map { $0.expiring(notAfter: end) }
                }
                let spent = try tx.execute(
                    """
                    UPDATE oauth_tokens SET rotated_at = \(now)
                    WHERE token_digest = \(digest) AND rotated_at IS NULL AND revoked_at IS NULL
                    """)
                // Cannot fail under the row lock; checked so a broken assumption refuses instead of forking the family.
                guard spent.affectedRows == 1 else {
                    throw StoreError(.conflict, detail: "rotateRefreshToken: token changed under its row lock")
                }
                try tx.insertTokens(replacement, grant: grant, now: now)
                if let latest = replacement.map(\.expiresAt).max() {
                    try tx.execute(
                        "UPDATE oauth_grants SET expires_at = GREATEST(expires_at, \(latest)) WHERE id = \(grant.rawValue)")
                }
                return .rotated(
                    StoredToken(
                        kind: token.kind, grantID: grant, clientID: token.clientID, userID: token.userID, scopes: token.scopes,
                        issuedAt: issuedAt, expiresAt: expiresAt, revokedAt: nil, rotatedAt: now))
            }
        }
    }

    /// An access token is revoked alone; a refresh token revokes its grant and every token of it (RFC 7009 §2.1).
    public func revokeToken(digest: [UInt8], client: ClientID, now: Date) throws {
        guard
            let row = try database.query(
                """
                SELECT t.kind, t.grant_id, c.client_id
                FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN oauth_clients c ON c.id = g.client_pk
                WHERE t.token_digest = \(digest)
                """
            ).first, row.string("client_id") == client.rawValue, let grant: GrantID = row.id("grant_id")
        else { return }
        if row.string("kind") == StoredToken.Kind.refresh.rawValue {
            try revokeGrant(grant, now: now)
        } else {
            try database.execute(
                "UPDATE oauth_tokens SET revoked_at = \(now) WHERE token_digest = \(digest) AND revoked_at IS NULL")
        }
    }

    public func revokeGrant(_ grant: GrantID, now: Date) throws {
        try database.transaction { tx in try tx.revokeGrant(grant, now: now) }
    }

    /// Also ends the user's codes for the client that were not exchanged yet.
    public func revokeGrants(user: UserID, client: ClientID, now: Date) throws {
        try database.transaction { tx in
            guard let clientPK = try tx.clientPK(client) else { return }
            try tx.revokeGrants(user: user, clientPK: clientPK, now: now)
        }
    }

    /// Deletes, within `limit` rows in all, each through its expiry index: codes that expired without starting
    /// a grant, tokens, then grants none of whose tokens can still be used (revoked or not); a grant takes its
    /// code with it. Each `DELETE` is its own short statement so the purge never holds many locks for long;
    /// call it until it returns 0.
    public func purgeExpired(before: Date, limit: Int) throws -> Int {
        var deleted = 0
        let statements: [(Int) -> SQLQuery] = [
            { "DELETE FROM oauth_codes WHERE grant_id IS NULL AND expires_at < \(before) ORDER BY expires_at LIMIT \($0)" },
            { "DELETE FROM oauth_tokens WHERE expires_at < \(before) ORDER BY expires_at LIMIT \($0)" },
            { "DELETE FROM oauth_grants WHERE expires_at < \(before) ORDER BY expires_at LIMIT \($0)" },
        ]
        for statement in statements where deleted < limit {
            deleted += try database.execute(statement(limit - deleted)).affectedRows
        }
        return deleted
    }
}
