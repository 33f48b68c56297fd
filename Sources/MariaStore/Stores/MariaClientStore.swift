import Domain
import Foundation

/// ``ClientStore`` over the main database: registered OAuth clients, their redirect URIs and secret digests.
public struct MariaClientStore: ClientStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// At most this many secrets are valid at once: the current one and the one it is replacing.
    private static let validSecretsKept = 2

    /// The columns ``Row/oauthClient()`` reads, over `oauth_clients c`; redirect URIs come in the same row so
    /// the token endpoint's client lookup is one query. A constant.
    static let clientColumns = """
        c.client_id, c.name, c.description, c.logo_url, c.homepage_url, c.privacy_url, c.terms_url, c.developer_name,
        c.verified, c.first_party, c.kind, c.allowed_scopes, c.status, c.dpop_bound_access_tokens, c.subject_type,
        c.token_endpoint_auth_method, c.jwks, c.jwks_uri, c.require_pushed_authorization_requests, c.id_token_signed_response_alg,
        (SELECT GROUP_CONCAT(r.uri ORDER BY r.position SEPARATOR '\\n') FROM oauth_client_redirect_uris r
          WHERE r.client_pk = c.id) AS redirect_uris
        """

    public func client(_ id: ClientID) throws -> OAuthClient? {
        try database.query(
            "SELECT \(unsafeRaw: Self.clientColumns) FROM oauth_clients c WHERE c.client_id = \(id.rawValue)"
        ).first?.oauthClient()
    }

    /// The client's own columns, without its redirect URIs. A constant.
    static let ownColumns = """
        c.client_id, c.name, c.description, c.logo_url, c.homepage_url, c.privacy_url, c.terms_url, c.developer_name,
        c.verified, c.first_party, c.kind, c.allowed_scopes, c.status, c.dpop_bound_access_tokens, c.subject_type,
        c.token_endpoint_auth_method, c.jwks, c.jwks_uri, c.require_pushed_authorization_requests, c.id_token_signed_response_alg
        """

    /// The client's redirect URIs as "position uri" lines: positions instead of `ORDER BY`, which made the server
    /// sort on every token request (the lines are put in order here). A constant.
    private static let positionedURIColumn = """
        (SELECT GROUP_CONCAT(r.position, ' ', r.uri SEPARATOR '\\n') FROM oauth_client_redirect_uris r
          WHERE r.client_pk = c.id) AS positioned_uris
        """

    /// One statement by the client's unique key, with one subquery for the secrets (and one for the redirect URIs
    /// when asked): each further query block cost the server about 50 µs per token request.
    public func authenticationRecord(of id: ClientID, presentedDigest: [UInt8]?, redirectURIs: Bool, now: Date) throws
        -> ClientAuthenticationRecord?
    {
        let due = now.addingTimeInterval(-ClientSecretUse.recordingInterval)
        let query: SQLQuery =
            redirectURIs
            ? """
            SELECT \(unsafeRaw: Self.ownColumns), \(fragment: SQLQuery(secretsDueBefore: due, validAt: now)),
              \(unsafeRaw: Self.positionedURIColumn)
            FROM oauth_clients c WHERE c.client_id = \(id.rawValue)
            """
            : """
            SELECT \(unsafeRaw: Self.ownColumns), \(fragment: SQLQuery(secretsDueBefore: due, validAt: now))
            FROM oauth_clients c WHERE c.client_id = \(id.rawValue)
            """
        guard let row = try database.query(query).first else { return nil }
        var digests: [[UInt8]] = []
        var presentedDue = false
        // Cut on bytes: hex digits, "!" and "," are ASCII.
        let secrets = row.string("secrets") ?? ""
        for entry in secrets.utf8.split(separator: UInt8(ascii: ",")).map(Substring.init) {
            let isDue = entry.hasSuffix("!")
            guard let digest = Self.bytes(fromHex: isDue ? entry.dropLast() : entry) else { continue }
            digests.append(digest)
            if isDue, let presentedDigest, digest == presentedDigest { presentedDue = true }
        }
        var client = row.oauthClient(redirectURIs: [])
        if redirectURIs {
            client.redirectURIs = Self.orderedURIs(row.string("positioned_uris") ?? "")
        }
        return ClientAuthenticationRecord(client: client, secretDigests: digests, presentedSecretUseDue: presentedDue)
    }

    /// Sets a client's `private_key_jwt` keys and PAR requirement (migration 0040's columns).
    static func authenticationUpdate(_ client: OAuthClient, id: Int64) -> SQLQuery {
        var jwks: String?
        var jwksURI: String?
        switch client.privateKeyJWT?.source {
        case .document(let document): jwks = document
        case .uri(let uri): jwksURI = uri
        case nil: break
        }
        let method = client.privateKeyJWT == nil ? nil : ClientKeyRegistration.methodName
        return """
            UPDATE oauth_clients SET token_endpoint_auth_method = \(method), jwks = \(jwks), jwks_uri = \(jwksURI),
              require_pushed_authorization_requests = \(client.requiresPushedAuthorizationRequests)
            WHERE id = \(id)
            """
    }

    /// "position uri" lines as the URIs in position order.
    private static func orderedURIs(_ lines: String) -> [String] {
        var positioned: [(position: Int, uri: String)] = []
        for line in lines.utf8.split(separator: UInt8(ascii: "\n")).map(Substring.init) {
            guard let space = line.firstIndex(of: " "), let position = Int(line[..<space]) else { continue }
            positioned.append((position, String(line[line.index(after: space)...])))
        }
        positioned.sort { $0.position < $1.position }
        return positioned.map(\.uri)
    }

    private static func bytes(fromHex hex: Substring) -> [UInt8]? {
        guard hex.utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// Newest first.
    public func activeSecretDigests(of id: ClientID, now: Date) throws -> [[UInt8]] {
        try database.query(
            """
            SELECT s.secret_digest FROM oauth_clients c JOIN oauth_client_secrets s ON s.client_pk = c.id
            WHERE c.client_id = \(id.rawValue) AND (s.valid_until IS NULL OR s.valid_until > \(now))
            ORDER BY s.id DESC
            """
        ).compactMap { $0.bytes("secret_digest") }
    }

    /// The client and its redirect URIs in one transaction. A redirect URI containing a line feed (which RFC 3986
    /// forbids anyway) is refused with `StoreError(.constraint)`, since the line feed separates them when read.
    public func createClient(_ client: OAuthClient, now: Date) throws {
        guard !client.redirectURIs.contains(where: { $0.contains("\n") }) else {
            throw StoreError(.constraint, detail: "createClient: a redirect URI of \(client.clientID) contains a line feed")
        }
        try database.transaction { tx in
            let inserted = try tx.execute(
                """
                INSERT INTO oauth_clients (client_id, name, description, logo_url, homepage_url, privacy_url, terms_url,
                                           developer_name, verified, first_party, kind, allowed_scopes, status,
                                           created_at, updated_at)
                VALUES (\(client.clientID.rawValue), \(client.name), \(client.description), \(client.logoURL),
                        \(client.homepageURL), \(client.privacyURL), \(client.termsURL), \(client.developerName),
                        \(client.verified), \(client.firstParty), \(client.kind.rawValue),
                        \(client.allowedScopes.sorted().scopeColumn), \(client.status.rawValue), \(now), \(now))
                """)
            // A separate statement, so that registering a client still works on a schema before 0037 (upgrade tests).
            if client.requiresDPoP {
                try tx.execute("UPDATE oauth_clients SET dpop_bound_access_tokens = TRUE WHERE id = \(inserted.insertID)")
            }
            if client.subjectType != .public {
                try tx.execute("UPDATE oauth_clients SET subject_type = \(client.subjectType.rawValue) WHERE id = \(inserted.insertID)")
            }
            // Likewise for the ID token algorithm (0046).
            if client.idTokenSigningAlgorithm != .rs256 {
                try tx.execute(
                    "UPDATE oauth_clients SET id_token_signed_response_alg = \(client.idTokenSigningAlgorithm.rawValue) WHERE id = \(inserted.insertID)"
                )
            }
            // Likewise for PAR and private_key_jwt (0040).
            if client.privateKeyJWT != nil || client.requiresPushedAuthorizationRequests {
                try tx.execute(Self.authenticationUpdate(client, id: inserted.insertID))
            }
            guard !client.redirectURIs.isEmpty else { return }
            var sql = SQLQuery.StringInterpolation(literalCapacity: 80, interpolationCount: client.redirectURIs.count * 3)
            sql.appendLiteral("INSERT INTO oauth_client_redirect_uris (client_pk, position, uri) VALUES ")
            for (position, uri) in client.redirectURIs.enumerated() {
                sql.appendLiteral(position == 0 ? "(" : ", (")
                sql.appendInterpolation(inserted.insertID)
                sql.appendLiteral(", ")
                sql.appendInterpolation(position)
                sql.appendLiteral(", ")
                sql.appendInterpolation(uri)
                sql.appendLiteral(")")
            }
            try tx.execute(SQLQuery(stringInterpolation: sql))
        }
    }

    /// One transaction under the client's row lock, so two concurrent rotations cannot both keep an old secret.
    /// Throws `StoreError(.constraint)` for an unknown client.
    public func recordSecretUse(digest: [UInt8], of id: ClientID, now: Date) throws {
        try database.execute(
            """
            UPDATE oauth_client_secrets s JOIN oauth_clients c ON c.id = s.client_pk
            SET s.last_used_at = \(now)
            WHERE c.client_id = \(id.rawValue) AND s.secret_digest = \(digest)
              AND (s.last_used_at IS NULL OR s.last_used_at < \(now.addingTimeInterval(-ClientSecretUse.recordingInterval)))
            """)
    }

    public func updateIDTokenSigningAlgorithm(_ algorithm: SigningKeyRecord.Algorithm, of id: ClientID) throws -> Bool {
        // Matched rows, not changed ones: setting the algorithm the client already has is a success too.
        try database.execute(
            "UPDATE oauth_clients SET id_token_signed_response_alg = \(algorithm.rawValue) WHERE client_id = \(id.rawValue)"
        ).affectedRows == 1
            || !(try database.query("SELECT id FROM oauth_clients WHERE client_id = \(id.rawValue)").isEmpty)
    }

    public func addSecret(digest: [UInt8], to id: ClientID, now: Date) throws {
        try database.transaction { tx in
            // The one place a client row is locked: secret rotation is an operator's action, not a request path.
            guard
                let clientPK = try tx.query("SELECT id FROM oauth_clients WHERE client_id = \(id.rawValue) FOR UPDATE")
                    .first?.int("id")
            else { throw StoreError(.constraint, detail: "addSecret: no client \(id)") }
            try tx.execute(
                """
                INSERT INTO oauth_client_secrets (client_pk, secret_digest, created_at)
                VALUES (\(clientPK), \(digest), \(now))
                """)
            let valid = try tx.query(
                """
                SELECT id FROM oauth_client_secrets
                WHERE client_pk = \(clientPK) AND (valid_until IS NULL OR valid_until > \(now))
                ORDER BY id DESC
                """
            ).compactMap { $0.int("id") }
            guard valid.count > Self.validSecretsKept else { return }
            try tx.execute(
                """
                UPDATE oauth_client_secrets SET valid_until = \(now)
                WHERE client_pk = \(clientPK) AND id <= \(valid[Self.validSecretsKept])
                  AND (valid_until IS NULL OR valid_until > \(now))
                """)
        }
    }
}

extension SQLQuery {
    /// The secrets column of ``MariaClientStore/authenticationRecord(of:presentedDigest:redirectURIs:now:)``: the
    /// client's active secrets as `HEX(digest)` separated by ",", each followed by "!" when its last use is due to
    /// be written (recorded before `due`, or never).
    fileprivate init(secretsDueBefore due: Date, validAt now: Date) {
        self = """
            (SELECT GROUP_CONCAT(HEX(s.secret_digest), IF(s.last_used_at IS NULL OR s.last_used_at < \(due), '!', '') SEPARATOR ',')
              FROM oauth_client_secrets s WHERE s.client_pk = c.id AND (s.valid_until IS NULL OR s.valid_until > \(now))) AS secrets
            """
    }
}
