import ArgumentParser
import Domain
import Foundation
import Logging

/// `catalystwells sync`: one sync run, the same code as `POST /internal/cron/sync`; prints the JSON report.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Carry approved apps from the developers database into the main one, and usage figures and webhook events back.",
        discussion: """
            Idempotent and single-flight across hosts (the sync lease in the main database): cron runs it every \
            minute on every host (deploy/cron/catalystwells); a run that finds another one in progress prints \
            "skipped" and exits 0 at once without doing anything.
            """)

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let services = try OperatorServices.open(options)
        let logger = LogSetup.logger("catalystwells.sync", level: services.configuration.logLevel, format: services.configuration.logFormat)
        guard let report = try SyncRun(services: services, logger: logger).run(now: Date()) else {
            print(String(decoding: CronLease.skipped(.sync).serialized(), as: UTF8.self))
            return
        }
        print(String(decoding: report.json.serialized(), as: UTF8.self))
    }
}

extension SyncRun {
    /// The run of an app-site thread (its main connection and its narrow connection to the developers database).
    init(services: SiteServices, logger: Logger) {
        // Logos are served by the app site itself (`LogoRoutes`), so consent pages can show them under its CSP.
        let base = services.configuration.appURL
        self.init(
            target: services.syncTarget, source: services.portal.syncSource, analytics: services.portal.analytics,
            logoBaseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, faultPoint: services.configuration.syncFault, logger: logger)
    }
}
