/// Why an application review event was refused. ``problem`` is safe to show the person who acted (in the page's language).
///
/// A struct over a private enum, so cases can be added without breaking exhaustive switches elsewhere.
public struct ApplicationReviewError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Base: Sendable, Equatable {
        case developerOnly
        case platformAdminOnly
        case illegal(ApplicationReview.EventKind, ApplicationReview.Status)
        case illegalForChange(ApplicationReview.EventKind, ApplicationReview.Status)
        case noPendingChange
        case incomplete(SchoolworkForms.FieldErrors)
        case reasonRequired
        case reasonTooLong
        case noScopesGranted
        case scopesNotRequested([String])
        case undeclaredScopes([String])
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// A platform admin tried a developer's action (edit, submit, withdraw, discard a change).
    public static let developerOnly = Self(.developerOnly)
    /// A developer tried a reviewer's action (approve, reject, suspend, reinstate).
    public static let platformAdminOnly = Self(.platformAdminOnly)
    /// The event does not apply to an app in this status.
    public static func illegal(_ event: ApplicationReview.EventKind, in status: ApplicationReview.Status) -> Self {
        Self(.illegal(event, status))
    }
    /// The event does not apply to the app's pending change in this status.
    public static func illegalForChange(_ event: ApplicationReview.EventKind, in status: ApplicationReview.Status) -> Self {
        Self(.illegalForChange(event, status))
    }
    /// A change event on an approved app that has no pending change.
    public static let noPendingChange = Self(.noPendingChange)
    /// Submission of a draft that lacks what review needs; the problems are by form field.
    public static func incomplete(_ problems: SchoolworkForms.FieldErrors) -> Self { Self(.incomplete(problems)) }
    /// A rejection or suspension without a reason.
    public static let reasonRequired = Self(.reasonRequired)
    /// A reason longer than ``ApplicationReview/maximumReasonLength``.
    public static let reasonTooLong = Self(.reasonTooLong)
    /// An approval that narrows the scopes to none (reject instead).
    public static let noScopesGranted = Self(.noScopesGranted)
    /// An approval granting scopes the app did not request.
    public static func scopesNotRequested(_ names: [String]) -> Self { Self(.scopesNotRequested(names)) }

    /// An approval of content without a data declaration for each of these requested scopes.
    public static func undeclaredScopes(_ names: [String]) -> Self { Self(.undeclaredScopes(names)) }

    /// The field problems of an ``incomplete(_:)`` submission, for showing next to the fields.
    public var fieldProblems: SchoolworkForms.FieldErrors? {
        if case .incomplete(let problems) = base { return problems }
        return nil
    }

    /// The refusal as a message code, for the page (`L(problem)`) and, in English, for logs and tests.
    public var problem: Message {
        switch base {
        case .developerOnly: Message("review.error.developer_only", "Only the app's developer can do this.")
        case .platformAdminOnly: Message("review.error.platform_admin_only", "Only a platform admin can do this.")
        case .illegal(.discardChange, let status):
            Message(
                "review.error.nothing_to_discard", "An app that is \(Self.phrase(status).english) has no pending change to discard.",
                nested: ["status": Self.phrase(status)])
        case .illegal(let event, let status):
            Message(
                "review.error.illegal",
                "An app that is \(Self.phrase(status).english) cannot be \(Self.participle(event).english).",
                nested: ["status": Self.phrase(status), "event": Self.participle(event)])
        case .illegalForChange(let event, let status):
            Message(
                "review.error.illegal_for_change",
                "A pending change that is \(Self.phrase(status).english) cannot be \(Self.participle(event).english).",
                nested: ["status": Self.phrase(status), "event": Self.participle(event)])
        case .noPendingChange: Message("review.error.no_pending_change", "This app has no pending change.")
        case .incomplete: Message("review.error.incomplete", "Some information is still missing; see the marked fields.")
        case .reasonRequired: Message("review.error.reason_required", "Give a reason; the developer will read it.")
        case .reasonTooLong:
            Message(
                "review.error.reason_too_long", count: ApplicationReview.maximumReasonLength,
                "Use at most \(ApplicationReview.maximumReasonLength) characters for the reason.")
        case .noScopesGranted: Message("review.error.no_scopes", "Grant at least one scope, or reject the app instead.")
        case .scopesNotRequested(let names):
            Message(
                "review.error.scopes_not_requested", "The app did not request: \(names.joined(separator: ", ")).",
                ["scopes": names.joined(separator: ", ")])
        case .undeclaredScopes(let names):
            Message(
                "review.error.undeclared_scopes",
                "This app cannot be approved: it has not declared how it uses the data of \(names.joined(separator: ", ")) (purpose, retention, sub-processors). Reject it with a reason so the developer adds the declarations.",
                ["scopes": names.joined(separator: ", ")])
        }
    }

    /// The refusal in English (logs, the command line, tests).
    public var message: String { problem.english }

    public var description: String { message }

    private static func phrase(_ status: ApplicationReview.Status) -> Message {
        switch status {
        case .draft: Message("review.error.status.draft", "a draft")
        case .submitted: Message("review.error.status.submitted", "submitted")
        case .approved: Message("review.error.status.approved", "approved")
        case .rejected: Message("review.error.status.rejected", "rejected")
        case .suspended: Message("review.error.status.suspended", "suspended")
        }
    }

    private static func participle(_ event: ApplicationReview.EventKind) -> Message {
        switch event {
        case .edit: Message("review.error.event.edit", "edited")
        case .submit: Message("review.error.event.submit", "submitted")
        case .withdraw: Message("review.error.event.withdraw", "withdrawn")
        case .discardChange: Message("review.error.event.discard_change", "discarded")
        case .approve: Message("review.error.event.approve", "approved")
        case .reject: Message("review.error.event.reject", "rejected")
        case .suspend: Message("review.error.event.suspend", "suspended")
        case .reinstate: Message("review.error.event.reinstate", "reinstated")
        }
    }
}
