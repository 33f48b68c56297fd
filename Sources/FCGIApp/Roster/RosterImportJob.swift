import Domain
import Foundation
import Logging
import Native

/// One roster import, as the CLI and the upload page run it: gather the files, validate everything, apply
/// in one transaction, then mail set-password links to new accounts.
enum RosterImportJob {
    /// What an import did.
    struct Outcome {
        let summary: RosterImportSummary
        /// Set-password mails handed to the mail transport.
        let invitationsSent: Int
        /// Accounts whose mail could not be sent (logged; the admin can use "Forgot your password?" later).
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
        for invitation in sendInvitations ? summary.invitations : []
        where !(try services.people.passwordLinks.hasValidPasswordLink(for: invitation.userID, purpose: .set, now: now)) {
            do {
                try PasswordLinks.send(
                    to: invitation.userID, email: invitation.email, name: invitation.displayName, purpose: .set, services: services, now: now)
                sent += 1
            } catch let error as MailError {
                failed += 1
                logger.error("set-password mail failed", metadata: ["user.id": "\(invitation.userID)", "error.detail": "\(error)"])
            }
        }
        logger.info("roster imported", metadata: ["school.id": "\(summary.schoolID)", "roster.source": "\(source)", "mail.sent": "\(sent)"])
        return Outcome(summary: summary, invitationsSent: sent, invitationFailures: failed)
    }
}
