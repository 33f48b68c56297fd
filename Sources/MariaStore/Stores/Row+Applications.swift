import Domain
import Foundation

/// The select list ``Row/storedApplication()`` reads, for `applications` aliased `a`. A constant, spliced into
/// statements with `unsafeRaw:`.
let applicationColumns = """
    a.id, a.developer_id, a.client_id, a.status, a.reason, a.name, a.description, a.homepage_url, a.privacy_policy_url, \
    a.terms_url, a.logo_sha256, a.redirect_uris, a.requested_scopes, a.client_type, a.data_declarations, a.granted_scopes, \
    a.approved_at, \
    a.change_stage, a.change_reason, a.change_name, a.change_description, a.change_homepage_url, \
    a.change_privacy_policy_url, a.change_terms_url, a.change_logo_sha256, a.change_redirect_uris, \
    a.change_requested_scopes, a.change_client_type, a.change_data_declarations, a.client_authentication, \
    a.change_client_authentication, a.openid_settings, a.change_openid_settings, a.lti_tool, a.change_lti_tool, a.version, a.created_at, a.updated_at
    """

/// The select list ``Row/applicationSummary()`` reads, for `applications` aliased `a`.
let applicationSummaryColumns = "a.id, a.developer_id, a.client_id, a.name, a.status, a.change_stage, a.change_reason, a.updated_at"

extension Row {
    /// An application read with ``applicationColumns``; `nil` for a row whose state this code cannot read
    /// (a status or stage added by a later schema), which is left out rather than guessed.
    func storedApplication() -> StoredApplication? {
        guard let id: ApplicationID = id("id"), let owner: DeveloperID = self.id("developer_id"),
            let status = ApplicationReview.Status(rawValue: string("status") ?? ""), let draft = applicationDraft(prefix: ""),
            let version = int("version"), let createdAt = date("created_at"), let updatedAt = date("updated_at")
        else { return nil }
        let state: ApplicationReview.State
        switch status {
        case .draft: state = .draft(draft)
        case .submitted: state = .submitted(draft)
        case .rejected: state = .rejected(draft, reason: string("reason") ?? "")
        case .approved, .suspended:
            guard let approvedAt = date("approved_at") else { return nil }
            var change: PendingChange?
            if let stage = pendingChangeStage() {
                guard let proposal = applicationDraft(prefix: "change_") else { return nil }
                change = PendingChange(proposal: proposal, stage: stage)
            }
            let app = ApprovedApplication(
                live: draft, grantedScopes: scopeList("granted_scopes"), approvedAt: approvedAt, pendingChange: change)
            state = status == .approved ? .approved(app) : .suspended(app, reason: string("reason") ?? "")
        }
        return StoredApplication(
            id: id, clientID: ClientID(string("client_id") ?? ""), review: ApplicationReview(owner: owner, state: state),
            version: Int64(version), createdAt: createdAt, updatedAt: updatedAt,
            // Only the portal's read selects the member's role; the review panel's has no member.
            role: hasColumn("member_role") ? string("member_role").flatMap(OrganisationRole.init(rawValue:)) : nil)
    }

    /// An application read with ``applicationSummaryColumns``; `nil` for an unreadable status.
    func applicationSummary() -> ApplicationSummary? {
        guard let id: ApplicationID = id("id"), let owner: DeveloperID = self.id("developer_id"),
            let status = ApplicationReview.Status(rawValue: string("status") ?? ""), let updatedAt = date("updated_at")
        else { return nil }
        return ApplicationSummary(
            id: id, owner: owner, clientID: ClientID(string("client_id") ?? ""), name: string("name") ?? "", status: status,
            changeStage: pendingChangeStage(), updatedAt: updatedAt)
    }

