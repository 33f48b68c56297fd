import Foundation

// Storage of developers' applications and their review log (DESIGN.md §7–8), in
// catalyst_developers only. The rules live in ``ApplicationReview``: a page loads a ``StoredApplication``,
// asks the review value for an ``ApplicationReview/Outcome`` and hands it back with the version it loaded.
// The store never decides a transition; it only persists one atomically, or refuses a stale one.

/// Developers' applications, read and changed by the members of the organisation that owns them.
///
/// Every read and write takes the acting developer's ``DeveloperID`` (labelled `owner`, from before teams) and
/// checks in the same SQL statement that they are a member of the app's organisation whose ``OrganisationRole``
/// permits the action (reads: ``OrganisationAction/viewApp``; saves: ``OrganisationAction/editApp``). An app of
/// an organisation they do not belong to is indistinguishable from a missing one (`nil`), so pages answer 404
/// without revealing it exists; a removed member is refused at their next request.
public protocol ApplicationStore {
    /// Creates a `draft` application in `owner`'s personal organisation (created if they have none), with
    /// `owner` as its creator, version 1 and no history (creating is not a status
    /// change). `clientID` is the public identifier chosen by the caller (``ApplicationClientID/make(using:)``)
    /// and kept for the app's whole life. Throws ``StoreError`` `.duplicate` when the client id is taken
    /// (draw another), `.constraint` when the owner does not exist or `draft.logoSHA256` names no stored logo.
    ///
    /// With `organisation`, the app goes into that organisation instead, if `owner` is a member whose role permits
    /// creating apps (``OrganisationAction/editApp``), read under a shared lock on their membership in the same
    /// transaction; `nil` (nothing written) otherwise. Either way the app's activity starts with
    /// ``ApplicationActivity/created`` by `owner`.
    func createApplication(owner: DeveloperID, in organisation: OrganisationID?, clientID: ClientID, draft: ApplicationDraft, now: Date)
        throws -> ApplicationID?
    /// The application with this id if `owner` is a member of its organisation (with their role), with the version to pass back to
    /// ``applyTransition(_:to:expectedVersion:actorName:now:)``; `nil` otherwise.
    func application(_ id: ApplicationID, owner: DeveloperID) throws -> StoredApplication?
    /// The applications of every organisation `owner` belongs to, for the portal's list, most recently updated first; empty when there are none.
    func applications(of owner: DeveloperID) throws -> [ApplicationSummary]
    /// Persists an outcome of ``ApplicationReview/transition(_:by:at:registry:)`` for the app, in one
    /// transaction, only if the stored version is still `expectedVersion` and, for a developer's outcome, the
    /// acting developer (`outcome.actor`) is a member of the app's organisation whose role permits editing:
    /// - writes the new state (status, content, reason, granted scopes, approval time, pending change) and
    ///   increments the version;
    /// - appends every ``ApplicationReview/Effect/recordTransition(_:)`` to the history with `actorName` (the
    ///   acting developer's or platform admin's display name at the time; the record carries the actor's id);
    /// - performs ``ApplicationReview/Effect/queueSync`` by marking the app for the next developers → main sync.
    ///
    /// - queues `events` (a review decision's `app.*` webhook events) for the app's subscribed endpoints, in the
    ///   same transaction, so a decision is never saved without its events nor its events queued without it.
    ///
    /// ``ApplicationReview/Effect/notifyDeveloper(_:)`` is not the store's: the caller sends the email after
    /// this returns `.saved`. An outcome without effects (saving a draft) is saved the same way.
    ///
    /// Returns `.conflict` when someone saved the app since it was loaded (nothing written: reload and show the
    /// current state), `.notFound` when there is no such app or the developer may not edit it. Throws ``StoreError`` `.constraint`
    /// when a logo digest in the content names no stored logo.
    func applyTransition(
        _ outcome: ApplicationReview.Outcome, to id: ApplicationID, expectedVersion: Int64, actorName: String, queueing events: [PendingEvent],
        now: Date
    ) throws -> ApplicationSaveResult
    /// The app's review log, newest first (ties in time by insertion, newest first), if `owner` is a member;
    /// `nil` otherwise. Empty for an app that never changed status.
    func history(of id: ApplicationID, owner: DeveloperID) throws -> [ApplicationHistoryEntry]?
    /// One page of the app's activity, if `member` may view the app; `nil` otherwise: what its members did
    /// (``ApplicationActivity``, `application_events`) and the platform review's decisions on it (the review log's
    /// rows written by a platform admin, under the name it recorded), merged by ``ActivityCursor`` and read by
    /// keyset (``ActivityPage/assemble(_:for:limit:)``), at most `limit` rows.
    func activity(of id: ApplicationID, member: DeveloperID, page: ActivityPageRequest, limit: Int) throws -> ActivityPage<ApplicationActivity>?
}

