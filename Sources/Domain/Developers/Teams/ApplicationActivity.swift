import Foundation

/// What a member did to an application, as its activity log (`application_events`) records it (issue 20 item 6).
/// Written by the store in the same transaction as the change; a refused action writes nothing.
public enum ApplicationActivity: String, Sendable, CaseIterable {
    case created
    case settingsSaved = "settings_saved"
    case submitted
    case withdrawn
    case changeDiscarded = "change_discarded"
    case clientSecretCreated = "client_secret_created"
    case clientSecretRevoked = "client_secret_revoked"
    case apiKeyCreated = "api_key_created"
    case apiKeyRevoked = "api_key_revoked"
    case webhookAdded = "webhook_added"
    case webhookChanged = "webhook_changed"
    case webhookRemoved = "webhook_removed"
    // The platform review's decisions: never stored in `application_events` (a platform admin is no developer);
    // the Activity reads them from the review log (``init(reviewOf:from:to:)``).
    case reviewApproved = "review_approved"
    case reviewRejected = "review_rejected"
    case reviewSuspended = "review_suspended"
    case reviewReinstated = "review_reinstated"
    case reviewChangeApproved = "review_change_approved"
    case reviewChangeRejected = "review_change_rejected"

    /// The activity a developer's review event is logged as; `nil` for a platform admin's decision (the review
    /// log, `application_transitions`, holds those).
    public init?(_ event: ApplicationReview.EventKind) {
        switch event {
        case .edit: self = .settingsSaved
        case .submit: self = .submitted
        case .withdraw: self = .withdrawn
        case .discardChange: self = .changeDiscarded
        case .approve, .reject, .suspend, .reinstate: return nil
        }
    }

    /// The decision a platform admin's row of the review log records (``ApplicationReview`` writes these moves
    /// only for a platform admin's events); `nil` for any other move.
    public init?(reviewOf subject: ApplicationReview.Subject, from: ApplicationReview.Status?, to: ApplicationReview.Status?) {
        switch (subject, from, to) {
        case (.application, .submitted?, .approved?): self = .reviewApproved
        case (.application, .submitted?, .rejected?): self = .reviewRejected
        case (.application, .approved?, .suspended?): self = .reviewSuspended
        case (.application, .suspended?, .approved?): self = .reviewReinstated
        case (.pendingChange, .submitted?, .approved?): self = .reviewChangeApproved
        case (.pendingChange, .submitted?, .rejected?): self = .reviewChangeRejected
        default: return nil
        }
    }

    /// Whether this is the platform review's decision rather than a member's action.
    public var isReviewDecision: Bool {
        switch self {
        case .reviewApproved, .reviewRejected, .reviewSuspended, .reviewReinstated, .reviewChangeApproved, .reviewChangeRejected: true
        default: false
        }
    }

    /// The words the app's page shows (`L(label)`).
    public var label: Message {
        switch self {
        case .created: Message("portal.activity.app.created", "Created the app")
        case .settingsSaved: Message("portal.activity.app.settings_saved", "Saved the settings")
        case .submitted: Message("portal.activity.app.submitted", "Submitted for review")
        case .withdrawn: Message("portal.activity.app.withdrawn", "Withdrew the submission")
        case .changeDiscarded: Message("portal.activity.app.change_discarded", "Discarded the pending change")
        case .clientSecretCreated: Message("portal.activity.app.client_secret_created", "Created a client secret")
        case .clientSecretRevoked: Message("portal.activity.app.client_secret_revoked", "Revoked a client secret")
        case .apiKeyCreated: Message("portal.activity.app.api_key_created", "Created an API key")
        case .apiKeyRevoked: Message("portal.activity.app.api_key_revoked", "Revoked an API key")
        case .webhookAdded: Message("portal.activity.app.webhook_added", "Added a webhook endpoint")
        case .webhookChanged: Message("portal.activity.app.webhook_changed", "Changed a webhook endpoint")
        case .webhookRemoved: Message("portal.activity.app.webhook_removed", "Removed a webhook endpoint")
        case .reviewApproved: Message("portal.activity.app.review_approved", "Platform review: approved the app")
        case .reviewRejected: Message("portal.activity.app.review_rejected", "Platform review: rejected the app")
        case .reviewSuspended: Message("portal.activity.app.review_suspended", "Platform review: suspended the app")
        case .reviewReinstated: Message("portal.activity.app.review_reinstated", "Platform review: reinstated the app")
        case .reviewChangeApproved: Message("portal.activity.app.review_change_approved", "Platform review: approved the pending change")
        case .reviewChangeRejected: Message("portal.activity.app.review_change_rejected", "Platform review: rejected the pending change")
        }
    }
}

/// What happened to an organisation's members, as `organisation_events` records it.
public enum OrganisationActivity: String, Sendable, CaseIterable {
    case invited
    case invitationCancelled = "invitation_cancelled"
    case joined
    case roleChanged = "role_changed"
    case removed
    case left
    case ownershipTransferred = "ownership_transferred"
    case renamed

