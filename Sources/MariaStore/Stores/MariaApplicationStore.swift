import Domain
import Foundation

/// ``ApplicationStore`` and (for the app pool's review panel) ``ApplicationReviewStore`` over the developers
/// database.
public struct MariaApplicationStore: ApplicationStore, ApplicationReviewStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func createApplication(
        owner: DeveloperID, in chosen: OrganisationID?, clientID: ClientID, draft: ApplicationDraft, now: Date
    ) throws -> ApplicationID? {
        let columns = ApplicationStateColumns(.draft(draft))
        return try database.transaction { tx -> ApplicationID? in
            let organisation: OrganisationID
            if let chosen {
                // The shared lock keeps the membership (and its role) as read until the app is inserted: a
                // removal or demotion committed meanwhile waits for this transaction, never the other way round.
                guard
                    !(try tx.query(
                        """
                        SELECT organisation_id FROM organisation_members
                        WHERE organisation_id = \(chosen.rawValue) AND developer_id = \(owner.rawValue)
                          AND role IN (\(list: OrganisationRole.permitting(.editApp).map(\.rawValue))) LOCK IN SHARE MODE
                        """
                    ).isEmpty)
                else { return nil }
                organisation = chosen
            } else {
                organisation = try tx.personalOrganisation(of: owner, now: now)
            }
            let result = try tx.execute(
                """
                INSERT INTO applications SET developer_id = \(owner.rawValue), organisation_id = \(organisation.rawValue),
                    client_id = \(clientID.rawValue), \(fragment: columns.assignments), version = 1, created_at = \(now), updated_at = \(now)
                """)
            let id = ApplicationID(result.insertID)
            try tx.recordActivity(.created, on: id, by: owner, now: now)
            return id
        }
    }

    public func application(_ id: ApplicationID, owner: DeveloperID) throws -> StoredApplication? {
        try database.query(
            """
            SELECT \(unsafeRaw: applicationColumns), m.role AS member_role
            FROM applications a JOIN organisation_members m ON m.organisation_id = a.organisation_id
            WHERE a.id = \(id.rawValue) AND m.developer_id = \(owner.rawValue)
            """
        ).first?.storedApplication()
    }

    public func applications(of owner: DeveloperID) throws -> [ApplicationSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: applicationSummaryColumns)
            FROM organisation_members m JOIN applications a ON a.organisation_id = m.organisation_id
            WHERE m.developer_id = \(owner.rawValue)
            ORDER BY a.updated_at DESC, a.id DESC
            """
        ).compactMap { $0.applicationSummary() }
    }

    public func applyTransition(
        _ outcome: ApplicationReview.Outcome, to id: ApplicationID, expectedVersion: Int64, actorName: String, queueing events: [PendingEvent],
        now: Date
    ) throws -> ApplicationSaveResult {
        // A developer saves only as a member allowed to edit; a platform admin's decision is not a member's.
        let allowed: SQLQuery =
            switch outcome.actor {
            case .developer(let developer): member(developer, may: .editApp)
            case .platformAdmin: "TRUE"
            }
        let columns = ApplicationStateColumns(outcome.review.state)
        let queuesSync = outcome.effects.contains(.queueSync)
        return try database.transaction { tx in
            // The version condition is the optimistic lock: of two saves that loaded the same version, the
            // second waits for the first's row lock, then matches nothing and reports a conflict.
            let updated = try tx.execute(
                """
                UPDATE applications a SET \(fragment: columns.assignments), a.version = a.version + 1, a.updated_at = \(now),
                    a.sync_requested_at = IF(\(queuesSync), \(now), a.sync_requested_at)
                WHERE a.id = \(id.rawValue) AND \(fragment: allowed) AND a.version = \(expectedVersion)
                """)
            guard updated.affectedRows == 1 else {
                let exists = try tx.query(
                    "SELECT a.version FROM applications a WHERE a.id = \(id.rawValue) AND \(fragment: allowed)")
                return exists.isEmpty ? .notFound : .conflict
            }
            for case .recordTransition(let record) in outcome.effects {
                try Self.append(record, actorName: actorName, to: id, in: tx)
            }
            for event in events { _ = try tx.enqueueWebhookEvent(event, for: id, now: now) }
            if case .developer(let developer) = outcome.actor, let activity = ApplicationActivity(outcome.event) {
                let ofChange = outcome.effects.contains { effect in
                    if case .recordTransition(let record) = effect { return record.subject == .pendingChange }
                    return false
                }
                try tx.recordActivity(activity, on: id, by: developer, detail: ofChange ? "pending change" : nil, now: now)
            }
            return .saved(version: expectedVersion + 1)
        }
    }

    public func history(of id: ApplicationID, owner: DeveloperID) throws -> [ApplicationHistoryEntry]? {
        try database.query(
            """
            SELECT a.id AS app_id, t.id, t.subject, t.from_status, t.to_status, t.actor_kind, t.actor_id, t.actor_name,
                   t.reason, t.occurred_at
            FROM applications a LEFT JOIN application_transitions t ON t.application_id = a.id
            WHERE a.id = \(id.rawValue) AND \(fragment: member(owner, may: .viewApp))
            ORDER BY t.occurred_at DESC, t.id DESC
            """
        ).ownedList(keyedBy: "id") { $0.applicationHistoryEntry() }
    }

    public func activity(of id: ApplicationID, member developer: DeveloperID, page: ActivityPageRequest, limit: Int) throws
        -> ActivityPage<ApplicationActivity>?
    {
        guard
            !(try database.query(
                "SELECT a.id FROM applications a WHERE a.id = \(id.rawValue) AND \(fragment: member(developer, may: .viewApp))"
            ).isEmpty)
        else { return nil }
        // Keyset paging over both logs: each branch reads at most limit + 1 rows past the cursor along its
        // (application_id, occurred_at, id) index, and the merge keeps the limit + 1 nearest (ActivityCursor).
        let direction = page.sqlDirection
        let rows = try database.query(
            """
            SELECT source, id, action, subject, from_status, to_status, detail, occurred_at, actor_name FROM (
                (SELECT \(ActivityCursor.Source.member.rawValue) AS source, e.id, e.action, NULL AS subject, NULL AS from_status,
                        NULL AS to_status, e.detail, e.occurred_at, d.name AS actor_name
                 FROM application_events e LEFT JOIN developers d ON d.id = e.actor_id
                 WHERE e.application_id = \(id.rawValue) AND \(fragment: page.sqlPast(.member, alias: "e"))
                 ORDER BY e.occurred_at \(fragment: direction), e.id \(fragment: direction) LIMIT \(limit + 1))
                UNION ALL
                (SELECT \(ActivityCursor.Source.review.rawValue), t.id, NULL, t.subject, t.from_status, t.to_status, t.reason,
                        t.occurred_at, t.actor_name
                 FROM application_transitions t
                 WHERE t.application_id = \(id.rawValue) AND t.actor_kind = 'platform_admin' AND \(fragment: page.sqlPast(.review, alias: "t"))
                 ORDER BY t.occurred_at \(fragment: direction), t.id \(fragment: direction) LIMIT \(limit + 1))
            ) merged
            ORDER BY occurred_at \(fragment: direction), source \(fragment: direction), id \(fragment: direction) LIMIT \(limit + 1)
            """
        ).compactMap { row -> (entry: ActivityEntry<ApplicationActivity>, cursor: ActivityCursor)? in
            guard let rowID = row.int("id"), let at = row.date("occurred_at"),
                let source = row.int("source").flatMap(ActivityCursor.Source.init(rawValue:))
            else { return nil }
            // An action a later version added is left out rather than guessed.
            let action: ApplicationActivity?
            switch source {
            case .member: action = row.string("action").flatMap(ApplicationActivity.init(rawValue:))
            case .review:
                action = row.string("subject").flatMap(ApplicationReview.Subject.init(rawValue:)).flatMap { subject in
                    ApplicationActivity(
                        reviewOf: subject, from: row.string("from_status").flatMap(ApplicationReview.Status.init(rawValue:)),
                        to: row.string("to_status").flatMap(ApplicationReview.Status.init(rawValue:)))
                }
            }
            guard let action else { return nil }
            return (
                ActivityEntry(actorName: row.string("actor_name") ?? "", action: action, detail: row.string("detail"), at: at),
                ActivityCursor(at: at, source: source, id: Int64(rowID))
            )
        }
        return ActivityPage.assemble(rows, for: page, limit: limit)
    }

    // MARK: Review panel (app pool; no owner filter)

    public func reviewQueue() throws -> [ReviewQueueEntry] {
        try database.query(
            """
            SELECT \(unsafeRaw: applicationSummaryColumns), d.name AS developer_name, d.email AS developer_email
            FROM applications a JOIN developers d ON d.id = a.developer_id
            WHERE a.status = 'submitted' OR (a.status = 'approved' AND a.change_stage = 'submitted')
            ORDER BY a.updated_at, a.id
            """
        ).compactMap { row in
            guard let summary = row.applicationSummary() else { return nil }
            return ReviewQueueEntry(
                application: summary, subject: summary.status == .submitted ? .application : .pendingChange,
                developerName: row.string("developer_name") ?? "", developerEmail: row.string("developer_email") ?? "",
                waitingSince: summary.updatedAt)
        }
    }

    public func applicationForReview(_ id: ApplicationID) throws -> StoredApplication? {
        try database.query("SELECT \(unsafeRaw: applicationColumns) FROM applications a WHERE a.id = \(id.rawValue)")
            .first?.storedApplication()
    }

    public func developerContact(_ id: DeveloperID) throws -> DeveloperContact? {
        guard let row = try database.query("SELECT name, email, preferred_language FROM developers WHERE id = \(id.rawValue)").first,
            let name = row.string("name"), let email = row.string("email")
        else { return nil }
        return DeveloperContact(name: name, email: email, language: row.string("preferred_language"))
    }

    public func developersForStaff(matching search: String, limit: Int) throws -> [StaffDeveloperListing] {
        // LIKE wildcards in the search are matched literally.
        let pattern =
            "%"
            + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return try database.query(
            """
            SELECT d.id, d.name, d.email, d.company, d.state, d.created_at, d.preferred_language,
                   (SELECT COUNT(*) FROM applications a WHERE a.developer_id = d.id) AS applications
            FROM developers d
            WHERE \(search.isEmpty) OR d.email LIKE \(pattern) OR d.name LIKE \(pattern)
            ORDER BY d.id DESC LIMIT \(limit)
            """
        ).compactMap(Self.staffListing)
    }

    public func developerForStaff(_ id: DeveloperID) throws -> StaffDeveloperListing? {
        try database.query(
            """
            SELECT d.id, d.name, d.email, d.company, d.state, d.created_at, d.preferred_language,
                   (SELECT COUNT(*) FROM applications a WHERE a.developer_id = d.id) AS applications
            FROM developers d WHERE d.id = \(id.rawValue)
            """
        ).first.flatMap(Self.staffListing)
    }

    private static func staffListing(_ row: Row) -> StaffDeveloperListing? {
        guard let id = row.int("id"), let name = row.string("name"), let email = row.string("email"),
            let state = row.string("state").flatMap(DeveloperAccount.State.init(rawValue:)), let created = row.date("created_at")
        else { return nil }
        return StaffDeveloperListing(
            id: DeveloperID(Int64(id)), name: name, email: email, company: row.string("company"), state: state, createdAt: created,
            applications: row.int("applications") ?? 0, language: row.string("preferred_language"))
    }

    public func developerAccountHistory(_ id: DeveloperID) throws -> [DeveloperAccountHistoryEntry] {
        try database.query(
            """
            SELECT from_state, to_state, actor_name, reason, occurred_at FROM developer_account_transitions
            WHERE developer_id = \(id.rawValue) ORDER BY occurred_at DESC, id DESC
            """
        ).compactMap { row in
            guard let from = row.string("from_state").flatMap(DeveloperAccount.State.init(rawValue:)),
                let to = row.string("to_state").flatMap(DeveloperAccount.State.init(rawValue:)), let at = row.date("occurred_at")
            else { return nil }
            return DeveloperAccountHistoryEntry(from: from, to: to, actorName: row.string("actor_name") ?? "", reason: row.string("reason"), at: at)
        }
    }

    public func applyDeveloperLifecycle(
        _ outcome: DeveloperAccount.LifecycleOutcome, to id: DeveloperID, from state: DeveloperAccount.State, actorName: String, now: Date
    ) throws -> Bool {
        try database.transaction { tx in
            let changed = try tx.execute(
                """
                UPDATE developers SET state = \(outcome.state.rawValue), updated_at = \(now)
                WHERE id = \(id.rawValue) AND state = \(state.rawValue)
                """
            ).affectedRows
            guard changed == 1 else { return false }
            for case .recordTransition(let from, let to, let actor, let reason, let at) in outcome.effects {
                let (kind, actorID): (String, Int64) =
                    switch actor {
                    case .developer(let developer): ("developer", developer.rawValue)
                    case .platformAdmin(let user): ("platform_admin", user.rawValue)
                    }
                try tx.execute(
                    """
                    INSERT INTO developer_account_transitions (developer_id, from_state, to_state, actor_kind, actor_id, actor_name, reason, occurred_at)
                    VALUES (\(id.rawValue), \(from.rawValue), \(to.rawValue), \(kind), \(actorID), \(actorName), \(reason), \(at))
                    """)
            }
            if outcome.effects.contains(.endAllSessions) {
                try tx.execute("DELETE FROM developer_sessions WHERE developer_id = \(id.rawValue)")
            }
            return true
        }
    }

    public func reviewHistory(of id: ApplicationID) throws -> [ApplicationHistoryEntry] {
        try database.query(
            """
            SELECT id, subject, from_status, to_status, actor_kind, actor_id, actor_name, reason, occurred_at
            FROM application_transitions WHERE application_id = \(id.rawValue)
            ORDER BY occurred_at DESC, id DESC
            """
        ).compactMap { $0.applicationHistoryEntry() }
    }

    /// Appends one review log row inside the caller's transaction.
    private static func append(
        _ record: ApplicationReview.TransitionRecord, actorName: String, to id: ApplicationID, in tx: Transaction
    ) throws {
        let (kind, actorID): (String, Int64) =
            switch record.actor {
            case .developer(let developer): ("developer", developer.rawValue)
            case .platformAdmin(let admin): ("platform_admin", admin.rawValue)
            }
        try tx.execute(
            """
            INSERT INTO application_transitions (application_id, subject, from_status, to_status, actor_kind, actor_id,
                                                 actor_name, reason, occurred_at)
            VALUES (\(id.rawValue), \(record.subject.rawValue), \(record.from?.rawValue), \(record.to?.rawValue), \(kind),
                    \(actorID), \(String(actorName.prefix(200))), \(record.reason), \(record.at))
            """)
    }
}
