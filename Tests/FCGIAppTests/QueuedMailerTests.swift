import Crypto
import Domain
import Foundation
import Logging
import StoreTwins
import Testing

@testable import FCGIApp

/// The outbox mailer over the outbox twin and a mail program that can be made to fail.
@Suite struct QueuedMailerTests {
    /// A mail program that refuses while `failing` is set, and keeps what it accepted.
    final class Program: MailTransport, @unchecked Sendable {
        var failing = false
        var sent: [(to: String, subject: String, body: String)] = []
        func send(to recipient: String, subject: String, body: String) throws {
            if failing { throw MailError(description: "sendmail exited with status 75") }
            sent.append((recipient, subject, body))
        }
    }

    let outbox = MemoryMailOutbox()
    let program = Program()
    let clock = TestClock()
    let key = SymmetricKey(size: .bits256)

    func mailer(key: SymmetricKey? = nil) -> QueuedMailer {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let clock = self.clock
        return QueuedMailer(
            outbox: outbox, transport: program, key: key ?? self.key, retryBase: 60, lifetime: 86400, logger: logger,
            clock: { clock.now })
    }

    @Test func aMailIsSentAtOnceAndLeavesNothingQueued() throws {
        try mailer().send(to: "a@x.test", subject: "Hello", body: "Body")
        #expect(program.sent.map(\.body) == ["Body"])
        #expect(outbox.queued.isEmpty)
    }

    @Test func aRefusedMailIsKeptSealedAndSentByALaterRunAfterItsWait() throws {
        program.failing = true
        try mailer().send(to: "a@x.test", subject: "Reset", body: "https://x.test/password/reset?token=cw_pl_secret")
        let queued = try #require(outbox.queued.first)
        #expect(queued.attempts == 1)
        #expect(!String(decoding: queued.sealedBody, as: UTF8.self).contains("cw_pl_secret"))
        #expect(outbox.due(queued.id) == clock.now + 60)
        #expect(outbox.lastError(queued.id)?.contains("status 75") == true)

        clock.advance(59)
        #expect(try mailer().deliverDue() == MailDeliveryReport())
        clock.advance(1)
        #expect(try mailer().deliverDue() == MailDeliveryReport(retryLater: 1))
        #expect(outbox.due(queued.id) == clock.now + 120)

        program.failing = false
        clock.advance(120)
        #expect(try mailer().deliverDue() == MailDeliveryReport(sent: 1))
        #expect(program.sent.map(\.body) == ["https://x.test/password/reset?token=cw_pl_secret"])
        #expect(outbox.queued.isEmpty)
    }

    @Test func aMailWithALinkIsDroppedWhenTheLinkExpires() throws {
        program.failing = true
        try mailer().send(to: "a@x.test", subject: "Verify", body: "link", validUntil: clock.now + 90)
        program.failing = false
        clock.advance(100)
        #expect(try mailer().deliverDue() == MailDeliveryReport(dropped: 1))
        #expect(program.sent.isEmpty && outbox.queued.isEmpty)
    }

    @Test func aMailThatDoesNotOpenWithTheKeyIsDroppedNotSent() throws {
        program.failing = true
        try mailer().send(to: "a@x.test", subject: "Hello", body: "Body")
        program.failing = false
        clock.advance(60)
        #expect(try mailer(key: SymmetricKey(size: .bits256)).deliverDue() == MailDeliveryReport(dropped: 1))
        #expect(program.sent.isEmpty)
    }

    @Test func aRecipientWithALineBreakIsRefusedBeforeAnythingIsQueued() {
        #expect(throws: MailError.self) { try mailer().send(to: "a@x.test\nBcc: b@x.test", subject: "Hi", body: "Body") }
        #expect(outbox.queued.isEmpty)
    }

    @Test func aQueuedMailWaitsForTheRunWhichDrainsInBatchesUpToItsLimit() throws {
        let count = QueuedMailer.claimBatch * 2 + 7
        for index in 0..<count { try mailer().queue(to: "p\(index)@x.test", subject: "Ready", body: "Body \(index)", validUntil: nil) }
        #expect(program.sent.isEmpty)
        #expect(outbox.queued.count == count)

        #expect(try mailer().deliverDue(limit: QueuedMailer.claimBatch + 3) == MailDeliveryReport(sent: QueuedMailer.claimBatch + 3))
        #expect(try mailer().deliverDue() == MailDeliveryReport(sent: count - QueuedMailer.claimBatch - 3))
        #expect(Set(program.sent.map(\.to)).count == count)
        #expect(outbox.queued.isEmpty)
    }
}
