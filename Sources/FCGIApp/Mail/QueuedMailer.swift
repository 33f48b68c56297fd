import Crypto
import Domain
import Foundation
import Logging

/// The mailer of both sites and of the commands: a mail goes into its database's outbox (``MailOutboxStore``)
/// first and to the mail program (``transport``) right after, so a mail program that fails or hangs up delays
/// a mail instead of losing it. What stays queued is sent by ``deliverDue(limit:)`` (the cron job: `catalystwells
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
        // A mail the program would refuse on every attempt is refused now, to the caller.
        guard !recipient.contains(where: \.isNewline), !subject.contains(where: \.isNewline), recipient.contains("@") else {
            throw MailError(description: "refusing a recipient or subject with a line break")
        }
        let now = clock()
        var generator = SystemRandomNumberGenerator()
        let sealed = try MailSealing.seal(body, recipient: recipient, subject: subject, key: key, using: &generator)
        let expiresAt = min(validUntil ?? .distantFuture, now.addingTimeInterval(lifetime))
        let id = try outbox.enqueue(recipient: recipient, subject: subject, sealedBody: sealed, now: now, expiresAt: expiresAt)
        do {
            if let mail = try outbox.claim(id: id, now: now, lease: Self.lease) { _ = deliver(mail, now: now) }
        } catch {
            logger.warning("queued mail left for the cron job", metadata: ["mail.id": "\(id)", "error.detail": "\(error)"])
        }
    }

    /// Sends up to `limit` mails that are due: the cron job's run.
    func deliverDue(limit: Int = 200) throws -> MailDeliveryReport {
        let now = clock()
        var report = MailDeliveryReport()
        for mail in try outbox.claimDue(now: now, lease: Self.lease, limit: limit) {
            switch deliver(mail, now: now) {
            case .sent: report.sent += 1
            case .retryLater: report.retryLater += 1
            case .dropped: report.dropped += 1
            }
        }
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

    /// The run's JSON summary.
    var json: JSONValue {
        .object([("sent", .int(sent)), ("retry_later", .int(retryLater)), ("dropped", .int(dropped))])
    }
}
