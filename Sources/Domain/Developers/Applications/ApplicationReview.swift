import Foundation

/// The review life of a developer's application (DESIGN §7–8), as a value: ``transition(_:by:at:registry:)``
/// returns the next value and the effects for the I/O layer to perform, and changes nothing itself.
///
/// ```
/// draft ──submit──▶ submitted ──approve──▶ approved ──suspend──▶ suspended
///   ▲  ◀──withdraw──    │                    │  ◀──reinstate──
///   └──edit── rejected ◀┘reject              └─edit/submit/approve…: PendingChange (same cycle, live version kept)
/// ```
///
/// Decisions:
/// - A submitted app cannot be edited: the reviewer judges exactly what was submitted. The developer withdraws
///   it (back to draft) to change it.
/// - A rejected app is not resubmitted as is: editing makes it a draft (recorded), which is then submitted.
/// - Editing an approved app creates a ``PendingChange``; saving content identical to the live version when
///   there is no pending change does nothing. Approving the change replaces the live version and queues sync;
///   rejecting it keeps the change, with the reason, for the developer to edit or discard.
/// - A suspended app cannot be edited, and its pending change cannot be decided, until it is reinstated; the
///   pending change is kept through the suspension.
/// - Every status change is recorded (who, when, reason); saving a draft is not a status change and returns
///   no effects. The developer is notified of every admin decision; sync is queued whenever what the OAuth
///   server runs with changes (approval, approved change, suspension, reinstatement).
/// - An approval needs a data declaration (``DataDeclaration``) for every requested scope; submission already
///   asks for them, approval checks again (for apps submitted before declarations existed).
/// - Roles are checked before the state: a developer may act only on their own app, a platform admin only
///   through the admin events.
public struct ApplicationReview: Sendable, Equatable {
    /// Longest reason for a rejection or suspension, in characters.
    public static let maximumReasonLength = 1000

    /// The status the portal and the admin panel show (the `status` column).
    public enum Status: String, Sendable, CaseIterable {
        /// Being written by the developer.
        case draft
        /// Waiting for review.
        case submitted
        /// Live.
        case approved
        /// Refused by a reviewer.
        case rejected
        /// Stopped by a platform admin.
        case suspended
    }

    /// Where the application is, with the content that belongs to that status.
    public enum State: Sendable, Equatable {
        /// Being written; may be incomplete.
        case draft(ApplicationDraft)
        /// Waiting for a platform admin.
        case submitted(ApplicationDraft)
        /// Live; may carry a pending change.
        case approved(ApprovedApplication)
        /// Refused, with the reviewer's reason.
        case rejected(ApplicationDraft, reason: String)
        /// Stopped by a platform admin, with the reason; the OAuth server refuses the client.
        case suspended(ApprovedApplication, reason: String)

        /// The status of this state (the `status` column).
        public var status: Status {
            switch self {
            case .draft: .draft
            case .submitted: .submitted
            case .approved: .approved
            case .rejected: .rejected
            case .suspended: .suspended
            }
        }
    }

    /// Something a person does to the application.
    public enum Event: Sendable, Equatable {
        /// The developer saves new content (a draft, a rejected app, or a change to an approved app).
        case edit(ApplicationDraft)
        /// The developer sends the draft, or the pending change, to review.
        case submit
        /// The developer takes a submission, or a submitted change, back to draft.
        case withdraw
        /// The developer drops the pending change of an approved app.
        case discardChange
        /// A platform admin approves the submission or the submitted change; `narrowedScopes` (a subset of the
        /// requested ones) grants fewer than requested, `nil` grants all.
        case approve(narrowedScopes: [String]?)
        /// A platform admin refuses the submission or the submitted change, with a reason for the developer.
        case reject(reason: String)
        /// A platform admin stops an approved app.
        case suspend(reason: String)
        /// A platform admin restarts a suspended app.
        case reinstate

        /// The event without its payload.
        public var kind: EventKind {
            switch self {
            case .edit: .edit
            case .submit: .submit
            case .withdraw: .withdraw
            case .discardChange: .discardChange
            case .approve: .approve
            case .reject: .reject
            case .suspend: .suspend
            case .reinstate: .reinstate
            }
        }
    }

