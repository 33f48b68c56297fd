import Foundation

/// An app that passed review: the live version the OAuth server runs with, and at most one pending change.
///
/// Editing an approved app never touches ``live``: the edit becomes a ``PendingChange`` that goes through
/// review of its own, and only its approval replaces the live version, so the approved version keeps working
/// while a change waits. Every field is reviewed again, not only redirect URIs and scopes, because name,
/// description and logo are what the consent page shows: an unreviewed rename is a phishing tool.
public struct ApprovedApplication: Sendable, Equatable {
    /// The reviewed content the OAuth server uses.
    public var live: ApplicationDraft
    /// The scopes granted at approval: the requested ones, or fewer if the reviewer narrowed them.
    public var grantedScopes: [String]
    /// When ``live`` was approved.
    public var approvedAt: Date
    /// An edit waiting for, or going through, review.
    public var pendingChange: PendingChange?

    /// An approved app.
    public init(live: ApplicationDraft, grantedScopes: [String], approvedAt: Date, pendingChange: PendingChange? = nil) {
        self.live = live
        self.grantedScopes = grantedScopes
        self.approvedAt = approvedAt
        self.pendingChange = pendingChange
    }
}

/// A proposed new version of an approved app, with its own small review cycle:
/// `draft → submitted → (approved: becomes live) | rejected → draft`, withdrawable and discardable.
public struct PendingChange: Sendable, Equatable {
    /// Where the change is in its review.
    public enum Stage: Sendable, Equatable {
        /// Being edited by the developer.
        case draft
        /// Waiting for a platform admin.
        case submitted
        /// Refused, with the reviewer's reason; editing it makes it a draft again.
        case rejected(reason: String)
    }

    /// The proposed content.
    public var proposal: ApplicationDraft
    /// Where it is in review.
    public var stage: Stage

    /// A pending change.
    public init(proposal: ApplicationDraft, stage: Stage) {
        self.proposal = proposal
        self.stage = stage
    }
}
