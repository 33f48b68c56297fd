import ArgumentParser
import Foundation
import Logging

/// `catalystwells agreements run`: the daily run over schools' app agreements, the same as
/// `POST /internal/cron/agreements`; prints the JSON summary.
struct AgreementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreements", abstract: "Schools' data-privacy agreements with apps.", subcommands: [Run.self])

    /// Warns of expiring agreements and blocks apps whose agreement expired.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Mail school admins of agreements expiring within 30 days and block apps whose agreement expired, and print a JSON summary.",
            discussion: """
                Blocking happens only at schools that chose "block on expiry", once per expiry day. Run it daily as the app \
                pool's user (deploy/cron/catalystwells); running it more often is harmless.
                """)

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let services = try OperatorServices.open(options)
            let run = AgreementExpiryRun(services: services, logger: Logger(label: "catalystwells.agreements"))
            try CronLease.printing(.agreements, leases: services.leases) { try run.run(now: Date()).json.text }
        }
    }
}