    /// A review log row.
    func applicationHistoryEntry() -> ApplicationHistoryEntry? {
        guard let subject = ApplicationReview.Subject(rawValue: string("subject") ?? ""), let actorID = int("actor_id"),
            let at = date("occurred_at")
        else { return nil }
        let actor: ApplicationReview.Actor
        switch string("actor_kind") {
        case "developer": actor = .developer(DeveloperID(Int64(actorID)))
        case "platform_admin": actor = .platformAdmin(UserID(Int64(actorID)))
        default: return nil
        }
        let record = ApplicationReview.TransitionRecord(
            subject: subject, from: string("from_status").flatMap(ApplicationReview.Status.init(rawValue:)),
            to: string("to_status").flatMap(ApplicationReview.Status.init(rawValue:)), actor: actor, reason: string("reason"),
            at: at)
        return ApplicationHistoryEntry(record: record, actorName: string("actor_name") ?? "")
    }

    /// The content columns named `prefix` + `name`, `description`, …; `nil` when they are NULL (no pending
    /// change) or unreadable.
    private func applicationDraft(prefix: String) -> ApplicationDraft? {
        guard let name = string(prefix + "name"), let type = OAuthClient.Kind(rawValue: string(prefix + "client_type") ?? ""),
            let declarations = DataDeclarationColumns.declarations(string(prefix + "data_declarations") ?? "[]"),
            let authentication = ApplicationClientAuthentication(column: string(prefix + "client_authentication")),
            let openID = ApplicationOpenIDSettings(column: string(prefix + "openid_settings"))
        else { return nil }
        var lti: LTIToolSettings?
        if let column = string(prefix + "lti_tool") {
            guard let settings = LTIToolSettings(column: column) else { return nil }
            lti = settings
        }
        return ApplicationDraft(
            name: name, description: string(prefix + "description") ?? "", homepageURL: string(prefix + "homepage_url"),
            privacyPolicyURL: string(prefix + "privacy_policy_url"), termsURL: string(prefix + "terms_url"),
            logoSHA256: string(prefix + "logo_sha256"),
            // Redirect URIs cannot contain a line feed (RFC 3986 §2), so it separates them in one column.
            redirectURIs: (string(prefix + "redirect_uris") ?? "").split(separator: "\n").map(String.init),
            requestedScopes: scopeList(prefix + "requested_scopes"), clientType: type, dataDeclarations: declarations,
            clientAuthentication: authentication, openID: openID, lti: lti)
    }

    /// The pending change's stage with its reason; `nil` without a change.
    private func pendingChangeStage() -> PendingChange.Stage? {
        switch string("change_stage") {
        case "draft": .draft
        case "submitted": .submitted
        case "rejected": .rejected(reason: string("change_reason") ?? "")
        default: nil
        }
    }
}

/// The column values of one ``ApplicationReview/State``, as ``MariaApplicationStore`` writes them.
struct ApplicationStateColumns {
    let status: String
    let reason: String?
    let content: ApplicationDraft
    let grantedScopes: String?
    let approvedAt: Date?
    let changeStage: String?
    let changeReason: String?
    let change: ApplicationDraft?

    init(_ state: ApplicationReview.State) {
        var approved: ApprovedApplication?
        switch state {
        case .draft(let draft), .submitted(let draft):
            content = draft
            reason = nil
        case .rejected(let draft, let why):
            content = draft
            reason = why
        case .approved(let app):
            content = app.live
            approved = app
            reason = nil
        case .suspended(let app, let why):
            content = app.live
            approved = app
            reason = why
        }
        status = state.status.rawValue
        grantedScopes = approved?.grantedScopes.scopeColumn
        approvedAt = approved?.approvedAt
        change = approved?.pendingChange?.proposal
        switch approved?.pendingChange?.stage {
        case nil:
            changeStage = nil
            changeReason = nil
        case .draft?:
            changeStage = "draft"
            changeReason = nil
        case .submitted?:
            changeStage = "submitted"
            changeReason = nil
        case .rejected(let why)?:
            changeStage = "rejected"
            changeReason = why
        }
    }

