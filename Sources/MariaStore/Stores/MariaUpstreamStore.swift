import Domain
import Foundation

/// ``UpstreamStore`` over main's `upstream_providers`, `upstream_links`, `school_sign_in_policies` and
/// `school_email_domains`.
public struct MariaUpstreamStore: UpstreamStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    private static let providerColumns = """
        id, slug, school_id, name, kind, issuer, client_id, client_secret_sealed, restrict_to, link_rule, link_claim,
        jit_students, enabled
        """

    public func upstreamProviders() throws -> [UpstreamProvider] {
        try database.query("SELECT \(unsafeRaw: Self.providerColumns) FROM upstream_providers ORDER BY school_id IS NOT NULL, slug")
            .compactMap { $0.upstreamProvider() }
    }

    public func enabledUpstreamProviders(for school: SchoolID?) throws -> [UpstreamProvider] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.providerColumns) FROM upstream_providers
            WHERE enabled AND (school_id IS NULL OR school_id = \(school?.rawValue))
            ORDER BY school_id IS NULL, name
            """
        ).compactMap { $0.upstreamProvider() }
    }

    public func upstreamProvider(slug: String) throws -> UpstreamProvider? {
        try database.query("SELECT \(unsafeRaw: Self.providerColumns) FROM upstream_providers WHERE slug = \(slug)").first?
            .upstreamProvider()
    }

    public func saveUpstreamProvider(_ provider: NewUpstreamProvider, now: Date) throws -> UpstreamProviderID {
        try database.transaction { tx in try Self.upsertProvider(provider, now: now, in: tx) }
    }

    /// Adds or replaces (by slug) a provider's `upstream_providers` row inside `tx` and returns its id: the one write
    /// of that row for every kind, the SAML store's included (which adds its `saml_providers` row in the same `tx`).
    static func upsertProvider(_ provider: NewUpstreamProvider, now: Date, in tx: Transaction) throws -> UpstreamProviderID {
        let restrictTo: String
        switch provider.kind {
        case .google(let domains): restrictTo = domains.map { $0.lowercased() }.joined(separator: " ")
        case .entra(let tenants): restrictTo = tenants.map { $0.lowercased() }.joined(separator: " ")
        case .generic, .saml: restrictTo = ""
        }
        try tx.execute(
            """
            INSERT INTO upstream_providers (slug, school_id, name, kind, issuer, client_id, client_secret_sealed, restrict_to,
                                            link_rule, link_claim, jit_students, enabled, created_at, updated_at)
            VALUES (\(provider.slug), \(provider.schoolID?.rawValue), \(provider.name), \(provider.kind.storedName),
                    \(provider.authority), \(provider.clientID), \(provider.sealedSecret), \(restrictTo),
                    \(provider.linkRule.storedName), \(provider.linkRule.storedClaim), \(provider.jitStudents), \(provider.enabled),
                    \(now), \(now))
            ON DUPLICATE KEY UPDATE school_id = VALUES(school_id), name = VALUES(name), kind = VALUES(kind), issuer = VALUES(issuer),
                client_id = VALUES(client_id), client_secret_sealed = VALUES(client_secret_sealed), restrict_to = VALUES(restrict_to),
                link_rule = VALUES(link_rule), link_claim = VALUES(link_claim), jit_students = VALUES(jit_students),
                enabled = VALUES(enabled), updated_at = VALUES(updated_at)
            """)
        guard
            let id = try tx.query("SELECT id FROM upstream_providers WHERE slug = \(provider.slug)").first?.id(
                "id", as: UpstreamProviderRecord.self)
        else { throw StoreError(.conflict, detail: "upstream_providers: \(provider.slug) vanished while it was saved") }
        return id
    }

    public func removeUpstreamProvider(slug: String) throws -> Bool {
        try database.execute("DELETE FROM upstream_providers WHERE slug = \(slug)").affectedRows > 0
    }

    public func linkedPerson(provider: UpstreamProviderID, subject: String) throws -> (link: UpstreamLinkID, person: UpstreamCandidate)? {
        guard
            let row = try database.query(
                """
                SELECT l.id AS link_id, u.id, u.role, u.school_id, u.given_name, u.family_name, u.email, u.username, u.active
                FROM upstream_links l JOIN users u ON u.id = l.user_id
                WHERE l.provider_id = \(provider.rawValue) AND l.subject = \(subject)
                """
            ).first, let link = row.id("link_id", as: UpstreamLinkRecord.self)
        else { return nil }
        return (link, UpstreamCandidate(user: row.userAccount(), active: row.int("active") == 1))
    }

    public func createLink(provider: UpstreamProviderID, subject: String, user: UserID, label: String, now: Date) throws -> Bool {
        try database.execute(
            """
            INSERT IGNORE INTO upstream_links (provider_id, subject, user_id, label, created_at, last_used_at)
            VALUES (\(provider.rawValue), \(subject), \(user.rawValue), \(String(label.prefix(255))), \(now), \(now))
            """
        ).affectedRows == 1
    }

    public func touchLink(_ link: UpstreamLinkID, now: Date) throws {
        try database.execute("UPDATE upstream_links SET last_used_at = \(now) WHERE id = \(link.rawValue)")
    }

    public func links(of user: UserID) throws -> [UpstreamLink] {
        try database.query(
            """
            SELECT l.id, p.name, l.label, l.created_at, l.last_used_at
            FROM upstream_links l JOIN upstream_providers p ON p.id = l.provider_id
            WHERE l.user_id = \(user.rawValue) ORDER BY l.created_at DESC, l.id DESC
            """
        ).compactMap { row in
            guard let id = row.id("id", as: UpstreamLinkRecord.self), let created = row.date("created_at"), let used = row.date("last_used_at")
            else { return nil }
            return UpstreamLink(
                id: id, providerName: row.string("name") ?? "", label: row.string("label") ?? "", createdAt: created, lastUsedAt: used)
        }
    }

    public func removeLink(_ link: UpstreamLinkID, of user: UserID) throws -> Bool {
        try database.execute("DELETE FROM upstream_links WHERE id = \(link.rawValue) AND user_id = \(user.rawValue)").affectedRows > 0
    }

    public func linkCandidates(email: String, school: SchoolID?) throws -> [UpstreamCandidate] {
        try candidates(where: "email = \(email.lowercased())", school: school)
    }

    public func linkCandidates(sourcedID: String, school: SchoolID?) throws -> [UpstreamCandidate] {
        try candidates(where: "sourced_id = \(sourcedID)", school: school)
    }

    public func linkCandidates(username: String, school: SchoolID?) throws -> [UpstreamCandidate] {
        try candidates(where: "username = \(username.lowercased())", school: school)
    }

    private func candidates(where condition: SQLQuery, school: SchoolID?) throws -> [UpstreamCandidate] {
        let scope: SQLQuery = school.map { "AND school_id = \($0.rawValue)" } ?? ""
        return try database.query(
            """
            SELECT id, role, school_id, given_name, family_name, email, username, active FROM users
            WHERE \(fragment: condition) \(fragment: scope) LIMIT 2
            """
        ).map { UpstreamCandidate(user: $0.userAccount(), active: $0.int("active") == 1) }
    }

    public func consumeTicket(stateDigest: [UInt8], expiresAt: Date) throws -> Bool {
        try database.execute(
            "INSERT IGNORE INTO upstream_ticket_uses (state_digest, expires_at) VALUES (\(stateDigest), \(expiresAt))"
        ).affectedRows == 1
    }

    public func purgeUsedTickets(before: Date) throws -> Int {
        try database.execute("DELETE FROM upstream_ticket_uses WHERE expires_at < \(before)").affectedRows
    }

    public func signInPolicy(of school: SchoolID) throws -> SchoolSignInPolicy {
        guard let row = try database.query("SELECT password_roles FROM school_sign_in_policies WHERE school_id = \(school.rawValue)").first
        else { return .everyone }
        let roles = (row.string("password_roles") ?? "").split(separator: ",").compactMap { Role(rawValue: String($0)) }
        return SchoolSignInPolicy(passwordRoles: Set(roles))
    }

    public func setSignInPolicy(_ policy: SchoolSignInPolicy, of school: SchoolID, now: Date) throws {
        let roles = SchoolSignInPolicy.restrictableRoles.filter { policy.passwordRoles.contains($0) }.map(\.rawValue).joined(separator: ",")
        try database.execute(
            """
            INSERT INTO school_sign_in_policies (school_id, password_roles, updated_at) VALUES (\(school.rawValue), \(roles), \(now))
            ON DUPLICATE KEY UPDATE password_roles = VALUES(password_roles), updated_at = VALUES(updated_at)
            """)
    }

    public func school(sourcedID: String) throws -> (id: SchoolID, name: String)? {
        guard let row = try database.query("SELECT id, name FROM schools WHERE sourced_id = \(sourcedID)").first,
            let id = row.id("id", as: SchoolRecord.self)
        else { return nil }
        return (id, row.string("name") ?? "")
    }

    public func schoolSourcedID(_ school: SchoolID) throws -> String? {
        try database.query("SELECT sourced_id FROM schools WHERE id = \(school.rawValue)").first?.string("sourced_id")
    }

    public func school(claimingDomain domain: String) throws -> (id: SchoolID, sourcedID: String)? {
        guard
            let row = try database.query(
                "SELECT s.id, s.sourced_id FROM school_email_domains d JOIN schools s ON s.id = d.school_id WHERE d.domain = \(domain.lowercased())"
            ).first, let id = row.id("id", as: SchoolRecord.self)
        else { return nil }
        return (id, row.string("sourced_id") ?? "")
    }

    public func emailDomains(of school: SchoolID) throws -> [String] {
        try database.query("SELECT domain FROM school_email_domains WHERE school_id = \(school.rawValue) ORDER BY domain").compactMap {
            $0.string("domain")
        }
    }

    public func setEmailDomains(_ domains: [String], of school: SchoolID) throws {
        try database.transaction { tx in
            try tx.execute("DELETE FROM school_email_domains WHERE school_id = \(school.rawValue)")
            for domain in Set(domains.map { $0.lowercased() }) {
                do {
                    try tx.execute("INSERT INTO school_email_domains (domain, school_id) VALUES (\(domain), \(school.rawValue))")
                } catch let error as StoreError where error.kind == .duplicate {
                    throw StoreError(.conflict, detail: "school_email_domains: \(domain) is claimed by another school")
                }
            }
        }
    }
}

extension UpstreamProviderKind {
    /// The `kind` column's value.
    var storedName: String {
        switch self {
        case .google: "google"
        case .entra: "entra"
        case .generic: "generic"
        case .saml: "saml"
        }
    }
}

extension Row {
    /// A provider from `upstream_providers` columns; `nil` for a row naming an unknown kind or rule.
    func upstreamProvider() -> UpstreamProvider? {
        guard let id = id("id", as: UpstreamProviderRecord.self), let slug = string("slug"),
            let rule = UpstreamLinkRule(storedName: string("link_rule") ?? "", claim: string("link_claim") ?? "")
        else { return nil }
        let restrict = (string("restrict_to") ?? "").split(separator: " ").map(String.init)
        let kind: UpstreamProviderKind
        switch string("kind") {
        case "google": kind = .google(domains: restrict)
        case "entra": kind = .entra(tenants: restrict)
        case "generic": kind = .generic
        case "saml": kind = .saml
        default: return nil
        }
        return UpstreamProvider(
            id: id, slug: slug, schoolID: self.id("school_id"), name: string("name") ?? slug, kind: kind, authority: string("issuer") ?? "",
            clientID: string("client_id") ?? "", sealedSecret: bytes("client_secret_sealed") ?? [], linkRule: rule,
            jitStudents: int("jit_students") == 1, enabled: int("enabled") == 1)
    }
}
