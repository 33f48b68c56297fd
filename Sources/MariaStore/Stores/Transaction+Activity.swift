import Domain
import Foundation

extension Transaction {
    /// Appends one row to the application's activity (`application_events`) inside the caller's transaction,
    /// so the row exists exactly when the change it describes does.
    func recordActivity(_ action: ApplicationActivity, on app: ApplicationID, by actor: DeveloperID, detail: String? = nil, now: Date)
        throws
    {
        try execute(
            """
            INSERT INTO application_events (application_id, actor_id, action, detail, occurred_at)
            VALUES (\(app.rawValue), \(actor.rawValue), \(action.rawValue), \(detail.map(ActivityDetail.clipped)), \(now))
            """)
    }

    /// Appends one row to the organisation's member events (`organisation_events`) inside the caller's transaction.
    func recordActivity(
        _ action: OrganisationActivity, in organisation: OrganisationID, by actor: DeveloperID, about subject: DeveloperID? = nil,
        detail: String? = nil, now: Date
    ) throws {
        try execute(
            """
            INSERT INTO organisation_events (organisation_id, actor_id, action, subject_id, detail, occurred_at)
            VALUES (\(organisation.rawValue), \(actor.rawValue), \(action.rawValue), \(subject?.rawValue), \(detail.map(ActivityDetail.clipped)),
                    \(now))
            """)
    }
}
