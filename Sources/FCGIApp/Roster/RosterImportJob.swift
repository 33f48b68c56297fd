import Domain
import Foundation
import Logging
import Native

/// One roster import, as the CLI and the upload page run it: gather the files, validate everything, apply
/// in one transaction, then queue set-password links to new accounts. The mails only enter the outbox: the mail
/// run (`catalystwells mail deliver`, `POST /internal/cron/mail`) sends them in the background, so an import of
/// thousands of people does not wait for one mail-program run per person.
enum RosterImportJob {
    /// What an import did.
    struct Outcome {
        let summary: RosterImportSummary
        /// Set-password mails put in the outbox (or, without an outbox, handed to the mail program).
        let invitationsQueued: Int
        /// Accounts whose mail could not be queued (logged; the admin can use "Forgot your password?" later).
        let invitationFailures: Int
    }

    /// The CSV files inside an uploaded zip, by name.
    static func files(fromZip bytes: [UInt8]) throws(RosterReport) -> [String: [UInt8]] {
        do {
            return try ZipArchive(bytes: bytes).extractAll()
        } catch {
            throw RosterReport(problems: [RosterProblem(file: "upload", line: nil, column: nil, message: "\(error)")])
        }
    }

    /// The files of a folder (the CLI's `roster import DIR`); subfolders are not read.
    static func files(fromFolder path: String) throws(RosterReport) -> [String: [UInt8]] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: path) else {
            throw RosterReport(problems: [RosterProblem(file: path, line: nil, column: nil, message: "cannot read the folder")])
        }
        var files: [String: [UInt8]] = [:]
        for name in names where name.lowercased().hasSuffix(".csv") {
            guard let data = manager.contents(atPath: path + "/" + name) else {
                throw RosterReport(problems: [RosterProblem(file: name, line: nil, column: nil, message: "cannot read the file")])
            }
            files[name] = Array(data)
        }
        return files
    }

    /// The lines the upload page shows for a finished import, as message codes (a live run's page, `L(message)`, and
    /// a queued job's, which stores them).
    static func pageMessages(_ outcome: Outcome) -> [Message] {
        var lines = outcome.summary.messages
        let queued = outcome.invitationsQueued
        lines.append(
            Message(
                "roster.summary.mails_queued", count: queued,
                "Set-password mails queued: \(queued) (sent in the background within minutes)"))
        let failures = outcome.invitationFailures
        if failures > 0 {
            lines.append(Message("roster.summary.mail_failures", count: failures, "Mails that could not be queued: \(failures) (see the log)"))
        }
        return lines
    }

    /// Validates and applies a set of files; on any problem nothing is written and every problem is reported.
    static func run(
        files: [String: [UInt8]], school: String?, startedBy: String, source: String, services: SiteServices, logger: Logger,
        sendInvitations: Bool = true
    ) throws -> Outcome {
        let snapshot: RosterSnapshot
        switch OneRosterImport.read(files: files, schoolSourcedID: school) {
        case .failure(let report): throw report
        case .success(let value): snapshot = value
        }
        let now = services.clock()
        let summary = try services.schoolwork.roster.apply(snapshot, startedBy: startedBy, source: source, now: now)
        var sent = 0
        var failed = 0
        if sendInvitations {
            // An address the mail program would refuse on every attempt is left out (and logged), not queued.
            let (good, bad) = summary.invitations.reduce(into: ([PasswordInvitation](), [PasswordInvitation]())) { parts, invitation in
                if invitation.email.contains(where: \.isNewline) || !invitation.email.contains("@") {
                    parts.1.append(invitation)
                } else {
                    parts.0.append(invitation)
                }
            }
            for invitation in bad {
                logger.error("set-password mail not queued: unusable address", metadata: ["user.id": "\(invitation.userID)"])
            }
            failed = bad.count
            sent = try PasswordLinks.queueSetPasswordLinks(good, services: services, now: now)
        }
        logger.info("roster imported", metadata: ["school.id": "\(summary.schoolID)", "roster.source": "\(source)", "mail.queued": "\(sent)"])
        return Outcome(summary: summary, invitationsQueued: sent, invitationFailures: failed)
    }
}