    /// `SET` assignments for every state column, for an `UPDATE` (or `INSERT … SET`).
    var assignments: SQLQuery {
        """
        status = \(status), reason = \(reason), name = \(content.name), description = \(content.description),
        homepage_url = \(content.homepageURL), privacy_policy_url = \(content.privacyPolicyURL), terms_url = \(content.termsURL),
        logo_sha256 = \(content.logoSHA256), redirect_uris = \(content.redirectURIs.joined(separator: "\n")),
        requested_scopes = \(content.requestedScopes.scopeColumn), client_type = \(content.clientType.rawValue),
        data_declarations = \(DataDeclarationColumns.json(content.dataDeclarations)),
        client_authentication = \(content.clientAuthentication.column), openid_settings = \(content.openID.column),
        lti_tool = \(content.lti?.column),
        granted_scopes = \(grantedScopes), approved_at = \(approvedAt), change_stage = \(changeStage),
        change_reason = \(changeReason), change_name = \(change?.name), change_description = \(change?.description),
        change_homepage_url = \(change?.homepageURL), change_privacy_policy_url = \(change?.privacyPolicyURL),
        change_terms_url = \(change?.termsURL), change_logo_sha256 = \(change?.logoSHA256),
        change_redirect_uris = \(change?.redirectURIs.joined(separator: "\n")),
        change_requested_scopes = \(change?.requestedScopes.scopeColumn), change_client_type = \(change?.clientType.rawValue),
        change_data_declarations = \(change.map { DataDeclarationColumns.json($0.dataDeclarations) }),
        change_client_authentication = \(change?.clientAuthentication.column),
        change_openid_settings = \(change?.openID.column), change_lti_tool = \(change?.lti?.column)
        """
    }
}

extension [Row] {
    /// The rows of an owner-checked list: `nil` when the owning row matched nothing (not the developer's, so
    /// the page answers 404), otherwise the rows whose `column` (the listed table's id, NULL in the single row
    /// a `LEFT JOIN` yields for an empty list) is set, decoded by `transform`.
    func ownedList<Value>(keyedBy column: String, _ transform: (Row) -> Value?) -> [Value]? {
        guard !isEmpty else { return nil }
        return compactMap { $0.int(column) == nil ? nil : transform($0) }
    }
}

/// `EXISTS (…)`: `developer` is a member of the organisation of the application aliased `alias` (a constant)
/// with a role that permits `action` (``OrganisationRole/permitting(_:)``). Every portal statement on an app
/// carries it, so rights are read at each request, never cached.
func member(_ developer: DeveloperID, may action: OrganisationAction, app alias: String = "a") -> SQLQuery {
    """
    EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = \(unsafeRaw: alias).organisation_id
            AND m.developer_id = \(developer.rawValue) AND m.role IN (\(list: OrganisationRole.permitting(action).map(\.rawValue))))
    """
}

extension Transaction {
    /// Whether `developer` may do `action` on the application, locking its row to the end of the transaction,
    /// so operations that count the app's rows (active secrets) run one after another.
    func lockApplication(_ id: ApplicationID, member developer: DeveloperID, may action: OrganisationAction) throws -> Bool {
        !(try query(
            "SELECT a.id FROM applications a WHERE a.id = \(id.rawValue) AND \(fragment: member(developer, may: action)) FOR UPDATE"
        ).isEmpty)
    }

    /// Marks the application for the next developers → main sync.
    func requestSync(of id: ApplicationID, now: Date) throws {
        try execute("UPDATE applications SET sync_requested_at = \(now) WHERE id = \(id.rawValue)")
    }

    /// Revokes an active credential of the app (`table` is `application_client_secrets` or `api_keys`, a
    /// constant) if `owner` may manage its credentials, and marks the app for the next sync. `false` when the row
    /// is unknown, of another app, not the developer's to revoke, or already revoked.
    func revokeCredential(table: String, id: Int64, of app: ApplicationID, owner: DeveloperID, now: Date) throws -> Bool {
        let revoked = try execute(
            """
            UPDATE \(unsafeRaw: table) c JOIN applications a ON a.id = c.application_id
            SET c.revoked_at = \(now)
            WHERE c.id = \(id) AND c.application_id = \(app.rawValue) AND \(fragment: member(owner, may: .manageCredentials))
              AND c.revoked_at IS NULL
            """)
        guard revoked.affectedRows == 1 else { return false }
        try requestSync(of: app, now: now)
        return true
    }
}
