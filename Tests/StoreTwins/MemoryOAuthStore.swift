import Domain
import Foundation

/// The OAuth stores in memory, with the contracts of the MariaDB ones (`MariaClientStore`, `MariaTokenStore`,
/// `MariaConsentStore`, `MariaSigningKeyStore`, `MariaSchoolAppPolicyStore`). The conformance suite
/// (`Tests/MariaStoreTests/OAuthStoreConformanceTests.swift`) runs the same cases against both, so route tests
/// built on this twin test the real behaviour.
///
/// Every operation runs under one lock, which gives the atomicity the MariaDB stores get from transactions.
/// People come from `users`: the active account with an id, or `nil` (unknown or deactivated).
final class MemoryOAuthStore: ClientStore, AuthorizationCodeStore, TokenStore, BearerTokenStore, ConsentStore, SigningKeyStore,
    SchoolAppPolicyStore, DPoPProofStore, @unchecked Sendable
{
    private struct Secret {
        let id: Int
        let digest: [UInt8]
        var validUntil: Date?
        var lastUsed: Date?
    }
    private struct Code {
        let grant: AuthorizationCodeGrant
        var expiresAt: Date
        var consumedAt: Date?
        var replayedAt: Date?
        var grantID: GrantID?
    }
    private struct Grant {
        let client: ClientID
        let user: UserID?
        let scopes: [String]
        var expiresAt: Date
        var revokedAt: Date?
        let createdAt: Date
        var sessionDigest: [UInt8]? = nil
    }
    private struct Token {
        let kind: StoredToken.Kind
        let grant: GrantID
        let scopes: [String]?
        var confirmation: String? = nil
        let issuedAt: Date
        let expiresAt: Date
        var revokedAt: Date?
        var rotatedAt: Date?
    }
    private struct ConsentRow {
        var scopes: Set<String>
        var firstGrantedAt: Date
        var lastUsedAt: Date?
        var revokedAt: Date?
    }

    private let lock = NSLock()
    private let users: (UserID) -> UserAccount?
    private var clients: [ClientID: OAuthClient] = [:]
    private var secrets: [ClientID: [Secret]] = [:]
    private var codes: [[UInt8]: Code] = [:]
    private var grants: [GrantID: Grant] = [:]
    private var tokens: [[UInt8]: Token] = [:]
    private var consentRows: [UserID: [ClientID: ConsentRow]] = [:]
    private var keys: [SigningKeyRecord] = []
    private var policies: [SchoolID: [ClientID: SchoolAppPolicy]] = [:]
    private var requests: Set<[String]> = []
    private var nextID = 1

    /// A store whose people are the active accounts `users` returns.
    init(users: @escaping (UserID) -> UserAccount?) {
        self.users = users
    }

    // MARK: Inspection (tests only)

    /// How many grants exist.
    var grantCount: Int { lock.withLock { grants.count } }
    /// How many tokens exist.
    var tokenCount: Int { lock.withLock { tokens.count } }

    // MARK: ClientStore

    func client(_ id: ClientID) throws -> OAuthClient? { lock.withLock { clients[id] } }

    func activeSecretDigests(of id: ClientID, now: Date) throws -> [[UInt8]] {
        lock.withLock { validSecrets(id, now).map(\.digest) }
    }

    func authenticationRecord(of id: ClientID, presentedDigest: [UInt8]?, redirectURIs: Bool, now: Date) throws
        -> ClientAuthenticationRecord?
    {
        lock.withLock {
            clients[id].map { stored in
                var client = stored
                if !redirectURIs { client.redirectURIs = [] }
                let valid = validSecrets(id, now)
                let presented = valid.first { $0.digest == presentedDigest }
                let due = presented.map { secret in
                    secret.lastUsed.map { $0 < now.addingTimeInterval(-ClientSecretUse.recordingInterval) } ?? true
                }
                return ClientAuthenticationRecord(client: client, secretDigests: valid.map(\.digest), presentedSecretUseDue: due ?? false)
            }
        }
    }

    func createClient(_ client: OAuthClient, now: Date) throws {
        try lock.withLock {
            guard clients[client.clientID] == nil else { throw StoreError(.duplicate, detail: "client \(client.clientID)") }
            guard !client.redirectURIs.contains(where: { $0.contains("\n") }) else {
                throw StoreError(.constraint, detail: "a redirect URI contains a line feed")
            }
            clients[client.clientID] = client
        }
    }

    func addSecret(digest: [UInt8], to id: ClientID, now: Date) throws {
        try lock.withLock {
            guard clients[id] != nil else { throw StoreError(.constraint, detail: "addSecret: no client \(id)") }
            secrets[id, default: []].append(Secret(id: takeID(), digest: digest))
            let valid = validSecrets(id, now).map(\.id)
            for index in secrets[id, default: []].indices where valid.dropFirst(2).contains(secrets[id]![index].id) {
                secrets[id]![index].validUntil = now
            }
        }
    }

    func updateIDTokenSigningAlgorithm(_ algorithm: SigningKeyRecord.Algorithm, of id: ClientID) throws -> Bool {
        guard hasClient(id) else { return false }
        setIDTokenSigningAlgorithm(algorithm, of: id)
        return true
    }

    func recordSecretUse(digest: [UInt8], of id: ClientID, now: Date) throws {
        lock.withLock {
            for index in secrets[id, default: []].indices where secrets[id]![index].digest == digest {
                if let last = secrets[id]![index].lastUsed, last >= now.addingTimeInterval(-ClientSecretUse.recordingInterval) { continue }
                secrets[id]![index].lastUsed = now
            }
        }
    }

    /// Newest first.
    private func validSecrets(_ id: ClientID, _ now: Date) -> [Secret] {
        (secrets[id] ?? []).filter { $0.validUntil.map { $0 > now } ?? true }.sorted { $0.id > $1.id }
    }

    // MARK: AuthorizationCodeStore

    func createCode(digest: [UInt8], grant: AuthorizationCodeGrant, now: Date) throws {
        try lock.withLock {
            guard clients[grant.clientID] != nil else { throw StoreError(.constraint, detail: "createCode: no client \(grant.clientID)") }
            guard codes[digest] == nil else { throw StoreError(.duplicate, detail: "code digest") }
            codes[digest] = Code(grant: grant, expiresAt: grant.expiresAt)
        }
    }

    func exchangeCode(
        digest: [UInt8], tokens makeTokens: (AuthorizationCodeGrant) -> [NewToken], now: Date,
        check: (AuthorizationCodeGrant, UserAccount?) -> OAuthError?
    ) throws -> CodeExchange {
        try lock.withLock {
            guard var code = codes[digest] else { return .invalid }
            if code.consumedAt != nil {
                code.replayedAt = code.replayedAt ?? now
                codes[digest] = code
                if let grant = code.grantID { revoke(grant, now: now) }
                return .replayed(code.grantID)
            }
            guard code.expiresAt > now else { return .invalid }
            // The stored code keeps what it was issued with; its expiry may have been cut short since.
            let grant = AuthorizationCodeGrant(
                clientID: code.grant.clientID, userID: code.grant.userID, redirectURI: code.grant.redirectURI, scopes: code.grant.scopes,
                codeChallenge: code.grant.codeChallenge, nonce: code.grant.nonce, authTime: code.grant.authTime, methods: code.grant.methods,
                expiresAt: code.expiresAt, sessionDigest: code.grant.sessionDigest, dpopJKT: code.grant.dpopJKT)
            let user = users(grant.userID)
            code.consumedAt = now
            if let refusal = check(grant, user) {
                codes[digest] = code
                return .refused(refusal)
            }
            guard let user else { throw StoreError(.constraint, detail: "exchangeCode: check accepted a code of an inactive user") }
            let grantID = insertGrant(client: grant.clientID, user: user.id, scopes: grant.scopes, tokens: makeTokens(grant), now: now)
            grants[grantID]?.sessionDigest = grant.sessionDigest
            code.grantID = grantID
            codes[digest] = code
            return .issued(grantID, grant, user)
        }
    }

    // MARK: TokenStore

    func createGrant(client: ClientID, user: UserID?, scopes: [String], authTime: Date?, tokens new: [NewToken], now: Date) throws -> GrantID {
        try lock.withLock {
            guard clients[client] != nil else { throw StoreError(.constraint, detail: "createGrant: no client \(client)") }
            return insertGrant(client: client, user: user, scopes: scopes, tokens: new, now: now)
        }
    }

    func issueAppToken(client: ClientID, scopes: [String], token: NewToken, grantLifetime: TimeInterval, now: Date) throws {
        try lock.withLock {
            guard clients[client] != nil else { throw StoreError(.constraint, detail: "issueAppToken: no client \(client)") }
            let own = NewToken(
                digest: token.digest, kind: token.kind, expiresAt: token.expiresAt, scopes: token.scopes ?? scopes,
                confirmation: token.confirmation)
            let current = grants.filter { $0.value.client == client && $0.value.user == nil && $0.value.revokedAt == nil }
                .filter { $0.value.expiresAt >= token.expiresAt }.keys.max { $0.rawValue < $1.rawValue }
            if let current {
                insertTokens([own], grant: current, now: now)
            } else {
                let id = insertGrant(client: client, user: nil, scopes: scopes, tokens: [own], now: now)
                grants[id]?.expiresAt = max(now.addingTimeInterval(grantLifetime), token.expiresAt)
            }
        }
    }

    func token(digest: [UInt8]) throws -> StoredToken? { lock.withLock { stored(digest) } }

    func rotateRefreshToken(
        digest: [UInt8], client: ClientID, replacement: [NewToken], now: Date, grace: TimeInterval, absoluteLifetime: TimeInterval
    ) throws -> RefreshRotation {
        lock.withLock {
            guard let token = stored(digest) else { return .invalid }
            switch RefreshPolicy.decide(token: token, client: client, now: now, grace: grace) {
            case .refuse:
                return .invalid
            case .rotatedWithinGrace:
                let found = replacement.map { new in stored(new.digest).flatMap { $0.grantID == token.grantID ? $0 : nil } }
                return RefreshPolicy.repetition(of: token, replacements: found, now: now) ?? .alreadyRotated
            case .revokeGrant(let grant, _):
                revoke(grant, now: now)
                return .reuseDetected
            case .rotate:
                var replacement = replacement
                if absoluteLifetime.isFinite, let created = grants[token.grantID]?.createdAt {
                    let end = created.addingTimeInterval(absoluteLifetime)
                    guard end > now else { return .invalid }
                    replacement = replacement.map { $0.expiring(notAfter: end) }
                }
                tokens[digest]?.rotatedAt = now
                insertTokens(replacement, grant: token.grantID, now: now)
                if let latest = replacement.map(\.expiresAt).max(), let current = grants[token.grantID]?.expiresAt {
                    grants[token.grantID]?.expiresAt = max(current, latest)
                }
                return .rotated(
                    StoredToken(
                        kind: token.kind, grantID: token.grantID, clientID: token.clientID, userID: token.userID, scopes: token.scopes,
                        issuedAt: token.issuedAt, expiresAt: token.expiresAt, revokedAt: nil, rotatedAt: now))
            }
        }
    }

    func revokeToken(digest: [UInt8], client: ClientID, now: Date) throws {
        lock.withLock {
            guard let token = stored(digest), token.clientID == client else { return }
            if token.kind == .refresh {
                revoke(token.grantID, now: now)
            } else if tokens[digest]?.revokedAt == nil {
                tokens[digest]?.revokedAt = now
            }
        }
    }

    func revokeGrant(_ grant: GrantID, now: Date) throws { lock.withLock { revoke(grant, now: now) } }

    func revokeGrants(user: UserID, client: ClientID, now: Date) throws {
        lock.withLock { revokeAll(user: user, client: client, now: now) }
    }

    func purgeExpired(before: Date, limit: Int) throws -> Int {
        lock.withLock {
            var deleted = 0
            for (digest, code) in codes where deleted < limit && code.grantID == nil && code.expiresAt < before {
                codes[digest] = nil
                deleted += 1
            }
            for (digest, token) in tokens where deleted < limit && token.expiresAt < before {
                tokens[digest] = nil
                deleted += 1
            }
            for (id, grant) in grants where deleted < limit && grant.expiresAt < before {
                grants[id] = nil
                for (digest, code) in codes where code.grantID == id { codes[digest] = nil }
                deleted += 1
            }
            return deleted
        }
    }

    // MARK: BearerTokenStore

    func bearer(digest: [UInt8]) throws -> BearerRecord? {
        lock.withLock {
            guard let token = stored(digest), let client = clients[token.clientID] else { return nil }
            let user = token.userID.flatMap(users)
            let policy = user?.schoolID.flatMap { school in
                policies[school]?[token.clientID]
                    ?? (!client.firstParty && requiresAgreement(school) ? SchoolAppPolicy(status: .blocked, scopeLimit: nil) : nil)
            }
            return BearerRecord(
                token: token, clientStatus: client.status, clientAllowedScopes: client.allowedScopes, user: user, schoolPolicy: policy)
        }
    }

    // MARK: ConsentStore

    func consent(user: UserID, client: ClientID) throws -> Consent? {
        lock.withLock {
            consentRows[user]?[client].flatMap { row in
                row.revokedAt == nil
                    ? Consent(clientID: client, scopes: row.scopes, firstGrantedAt: row.firstGrantedAt, lastUsedAt: row.lastUsedAt) : nil
            }
        }
    }

    func recordConsent(user: UserID, client: ClientID, scopes: Set<String>, now: Date) throws {
        try lock.withLock {
            guard clients[client] != nil else { throw StoreError(.constraint, detail: "recordConsent: no client \(client)") }
            if var row = consentRows[user]?[client], row.revokedAt == nil {
                row.scopes.formUnion(scopes)
                row.lastUsedAt = now
                consentRows[user]![client] = row
            } else {
                consentRows[user, default: [:]][client] = ConsentRow(scopes: scopes, firstGrantedAt: now, lastUsedAt: now)
            }
        }
    }

    func consents(of user: UserID) throws -> [Consent] {
        lock.withLock {
            (consentRows[user] ?? [:]).filter { $0.value.revokedAt == nil }
                .map { Consent(clientID: $0.key, scopes: $0.value.scopes, firstGrantedAt: $0.value.firstGrantedAt, lastUsedAt: $0.value.lastUsedAt) }
                .sorted { ($0.lastUsedAt ?? .distantPast, $0.firstGrantedAt) > ($1.lastUsedAt ?? .distantPast, $1.firstGrantedAt) }
        }
    }

    func revokeConsent(user: UserID, client: ClientID, now: Date) throws {
        lock.withLock {
            if consentRows[user]?[client]?.revokedAt == nil { consentRows[user]?[client]?.revokedAt = now }
            revokeAll(user: user, client: client, now: now)
        }
    }

    // MARK: SigningKeyStore

    func publishedKeys(publishedSince: Date) throws -> [SigningKeyRecord] {
        lock.withLock {
            keys.filter { $0.retiredAt.map { $0 > publishedSince } ?? true }
                .sorted { ($0.createdAt, $1.kid) > ($1.createdAt, $0.kid) }
        }
    }

    func currentKey(_ algorithm: SigningKeyRecord.Algorithm) throws -> SigningKeyRecord? {
        let now = Date()
        return lock.withLock {
            keys.filter { $0.algorithm == algorithm && ($0.retiredAt.map { $0 > now } ?? true) && ($0.notBefore.map { $0 <= now } ?? true) }
                .max { ($0.createdAt, $0.kid) < ($1.createdAt, $1.kid) }
        }
    }

    func addKey(_ key: SigningKeyRecord, now: Date) throws {
        lock.withLock {
            let retired = key.notBefore ?? now
            keys = keys.map { old in
                guard old.algorithm == key.algorithm, old.retiredAt.map({ $0 > retired }) ?? true else { return old }
                return SigningKeyRecord(
                    kid: old.kid, algorithm: old.algorithm, sealedPrivateKey: old.sealedPrivateKey, publicJWK: old.publicJWK,
                    createdAt: old.createdAt, retiredAt: retired, notBefore: old.notBefore)
            }
            keys.append(key)
        }
    }

    // MARK: SchoolAppPolicyStore

    /// Whether the school requires agreements (the agreements' twin answers); such a school has every app it has
    /// not decided about blocked.
    var requiresAgreement: @Sendable (SchoolID) -> Bool = { _ in false }

    func policy(school: SchoolID, client: ClientID) throws -> SchoolAppPolicy? {
        let (decided, firstParty) = lock.withLock { (policies[school]?[client], clients[client]?.firstParty ?? false) }
        if let decided { return decided }
        return !firstParty && requiresAgreement(school) ? SchoolAppPolicy(status: .blocked, scopeLimit: nil) : nil
    }

    func apps(for school: SchoolID) throws -> [SchoolAppEntry] {
        lock.withLock {
            clients.values.filter { $0.status == .active }.sorted { ($0.name, $0.clientID.rawValue) < ($1.name, $1.clientID.rawValue) }
                .map { client in
                    SchoolAppEntry(
                        client: client, policy: policies[school]?[client.clientID],
                        pendingRequests: requests.filter { $0[0] == "\(school)" && $0[1] == client.clientID.rawValue }.count)
                }
        }
    }

    func setPolicy(_ policy: SchoolAppPolicy, school: SchoolID, client: ClientID, by admin: UserID, now: Date) throws -> Int {
        try lock.withLock {
            guard clients[client] != nil else { throw StoreError(.constraint, detail: "setPolicy: no client \(client)") }
            policies[school, default: [:]][client] = policy
            requests = requests.filter { !($0[0] == "\(school)" && $0[1] == client.rawValue) }
            guard policy.status == .blocked else { return 0 }
            return endConnections(of: client, school: school, now: now)
        }
    }

    /// What the MariaDB agreements store does when a school turns its requirement on: every app that is not
    /// first-party, has no current agreement (not in `current`), is not blocked, and that the school allowed or that
    /// still has a live grant of one of its users, is blocked and its connections end. Returns them, by client id.
    func blockAppsWithoutAgreement(school: SchoolID, current: Set<ClientID>, by admin: UserID, now: Date) -> [ClientID] {
        lock.withLock {
            let schoolUsers = { (id: UserID?) in id.flatMap(self.users)?.schoolID == school }
            let cut = clients.values.filter { client in
                guard !client.firstParty, !current.contains(client.clientID) else { return false }
                let decided = policies[school]?[client.clientID]?.status
                if decided == .blocked { return false }
                return decided == .allowed
                    || grants.values.contains { $0.client == client.clientID && $0.revokedAt == nil && schoolUsers($0.user) }
            }.map(\.clientID).sorted { $0.rawValue < $1.rawValue }
            for client in cut {
                policies[school, default: [:]][client] = SchoolAppPolicy(status: .blocked, scopeLimit: nil)
                _ = endConnections(of: client, school: school, now: now)
            }
            return cut
        }
    }

    func requestAccess(school: SchoolID, client: ClientID, user: UserID, now: Date) throws {
        lock.withLock { _ = requests.insert(["\(school)", client.rawValue, "\(user)"]) }
    }

    /// Revokes every grant a user gave any app, their tokens and unexchanged codes (what a password change or
    /// reset does in the MariaDB stores' transaction); returns how many grants.
    func revokeEveryGrant(of user: UserID, now: Date) -> Int {
        lock.withLock {
            for (digest, code) in codes where code.grant.userID == user && code.consumedAt == nil && code.expiresAt > now {
                codes[digest]?.expiresAt = now
            }
            let live = grants.filter { $0.value.user == user && $0.value.revokedAt == nil }.map(\.key)
            for id in live { revoke(id, now: now) }
            return live.count
        }
    }

    // MARK: Helpers (called under the lock)

    /// Ends a client's codes, grants and tokens for a school's users; returns the grants revoked.
    private func endConnections(of client: ClientID, school: SchoolID, now: Date) -> Int {
        let schoolUsers = { (id: UserID?) in id.flatMap(self.users)?.schoolID == school }
        for (digest, code) in codes
        where code.grant.clientID == client && code.consumedAt == nil && code.expiresAt > now && schoolUsers(code.grant.userID) {
            codes[digest]?.expiresAt = now
        }
        var revoked = 0
        for (id, grant) in grants where grant.client == client && grant.revokedAt == nil && schoolUsers(grant.user) {
            revoke(id, now: now)
            revoked += 1
        }
        return revoked
    }

    private func takeID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    private func insertGrant(client: ClientID, user: UserID?, scopes: [String], tokens new: [NewToken], now: Date) -> GrantID {
        let id = GrantID(Int64(takeID()))
        grants[id] = Grant(client: client, user: user, scopes: scopes, expiresAt: new.map(\.expiresAt).max() ?? now, createdAt: now)
        insertTokens(new, grant: id, now: now)
        return id
    }

    private func insertTokens(_ new: [NewToken], grant: GrantID, now: Date) {
        for token in new {
            tokens[token.digest] = Token(
                kind: token.kind, grant: grant, scopes: token.scopes, confirmation: token.confirmation, issuedAt: now,
                expiresAt: token.expiresAt)
        }
    }

    private func stored(_ digest: [UInt8]) -> StoredToken? {
        guard let token = tokens[digest], let grant = grants[token.grant] else { return nil }
        return StoredToken(
            kind: token.kind, grantID: token.grant, clientID: grant.client, userID: grant.user, scopes: token.scopes ?? grant.scopes,
            issuedAt: token.issuedAt, expiresAt: token.expiresAt, revokedAt: token.revokedAt ?? grant.revokedAt, rotatedAt: token.rotatedAt,
            confirmation: token.confirmation)
    }

    // MARK: DPoPProofStore

    private var proofUses: [[UInt8]: Date] = [:]

    func recordProofUse(digest: [UInt8], expiresAt: Date) throws -> Bool {
        lock.withLock {
            guard proofUses[digest] == nil else { return false }
            proofUses[digest] = expiresAt
            return true
        }
    }

    func purgeProofUses(before: Date) throws -> Int {
        lock.withLock {
            let expired = proofUses.filter { $0.value < before }.keys
            for digest in expired { proofUses[digest] = nil }
            return expired.count
        }
    }

    private func revoke(_ grant: GrantID, now: Date) {
        guard grants[grant] != nil else { return }
        grants[grant]!.revokedAt = grants[grant]!.revokedAt ?? now
        for (digest, token) in tokens where token.grant == grant && token.revokedAt == nil { tokens[digest]?.revokedAt = now }
    }

    private func revokeAll(user: UserID, client: ClientID, now: Date) {
        for (digest, code) in codes
        where code.grant.userID == user && code.grant.clientID == client && code.consumedAt == nil
            && code.expiresAt > now
        {
            codes[digest]?.expiresAt = now
        }
        for (id, grant) in grants where grant.user == user && grant.client == client && grant.revokedAt == nil {
            grants[id]?.revokedAt = now
        }
        for (digest, token) in tokens
        where grants[token.grant].map({ $0.user == user && $0.client == client }) == true
            && token.revokedAt == nil
        {
            tokens[digest]?.revokedAt = now
        }
    }
}

