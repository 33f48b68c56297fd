/// Why an application review event was refused. ``message`` is safe to show the person who acted.
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

    /// A sentence for the page.
    public var message: String {
        switch base {
        case .developerOnly: "Only the app's developer can do this."
        case .platformAdminOnly: "Only a platform admin can do this."
        case .illegal(.discardChange, let status): "An app that is \(Self.phrase(status)) has no pending change to discard."
        case .illegal(let event, let status): "An app that is \(Self.phrase(status)) cannot be \(event.pastParticiple)."
        case .illegalForChange(let event, let status):
            "A pending change that is \(Self.phrase(status)) cannot be \(event.pastParticiple)."
        case .noPendingChange: "This app has no pending change."
        case .incomplete: "Some information is still missing; see the marked fields."
        case .reasonRequired: "Give a reason; the developer will read it."
        case .reasonTooLong: "Use at most \(ApplicationReview.maximumReasonLength) characters for the reason."
        case .noScopesGranted: "Grant at least one scope, or reject the app instead."
        case .scopesNotRequested(let names): "The app did not request: \(names.joined(separator: ", "))."
        case .undeclaredScopes(let names):
            "This app cannot be approved: it has not declared how it uses the data of \(names.joined(separator: ", ")) (purpose, retention, sub-processors). Reject it with a reason so the developer adds the declarations."
        }
    }

    public var description: String { message }

    private static func phrase(_ status: ApplicationReview.Status) -> String {
        status == .draft ? "a draft" : status.rawValue
    }
}
