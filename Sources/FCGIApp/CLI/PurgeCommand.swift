import ArgumentParser
import Domain
import Foundation

/// `catalystwells purge`: deletes sign-in records and OAuth codes and tokens that can no longer be used (run
/// from cron).
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract:
            "Delete expired sessions, spent password links, stale sign-in throttle counters, expired OAuth codes and tokens, and data-access log entries older than api.access_log_retention_days.",
        discussion: "Safe to run at any time and as often as you like; cron runs it hourly (deploy/cron/catalystwells).")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        var configuration = try options.load()
        do {
            try configuration.loadPassword(for: .app)
        } catch {
            ConfigOptions.fail(error)
        }
        let stores = CompositionRoot.purgeStores(configuration)
        let signIn = configuration.signIn
        let now = Date()
        let purged = try stores.sessions.purgeExpired(
            now: now, idleTimeout: signIn.sessionPolicy.idleTimeout, throttleWindow: signIn.throttlePolicy.window)
        let oauthRows = try Self.purgeOAuth(stores.tokens, now: now)
        let accessLog = stores.accessLog
        let accessLogBefore = now.addingTimeInterval(-configuration.api.accessLogRetention)
        let accessLogRows = try Self.inBatches { try accessLog.purge(before: accessLogBefore, limit: $0) }
        print(
            String(
                decoding: JSONValue.object([
                    ("sessions", .int(purged.sessions)), ("password_links", .int(purged.passwordLinks)),
                    ("throttle_counters", .int(purged.throttleCounters)), ("oauth_codes_and_tokens", .int(oauthRows)),
                    ("data_access_log", .int(accessLogRows)),
                ]).serialized(), as: UTF8.self))
    }

    /// Rows deleted per statement batch: small enough that each DELETE holds its locks briefly while the
    /// token endpoint keeps writing.
    static let batchSize = 10_000
    /// At most this many batches per run (10 million rows); the next run, an hour later, takes the rest.
    static let maximumBatches = 1_000

    /// Expired codes, tokens and grants, deleted in batches until a batch comes back short.
    static func purgeOAuth(_ store: some TokenStore, now: Date) throws -> Int {
        try inBatches { try store.purgeExpired(before: now, limit: $0) }
    }

    /// Runs a batched delete (given the batch size, returning the rows it deleted) until a batch comes back short.
    static func inBatches(_ delete: (Int) throws -> Int) rethrows -> Int {
        var total = 0
        for _ in 0..<maximumBatches {
            let deleted = try delete(batchSize)
            total += deleted
            if deleted < batchSize { break }
        }
        return total
    }
}
