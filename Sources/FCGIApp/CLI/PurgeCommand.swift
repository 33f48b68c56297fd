import ArgumentParser
import Domain
import Foundation
import MariaStore

/// `catalystwells purge`: deletes sign-in records that can no longer be used (run from cron).
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete expired sessions, spent password links and stale sign-in throttle counters.",
        discussion: "Safe to run at any time and as often as you like; cron runs it hourly (deploy/cron/catalystwells).")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        var configuration = try options.load()
        do {
            try configuration.loadPassword(for: .app)
        } catch {
            ConfigOptions.fail(error)
        }
        MariaClient.initializeLibrary()
        let store = MariaSessionStore(database: MariaDatabase(options: configuration.connectionOptions(for: .app)))
        let signIn = configuration.signIn
        let purged = try store.purgeExpired(
            now: Date(), idleTimeout: signIn.sessionPolicy.idleTimeout, throttleWindow: signIn.throttlePolicy.window)
        print(
            String(decoding: JSONValue.object([
                ("sessions", .int(purged.sessions)), ("password_links", .int(purged.passwordLinks)),
                ("throttle_counters", .int(purged.throttleCounters)),
            ]).serialized(), as: UTF8.self))
    }
}
