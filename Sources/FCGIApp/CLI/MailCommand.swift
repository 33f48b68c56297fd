import ArgumentParser
import Foundation

/// `catalystwells mail deliver --site app|developers`: one run of a site's mail outbox, the same as
/// `POST /internal/cron/mail`; prints the JSON summary.
struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "Outgoing mail.", subcommands: [Deliver.self])

    /// Sends the queued mail that is due.
    struct Deliver: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deliver",
            abstract: "Hand the queued mail that is due to the mail program, and print a JSON summary.",
            discussion: """
                Each site queues its mail in its own database (mail_outbox) and sends it right away; what the mail \
                program refused is retried here, with growing waits (mail.retry_seconds, doubling up to an hour), until \
                mail.give_up_hours or the expiry of the link it carries. Run it as the site's pool user (it reads \
                credentials.key_file to open the sealed bodies); cron runs it every minute for both sites \
                (deploy/cron/catalystwells). Concurrent runs are safe: each mail is claimed by one of them. A run claims \
                mail 50 at a time and stops after --limit mails or --seconds, so a large queue (a roster import's \
                set-password mails) drains over several runs; the summary has the run's mails per second.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The site whose outbox to send: app or developers.") var site: Site
        @Option(help: "At most this many mails in this run.") var limit = 5000
        @Option(help: "Stop claiming mail after about this many seconds (the rest is due for the next run).") var seconds = 40.0

        func run() throws {
            let services = try site == .app ? OperatorServices.open(options) : OperatorServices.openDevelopers(options)
            guard let mailer = services.mailer as? QueuedMailer else {
                OperatorServices.fail("credentials.key_file was not loaded; queued mail cannot be opened", code: 78)
            }
            try CronLease.printing(.mail, leases: services.leases) {
                String(decoding: try mailer.deliverDue(limit: max(limit, 0), budget: seconds).json.serialized(), as: UTF8.self)
            }
        }
    }
}
