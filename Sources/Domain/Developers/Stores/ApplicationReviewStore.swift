import Foundation

/// What the app site's admin panel reads to review applications (DESIGN.md §8). These reads have **no owner
/// filter**: they are for the app pool, whose database account is granted them, and must never be wired into
/// a developers-site page, which uses ``ApplicationStore`` instead.
/// Decisions are persisted with ``ApplicationStore/applyTransition(_:to:expectedVersion:actorName:now:)``,
/// passing the version read here.
public protocol ApplicationReviewStore {
    /// Everything waiting for a platform admin, longest waiting first: apps in `submitted` and the submitted
    /// pending changes of `approved` apps. (A suspended app's submitted change waits for its reinstatement,
    /// since it cannot be decided before, and is not listed.)
    func reviewQueue() throws -> [ReviewQueueEntry]
    /// Any developer's application by id, with its version; `nil` when there is none.
    func applicationForReview(_ id: ApplicationID) throws -> StoredApplication?
    /// Any developer's application's review log, newest first; empty when there is none or no history.
    func reviewHistory(of id: ApplicationID) throws -> [ApplicationHistoryEntry]
    /// The name, email and saved language (`nil` when never chosen) of a developer, to tell them of a decision
    /// or a staff reply; `nil` when there is none. Only these columns are granted to the app pool, never
    /// passwords or TOTP seeds.
    func developerContact(_ id: DeveloperID) throws -> DeveloperContact?
    /// Developer accounts whose email or name contains `search` (all when empty), newest first, at most `limit`.
    func developersForStaff(matching search: String, limit: Int) throws -> [StaffDeveloperListing]
    /// One developer account for the panel; `nil` when there is none.
    func developerForStaff(_ id: DeveloperID) throws -> StaffDeveloperListing?
    /// Persists a suspension or reinstatement decided with ``DeveloperAccount/State/transition(_:account:by:at:)``
    /// from `state`, in one transaction: the new state only if the account is still in `state` (else `false`
    /// and nothing changes), and with ``DeveloperAccount/LifecycleEffect/endAllSessions`` every session deleted,
    /// so a session from before a suspension never comes back with a reinstatement. Mails are the caller's.
    /// Every ``DeveloperAccount/LifecycleEffect/recordTransition(from:to:actor:reason:at:)`` is written to the
    /// account's log with `actorName`, in the same transaction.
    func applyDeveloperLifecycle(
        _ outcome: DeveloperAccount.LifecycleOutcome, to id: DeveloperID, from state: DeveloperAccount.State, actorName: String, now: Date
    ) throws -> Bool
    /// The account's log of staff decisions, newest first.
    func developerAccountHistory(_ id: DeveloperID) throws -> [DeveloperAccountHistoryEntry]
}

/// One suspension or reinstatement in a developer account's log.
public struct DeveloperAccountHistoryEntry: Sendable, Equatable {
    /// The state before.
    public let from: DeveloperAccount.State
    /// The state after.
    public let to: DeveloperAccount.State
    /// Who decided, by name at the time.
    public let actorName: String
    /// The reason given, for a suspension.
    public let reason: String?
    /// When.
    public let at: Date

    /// Creates the value.
    public init(from: DeveloperAccount.State, to: DeveloperAccount.State, actorName: String, reason: String?, at: Date) {
        self.from = from
        self.to = to
        self.actorName = actorName
        self.reason = reason
        self.at = at
    }
}

/// Who a mail to a developer goes to, and in which language (their saved one, `nil` when never chosen).
public struct DeveloperContact: Sendable, Equatable {
    /// The person's name.
    public let name: String
    /// The sign-in email.
    public let email: String
    /// The language saved with the switcher (developers 0023), `nil` when never chosen.
    public let language: String?

    /// Creates the value.
    public init(name: String, email: String, language: String?) {
        self.name = name
        self.email = email
        self.language = language
    }
}

/// A developer account as the platform admins' panel lists it: no password, no second-factor material.
public struct StaffDeveloperListing: Sendable, Equatable {
    /// The account.
    public let id: DeveloperID
    /// The person's name.
    public let name: String
    /// The sign-in email.
    public let email: String
    /// Their company, if given.
    public let company: String?
    /// Where the account is in its life.
    public let state: DeveloperAccount.State
    /// When it signed up.
    public let createdAt: Date
    /// How many applications it has, in any state.
    public let applications: Int
    /// The language the developer saved (developers 0023), `nil` when never chosen: the panel's mails use it.
    public let language: String?

    /// Creates the value.
    public init(
        id: DeveloperID, name: String, email: String, company: String?, state: DeveloperAccount.State, createdAt: Date, applications: Int,
        language: String? = nil
    ) {
        self.language = language
        self.id = id
        self.name = name
        self.email = email
        self.company = company
        self.state = state
        self.createdAt = createdAt
        self.applications = applications
    }
}

/// One row of the review queue.
public struct ReviewQueueEntry: Sendable, Equatable {
    /// The app, as the developer's list shows it.
    public let application: ApplicationSummary
    /// What is waiting: the app itself, or its pending change.
    public let subject: ApplicationReview.Subject
    /// The developer's name.
    public let developerName: String
    /// The developer's email, for the reviewer's questions.
    public let developerEmail: String
    /// When it was submitted: the app's last save, which for a submitted app or change is its submission
    /// (neither can be edited while waiting).
    public let waitingSince: Date

    /// Creates the value.
    public init(
        application: ApplicationSummary, subject: ApplicationReview.Subject, developerName: String, developerEmail: String,
        waitingSince: Date
    ) {
        self.application = application
        self.subject = subject
        self.developerName = developerName
        self.developerEmail = developerEmail
        self.waitingSince = waitingSince
    }
}
