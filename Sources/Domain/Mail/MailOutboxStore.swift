import Foundation

/// A mail in the outbox, as a deliverer claimed it.
public struct QueuedMail: Sendable, Equatable {
    /// The row's id.
    public let id: Int64
    /// The recipient's address.
    public let recipient: String
    /// The subject line.
    public let subject: String
    /// The body, sealed with ``MailSealing``.
    public let sealedBody: [UInt8]
    /// Delivery attempts so far, counting the one this claim starts.
    public let attempts: Int
    /// After this instant the mail is dropped instead of sent.
    public let expiresAt: Date

    /// Creates a value (stores and tests).
    public init(id: Int64, recipient: String, subject: String, sealedBody: [UInt8], attempts: Int, expiresAt: Date) {
        self.id = id
        self.recipient = recipient
        self.subject = subject
        self.sealedBody = sealedBody
        self.attempts = attempts
        self.expiresAt = expiresAt
    }
}

/// The outgoing-mail table of one database: mail is written here before anyone tries to send it, so a failing
/// mail program delays a mail instead of losing it.
///
/// Delivery is at least once: a deliverer claims a mail (``claim(id:now:lease:)`` or ``claimDue(now:lease:limit:)``),
/// which pushes its due time out by the lease, so no other deliverer takes it meanwhile; it then either deletes it
/// (``delete(id:)``, sent or expired) or schedules the next attempt (``reschedule(id:at:error:)``). A deliverer
/// that dies between sending and deleting leaves the mail to be sent again once the lease ends.
public protocol MailOutboxStore {
    /// Adds a mail due at once; returns its id.
    func enqueue(recipient: String, subject: String, sealedBody: [UInt8], now: Date, expiresAt: Date) throws -> Int64

    /// Adds many mails due at once, with one expiry (a roster import's set-password mails).
    func enqueue(_ mails: [(recipient: String, subject: String, sealedBody: [UInt8])], now: Date, expiresAt: Date) throws

    /// Claims the mail `id` if it is due at `now`; `nil` when it is gone or not due (another deliverer holds it).
    func claim(id: Int64, now: Date, lease: TimeInterval) throws -> QueuedMail?

    /// Claims up to `limit` mails due at `now`, oldest due first, skipping any another deliverer claims meanwhile.
    func claimDue(now: Date, lease: TimeInterval, limit: Int) throws -> [QueuedMail]

    /// Removes a mail (sent, or dropped). Removing one that is gone is not an error.
    func delete(id: Int64) throws

    /// Makes a claimed mail due again at `at`, recording why the attempt failed (`error`, for operators).
    func reschedule(id: Int64, at: Date, error: String) throws
}

extension MailOutboxStore {
    /// One mail at a time; a store that can add many in one statement does so.
    public func enqueue(_ mails: [(recipient: String, subject: String, sealedBody: [UInt8])], now: Date, expiresAt: Date) throws {
        for mail in mails {
            _ = try enqueue(recipient: mail.recipient, subject: mail.subject, sealedBody: mail.sealedBody, now: now, expiresAt: expiresAt)
        }
    }
}