extension ApplicationStore {
    /// The newest `limit` rows of the app's activity (``activity(of:member:page:limit:)``).
    public func activity(of id: ApplicationID, member: DeveloperID, limit: Int) throws -> [ActivityEntry<ApplicationActivity>]? {
        try activity(of: id, member: member, page: .newest, limit: limit)?.entries
    }

    /// Creates a draft application in `owner`'s personal organisation (see
    /// ``createApplication(owner:in:clientID:draft:now:)``), which is never refused.
    public func createApplication(owner: DeveloperID, clientID: ClientID, draft: ApplicationDraft, now: Date) throws -> ApplicationID {
        guard let id = try createApplication(owner: owner, in: nil, clientID: clientID, draft: draft, now: now) else {
            throw StoreError(.constraint, detail: "no personal organisation for \(owner)")
        }
        return id
    }
}

/// An application as stored, with what optimistic concurrency needs.
public struct StoredApplication: Sendable, Equatable {
    /// The row id, used in the portal's URLs.
    public let id: ApplicationID
    /// The public OAuth `client_id`, fixed at creation.
    public let clientID: ClientID
    /// The owner and the review state with its content.
    public let review: ApplicationReview
    /// Incremented by every save; pass it back as `expectedVersion`.
    public let version: Int64
    /// When the app was created.
    public let createdAt: Date
    /// The last save.
    public let updatedAt: Date
    /// The reading member's role in the app's organisation; `nil` when read for the review panel.
    public var role: OrganisationRole?

    /// Creates the value.
    public init(
        id: ApplicationID, clientID: ClientID, review: ApplicationReview, version: Int64, createdAt: Date, updatedAt: Date,
        role: OrganisationRole? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.review = review
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.role = role
    }
}

/// One row of an application list.
public struct ApplicationSummary: Sendable, Equatable {
    /// The row id.
    public let id: ApplicationID
    /// The owner.
    public let owner: DeveloperID
    /// The public `client_id`.
    public let clientID: ClientID
    /// The name of the app's current content: the draft's, or the live version's for an approved or
    /// suspended app (a pending rename shows only once approved).
    public let name: String
    /// The status column.
    public let status: ApplicationReview.Status
    /// Where the pending change of an approved or suspended app is; `nil` without one.
    public let changeStage: PendingChange.Stage?
    /// The last save.
    public let updatedAt: Date

    /// Creates the value.
    public init(
        id: ApplicationID, owner: DeveloperID, clientID: ClientID, name: String, status: ApplicationReview.Status,
        changeStage: PendingChange.Stage?, updatedAt: Date
    ) {
        self.id = id
        self.owner = owner
        self.clientID = clientID
        self.name = name
        self.status = status
        self.changeStage = changeStage
        self.updatedAt = updatedAt
    }
}

/// The result of ``ApplicationStore/applyTransition(_:to:expectedVersion:actorName:now:)``.
public enum ApplicationSaveResult: Sendable, Equatable {
    /// Written; `version` is the app's new version.
    case saved(version: Int64)
    /// The app changed since it was loaded (another tab, or a reviewer); nothing was written.
    case conflict
    /// No such app of that owner; nothing was written.
    case notFound
}

/// One row of an application's review log.
public struct ApplicationHistoryEntry: Sendable, Equatable {
    /// What changed, who did it (by id), why and when.
    public let record: ApplicationReview.TransitionRecord
    /// The actor's display name when they acted.
    public let actorName: String

    /// Creates the value.
    public init(record: ApplicationReview.TransitionRecord, actorName: String) {
        self.record = record
        self.actorName = actorName
    }
}

extension ApplicationStore {
    /// ``applyTransition(_:to:expectedVersion:actorName:queueing:now:)`` without webhook events (the
    /// developer's own actions).
    public func applyTransition(
        _ outcome: ApplicationReview.Outcome, to id: ApplicationID, expectedVersion: Int64, actorName: String, now: Date
    ) throws -> ApplicationSaveResult {
        try applyTransition(outcome, to: id, expectedVersion: expectedVersion, actorName: actorName, queueing: [], now: now)
    }
}
