import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// The mail outbox's contract, on the twin and on both databases' `mail_outbox`.
@Suite(.serialized) struct MailOutboxConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case memory, main, developers
        var testDescription: String { rawValue }
    }

    /// Keep it alive for the whole case: its throw-away database is dropped when it goes.
    final class Fixture {
        let outbox: any MailOutboxStore
        private let database: TestDatabase?

        init(_ backend: Backend) throws {
            switch backend {
            case .memory:
                database = nil
                outbox = MemoryMailOutbox()
            case .main, .developers:
                let db = try TestDatabase(schema: backend.rawValue)
                database = db
                outbox = MariaMailOutboxStore(database: db.database)
            }
        }
    }

    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let body: [UInt8] = Array(repeating: 7, count: 300)

    @Test(arguments: Backend.allCases)
    func aQueuedMailIsClaimedOnceUntilItsLeaseEnds(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        defer { withExtendedLifetime(fixture) {} }
        let outbox = fixture.outbox
        let id = try outbox.enqueue(recipient: "a@x.test", subject: "Hello", sealedBody: body, now: now, expiresAt: now + 3600)
        let claimed = try #require(try outbox.claim(id: id, now: now, lease: 300))
        #expect(claimed == QueuedMail(id: id, recipient: "a@x.test", subject: "Hello", sealedBody: body, attempts: 1, expiresAt: now + 3600))
        #expect(try outbox.claim(id: id, now: now, lease: 300) == nil)
        #expect(try outbox.claimDue(now: now + 299, lease: 300, limit: 10) == [])
        #expect(try outbox.claimDue(now: now + 300, lease: 300, limit: 10).map(\.attempts) == [2])
    }

    @Test(arguments: Backend.allCases)
    func aRescheduledMailIsDueAgainAtItsTimeAndADeletedOneIsGone(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        defer { withExtendedLifetime(fixture) {} }
        let outbox = fixture.outbox
        let first = try outbox.enqueue(recipient: "a@x.test", subject: "One", sealedBody: body, now: now, expiresAt: now + 3600)
        let second = try outbox.enqueue(recipient: "b@x.test", subject: "Two", sealedBody: body, now: now, expiresAt: now + 3600)
        #expect(try outbox.claimDue(now: now, lease: 300, limit: 1).map(\.id) == [first])
        try outbox.reschedule(id: first, at: now + 10, error: "sendmail exited with status 75")
        #expect(try outbox.claimDue(now: now + 9, lease: 300, limit: 10).map(\.id) == [second])
        try outbox.delete(id: second)
        try outbox.delete(id: second)
        #expect(try outbox.claimDue(now: now + 10, lease: 300, limit: 10).map(\.id) == [first])
        #expect(try outbox.claimDue(now: now + 1000, lease: 300, limit: 10).map(\.id) == [first])
        try outbox.delete(id: first)
        #expect(try outbox.claimDue(now: now + 10_000, lease: 300, limit: 10) == [])
    }
}
