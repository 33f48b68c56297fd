import Foundation

/// Where a queued roster import is.
public enum RosterImportJobStatus: String, Sendable, CaseIterable {
    /// Checked and waiting for the import run.
    case pending
    /// Claimed by a run (taken up again by a later run if its lease ends first).
    case running
    /// Imported; ``QueuedRosterImport/lines`` is the summary.
    case done
    /// Not imported; ``QueuedRosterImport/lines`` are the problems.
    case failed
}

/// A roster upload waiting for, or handled by, the import run (`roster_import_jobs` in main).
public struct QueuedRosterImport: Sendable, Equatable {
    public let id: Int64
    public let school: SchoolID
    /// Who started it, as the import history records them.
    public let startedBy: String
    /// What was uploaded, as the import history records it.
    public let source: String
    public let status: RosterImportJobStatus
    public let requestedAt: Date
    public let startedAt: Date?
    public let finishedAt: Date?
    /// The summary lines of a finished job, or the problems of a failed one, as message codes (a page shows them in
    /// its reader's language, `L(message)`); empty before. A job finished before the lines were kept as codes has
    /// its stored English lines, as ``Message/init(verbatim:)``.
    public let lines: [Message]

    public init(
        id: Int64, school: SchoolID, startedBy: String, source: String, status: RosterImportJobStatus, requestedAt: Date, startedAt: Date?,
        finishedAt: Date?, lines: [Message]
    ) {
        self.id = id
        self.school = school
        self.startedBy = startedBy
        self.source = source
        self.status = status
        self.requestedAt = requestedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.lines = lines
    }
}

/// Roster uploads imported in the background.
public protocol RosterImportQueue {
    /// Queues checked files (`filesZip`, a zip of the CSV files) for `school`; returns the job's id.
    func enqueue(
        school: SchoolID, requestedBy: UserID, startedBy: String, source: String, filesZip: [UInt8], now: Date
    ) throws -> Int64

    /// The job `id` when it belongs to `school`; `nil` otherwise (another school's job is not found).
    func job(_ id: Int64, of school: SchoolID) throws -> QueuedRosterImport?

    /// Claims the oldest pending job, or a running one whose lease ended before `now` (its runner died): it becomes
    /// running, leased until `now + lease`. Returns it with its files; `nil` when nothing is due. Atomic: of two
    /// concurrent runs, one gets the job.
    func claimNext(now: Date, lease: TimeInterval) throws -> (job: QueuedRosterImport, filesZip: [UInt8])?

    /// Ends a claimed job as ``RosterImportJobStatus/done`` or ``RosterImportJobStatus/failed`` with its lines (kept
    /// as message codes and as English), and drops its files.
    func finish(_ id: Int64, status: RosterImportJobStatus, lines: [Message], now: Date) throws
}
