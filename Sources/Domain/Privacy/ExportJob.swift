import Foundation

/// What an export covers.
public enum ExportScope: Sendable, Equatable {
    /// One person (asked for by themself, a parent, or the school admin).
    case person(UserID)
    /// One class: its OneRoster rows and the files of each of its people.
    case schoolClass(ClassID)
    /// The whole school.
    case school

    /// The stored kind.
    public var kind: String {
        switch self {
        case .person: "person"
        case .schoolClass: "class"
        case .school: "school"
        }
    }
}

/// Where an export job is.
public enum ExportJobStatus: String, Sendable, CaseIterable {
    /// Waiting for `exports run` or the cron endpoint.
    case pending
    /// Built; the archive waits for its one download.
    case ready
    /// Downloaded (the archive is gone).
    case downloaded
    /// Not downloaded in time, or withdrawn by an erasure (the archive is gone).
    case expired
    /// Could not be built; `error` says why.
    case failed
}

/// An export request as stored (`export_jobs` in main). The archive itself is read only by the download.
public struct ExportJob: Sendable, Equatable {
    public let id: Int64
    public let school: SchoolID
    /// Who asked, and as whom: only they can download it.
    public let requestedBy: UserID
    public let audience: ExportAudience
    public let scope: ExportScope
    public let status: ExportJobStatus
    public let requestedAt: Date
    public let finishedAt: Date?
    /// When the download link stops working.
    public let linkExpiresAt: Date?
    public let error: String?

    public init(
        id: Int64, school: SchoolID, requestedBy: UserID, audience: ExportAudience, scope: ExportScope, status: ExportJobStatus,
        requestedAt: Date, finishedAt: Date?, linkExpiresAt: Date?, error: String?
    ) {
        self.id = id
        self.school = school
        self.requestedBy = requestedBy
        self.audience = audience
        self.scope = scope
        self.status = status
        self.requestedAt = requestedAt
        self.finishedAt = finishedAt
        self.linkExpiresAt = linkExpiresAt
        self.error = error
    }
}

/// The rules of exports that need no storage.
public enum ExportRules {
    /// The prefix of download links' tokens (`cw_exp_…`, 256 bits, stored as a SHA-256 digest).
    public static let tokenPrefix = "cw_exp_"
    /// A one-person export with at most this many rows is made at once, in the request; a bigger one, and every
    /// class and school export, in the background.
    public static let defaultInlineRows = 5_000
    /// At most this many exports waiting per requester: a second click while one is pending gets the pending one.
    public static let pendingPerRequester = 3

    /// Whether a one-person export of `rows` rows is made at once.
    public static func makeAtOnce(rows: Int, scope: ExportScope, inlineRows: Int) -> Bool {
        guard case .person = scope else { return false }
        return rows <= inlineRows
    }

    /// The associated data an archive is sealed with: its job, so a sealed archive moved to another row does not open.
    public static func sealingContext(job: Int64) -> [UInt8] { Array("export archive \(job)".utf8) }
}

/// The export jobs in main. Every read is filtered by the requester or the job's school; the archive is sealed by
/// the caller (``KeySealing``) before it is stored.
public protocol ExportJobStore {
    /// Records a request. Throws `StoreError(.conflict)` when the requester already has
    /// ``ExportRules/pendingPerRequester`` pending jobs.
    func request(school: SchoolID, by requester: UserID, audience: ExportAudience, scope: ExportScope, now: Date) throws -> ExportJob
    /// The requester's jobs, newest first, at most `limit`.
    func jobs(requestedBy requester: UserID, limit: Int) throws -> [ExportJob]
    /// Claims the oldest pending job for building (a lease of `lease` seconds, so two runners never build one job at
    /// once and a runner that dies leaves it to the next), or `nil`.
    func claimNext(now: Date, lease: TimeInterval) throws -> ExportJob?
    /// Stores a built archive, sealed as chunks (``ExportArchiveSealing``), and the download link's digest, and marks
    /// the job ready, only once every chunk is written and only while the job is still pending (a runner that dies
    /// half-way leaves it pending, its chunks replaced by the next run).
    func complete(job: Int64, sealedChunks: [[UInt8]], linkDigest: [UInt8], linkExpiresAt: Date, now: Date) throws
    /// Marks a job failed with a reason a person can read (and forgets any chunks written).
    func fail(job: Int64, reason: String, now: Date) throws
    /// Spends a download link: for the job whose link has this digest, still ready and unexpired, and requested by
    /// `requester`, marks it downloaded, forgets the archive and returns the job with its sealed archive, in one
    /// transaction. `nil` otherwise (unknown, spent, expired, or someone else's link).
    func spendLink(digest: [UInt8], requester: UserID, now: Date) throws -> (job: ExportJob, sealedArchive: SealedExportArchive)?
    /// Forgets archives whose link expired (status `expired`); returns how many.
    func expireLinks(now: Date) throws -> Int
}