    /// The kinds of ``Event``, for errors and tables.
    public enum EventKind: String, Sendable, CaseIterable {
        case edit, submit, withdraw, discardChange, approve, reject, suspend, reinstate

        /// Whether the event is the developer's (otherwise a platform admin's).
        public var isDevelopersAction: Bool {
            switch self {
            case .edit, .submit, .withdraw, .discardChange: true
            case .approve, .reject, .suspend, .reinstate: false
            }
        }
    }

    /// Who acts.
    public enum Actor: Sendable, Equatable {
        /// A developer of the developers site: a member of the app's organisation whose role permits the action
        /// (``OrganisationRole``), which the portal and the store check, not this value.
        case developer(DeveloperID)
        /// A platform admin of the app site's admin panel.
        case platformAdmin(UserID)
    }

    /// What was changed by a recorded transition.
    public enum Subject: String, Sendable {
        /// The application itself.
        case application
        /// The pending change of an approved application.
        case pendingChange = "pending_change"
    }

    /// One row of the review log. For a pending change, `from`/`to` use the same statuses and `nil` stands
    /// for "no pending change" (created by an edit, ended by approval or discarding).
    public struct TransitionRecord: Sendable, Equatable {
        /// The application or its pending change.
        public let subject: Subject
        /// The status before; `nil` when a pending change is created.
        public let from: Status?
        /// The status after; `nil` when a pending change is discarded.
        public let to: Status?
        /// Who acted.
        public let actor: Actor
        /// The reviewer's reason for a rejection or suspension, trimmed.
        public let reason: String?
        /// When.
        public let at: Date

        /// A log row.
        public init(subject: Subject, from: Status?, to: Status?, actor: Actor, reason: String?, at: Date) {
            self.subject = subject
            self.from = from
            self.to = to
            self.actor = actor
            self.reason = reason
            self.at = at
        }
    }

    /// What the developer is told by email after an admin decision (DESIGN §8).
    public enum Notice: Sendable, Equatable {
        /// The app was approved and can be used.
        case approved
        /// The submission was rejected, with the reason.
        case rejected(reason: String)
        /// The app was suspended, with the reason.
        case suspended(reason: String)
        /// The app was reinstated.
        case reinstated
        /// The pending change was approved and is now live.
        case changeApproved
        /// The pending change was rejected, with the reason; the live version is unchanged.
        case changeRejected(reason: String)
    }

    /// Work for the I/O layer, in the order given, in the same transaction as saving the new state (the
    /// email after commit).
    public enum Effect: Sendable, Equatable {
        /// Append to the review log.
        case recordTransition(TransitionRecord)
        /// Email the app's developer.
        case notifyDeveloper(Notice)
        /// Mark the app for the next developers → main sync: the live version, scopes or status changed.
        case queueSync
    }

    /// The next value and what to do about it.
    public struct Outcome: Sendable, Equatable {
        /// The application after the event.
        public let review: ApplicationReview
        /// Effects to perform, in order.
        public let effects: [Effect]
        /// Who acted: the store checks a developer's membership and role when it saves.
        public var actor: Actor
        /// What happened: a developer's event is written to the app's activity (``ApplicationActivity``).
        public var event: EventKind
    }

    /// The developer who created the app (`applications.developer_id`); the review panel mails them. Who may
    /// act on it is decided by its organisation's members' roles (``OrganisationRole``).
    public let owner: DeveloperID
    /// Where the app is.
    public var state: State

    /// An application of `owner` in `state` (a new one is `.draft`).
    public init(owner: DeveloperID, state: State) {
        self.owner = owner
        self.state = state
    }

    /// The status column.
    public var status: Status { state.status }

    /// Applies `event` by `actor` at `now`: the next value and its effects, or why the event is refused (in
    /// which case nothing may change). `registry` decides completeness on submission.
    public func transition(
        _ event: Event, by actor: Actor, at now: Date, registry: ScopeRegistry = .standard
    ) -> Result<Outcome, ApplicationReviewError> {
        switch (event.kind.isDevelopersAction, actor) {
        case (true, .platformAdmin): return .failure(.developerOnly)
        case (false, .developer): return .failure(.platformAdminOnly)
        default: break
        }
        var context = Context(owner: owner, actor: actor, now: now, registry: registry)
        let result: Result<State, ApplicationReviewError>
        switch state {
        case .draft(let draft): result = context.fromDraft(draft, event)
        case .submitted(let draft): result = context.fromSubmitted(draft, event)
        case .approved(let app): result = context.fromApproved(app, event)
        case .rejected(let draft, _): result = context.fromRejected(draft, event)
        case .suspended(let app, _): result = context.fromSuspended(app, event)
        }
        return result.map { Outcome(review: ApplicationReview(owner: owner, state: $0), effects: context.effects, actor: actor, event: event.kind) }
    }
}

