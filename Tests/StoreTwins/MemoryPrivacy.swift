import Domain
import Foundation

/// The in-memory twin of ``PersonExportStore``, ``ExportJobStore`` and ``ErasureStore``: people's records are set by
/// the test (``add(_:school:)``), jobs and erasures kept as the MariaDB stores keep them, with the same conditions.
final class MemoryPrivacy: PersonExportStore, ExportJobStore, ErasureStore, @unchecked Sendable {
    private struct StoredJob {
        var job: ExportJob
        var archive: SealedExportArchive?
        var digest: [UInt8]?
        var leaseUntil: Date?
    }

    private let lock = NSLock()
    private var records: [UserID: (school: SchoolID, record: PersonRecord)] = [:]
    private var rosters: [SchoolID: RosterExport] = [:]
    private var stored: [Int64: StoredJob] = [:]
    private var erasureRows: [Int64: Erasure] = [:]
    private var nextID: Int64 = 1

    /// Adds a person's record in a school.
    func add(_ record: PersonRecord, school: SchoolID) { lock.withLock { records[record.profile.id] = (school, record) } }
    /// Sets a school's roster.
    func setRoster(_ roster: RosterExport, school: SchoolID) { lock.withLock { rosters[school] = roster } }
    /// Every job, oldest first.
    var allJobs: [ExportJob] { lock.withLock { stored.values.map(\.job).sorted { $0.id < $1.id } } }
    /// Every erasure, oldest first.
    var allErasures: [Erasure] { lock.withLock { erasureRows.values.sorted { $0.id < $1.id } } }

    // MARK: PersonExportStore

    func person(_ id: UserID, in school: SchoolID) throws -> (role: Role, active: Bool)? {
        lock.withLock { records[id].flatMap { $0.school == school ? ($0.record.profile.role, $0.record.profile.active) : nil } }
    }

    func record(of person: UserID, in school: SchoolID, logLimit: Int) throws -> PersonRecord? {
        lock.withLock {
            guard let found = records[person], found.school == school else { return nil }
            var record = found.record
            record.accessLog = Array(record.accessLog.prefix(logLimit))
            record.signIns = Array(record.signIns.prefix(logLimit))
            return record
        }
    }

    func roster(of school: SchoolID, onlyClass: ClassID?) throws -> RosterExport? { lock.withLock { rosters[school] } }

    // MARK: ExportJobStore

    func request(school: SchoolID, by requester: UserID, audience: ExportAudience, scope: ExportScope, now: Date) throws -> ExportJob {
        try lock.withLock {
            let pending = stored.values.filter { $0.job.requestedBy == requester && $0.job.status == .pending }.count
            if pending >= ExportRules.pendingPerRequester { throw StoreError(.conflict, detail: "too many pending exports") }
            let job = ExportJob(
                id: nextID, school: school, requestedBy: requester, audience: audience, scope: scope, status: .pending, requestedAt: now,
                finishedAt: nil, linkExpiresAt: nil, error: nil)
            nextID += 1
            stored[job.id] = StoredJob(job: job)
            return job
        }
    }

    func jobs(requestedBy requester: UserID, limit: Int) throws -> [ExportJob] {
        lock.withLock { Array(stored.values.map(\.job).filter { $0.requestedBy == requester }.sorted { $0.id > $1.id }.prefix(limit)) }
    }

    func claimNext(now: Date, lease: TimeInterval) throws -> ExportJob? {
        lock.withLock {
            guard
                let next = stored.values.filter({ $0.job.status == .pending && ($0.leaseUntil.map { $0 < now } ?? true) })
                    .min(by: { $0.job.id < $1.job.id })
            else { return nil }
            stored[next.job.id]?.leaseUntil = now.addingTimeInterval(lease)
            return next.job
        }
    }

    func complete(job: Int64, sealedChunks: [[UInt8]], linkDigest: [UInt8], linkExpiresAt: Date, now: Date) throws {
        lock.withLock {
            guard let found = stored[job], found.job.status == .pending else { return }
            stored[job] = StoredJob(
                job: found.job.with(status: .ready, finishedAt: now, linkExpiresAt: linkExpiresAt), archive: .chunks(sealedChunks), digest: linkDigest
            )
        }
    }

    func fail(job: Int64, reason: String, now: Date) throws {
        lock.withLock {
            guard let found = stored[job], found.job.status == .pending else { return }
            stored[job] = StoredJob(job: found.job.with(status: .failed, finishedAt: now, error: reason))
        }
    }

    func spendLink(digest: [UInt8], requester: UserID, now: Date) throws -> (job: ExportJob, sealedArchive: SealedExportArchive)? {
        lock.withLock {
            guard
                let found = stored.values.first(where: {
                    $0.digest == digest && $0.job.requestedBy == requester && $0.job.status == .ready
                        && ($0.job.linkExpiresAt.map { $0 > now } ?? false)
                }), let archive = found.archive
            else { return nil }
            stored[found.job.id] = StoredJob(job: found.job.with(status: .downloaded, finishedAt: now), digest: found.digest)
            return (found.job, archive)
        }
    }

