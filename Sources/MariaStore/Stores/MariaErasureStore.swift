import Domain
import Foundation

/// ``ErasureStore`` and ``ErasureRunStore`` over main. The pool's side requests, confirms and cancels with
/// conditional statements; the runner's steps each run in one transaction that advances `erasures.step` from the
/// value the step expects, so a step runs once however many runners try.
///
/// The log step changes `security_audit_log`, whose trigger lets only the migration account change its three text
/// columns (migration 0032): run it over a connection as that account (`catalystwells erasures run`).
public struct MariaErasureStore: ErasureStore, ErasureRunStore {
    let database: MariaDatabase
    /// Computes the `sub` each app is told of in its `person.erased` webhook; `nil` where the OAuth key file is not
    /// loaded (then an erasure concerning a pairwise app stops at its pseudonymise step with an error, rather than
    /// tell the app a subject it never saw).
    let subjects: SubjectIdentifiers?

    /// Creates the store over a database handle.
    public init(database: MariaDatabase, subjects: SubjectIdentifiers?) {
        self.database = database
        self.subjects = subjects
    }

    private static let columns = """
        e.id, e.school_id, e.subject_user_id, e.pseudonym, e.status, e.requested_by, e.requested_at, e.confirmed_at, e.runs_after,
        e.cancelled_at, e.step, e.completed_at
        """

    // MARK: the school admin's side