/// The transition table, one method per status; effects are collected as they are decided.
private struct Context {
    typealias Review = ApplicationReview
    let owner: DeveloperID
    let actor: Review.Actor
    let now: Date
    let registry: ScopeRegistry
    var effects: [Review.Effect] = []

    init(owner: DeveloperID, actor: Review.Actor, now: Date, registry: ScopeRegistry) {
        self.owner = owner
        self.actor = actor
        self.now = now
        self.registry = registry
    }

    mutating func fromDraft(_ draft: ApplicationDraft, _ event: Review.Event) -> Result<Review.State, ApplicationReviewError> {
        switch event {
        case .edit(let content):
            return .success(.draft(content))
        case .submit:
            let problems = draft.submissionProblems(registry: registry)
            guard problems.isEmpty else { return .failure(.incomplete(problems)) }
            record(.application, .draft, .submitted)
            return .success(.submitted(draft))
        default:
            return .failure(.illegal(event.kind, in: .draft))
        }
    }

    mutating func fromSubmitted(_ draft: ApplicationDraft, _ event: Review.Event) -> Result<Review.State, ApplicationReviewError> {
        switch event {
        case .withdraw:
            record(.application, .submitted, .draft)
            return .success(.draft(draft))
        case .approve(let narrowed):
            if let refusal = undeclared(draft) { return .failure(refusal) }
            return grantedScopes(requested: draft.requestedScopes, narrowed: narrowed).map { scopes in
                record(.application, .submitted, .approved)
                effects += [.notifyDeveloper(.approved), .queueSync]
                return .approved(ApprovedApplication(live: draft, grantedScopes: scopes, approvedAt: now))
            }
        case .reject(let reason):
            return checkedReason(reason).map { reason in
                record(.application, .submitted, .rejected, reason: reason)
                effects.append(.notifyDeveloper(.rejected(reason: reason)))
                return .rejected(draft, reason: reason)
            }
        default:
            return .failure(.illegal(event.kind, in: .submitted))
        }
    }

    mutating func fromRejected(_ draft: ApplicationDraft, _ event: Review.Event) -> Result<Review.State, ApplicationReviewError> {
        switch event {
        case .edit(let content):
            record(.application, .rejected, .draft)
            return .success(.draft(content))
        default:
            return .failure(.illegal(event.kind, in: .rejected))
        }
    }

    mutating func fromSuspended(_ app: ApprovedApplication, _ event: Review.Event) -> Result<Review.State, ApplicationReviewError> {
        switch event {
        case .reinstate:
            record(.application, .suspended, .approved)
            effects += [.notifyDeveloper(.reinstated), .queueSync]
            return .success(.approved(app))
        default:
            return .failure(.illegal(event.kind, in: .suspended))
        }
    }

    mutating func fromApproved(_ app: ApprovedApplication, _ event: Review.Event) -> Result<Review.State, ApplicationReviewError> {
        if case .suspend(let reason) = event {
            return checkedReason(reason).map { reason in
                record(.application, .approved, .suspended, reason: reason)
                effects += [.notifyDeveloper(.suspended(reason: reason)), .queueSync]
                return .suspended(app, reason: reason)
            }
        }
        if case .reinstate = event { return .failure(.illegal(.reinstate, in: .approved)) }
        guard let change = app.pendingChange else {
            guard case .edit(let content) = event else { return .failure(.noPendingChange) }
            if content == app.live { return .success(.approved(app)) }
            record(.pendingChange, nil, .draft)
            return .success(.approved(with(app, PendingChange(proposal: content, stage: .draft))))
        }
        return fromPendingChange(app, change, event).map { .approved($0) }
    }

