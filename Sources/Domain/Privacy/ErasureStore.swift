import Foundation

/// The school admin's side of erasures (the app pool). Every call names the school; an erasure or person of another
/// school is `nil` or a refusal, never touched.
public protocol ErasureStore {
    /// The erasures of a school, open ones first, then newest first, at most `limit`, with each subject's current
    /// display name (the pseudonym once erased).
    func erasures(of school: SchoolID, limit: Int) throws -> [(erasure: Erasure, name: String)]
    /// One erasure of the school, or `nil`.
    func erasure(_ id: Int64, of school: SchoolID) throws -> Erasure?
    /// The open erasure of a person, or `nil`.
    func openErasure(of subject: UserID) throws -> Erasure?
    /// Records a request (status `requested`). Throws ``ErasureRefusal`` (`alreadyOpen`) when another is open: the
    /// database allows one open erasure per person, so two requests at once cannot both succeed.
    func request(subject: UserID, school: SchoolID, by admin: UserID, pseudonym: String, now: Date) throws -> Erasure
    /// Confirms a requested erasure: it becomes `scheduled` and runs after `runsAfter`. Throws ``ErasureRefusal``
    /// (`wrongStatus`) when it is not `requested` any more.
    func confirm(_ id: Int64, of school: SchoolID, by admin: UserID, runsAfter: Date, now: Date) throws
    /// Cancels a requested or scheduled erasure. Throws ``ErasureRefusal`` (`wrongStatus`) when it has started,
    /// finished or was cancelled: the check and the change are one conditional statement.
    func cancel(_ id: Int64, of school: SchoolID, by admin: UserID, now: Date) throws
}

/// The runner's side (`catalystwells erasures run`, as the account the security audit log lets pseudonymise).
/// Each step is one transaction that also advances the erasure's step counter, guarded by the counter's old value:
/// a step that was done already, or is being done by another runner, changes nothing and returns `false`.
public protocol ErasureRunStore {
    /// Claims the next due erasure (scheduled with its waiting period over by `dueBy`, or running with an expired
    /// lease) for `lease` seconds from `now`, moving it to `running`; `nil` when none is due. `dueBy` is `now` but in
    /// tests, which move the waiting period's end without writing times from the future.
    func claimDue(dueBy: Date, now: Date, lease: TimeInterval) throws -> Erasure?
    /// The person's identifiers as they are now.
    func identifiers(of subject: UserID) throws -> PersonIdentifiers?
    /// ``ErasureStep/revokeAccess``.
    func revokeAccess(_ erasure: Erasure, now: Date) throws -> Bool
    /// ``ErasureStep/scrubLogs``: deletes log entries about the person older than `deleteBefore`, scrubs the rest.
    func scrubLogs(_ erasure: Erasure, identifiers: PersonIdentifiers, deleteBefore: Date, now: Date) throws -> Bool
    /// Records a step done outside the database (``ErasureStep/removeMail``).
    func markStepDone(_ erasure: Erasure, step: ErasureStep, now: Date) throws -> Bool
    /// ``ErasureStep/pseudonymise``, queueing one `person.erased` event per app the person had authorized, and
    /// marking the erasure completed.
    func pseudonymise(_ erasure: Erasure, now: Date) throws -> Bool
}