    public func erasures(of school: SchoolID, limit: Int) throws -> [(erasure: Erasure, name: String)] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.columns), CONCAT(u.given_name, ' ', u.family_name) AS name
            FROM erasures e JOIN users u ON u.id = e.subject_user_id
            WHERE e.school_id = \(school.rawValue)
            ORDER BY e.status IN ('requested', 'scheduled', 'running') DESC, e.requested_at DESC, e.id DESC LIMIT \(max(limit, 0))
            """
        ).compactMap { row in Self.erasure(row).map { ($0, row.string("name") ?? "") } }
    }

    public func erasure(_ id: Int64, of school: SchoolID) throws -> Erasure? {
        try database.query("SELECT \(unsafeRaw: Self.columns) FROM erasures e WHERE e.id = \(id) AND e.school_id = \(school.rawValue)")
            .first.flatMap(Self.erasure)
    }

    public func openErasure(of subject: UserID) throws -> Erasure? {
        try database.query("SELECT \(unsafeRaw: Self.columns) FROM erasures e WHERE e.open_subject = \(subject.rawValue)").first.flatMap(Self.erasure)
    }

    public func request(subject: UserID, school: SchoolID, by admin: UserID, pseudonym: String, now: Date) throws -> Erasure {
        do {
            let inserted = try database.execute(
                """
                INSERT INTO erasures (school_id, subject_user_id, pseudonym, status, requested_by, requested_at)
                SELECT \(school.rawValue), id, \(pseudonym), 'requested', \(admin.rawValue), \(now) FROM users
                WHERE id = \(subject.rawValue) AND school_id = \(school.rawValue)
                """)
            guard inserted.affectedRows == 1 else { throw StoreError(.constraint, detail: "no such person in the school") }
            return Erasure(
                id: inserted.insertID, school: school, subject: subject, pseudonym: pseudonym, status: .requested, requestedBy: admin,
                requestedAt: now, confirmedAt: nil, runsAfter: nil, cancelledAt: nil, completedSteps: 0, completedAt: nil)
        } catch let error as StoreError where error.kind == .duplicate {
            // The unique open_subject: another erasure of the person is open (perhaps made a moment ago).
            let open = try openErasure(of: subject)
            throw ErasureRefusal(.alreadyOpen(open?.status ?? .requested, runsAfter: open?.runsAfter))
        }
    }

    public func confirm(_ id: Int64, of school: SchoolID, by admin: UserID, runsAfter: Date, now: Date) throws {
        let changed = try database.execute(
            """
            UPDATE erasures SET status = 'scheduled', confirmed_by = \(admin.rawValue), confirmed_at = \(now), runs_after = \(runsAfter)
            WHERE id = \(id) AND school_id = \(school.rawValue) AND status = 'requested'
            """)
        if changed.affectedRows == 0 { throw try refusal(id, school) }
    }

    public func cancel(_ id: Int64, of school: SchoolID, by admin: UserID, now: Date) throws {
        let changed = try database.execute(
            """
            UPDATE erasures SET status = 'cancelled', cancelled_by = \(admin.rawValue), cancelled_at = \(now)
            WHERE id = \(id) AND school_id = \(school.rawValue) AND status IN ('requested', 'scheduled')
            """)
        if changed.affectedRows == 0 { throw try refusal(id, school) }
    }

    /// Why a conditional change matched nothing: the erasure's status now, or not found.
    private func refusal(_ id: Int64, _ school: SchoolID) throws -> Error {
        guard let erasure = try erasure(id, of: school) else { return StoreError(.constraint, detail: "no such erasure in the school") }
        return ErasureRefusal(.wrongStatus(erasure.status))
    }

    // MARK: the runner's side

    public func claimDue(dueBy: Date, now: Date, lease: TimeInterval) throws -> Erasure? {
        try database.transaction { tx in
            guard
                let row = try tx.query(
                    """
                    SELECT \(unsafeRaw: Self.columns) FROM erasures e
                    WHERE (e.status = 'scheduled' AND e.runs_after <= \(dueBy))
                       OR (e.status = 'running' AND (e.lease_until IS NULL OR e.lease_until < \(now)))
                    ORDER BY e.runs_after, e.id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """
                ).first, let erasure = Self.erasure(row)
            else { return nil }
            try tx.execute(
                "UPDATE erasures SET status = 'running', lease_until = \(now.addingTimeInterval(lease)) WHERE id = \(erasure.id)")
            return Self.erasure(try tx.query("SELECT \(unsafeRaw: Self.columns) FROM erasures e WHERE e.id = \(erasure.id)").first!)
        }
    }

    public func identifiers(of subject: UserID) throws -> PersonIdentifiers? {
        try database.query("SELECT given_name, family_name, email, username, sourced_id FROM users WHERE id = \(subject.rawValue)").first.map {
            PersonIdentifiers(
                givenName: $0.string("given_name") ?? "", familyName: $0.string("family_name") ?? "", email: $0.string("email"),
                username: $0.string("username"), sourcedID: $0.string("sourced_id"))
        }
    }

    /// Runs `body` in a transaction that first moves the step counter from `step - 1` to `step`; `false` (and
    /// nothing done) when the counter was elsewhere.
    private func step(_ step: ErasureStep, of erasure: Erasure, _ body: (Transaction) throws -> Void) throws -> Bool {
        try database.transaction { tx in
            let advanced = try tx.execute(
                "UPDATE erasures SET step = \(step.rawValue) WHERE id = \(erasure.id) AND status = 'running' AND step = \(step.rawValue - 1)")
            guard advanced.affectedRows == 1 else { return false }
            try body(tx)
            return true
        }
    }

    public func revokeAccess(_ erasure: Erasure, now: Date) throws -> Bool {
        let user = erasure.subject.rawValue
        return try step(.revokeAccess, of: erasure) { tx in
            try tx.execute("UPDATE users SET active = FALSE, password_hash = NULL, updated_at = \(now) WHERE id = \(user)")
            try tx.revokeEveryGrant(of: erasure.subject, now: now)
            try tx.execute("UPDATE oauth_consents SET revoked_at = \(now) WHERE user_id = \(user) AND revoked_at IS NULL")
            for table in [
                "sessions", "password_links", "user_totp", "user_recovery_codes", "user_passkeys", "user_passkey_handles", "user_badges",
                "upstream_links", "school_app_requests",
            ] {
                try tx.execute("DELETE FROM \(unsafeRaw: table) WHERE user_id = \(user)")
            }
        }
    }

    public func scrubLogs(_ erasure: Erasure, identifiers: PersonIdentifiers, deleteBefore: Date, now: Date) throws -> Bool {
        let user = erasure.subject.rawValue
        let pseudonym = erasure.pseudonym
        return try step(.scrubLogs, of: erasure) { tx in
            // Entries about the person go once old enough; entries where they only acted on someone else are that
            // person's record (a parent's app reading a child's grades is the child's disclosure) and stay, scrubbed.
            try tx.execute(
                "DELETE FROM data_access_log WHERE subject_user_id = \(user) AND occurred_at < \(deleteBefore)")
            try tx.execute(
                "DELETE FROM security_audit_log WHERE subject_id = \(user) AND occurred_at < \(deleteBefore)")
            // Entries kept: the person's own lose address and browser; any entry of the school naming them is rewritten.
            let mentions = try Self.mentionCondition(column: "detail", identifiers)
            for row in try tx.query(
                """
                SELECT id, detail, subject_id = \(user) OR actor_id = \(user) AS own FROM security_audit_log
                WHERE subject_id = \(user) OR actor_id = \(user) OR ((school_id = \(erasure.school.rawValue) OR school_id IS NULL) AND \(fragment: mentions))
                """)
            {
                guard let id = row.int("id") else { continue }
                let detail = identifiers.scrub(row.string("detail") ?? "", pseudonym: pseudonym)
                if row.flag("own") {
                    try tx.execute("UPDATE security_audit_log SET client_address = '', user_agent = '', detail = \(detail) WHERE id = \(id)")
                } else {
                    try tx.execute("UPDATE security_audit_log SET detail = \(detail) WHERE id = \(id)")
                }
            }
            let summaries = try Self.mentionCondition(column: "summary", identifiers)
            for row in try tx.query("SELECT id, summary FROM roster_imports WHERE school_id = \(erasure.school.rawValue) AND \(fragment: summaries)")
            {
                guard let id = row.int("id") else { continue }
                try tx.execute(
                    "UPDATE roster_imports SET summary = \(identifiers.scrub(row.string("summary") ?? "", pseudonym: pseudonym)) WHERE id = \(id)")
            }
            if let email = identifiers.email { try tx.execute("DELETE FROM mail_outbox WHERE recipient = \(email)") }
            // Archives made before the erasure may hold the person: the person's own, and their school's class and
            // school exports not yet downloaded.
            try tx.execute(
                """
                UPDATE export_jobs SET status = IF(status IN ('pending', 'ready'), 'expired', status), archive_sealed = NULL, error = NULL
                WHERE subject_user_id = \(user) OR requested_by = \(user) OR (school_id = \(erasure.school.rawValue) AND kind IN ('class', 'school'))
                """)
            try tx.execute(
                """
                DELETE c FROM export_archive_chunks c JOIN export_jobs j ON j.id = c.export_id
                WHERE j.subject_user_id = \(user) OR j.requested_by = \(user) OR (j.school_id = \(erasure.school.rawValue) AND j.kind IN ('class', 'school'))
                """)
        }
    }

    public func markStepDone(_ erasure: Erasure, step: ErasureStep, now: Date) throws -> Bool {
        try self.step(step, of: erasure) { _ in }
    }

    public func pseudonymise(_ erasure: Erasure, now: Date) throws -> Bool {
        let user = erasure.subject.rawValue
        let pseudonym = erasure.pseudonym
        return try step(.pseudonymise, of: erasure) { tx in
            // Apps the person authorized learn the subject they knew (public or pairwise, SubjectIdentifiers), and
            // nothing else.
            let clients = try tx.query(
                """
                SELECT DISTINCT c.client_id, c.subject_type FROM oauth_clients c
                WHERE c.id IN (SELECT client_pk FROM oauth_consents WHERE user_id = \(user))
                   OR c.id IN (SELECT client_pk FROM oauth_grants WHERE user_id = \(user))
                ORDER BY c.client_id
                """
            ).compactMap { row in row.string("client_id").map { (ClientID($0), row.subjectType()) } }
            for (client, type) in clients {
                let subject: String
                if type == .public {
                    subject = IDTokenClaims.subject(for: erasure.subject)
                } else if let subjects {
                    subject = subjects.subject(for: erasure.subject, client: client, type: type)
                } else {
                    throw StoreError(.constraint, detail: "pseudonymise: \(client) has pairwise subjects and no OAuth key is loaded")
                }
                try tx.execute(
                    """
                    INSERT INTO webhook_outbox (event_type, client_id, occurred_at, subject)
                    VALUES (\(WebhookEvent.personErased.rawValue), \(client.rawValue), \(now), \(subject))
                    """)
            }
            try tx.execute("DELETE FROM oauth_codes WHERE user_id = \(user)")
            try tx.execute("DELETE FROM oauth_grants WHERE user_id = \(user)")
            try tx.execute("DELETE FROM oauth_consents WHERE user_id = \(user)")
            try tx.execute("DELETE FROM guardianships WHERE parent_id = \(user) OR student_id = \(user)")
            try tx.execute("UPDATE grades SET comment = NULL WHERE student_id = \(user)")
            try tx.execute("UPDATE attendance SET note = NULL WHERE student_id = \(user)")
            try tx.execute("UPDATE enrollments SET sourced_id = NULL WHERE user_id = \(user)")
            try tx.execute(
                """
                UPDATE users SET given_name = 'Erased', family_name = \(pseudonym), email = NULL, username = \(pseudonym),
                    sourced_id = \(pseudonym), grade_level = NULL, password_hash = NULL, active = FALSE, updated_at = \(now)
                WHERE id = \(user)
                """)
            try tx.execute(
                "UPDATE erasures SET status = 'completed', completed_at = \(now), lease_until = NULL WHERE id = \(erasure.id)")
        }
    }

    /// `column LIKE '%term%' OR …` over the identifiers (the column's collation ignores case and accents, as the
    /// scrub does).
    private static func mentionCondition(column: String, _ identifiers: PersonIdentifiers) throws -> SQLQuery {
        var condition: SQLQuery = "FALSE"
        for term in identifiers.searchTerms {
            let pattern =
                "%"
                + term.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            condition = "\(fragment: condition) OR \(unsafeRaw: column) LIKE \(pattern)"
        }
        return "(\(fragment: condition))"
    }

    private static func erasure(_ row: Row) -> Erasure? {
        guard let id = row.int("id"), let school: SchoolID = row.id("school_id"), let subject: UserID = row.id("subject_user_id"),
            let status = ErasureStatus(rawValue: row.string("status") ?? ""), let by: UserID = row.id("requested_by"),
            let at = row.date("requested_at")
        else { return nil }
        return Erasure(
            id: Int64(id), school: school, subject: subject, pseudonym: row.string("pseudonym") ?? "", status: status, requestedBy: by,
            requestedAt: at, confirmedAt: row.date("confirmed_at"), runsAfter: row.date("runs_after"), cancelledAt: row.date("cancelled_at"),
            completedSteps: row.int("step") ?? 0, completedAt: row.date("completed_at"))
    }
}