    /// The pending change's own cycle; `app.pendingChange` is `change`.
    mutating func fromPendingChange(
        _ app: ApprovedApplication, _ change: PendingChange, _ event: Review.Event
    ) -> Result<ApprovedApplication, ApplicationReviewError> {
        let stage: Review.Status
        switch change.stage {
        case .draft: stage = .draft
        case .submitted: stage = .submitted
        case .rejected: stage = .rejected
        }
        switch (event, stage) {
        case (.edit(let content), .draft):
            return .success(with(app, PendingChange(proposal: content, stage: .draft)))
        case (.edit(let content), .rejected):
            record(.pendingChange, .rejected, .draft)
            return .success(with(app, PendingChange(proposal: content, stage: .draft)))
        case (.submit, .draft):
            let problems = change.proposal.submissionProblems(registry: registry)
            guard problems.isEmpty else { return .failure(.incomplete(problems)) }
            record(.pendingChange, .draft, .submitted)
            return .success(with(app, PendingChange(proposal: change.proposal, stage: .submitted)))
        case (.withdraw, .submitted):
            record(.pendingChange, .submitted, .draft)
            return .success(with(app, PendingChange(proposal: change.proposal, stage: .draft)))
        case (.discardChange, _):
            record(.pendingChange, stage, nil)
            return .success(with(app, nil))
        case (.approve(let narrowed), .submitted):
            if let refusal = undeclared(change.proposal) { return .failure(refusal) }
            return grantedScopes(requested: change.proposal.requestedScopes, narrowed: narrowed).map { scopes in
                record(.pendingChange, .submitted, .approved)
                effects += [.notifyDeveloper(.changeApproved), .queueSync]
                return ApprovedApplication(live: change.proposal, grantedScopes: scopes, approvedAt: now)
            }
        case (.reject(let reason), .submitted):
            return checkedReason(reason).map { reason in
                record(.pendingChange, .submitted, .rejected, reason: reason)
                effects.append(.notifyDeveloper(.changeRejected(reason: reason)))
                return with(app, PendingChange(proposal: change.proposal, stage: .rejected(reason: reason)))
            }
        default:
            return .failure(.illegalForChange(event.kind, in: stage))
        }
    }

    private func with(_ app: ApprovedApplication, _ change: PendingChange?) -> ApprovedApplication {
        var app = app
        app.pendingChange = change
        return app
    }

    private mutating func record(
        _ subject: Review.Subject, _ from: Review.Status?, _ to: Review.Status?, reason: String? = nil
    ) {
        effects.append(.recordTransition(.init(subject: subject, from: from, to: to, actor: actor, reason: reason, at: now)))
    }

    /// The trimmed reason, required and at most ``ApplicationReview/maximumReasonLength`` characters.
    private func checkedReason(_ reason: String) -> Result<String, ApplicationReviewError> {
        let trimmed = reason.unicodeScalars.drop { $0.properties.isWhitespace }
        let text = String(String.UnicodeScalarView(trimmed.reversed().drop { $0.properties.isWhitespace }.reversed()))
        guard !text.isEmpty else { return .failure(.reasonRequired) }
        guard text.count <= Review.maximumReasonLength else { return .failure(.reasonTooLong) }
        return .success(text)
    }

    /// Why `content` cannot be approved for lack of data declarations: every requested scope needs one, also
    /// those a reviewer would narrow away (the developer asked for them, and may be granted them later). Apps
    /// submitted before declarations existed reach here without them.
    private func undeclared(_ content: ApplicationDraft) -> ApplicationReviewError? {
        let missing = DataDeclaration.undeclared(content.requestedScopes, in: content.dataDeclarations)
        return missing.isEmpty ? nil : .undeclaredScopes(missing)
    }

    /// The scopes an approval grants: all requested when not narrowed, otherwise the requested ones the
    /// reviewer kept, in request order.
    private func grantedScopes(requested: [String], narrowed: [String]?) -> Result<[String], ApplicationReviewError> {
        guard let narrowed else { return .success(requested) }
        let extra = narrowed.filter { !requested.contains($0) }
        guard extra.isEmpty else { return .failure(.scopesNotRequested(extra)) }
        let granted = requested.filter(narrowed.contains)
        guard !granted.isEmpty else { return .failure(.noScopesGranted) }
        return .success(granted)
    }
}