// MARK: Sessions behind grants (for ``MemoryLogoutStore``)

extension MemoryOAuthStore {
    /// (client, user, session) of every user grant issued under one of these sessions whose client is active.
    func grantedSessions(_ digests: [[UInt8]]) -> [(client: ClientID, user: UserID, session: [UInt8])] {
        lock.withLock {
            grants.values.compactMap { grant in
                guard let session = grant.sessionDigest, digests.contains(session), let user = grant.user,
                    clients[grant.client]?.status == .active
                else { return nil }
                return (grant.client, user, session)
            }
        }
    }

    /// The session digest a grant was issued under.
    func sessionDigest(ofGrant grant: GrantID) -> [UInt8]? { lock.withLock { grants[grant]?.sessionDigest } }

    /// Revokes the grants issued under a session with their tokens; how many were live.
    func revokeGrants(sessionDigest: [UInt8], now: Date) -> Int {
        lock.withLock {
            let live = grants.filter { $0.value.sessionDigest == sessionDigest && $0.value.revokedAt == nil }.map(\.key)
            for grant in live { revoke(grant, now: now) }
            return live.count
        }
    }

    /// Whether the client exists.
    func hasClient(_ id: ClientID) -> Bool { lock.withLock { clients[id] != nil } }

    /// What sync does for a portal app that registered `id_token_signed_response_alg` (main 0046).
    func setIDTokenSigningAlgorithm(_ algorithm: SigningKeyRecord.Algorithm, of id: ClientID) {
        lock.withLock { clients[id]?.idTokenSigningAlgorithm = algorithm }
    }
}