    func expireLinks(now: Date) throws -> Int {
        lock.withLock {
            var count = 0
            for (id, found) in stored where found.job.status == .ready && (found.job.linkExpiresAt.map { $0 <= now } ?? false) {
                stored[id] = StoredJob(job: found.job.with(status: .expired), digest: found.digest)
                count += 1
            }
            return count
        }
    }

    // MARK: ErasureStore

    func erasures(of school: SchoolID, limit: Int) throws -> [(erasure: Erasure, name: String)] {
        lock.withLock {
            erasureRows.values.filter { $0.school == school }.sorted { ($0.status.isOpen ? 1 : 0, $0.id) > ($1.status.isOpen ? 1 : 0, $1.id) }
                .prefix(limit).map { erasure in
                    (erasure, records[erasure.subject].map { $0.record.profile.givenName + " " + $0.record.profile.familyName } ?? "")
                }
        }
    }

    func erasure(_ id: Int64, of school: SchoolID) throws -> Erasure? { lock.withLock { erasureRows[id].flatMap { $0.school == school ? $0 : nil } } }

    func openErasure(of subject: UserID) throws -> Erasure? {
        lock.withLock { erasureRows.values.first { $0.subject == subject && $0.status.isOpen } }
    }

    func request(subject: UserID, school: SchoolID, by admin: UserID, pseudonym: String, now: Date) throws -> Erasure {
        try lock.withLock {
            guard let found = records[subject], found.school == school else { throw StoreError(.constraint, detail: "no such person in the school") }
            if let open = erasureRows.values.first(where: { $0.subject == subject && $0.status.isOpen }) {
                throw ErasureRefusal(.alreadyOpen(open.status, runsAfter: open.runsAfter))
            }
            let erasure = Erasure(
                id: nextID, school: school, subject: subject, pseudonym: pseudonym, status: .requested, requestedBy: admin, requestedAt: now,
                confirmedAt: nil, runsAfter: nil, cancelledAt: nil, completedSteps: 0, completedAt: nil)
            nextID += 1
            erasureRows[erasure.id] = erasure
            return erasure
        }
    }

    func confirm(_ id: Int64, of school: SchoolID, by admin: UserID, runsAfter: Date, now: Date) throws {
        try change(id, school, allowed: [.requested]) { old in
            Erasure(
                id: old.id, school: old.school, subject: old.subject, pseudonym: old.pseudonym, status: .scheduled, requestedBy: old.requestedBy,
                requestedAt: old.requestedAt, confirmedAt: now, runsAfter: runsAfter, cancelledAt: nil, completedSteps: 0, completedAt: nil)
        }
    }

    func cancel(_ id: Int64, of school: SchoolID, by admin: UserID, now: Date) throws {
        try change(id, school, allowed: [.requested, .scheduled]) { old in
            Erasure(
                id: old.id, school: old.school, subject: old.subject, pseudonym: old.pseudonym, status: .cancelled, requestedBy: old.requestedBy,
                requestedAt: old.requestedAt, confirmedAt: old.confirmedAt, runsAfter: old.runsAfter, cancelledAt: now, completedSteps: 0,
                completedAt: nil)
        }
    }

    /// Moves an erasure to another status, as a test's runner would (e.g. `running`).
    func setStatus(_ id: Int64, _ status: ErasureStatus) {
        lock.withLock {
            guard let old = erasureRows[id] else { return }
            erasureRows[id] = Erasure(
                id: old.id, school: old.school, subject: old.subject, pseudonym: old.pseudonym, status: status, requestedBy: old.requestedBy,
                requestedAt: old.requestedAt, confirmedAt: old.confirmedAt, runsAfter: old.runsAfter, cancelledAt: old.cancelledAt,
                completedSteps: old.completedSteps, completedAt: old.completedAt)
        }
    }

    private func change(_ id: Int64, _ school: SchoolID, allowed: Set<ErasureStatus>, _ next: (Erasure) -> Erasure) throws {
        try lock.withLock {
            guard let old = erasureRows[id], old.school == school else { throw StoreError(.constraint, detail: "no such erasure in the school") }
            guard allowed.contains(old.status) else { throw ErasureRefusal(.wrongStatus(old.status)) }
            erasureRows[id] = next(old)
        }
    }
}

extension ExportJob {
    fileprivate func with(status: ExportJobStatus, finishedAt: Date? = nil, linkExpiresAt: Date? = nil, error: String? = nil) -> ExportJob {
        ExportJob(
            id: id, school: school, requestedBy: requestedBy, audience: audience, scope: scope, status: status, requestedAt: requestedAt,
            finishedAt: finishedAt ?? self.finishedAt, linkExpiresAt: linkExpiresAt ?? self.linkExpiresAt, error: error ?? self.error)
    }
}
