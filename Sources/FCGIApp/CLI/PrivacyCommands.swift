import ArgumentParser
import Domain
import Foundation
import Logging

/// `catalystwells exports run`: one run of the background exports, the same as `POST /internal/cron/exports`; prints
/// the JSON summary.
struct ExportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exports", abstract: "Per-person, class and school exports.", subcommands: [Run.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Build the exports waiting in the background, mail their links, and expire unused links; print a JSON summary.",
            discussion: """
                Runs as the app pool's account (it reads credentials.key_file to seal the archives). Cron runs it every \
                minute (deploy/cron/catalystwells); concurrent runs are safe: each export is claimed by one of them.
                """)

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let services = try OperatorServices.open(options)
            let run = ExportRun(services: services, logger: Logger(label: "catalystwells.exports"))
            try CronLease.printing(.exports, leases: services.leases) { String(decoding: try run.run(now: Date()).json.serialized(), as: UTF8.self) }
        }
    }
}

/// `catalystwells erasures run`: carries out the erasures whose waiting period is over.
struct ErasuresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "erasures", abstract: "Erasures of people who left.", subcommands: [Run.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Carry out the confirmed erasures whose waiting period is over (and resume any that stopped half-way); print a JSON summary.",
            discussion: """
                Connects to the main database as the migration account (database.migrator), the only account the security \
                audit log's trigger lets take an erased person's address, browser and identifiers out of the entries it keeps \
                (schema/main/0032). Run it as root or the user that holds db-migrator.password, never as a pool's user; cron \
                runs it hourly (deploy/cron/catalystwells). Each step is one transaction, so a run that dies is resumed by the \
                next one. The developers database holds no school person's data (webhook payloads carry ids, analytics only \
                counts), so nothing is changed there.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(
            help:
                "Carry out the erasures due by this time (ISO 8601, e.g. 2030-01-01T00:00:00Z) instead of now, as if the waiting period were over; times written are still now. Only with general.environment = test."
        )
        var now: String?

        func run() throws {
            var configuration = try options.load()
            do {
                try configuration.loadPassword(for: .migrator)
                // The apps told of an erasure get the `sub` they knew: pairwise ones need the OAuth key.
                try configuration.loadOAuthKey()
            } catch {
                ConfigOptions.fail(error)
            }
            var dueBy: Date?
            if let now {
                guard configuration.environment == .test else {
                    OperatorServices.fail("--now is only allowed with general.environment = test", code: 64)
                }
                guard let parsed = ISO8601DateFormatter().date(from: now) else {
                    OperatorServices.fail("--now: '\(now)' is not an ISO 8601 time", code: 64)
                }
                dueBy = parsed
            }
            let stores = CompositionRoot.erasureRunStores(configuration)
            let run = ErasureRun(
                store: stores.run, audit: stores.audit, privacy: configuration.privacy, logger: Logger(label: "catalystwells.erasures"))
            try CronLease.printing(.erasures, leases: stores.leases) {
                String(decoding: try run.run(now: Date(), dueBy: dueBy).json.serialized(), as: UTF8.self)
            }
        }
    }
}
