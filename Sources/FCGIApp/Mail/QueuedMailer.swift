import Crypto
import Domain
import Foundation
import Logging

/// The mailer of both sites and of the commands: a mail goes into its database's outbox (``MailOutboxStore``)
/// first and to the mail program (``transport``) right after, so a mail program that fails or hangs up delays
/// a mail instead of losing it. What stays queued (and what a bulk sender only ``queue(to:subject:body:validUntil:)``s) is sent by ``deliverDue(limit:budget:)`` (the cron job: `catalystwells
/// mail deliver` or `POST /internal/cron/mail`), with growing waits between attempts (``MailRetry``), until it
/// is sent or its time is up (a link's own expiry, otherwise `mail.give_up_hours`). A sent mail is deleted.
///
/// ``send(to:subject:body:validUntil:)`` throws only when the mail could not be queued (the database is down): a
/// failed first delivery is logged and left to the retries, so the person who caused the mail sees success.
/// Bodies are sealed at rest (``MailSealing``) because they carry password and verification links.
struct QueuedMailer: MailTransport {
    /// The outbox of the site's database.
    let outbox: any MailOutboxStore
    /// The mail program.
    let transport: any MailTransport
    /// Seals and opens bodies (``CredentialKeyMaterial/mailSealingKey``).
    let key: SymmetricKey
    /// The wait after the first failed attempt, in seconds (`mail.retry_seconds`).
    let retryBase: TimeInterval
    /// How long a mail without a link of its own is kept trying (`mail.give_up_hours`).
    let lifetime: TimeInterval
    let logger: Logger
    let clock: @Sendable () -> Date

    /// How long a claimed mail is held by its deliverer before another may try it: longer than any sendmail run.
    static let lease: TimeInterval = 300

    func send(to recipient: String, subject: String, body: String) throws {
        try send(to: recipient, subject: subject, body: body, validUntil: nil)
    }

    func send(to recipient: String, subject: String, body: String, validUntil: Date?) throws {
        let now = clock()
        let id = try store(to: recipient, subject: subject, body: body, validUntil: validUntil, now: now)
        do {
            if let mail = try outbox.claim(id: id, now: now, lease: Self.lease) { _ = deliver(mail, now: now) }
        } catch {
            logger.warning("queued mail left for the cron job", metadata: ["mail.id": "\(id)", "error.detail": "\(error)"])
        }
    }

    /// Stores the mail for ``deliverDue(limit:budget:)`` without running the mail program now: a bulk sender
    /// (a roster import) must not spend one process per mail inside the request or command that caused it.
    func queue(to recipient: String, subject: String, body: String, validUntil: Date?) throws {
        _ = try store(to: recipient, subject: subject, body: body, validUntil: validUntil, now: clock())
    }

    /// Many mails for ``deliverDue(limit:budget:)``, sealed one by one and stored in multi-row statements.
    func queue(_ mails: [(recipient: String, subject: String, body: String)], validUntil: Date?) throws {
        let now = clock()
        var generator = SystemRandomNumberGenerator()
        var sealed: [(recipient: String, subject: String, sealedBody: [UInt8])] = []
        sealed.reserveCapacity(mails.count)
        for mail in mails {
            guard !mail.recipient.contains(where: \.isNewline), !mail.subject.contains(where: \.isNewline), mail.recipient.contains("@") else {
                throw MailError(description: "refusing a recipient or subject with a line break")
            }
            sealed.append(
                (
                    mail.recipient, mail.subject,
                    try MailSealing.seal(mail.body, recipient: mail.recipient, subject: mail.subject, key: key, using: &generator)
                ))
        }
        try outbox.enqueue(sealed, now: now, expiresAt: min(validUntil ?? .distantFuture, now.addingTimeInterval(lifetime)))
    }

    private func store(to recipient: String, subject: String, body: String, validUntil: Date?, now: Date) throws -> Int64 {
        // A mail the program would refuse on every attempt is refused now, to the caller.
        guard !recipient.contains(where: \.isNewline), !subject.contains(where: \.isNewline), recipient.contains("@") else {
            throw MailError(description: "refusing a recipient or subject with a line break")
        }
        var generator = SystemRandomNumberGenerator()
        let sealed = try MailSealing.seal(body, recipient: recipient, subject: subject, key: key, using: &generator)
        let expiresAt = min(validUntil ?? .distantFuture, now.addingTimeInterval(lifetime))
        return try outbox.enqueue(recipient: recipient, subject: subject, sealedBody: sealed, now: now, expiresAt: expiresAt)
    }

