import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// ``ExportJobStore``: `MariaExportJobStore` and its memory twin (`MemoryPrivacy`) under one contract for the sealed
/// archive's chunks: kept in order, handed out once with the job, and only for a job that was still pending.
@Suite(.serialized) struct ExportJobStoreConformanceTests {
    let now = Date()

    private func store(_ backend: OAuthBackend) throws -> (any ExportJobStore, requester: UserID, database: TestDatabase?) {
        switch backend {
        case .memory: return (MemoryPrivacy(), UserID(2), nil)
        case .mariadb:
            let db = try TestDatabase()
            try db.insertTwoSchools(now: now)
            _ = try db.insertUser("ada", role: "student", school: 1, now: now)
            let pat = try db.insertUser("pat", role: "parent", school: 1, now: now)
            return (MariaExportJobStore(database: db.database), UserID(pat), db)
        }
    }

    @Test(arguments: OAuthBackend.allCases)
    func chunksAreHandedOutInOrderOnceAndOnlyForAJobThatWasPending(_ backend: OAuthBackend) throws {
        let (jobs, pat, database) = try store(backend)
        let ada = UserID(pat.rawValue - 1)
        let chunks: [[UInt8]] = [Array(repeating: 1, count: 70_000), [2, 2], [3]]
        let job = try jobs.request(school: SchoolID(1), by: pat, audience: .parent, scope: .person(ada), now: now)
        _ = try #require(try jobs.claimNext(now: now, lease: 60))
        let digest = SecretToken.digest("cw_exp_conformance")
        try jobs.complete(job: job.id, sealedChunks: chunks, linkDigest: digest, linkExpiresAt: now.addingTimeInterval(60), now: now)
        // Completing again (a runner whose lease ran out) changes nothing: the job is no longer pending.
        try jobs.complete(job: job.id, sealedChunks: [[9]], linkDigest: SecretToken.digest("cw_exp_late"), linkExpiresAt: now, now: now)
        #expect(try jobs.spendLink(digest: SecretToken.digest("cw_exp_late"), requester: pat, now: now) == nil)
        // A late failure of that runner leaves the completed job and its chunks alone.
        try jobs.fail(job: job.id, reason: "lease ran out", now: now)
        #expect(try jobs.spendLink(digest: digest, requester: pat, now: now)?.sealedArchive == .chunks(chunks))
        #expect(try jobs.spendLink(digest: digest, requester: pat, now: now) == nil)

        let failed = try jobs.request(school: SchoolID(1), by: pat, audience: .parent, scope: .person(ada), now: now)
        try jobs.fail(job: failed.id, reason: "too large", now: now)
        try jobs.complete(job: failed.id, sealedChunks: [[4]], linkDigest: SecretToken.digest("cw_exp_failed"), linkExpiresAt: now + 60, now: now)
        #expect(try jobs.spendLink(digest: SecretToken.digest("cw_exp_failed"), requester: pat, now: now) == nil)
        if let database {
            #expect(try database.database.query("SELECT COUNT(*) AS n FROM export_archive_chunks").first?.int("n") == 0)
        }
    }
}
