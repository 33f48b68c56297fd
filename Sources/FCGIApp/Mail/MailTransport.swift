import Foundation

/// Sends one plain-text mail.
protocol MailTransport {
    /// Hands the message to the transport; throws ``MailError`` when it refuses.
    func send(to recipient: String, subject: String, body: String) throws

    /// The same for a mail worth sending only until `validUntil` (it carries a link that expires then); a queue
    /// (``QueuedMailer``) stops retrying it at that time.
    func send(to recipient: String, subject: String, body: String, validUntil: Date?) throws

    /// The same, for mail that may wait for the background run (a roster import's hundreds of thousands of
    /// set-password mails): a queue only stores it; a direct transport sends it now, as it has nowhere to keep it.
    func queue(to recipient: String, subject: String, body: String, validUntil: Date?) throws

    /// Many of those at once, all valid until the same time.
    func queue(_ mails: [(recipient: String, subject: String, body: String)], validUntil: Date?) throws
}

extension MailTransport {
    func send(to recipient: String, subject: String, body: String, validUntil: Date?) throws {
        try send(to: recipient, subject: subject, body: body)
    }

    func queue(to recipient: String, subject: String, body: String, validUntil: Date?) throws {
        try send(to: recipient, subject: subject, body: body, validUntil: validUntil)
    }

    func queue(_ mails: [(recipient: String, subject: String, body: String)], validUntil: Date?) throws {
        for mail in mails { try queue(to: mail.recipient, subject: mail.subject, body: mail.body, validUntil: validUntil) }
    }
}

/// Why a mail could not be handed over; the detail is for the log.
struct MailError: Error, CustomStringConvertible {
    let description: String
}

/// A sendmail-compatible program (`sendmail -t -i` from Postfix, Exim, msmtp or nullmailer, or the dev
/// stack's mail-to-folder script) that reads a whole RFC 5322 message on standard input.
struct SendmailTransport: MailTransport {
    /// The program and its arguments.
    let command: [String]
    /// The `From:` address.
    let from: String

    func send(to recipient: String, subject: String, body: String) throws {
        // Header injection: both values come from validated records, but a line break must never reach a header.
        guard !recipient.contains(where: \.isNewline), !subject.contains(where: \.isNewline), recipient.contains("@") else {
            throw MailError(description: "refusing a recipient or subject with a line break")
        }
        let message = Self.compose(from: from, to: recipient, subject: subject, body: body, date: Date())
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw MailError(description: "cannot start \(command[0]): \(error)")
        }
        input.fileHandleForWriting.write(Data(message.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw MailError(description: "\(command[0]) exited with status \(process.terminationStatus)")
        }
    }

    /// The message text: headers, a blank line, the body with CRLF line ends.
    static func compose(from: String, to: String, subject: String, body: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let domain = from.split(separator: "@").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "> ")) } ?? "localhost"
        let id = UUID().uuidString.lowercased()
        let lines = [
            "From: \(from)", "To: \(to)", "Subject: \(encodedSubject(subject))", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id)@\(domain)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", "Auto-Submitted: auto-generated", "",
        ]
        let text = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        return lines.joined(separator: "\r\n") + "\r\n" + text + "\r\n"
    }

    /// RFC 2047 encoding when the subject is not plain ASCII.
    private static func encodedSubject(_ subject: String) -> String {
        if subject.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return subject }
        return "=?utf-8?B?\(Data(subject.utf8).base64EncodedString())?="
    }
}