    /// How many mails a run claims at a time: a run that stops at its budget leaves few mails leased to it.
    static let claimBatch = 50

    /// Sends up to `limit` mails that are due, for at most about `budget` seconds: the cron job's run. The
    /// budget keeps a run inside its minute (and inside nginx's 60 s for `POST /internal/cron/mail`); what is
    /// left is due for the next run, so a large queue (a district's import) drains over several runs.
    func deliverDue(limit: Int = 5000, budget: TimeInterval = 40) throws -> MailDeliveryReport {
        let started = clock()
        var report = MailDeliveryReport()
        while report.handled < limit, clock().timeIntervalSince(started) < budget {
            let now = clock()
            let batch = try outbox.claimDue(now: now, lease: Self.lease, limit: min(Self.claimBatch, limit - report.handled))
            if batch.isEmpty { break }
            for mail in batch {
                switch deliver(mail, now: clock()) {
                case .sent: report.sent += 1
                case .retryLater: report.retryLater += 1
                case .dropped: report.dropped += 1
                }
            }
        }
        report.seconds = clock().timeIntervalSince(started)
        return report
    }

    enum Outcome { case sent, retryLater, dropped }

    /// One attempt at a claimed mail. Store failures after the claim are logged: the claim's lease makes the mail
    /// due again later, so nothing is lost (a mail sent but not deleted may be sent twice: at least once).
    private func deliver(_ mail: QueuedMail, now: Date) -> Outcome {
        let log = ["mail.id": Logger.MetadataValue(stringLiteral: "\(mail.id)"), "mail.attempts": "\(mail.attempts)"]
        guard mail.expiresAt > now else {
            logger.error("mail dropped: not delivered before it expired", metadata: log)
            remove(mail)
            return .dropped
        }
        let body: String
        do {
            body = try MailSealing.open(mail.sealedBody, recipient: mail.recipient, subject: mail.subject, key: key)
        } catch {
            logger.error("mail dropped: its body does not open with this credentials.key_file", metadata: log)
            remove(mail)
            return .dropped
        }
        do {
            try transport.send(to: mail.recipient, subject: mail.subject, body: body)
        } catch {
            let retryAt = now.addingTimeInterval(MailRetry.delay(afterAttempts: mail.attempts, base: retryBase))
            logger.warning(
                "mail program failed; the mail stays queued",
                metadata: log.merging(["error.detail": "\(error)", "mail.retry_at": "\(retryAt)"]) { $1 })
            do {
                try outbox.reschedule(id: mail.id, at: retryAt, error: "\(error)")
            } catch {
                logger.warning("mail retry not recorded; it is due again after its lease", metadata: log)
            }
            return .retryLater
        }
        remove(mail)
        return .sent
    }

    private func remove(_ mail: QueuedMail) {
        do {
            try outbox.delete(id: mail.id)
        } catch {
            logger.error(
                "mail not removed from the outbox; it may be handled again", metadata: ["mail.id": "\(mail.id)", "error.detail": "\(error)"])
        }
    }
}

/// What one delivery run did.
struct MailDeliveryReport: Equatable {
    var sent = 0
    var retryLater = 0
    var dropped = 0
    /// The run's wall time, for its throughput.
    var seconds: TimeInterval = 0

    /// Mails the run claimed and finished with.
    var handled: Int { sent + retryLater + dropped }

    /// Runs are equal when they handled the same mails; their wall times are not compared.
    static func == (left: Self, right: Self) -> Bool {
        left.sent == right.sent && left.retryLater == right.retryLater && left.dropped == right.dropped
    }

    /// The run's JSON summary, with its throughput in mails per second.
    var json: JSONValue {
        let perSecond = seconds > 0 ? Double(handled) / seconds : 0
        return .object([
            ("sent", .int(sent)), ("retry_later", .int(retryLater)), ("dropped", .int(dropped)),
            ("seconds", .double((seconds * 1000).rounded() / 1000)), ("mails_per_second", .double((perSecond * 10).rounded() / 10)),
        ])
    }
}
