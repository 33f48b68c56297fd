import Foundation

extension ApplicationReview {
    /// The content the portal shows as the app's: the draft, or the live version of an approved or suspended
    /// app (a pending rename is shown only once approved).
    public var currentContent: ApplicationDraft {
        switch state {
        case .draft(let draft), .submitted(let draft), .rejected(let draft, _): draft
        case .approved(let app), .suspended(let app, _): app.live
        }
    }

    /// What the edit form starts from, or `nil` when the app cannot be edited now (submitted: withdraw first;
    /// suspended; or a change waiting for review).
    public var editableContent: ApplicationDraft? {
        switch state {
        case .draft(let draft), .rejected(let draft, _): draft
        case .approved(let app):
            if case .submitted = app.pendingChange?.stage { nil } else { app.pendingChange?.proposal ?? app.live }
        case .submitted, .suspended: nil
        }
    }
}

extension ApplicationReview.Notice {
    /// The `app.*` webhook event the decision is announced with to the app's endpoints, if any: approval,
    /// rejection and suspension of the app itself (not of a pending change, nor a reinstatement).
    public var webhookEvent: WebhookEvent? {
        switch self {
        case .approved: .appApproved
        case .rejected: .appRejected
        case .suspended: .appSuspended
        case .reinstated, .changeApproved, .changeRejected: nil
        }
    }
}
