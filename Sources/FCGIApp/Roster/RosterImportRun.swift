import Domain
import Foundation
import Logging
import Native

/// The background half of a large roster upload: the page checked the files and queued them
/// (``RosterImportQueue``); `catalystwells roster run` (cron, every minute) and `POST /internal/cron/roster` import
/// them here, one job at a time, through the same ``RosterImportJob/run`` as the CLI. A job is claimed with a lease,
/// so one whose runner died is imported again by a later run, which is safe because an import is idempotent.
struct RosterImportRun {
    let services: SiteServices
    let logger: Logger

    /// Longer than any import (a district's takes about a minute).
    static let lease: TimeInterval = 1800

    /// An upload of at most this many people and enrolments is imported in its request: it takes a second or two
    /// now that mail is only queued. A larger one is queued for this run, and the page polls it.
    static let inlineRows = 3000

    /// Whether `snapshot` is small enough to import in the request.
    static func importsAtOnce(_ snapshot: RosterSnapshot) -> Bool {
        snapshot.users.count + snapshot.enrollments.count <= inlineRows
    }

    /// The checked files, packed for the queue.
    static func pack(_ files: [String: [UInt8]], now: Date) throws -> [UInt8] {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now)
        let stamp = ZipWriter.Timestamp(
            year: parts.year ?? 2026, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0, minute: parts.minute ?? 0,
            second: parts.second ?? 0)
        return try ZipWriter.archive(files.sorted { $0.key < $1.key }.map { (name: $0.key, bytes: $0.value) }, timestamp: stamp)
    }

    /// What one run did.
    struct Report: Equatable {
        var imported = 0
        var failed = 0

        /// The run's JSON summary.
        var json: JSONValue { .object([("imported", .int(imported)), ("failed", .int(failed))]) }
    }

    /// Imports up to `limit` queued uploads.
    func run(limit: Int = 5) throws -> Report {
        var report = Report()
        let queue = services.schoolwork.rosterJobs
        while report.imported + report.failed < limit, let (job, filesZip) = try queue.claimNext(now: services.clock(), lease: Self.lease) {
            let lines: [Message]
            let status: RosterImportJobStatus
            do {
                guard let school = try services.schoolwork.directory.school(job.school) else {
                    throw RosterReport(problems: [
                        RosterProblem(
                            file: "upload", line: nil, column: nil,
                            problem: Message("roster.problem.school_gone", "the school no longer exists"))
                    ])
                }
                let outcome = try RosterImportJob.run(
                    files: try RosterImportJob.files(fromZip: filesZip), school: school.sourcedID, startedBy: job.startedBy,
                    source: job.source, services: services, logger: logger)
                lines = RosterImportJob.pageMessages(outcome)
                status = .done
            } catch let problems as RosterReport {
                lines = problems.messages
                status = .failed
            } catch {
                // The database or the mail queue failed: the admin uploads again (nothing was written, or all of it).
                logger.error("roster import job failed", metadata: ["roster.job": "\(job.id)", "error.detail": "\(error)"])
                lines = [
                    Message(
                        "roster.job.not_completed",
                        "The import could not be completed (job \(job.id)); nothing is lost by uploading the files again.",
                        ["job": String(job.id)])
                ]
                status = .failed
            }
            try queue.finish(job.id, status: status, lines: lines, now: services.clock())
            if status == .done { report.imported += 1 } else { report.failed += 1 }
            logger.info("roster import job finished", metadata: ["roster.job": "\(job.id)", "roster.status": "\(status.rawValue)"])
        }
        return report
    }
}
