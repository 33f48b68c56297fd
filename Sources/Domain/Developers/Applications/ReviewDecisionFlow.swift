import Foundation

/// A platform admin's decision on an app in the review panel (approve, reject, suspend, reinstate):
///
/// 1. the decision applies to the version the admin saw (`loadedVersion`), else `.conflict`;
/// 2. ``ApplicationReview`` decides the transition (an impossible one or a missing reason is `.invalid`);
/// 3. the developers database saves it with its review-log entry and the decision's `app.*` webhook events in
///    one transaction (event ids come from the version it creates, so a decision is told once however often
///    it is retried); someone saving meanwhile is `.conflict`;
/// 4. main records the attestation (``ReviewAttestation``) with that version, so sync applies exactly what was
///    reviewed (an older decision recorded late never replaces a newer one). If this fails, the decision stands
///    but sync refuses the app until an admin decides again: `.notRecorded`;
/// 5. the developer is told of each notice (`.decided`).
public struct ReviewDecisionFlow {
    /// What the panel shows next.
    public enum Outcome: Sendable, Equatable {
        /// Saved and recorded; tell the developer these notices.
        case decided([ApplicationReview.Notice])
        /// The transition does not apply, or its input is wrong: this problem, nothing saved.
        case invalid(Message)
        /// The app changed since the admin opened it: nothing saved; show its current state.
        case conflict
        /// There is no such app.
        case notFound
        /// Saved in the developers database but not recorded in main (the detail is for the log).
        case notRecorded(String)
    }

    let applications: any ApplicationStore
    let attestations: any SyncTargetStore

    /// A flow over the developers database's applications and main's attestations.
    public init(applications: any ApplicationStore, attestations: any SyncTargetStore) {
        self.applications = applications
        self.attestations = attestations
    }

    /// Applies `event` to `app` as the admin `admin` (shown as `adminName` in the review log).
    public func run(
        _ event: ApplicationReview.Event, on app: StoredApplication, loadedVersion: Int64?, admin: UserID, adminName: String, now: Date
    ) throws -> Outcome {
        guard let version = loadedVersion, version == app.version else { return .conflict }
        let outcome: ApplicationReview.Outcome
        switch app.review.transition(event, by: .platformAdmin(admin), at: now) {
        case .failure(let error): return .invalid(error.problem)
        case .success(let value): outcome = value
        }
        let notices = outcome.effects.compactMap { effect -> ApplicationReview.Notice? in
            if case .notifyDeveloper(let notice) = effect { return notice }
            return nil
        }
        let events = notices.compactMap { notice -> PendingEvent? in
            guard let event = notice.webhookEvent else { return nil }
            return PendingEvent(
                source: "app\(app.id.rawValue)v", id: version + 1, type: event.rawValue, clientID: app.clientID, occurredAt: now,
                payload: WebhookPayload.json(type: event.rawValue, at: now, data: ["client_id": .text(app.clientID.rawValue)]))
        }
        switch try applications.applyTransition(outcome, to: app.id, expectedVersion: version, actorName: adminName, queueing: events, now: now) {
        case .conflict: return .conflict
        case .notFound: return .notFound
        case .saved(let newVersion):
            if let attestation = ReviewAttestation(application: app.id, clientID: app.clientID, after: outcome.review) {
                do {
                    try attestations.recordReviewDecision(attestation, version: newVersion, decidedBy: admin, now: now)
                } catch let error as StoreError {
                    return .notRecorded(error.detail)
                }
            }
            return .decided(notices)
        }
    }
}
