import Domain
import Foundation

/// ``AppAgreementStore`` over the main database: `school_app_agreements` and `school_agreement_settings`.
public struct MariaAppAgreementStore: AppAgreementStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// The columns ``Row/appAgreement`` reads, for `school_app_agreements a` joined to `oauth_clients c`.
    private static let columns = """
        a.school_id, c.client_id, a.kind, a.signed_on, a.expires_on, a.document_sha256, a.document_size, a.warned_for, a.blocked_for
        """

    public func agreement(school: SchoolID, client: ClientID) throws -> AppAgreement? {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM school_app_agreements a JOIN oauth_clients c ON c.id = a.client_pk
            WHERE a.school_id = \(school.rawValue) AND c.client_id = \(client.rawValue)
            """
        ).first?.appAgreement
    }

    public func agreements(school: SchoolID) throws -> [ClientID: AppAgreement] {
        var found: [ClientID: AppAgreement] = [:]
        for row in try database.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM school_app_agreements a JOIN oauth_clients c ON c.id = a.client_pk
            WHERE a.school_id = \(school.rawValue)
            """)
        {
            if let agreement = row.appAgreement { found[agreement.client] = agreement }
        }
        return found
    }

    public func document(school: SchoolID, client: ClientID) throws -> AgreementDocument? {
        try database.query(
            """
            SELECT a.document FROM school_app_agreements a JOIN oauth_clients c ON c.id = a.client_pk
            WHERE a.school_id = \(school.rawValue) AND c.client_id = \(client.rawValue) AND a.document IS NOT NULL
            """
        ).first?.bytes("document").map(AgreementDocument.init(bytes:))
    }

    public func saveAgreement(
        school: SchoolID, client: ClientID, kind: String, signedOn: CalendarDate, expiresOn: CalendarDate?, document: AgreementDocument?,
        keepDocument: Bool, by admin: UserID, now: Date
    ) throws {
        try database.transaction { tx in
            guard let clientPK = try tx.clientPK(client) else { throw StoreError(.constraint, detail: "saveAgreement: no client \(client)") }
            let replaceDocument = document != nil || !keepDocument
            try tx.execute(
                """
                INSERT INTO school_app_agreements (school_id, client_pk, kind, signed_on, expires_on, document, document_sha256,
                                                   document_size, warned_for, blocked_for, recorded_by, recorded_at)
                VALUES (\(school.rawValue), \(clientPK), \(kind), \(signedOn.description), \(expiresOn?.description), \(document?.bytes),
                        \(document?.summary.sha256), \(document?.summary.size), NULL, NULL, \(admin.rawValue), \(now))
                ON DUPLICATE KEY UPDATE kind = VALUES(kind), signed_on = VALUES(signed_on), expires_on = VALUES(expires_on),
                    document = IF(\(replaceDocument), VALUES(document), document),
                    document_sha256 = IF(\(replaceDocument), VALUES(document_sha256), document_sha256),
                    document_size = IF(\(replaceDocument), VALUES(document_size), document_size),
                    warned_for = NULL, blocked_for = NULL, recorded_by = VALUES(recorded_by), recorded_at = VALUES(recorded_at)
                """)
        }
    }

    public func removeAgreement(school: SchoolID, client: ClientID) throws -> Bool {
        try database.execute(
            """
            DELETE a FROM school_app_agreements a JOIN oauth_clients c ON c.id = a.client_pk
            WHERE a.school_id = \(school.rawValue) AND c.client_id = \(client.rawValue)
            """
        ).affectedRows > 0
    }

    public func settings(school: SchoolID) throws -> AgreementSettings {
        guard
            let row = try database.query(
                "SELECT require_agreement, block_on_expiry FROM school_agreement_settings WHERE school_id = \(school.rawValue)"
            ).first
        else { return .default }
        return AgreementSettings(requireAgreement: row.flag("require_agreement"), blockOnExpiry: row.flag("block_on_expiry"))
    }

    public func setSettings(_ settings: AgreementSettings, school: SchoolID, by admin: UserID, now: Date) throws -> [ClientID] {
        try database.transaction { tx in
            try tx.execute(
                """
                INSERT INTO school_agreement_settings (school_id, require_agreement, block_on_expiry, updated_by, updated_at)
                VALUES (\(school.rawValue), \(settings.requireAgreement), \(settings.blockOnExpiry), \(admin.rawValue), \(now))
                ON DUPLICATE KEY UPDATE require_agreement = VALUES(require_agreement), block_on_expiry = VALUES(block_on_expiry),
                    updated_by = VALUES(updated_by), updated_at = VALUES(updated_at)
                """)
            guard settings.requireAgreement else { return [] }
            // Apps the requirement now keeps out: not first-party, no agreement current today, and either allowed by
            // the school or still connected to one of its users (undecided apps without connections are already
            // blocked by default and need no row).
            let today = CalendarDate(now).description
            let cut = try tx.query(
                """
                SELECT c.id, c.client_id FROM oauth_clients c
                LEFT JOIN school_app_policies p ON p.school_id = \(school.rawValue) AND p.client_pk = c.id
                WHERE NOT c.first_party AND NOT (p.status <=> 'blocked')
                  AND NOT EXISTS (SELECT 1 FROM school_app_agreements a WHERE a.school_id = \(school.rawValue) AND a.client_pk = c.id
                                    AND a.signed_on <= \(today) AND (a.expires_on IS NULL OR a.expires_on > \(today)))
                  AND (p.status = 'allowed' OR EXISTS (SELECT 1 FROM oauth_grants g JOIN users u ON u.id = g.user_id
                                    WHERE g.client_pk = c.id AND u.school_id = \(school.rawValue) AND g.revoked_at IS NULL))
                ORDER BY c.client_id
                """
            ).compactMap { row in row.int("id").flatMap { id in row.string("client_id").map { (Int64(id), ClientID($0)) } } }
            for (clientPK, _) in cut {
                try tx.execute(
                    """
                    INSERT INTO school_app_policies (school_id, client_pk, status, scope_limit, updated_by, updated_at)
                    VALUES (\(school.rawValue), \(clientPK), 'blocked', NULL, \(admin.rawValue), \(now))
                    ON DUPLICATE KEY UPDATE status = 'blocked', scope_limit = NULL, updated_by = VALUES(updated_by), updated_at = VALUES(updated_at)
                    """)
                _ = try tx.endConnections(of: clientPK, school: school, now: now)
            }
            return cut.map(\.1)
        }
    }

    public func agreementsExpiring(onOrBefore day: CalendarDate, limit: Int) throws -> [ExpiringAgreement] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.columns), c.name AS app_name, s.require_agreement, s.block_on_expiry,
                   (p.status = 'blocked' OR (p.status IS NULL AND IFNULL(s.require_agreement, FALSE))) AS app_blocked
            FROM school_app_agreements a JOIN oauth_clients c ON c.id = a.client_pk
            LEFT JOIN school_agreement_settings s ON s.school_id = a.school_id
            LEFT JOIN school_app_policies p ON p.school_id = a.school_id AND p.client_pk = a.client_pk
            WHERE a.expires_on IS NOT NULL AND a.expires_on <= \(day.description) AND c.status = 'active'
              AND (a.warned_for IS NULL OR a.warned_for <> a.expires_on OR a.blocked_for IS NULL OR a.blocked_for <> a.expires_on)
            ORDER BY a.expires_on, a.school_id, a.client_pk LIMIT \(limit)
            """
        ).compactMap { row in
            guard let agreement = row.appAgreement else { return nil }
            return ExpiringAgreement(
                agreement: agreement, appName: row.string("app_name") ?? agreement.client.rawValue,
                settings: AgreementSettings(requireAgreement: row.flag("require_agreement"), blockOnExpiry: row.flag("block_on_expiry")),
                appBlocked: row.flag("app_blocked"))
        }
    }

    public func markWarned(school: SchoolID, client: ClientID, expiresOn: CalendarDate) throws {
        try mark("warned_for", school: school, client: client, expiresOn: expiresOn)
    }

    public func markBlocked(school: SchoolID, client: ClientID, expiresOn: CalendarDate) throws {
        try mark("blocked_for", school: school, client: client, expiresOn: expiresOn)
    }

    /// Sets `column` (a constant) to the expiry day, only while the agreement still expires that day.
    private func mark(_ column: String, school: SchoolID, client: ClientID, expiresOn: CalendarDate) throws {
        try database.execute(
            """
            UPDATE school_app_agreements a JOIN oauth_clients c ON c.id = a.client_pk SET a.\(unsafeRaw: column) = a.expires_on
            WHERE a.school_id = \(school.rawValue) AND c.client_id = \(client.rawValue) AND a.expires_on = \(expiresOn.description)
            """)
    }

    public func adminRecipients(school: SchoolID) throws -> [SchoolAdminRecipient] {
        try database.query(
            """
            SELECT u.email, u.preferred_language, s.default_language FROM users u JOIN schools s ON s.id = u.school_id
            WHERE u.school_id = \(school.rawValue) AND u.role = 'school_admin' AND u.active AND u.email IS NOT NULL
            ORDER BY u.id
            """
        ).compactMap { row in
            row.string("email").map {
                SchoolAdminRecipient(email: $0, language: row.string("preferred_language"), schoolLanguage: row.string("default_language"))
            }
        }
    }
}

extension Row {
    /// A row read with the agreement columns; `nil` when unreadable.
    fileprivate var appAgreement: AppAgreement? {
        guard let school: SchoolID = id("school_id"), let client = string("client_id"), let kind = string("kind"),
            let signed = calendarDate("signed_on")
        else { return nil }
        let document = string("document_sha256").flatMap { sha in int("document_size").map { AgreementDocument.Summary(sha256: sha, size: $0) } }
        return AppAgreement(
            school: school, client: ClientID(client), kind: kind, signedOn: signed, expiresOn: calendarDate("expires_on"), document: document,
            warnedFor: calendarDate("warned_for"), blockedFor: calendarDate("blocked_for"))
    }
}
