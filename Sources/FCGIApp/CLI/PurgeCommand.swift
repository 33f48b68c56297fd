import ArgumentParser
import Domain
import Foundation

/// `catalystwells purge [--site app|developers]`: deletes what can no longer be used (run from cron, once per site,
/// each as that site's pool user with that site's database account).
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract:
            "Delete expired sessions (after queueing their back-channel logouts), spent links, stale sign-in throttle counters and, on the app site, expired OAuth codes and tokens, idle API rate buckets and data-access log entries older than api.access_log_retention_days; on the developers site, logos no application refers to.",
        discussion:
            "Safe to run at any time and as often as you like; cron runs it hourly for each site (deploy/cron/catalystwells), on every host: the purge lease lets one run at a time and the others print \"skipped\"."
    )

    @Option(help: "The site whose database to purge: app (main database) or developers.") var site: Site = .app
    @OptionGroup var options: ConfigOptions

    /// Logos nobody refers to are kept this long after their last upload (a form in progress may still name one).
    static let logoGrace: TimeInterval = 86400
    /// An API rate bucket untouched this long is full again and its row can go (it is made again on the next call).
    static let rateBucketIdle: TimeInterval = 86400

    func run() throws {
        var configuration = try options.load()
        do {
            try configuration.loadPassword(for: Configuration.role(for: site))
        } catch {
            ConfigOptions.fail(error)
        }
        if site == .developers { return try purgeDevelopers(configuration) }
        let stores = CompositionRoot.purgeStores(configuration)
        try CronLease.printing(.purge, leases: stores.leases) { try Self.purgeMain(stores, configuration) }
    }

    /// The main database's purge; returns its JSON summary.
    private static func purgeMain(_ stores: CompositionRoot.PurgeStores, _ configuration: Configuration) throws -> String {
        let signIn = configuration.signIn
        let now = Date()
        let purged = try stores.sessions.purgeExpired(
            now: now, idleTimeout: signIn.sessionPolicy.idleTimeout, throttleWindow: signIn.throttlePolicy.window)
        let oauthRows = try purgeOAuth(stores.tokens, now: now)
        let accessLog = stores.accessLog
        let accessLogBefore = now.addingTimeInterval(-configuration.api.accessLogRetention)
        let accessLogRows = try inBatches { try accessLog.purge(before: accessLogBefore, limit: $0) }
        let buckets = try stores.rateBuckets.purgeIdleBuckets(updatedBefore: now.addingTimeInterval(-rateBucketIdle))
        let tickets = try stores.upstream.purgeUsedTickets(before: now)
        let assertions = try stores.saml.purgeUsedAssertions(before: now)
        let proofs = try stores.tokens.purgeProofUses(before: now)
        let pushed = try stores.tokens.purgePushedRequests(before: now)
        let clientAssertions = try stores.tokens.purgeAssertionUses(before: now)
        let challenges = try stores.passkeys.purgeAnsweredChallenges(before: now)
        let retention = stores.retention
        let eventsBefore = now.addingTimeInterval(-Double(RetentionRules.deliveredEventDays) * 86400)
        let events = try inBatches { try retention.purgeDeliveredEvents(before: eventsBefore, limit: $0) }
        let usersBefore = CalendarDate(now.addingTimeInterval(-Double(RetentionRules.dailyUserDays) * 86400))
        let dailyUsers = try inBatches { try retention.foldAndPurgeDailyUsers(before: usersBefore, limit: $0) }
        let imports = try retention.purgeRosterImports(before: now.addingTimeInterval(-configuration.auditRetention))
        let launches = try retention.purgeLTILaunches(before: now)
        let audit = stores.audit
        let auditBefore = now.addingTimeInterval(-configuration.auditRetention)
        let auditRows = try inBatches { try audit.purge(before: auditBefore, limit: $0) }
        let logoutsBefore = now.addingTimeInterval(-BackchannelLogoutPolicy.keptFor)
        let logouts = try inBatches { [logout = stores.logout] in try logout.purgeFinishedBackchannelLogouts(before: logoutsBefore, limit: $0) }
        return String(
            decoding: JSONValue.object([
                ("sessions", .int(purged.sessions)), ("password_links", .int(purged.passwordLinks)),
                ("throttle_counters", .int(purged.throttleCounters)), ("oauth_codes_and_tokens", .int(oauthRows)),
                ("data_access_log", .int(accessLogRows)), ("api_rate_buckets", .int(buckets)),
                ("upstream_ticket_uses", .int(tickets)), ("saml_assertion_uses", .int(assertions)),
                ("oauth_dpop_proof_uses", .int(proofs)), ("backchannel_logouts", .int(logouts)), ("oauth_pushed_requests", .int(pushed)),
                ("oauth_client_assertion_uses", .int(clientAssertions)),
                ("passkey_challenge_uses", .int(challenges)), ("api_event_outbox", .int(events)),
                ("usage_daily_users_days", .int(dailyUsers)), ("roster_imports", .int(imports)),
                ("security_audit_log", .int(auditRows)), ("lti_launches", .int(launches)),
            ]).serialized(), as: UTF8.self)
    }

    /// The developers database: expired developer sessions, spent links, stale throttle counters, orphaned logos,
    /// expired passkey challenges.
    private func purgeDevelopers(_ configuration: Configuration) throws {
        let stores = CompositionRoot.developerPurgeStores(configuration)
        try CronLease.printing(.purge, leases: stores.leases) { try Self.purgeDevelopers(stores, configuration) }
    }

    /// The developers database's purge; returns its JSON summary.
    private static func purgeDevelopers(_ stores: CompositionRoot.DeveloperPurgeStores, _ configuration: Configuration) throws -> String {
        let signIn = configuration.signIn
        let now = Date()
        let purged = try stores.sessions.purgeExpired(
            now: now, idleTimeout: signIn.sessionPolicy.idleTimeout, throttleWindow: signIn.throttlePolicy.window)
        let logos = try stores.logos.purgeUnreferencedLogos(uploadedBefore: now.addingTimeInterval(-logoGrace))
        let challenges = try stores.passkeys.purgeAnsweredChallenges(before: now)
        return String(
            decoding: JSONValue.object([
                ("developer_sessions", .int(purged.sessions)), ("developer_links", .int(purged.passwordLinks)),
                ("throttle_counters", .int(purged.throttleCounters)), ("logos", .int(logos)),
                ("developer_passkey_challenge_uses", .int(challenges)),
            ]).serialized(), as: UTF8.self)
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
