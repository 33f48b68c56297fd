import ArgumentParser
import Foundation
import Logging

/// `catalystwells webhooks deliver`: one webhook delivery run, as the developers pool's account.
struct WebhooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Webhook delivery.", subcommands: [Deliver.self])

    /// The same run as `POST /internal/cron/webhooks`, printing its JSON summary.
    struct Deliver: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deliver",
            abstract: "Post the webhook deliveries that are due, record every attempt, and print a JSON summary.",
            discussion: """
                Runs as the developers pool's account (catalyst_developers only) and reads portal.key_file to open \
                the signing secrets. Safe to run at the same time as the cron endpoint or another run: each delivery \
                is posted by one of them. cron runs it every minute (deploy/cron/catalystwells).
                """)

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let services = try OperatorServices.openDevelopers(options)
            let logger = LogSetup.logger("catalystwells.webhooks", level: services.configuration.logLevel, format: services.configuration.logFormat)
            guard let sender = WebhookSender(services: services, logger: logger) else {
                OperatorServices.fail("portal.key_file was not loaded; webhook secrets cannot be opened", code: 78)
            }
            try CronLease.printing(.webhooks, leases: services.leases) { String(decoding: try sender.run().json.serialized(), as: UTF8.self) }
        }
    }
}