    /// The words the organisation's page shows (`L(label)`), before the member's name when there is one.
    public var label: Message {
        switch self {
        case .invited: Message("portal.activity.organisation.invited", "Invited")
        case .invitationCancelled: Message("portal.activity.organisation.invitation_cancelled", "Cancelled the invitation of")
        case .joined: Message("portal.activity.organisation.joined", "Joined")
        case .roleChanged: Message("portal.activity.organisation.role_changed", "Changed the role of")
        case .removed: Message("portal.activity.organisation.removed", "Removed")
        case .left: Message("portal.activity.organisation.left", "Left")
        case .ownershipTransferred: Message("portal.activity.organisation.ownership_transferred", "Transferred ownership to")
        case .renamed: Message("portal.activity.organisation.renamed", "Renamed the organisation")
        }
    }
}

/// One row of an activity log, newest first on the pages.
public struct ActivityEntry<Action: Sendable & Equatable>: Sendable, Equatable {
    /// Who acted, by their display name now.
    public let actorName: String
    /// What they did.
    public let action: Action
    /// The member the change was about (organisation events), by name; `nil` when none or the actor.
    public let subjectName: String?
    /// A short detail (a key's name, a webhook's host, a role); never a secret.
    public let detail: String?
    /// When.
    public let at: Date

    /// Creates the value.
    public init(actorName: String, action: Action, subjectName: String? = nil, detail: String?, at: Date) {
        self.actorName = actorName
        self.action = action
        self.subjectName = subjectName
        self.detail = detail
        self.at = at
    }
}

/// The details the logs keep: short, and never a secret.
public enum ActivityDetail {
    /// The longest detail stored (`VARCHAR(200)`).
    public static let maximumLength = 200
    /// How many rows a page shows.
    public static let pageLimit = 50

    /// `text` cut to ``maximumLength`` characters.
    public static func clipped(_ text: String) -> String { String(text.prefix(maximumLength)) }

    /// An API key as the log names it: its name and visible prefix (both already on the keys page).
    public static func apiKey(name: String, visiblePrefix: String) -> String { clipped("\(name) (\(visiblePrefix)…)") }

    /// A webhook endpoint as the log names it: its number and host only. A receiver's path or query may carry
    /// a capability (a chat service's incoming-hook URL is a secret), so neither is kept.
    public static func webhook(id: Int64, url: String) -> String {
        let host = URLComponents(string: url)?.host ?? "?"
        return clipped("#\(id) (\(host))")
    }

    /// A rename: `"Old name → New name"`, clipped to the column.
    public static func rename(from old: String, to new: String) -> String { clipped("\(old) → \(new)") }

    /// A role change: `"Developer → Admin"`.
    public static func roleChange(from old: OrganisationRole, to new: OrganisationRole) -> String { "\(old.label) → \(new.label)" }

    /// A member's stored detail as words a page writes in its own language, or `nil` when the detail is data (a
    /// key's name, a webhook's host, a review's reason) or not one the store writes.
    ///
    /// The store keeps the English it always wrote (`"as Developer"`, `"Viewer → Admin"`, `"ana@example.com as
    /// Viewer"`, `"was Admin"`, `"pending change"`): its role names are ``OrganisationRole/label``, a closed set, so
    /// the detail is read back without doubt, rows written by any version alike. A detail cut at
    /// ``maximumLength`` (a very long address) no longer ends in a role, and is shown as stored.
    public static func message(_ detail: String, of action: OrganisationActivity) -> Message? {
        switch action {
        case .joined:
            guard let role = role(after: "as ", in: detail) else { return nil }
            return Message("portal.activity.detail.as_role", detail, nested: ["role": role.name])
        case .left, .removed:
            guard let role = role(after: "was ", in: detail) else { return nil }
            return Message("portal.activity.detail.was_role", detail, nested: ["role": role.name])
        case .invited:
            guard let cut = detail.range(of: " as ", options: .backwards),
                let role = OrganisationRole(label: String(detail[cut.upperBound...]))
            else { return nil }
            let email = String(detail[..<cut.lowerBound])
            return Message("portal.activity.detail.invited_as", detail, ["email": email], nested: ["role": role.name])
        case .roleChanged:
            let parts = detail.components(separatedBy: " → ")
            guard parts.count == 2, let old = OrganisationRole(label: parts[0]), let new = OrganisationRole(label: parts[1]) else { return nil }
            return Message("portal.activity.detail.role_change", detail, nested: ["old": old.name, "new": new.name])
        case .invitationCancelled, .ownershipTransferred, .renamed:
            return nil
        }
    }

    /// An app member's stored detail in words a page translates (a save, submission or withdrawal of the pending
    /// change rather than of the app), or `nil` for data.
    public static func message(_ detail: String, of action: ApplicationActivity) -> Message? {
        switch action {
        case .settingsSaved, .submitted, .withdrawn, .changeDiscarded:
            detail == "pending change" ? Message("portal.activity.detail.pending_change", "pending change") : nil
        default: nil
        }
    }

    private static func role(after prefix: String, in detail: String) -> OrganisationRole? {
        guard detail.hasPrefix(prefix) else { return nil }
        return OrganisationRole(label: String(detail.dropFirst(prefix.count)))
    }
}
