import Domain
import Foundation
import Logging

/// One run of the erasures (`catalystwells erasures run`): takes each due erasure through its remaining
/// ``ErasureStep``s, each one transaction in the store, and records the completion in the security audit log. A run
/// that dies is taken up by the next one at the step it had not finished.
struct ErasureRun {
    /// What a run did.
    struct Report: Equatable {
        var erased = 0
        var steps = 0
        var mailsRemoved = 0

        var json: JSONValue { .object([("erased", .int(erased)), ("steps", .int(steps)), ("mails_removed", .int(mailsRemoved))]) }
    }

    let store: any ErasureRunStore
    let audit: any SecurityAuditStore
    let privacy: Configuration.Privacy
    let logger: Logger
    /// An erasure is claimed for this long; a runner that dies leaves it to the next run after that.
    static let lease: TimeInterval = 15 * 60

    /// Carries out at most `limit` erasures due by `dueBy` (the time now, but in tests: `erasures run --now`, which
    /// moves only which erasures are due; every time written is `now`, so nothing dated in the future reaches the
    /// webhook outbox or the logs).
    func run(now: Date, dueBy: Date? = nil, limit: Int = 100) throws -> Report {
        var report = Report()
        for _ in 0..<limit {
            guard let erasure = try store.claimDue(dueBy: dueBy ?? now, now: now, lease: Self.lease) else { break }
            guard let identifiers = try store.identifiers(of: erasure.subject) else {
                logger.error("erasure subject missing", metadata: ["erasure.id": "\(erasure.id)"])
                continue
            }
            var completed = erasure.completedSteps
            while let step = ErasureStep.next(afterCompleted: completed) {
                let done: Bool
                switch step {
                case .revokeAccess: done = try store.revokeAccess(erasure, now: now)
                case .scrubLogs:
                    done = try store.scrubLogs(
                        erasure, identifiers: identifiers, deleteBefore: now.addingTimeInterval(-privacy.erasureLogDeletionAge), now: now)
                case .removeMail:
                    report.mailsRemoved += try removeMail(to: identifiers.email)
                    done = try store.markStepDone(erasure, step: .removeMail, now: now)
                case .pseudonymise:
                    done = try store.pseudonymise(erasure, now: now)
                    if done {
                        try audit.append(
                            SecurityAuditEntry(
                                occurredAt: now, event: .erasureCompleted, school: erasure.school, actor: nil, subject: erasure.subject,
                                method: "cli", detail: "erasure \(erasure.id): erased as \(erasure.pseudonym)"))
                        report.erased += 1
                    }
                }
                // Another runner moved the erasure on (or it is no longer running): leave it to that one.
                guard done else { break }
                report.steps += 1
                completed = step.rawValue
            }
            logger.info("erasure run", metadata: ["erasure.id": "\(erasure.id)", "erasure.steps_done": "\(completed)"])
        }
        return report
    }

    /// Deletes the messages to `email` from the development mail folder (`privacy.dev_mail_folder`); returns how
    /// many. A message is one `.eml` file (deploy/dev/mail-to-folder); its `To:` header names the recipient.
    func removeMail(to email: String?) throws -> Int {
        guard let folder = privacy.devMailFolder, let email, !email.isEmpty else { return 0 }
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder) else { return 0 }
        var removed = 0
        for name in names where name.hasSuffix(".eml") {
            let path = folder + "/" + name
            guard let data = manager.contents(atPath: path) else { continue }
            let head = String(decoding: data.prefix(16_384), as: UTF8.self)
            let headers = head.components(separatedBy: "\n\n").first ?? head
            let recipients = headers.split(whereSeparator: \.isNewline).filter { $0.lowercased().hasPrefix("to:") }
            guard recipients.contains(where: { $0.lowercased().contains(email.lowercased()) }) else { continue }
            try manager.removeItem(atPath: path)
            removed += 1
        }
        return removed
    }
}
