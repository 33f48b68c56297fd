import Domain

/// The jobs cron starts on every host of an installation (sync, purge, mail, webhooks, roster, exports,
/// agreements, erasures) run under a lease in the site's own database (``LeaseStore``, issue 18), so cron may
/// run them on every host: the first to take the lease works, the others answer at once that another host
/// holds it — HTTP 200 with ``skipped(_:)``, and the commands print it and exit 0.
///
/// The jobs other than sync already claim their rows one by one (mail, webhook deliveries, roster and export
/// jobs) or are idempotent (purge, agreements, erasures), so the lease saves duplicate work rather than
/// guarding correctness; sync's lease also fences its writes (``SyncTargetStore/withSyncLock(_:)``).
enum CronLease {
    /// Long enough for a run of any of these jobs (mail and webhooks stop by budget well before); a host that
    /// dies holding it delays the next run on another host by at most this.
    static let duration: Duration = .seconds(300)

    /// Runs `body` under the lease, or returns `nil` at once when another holder has it.
    static func run<T>(_ name: LeaseName, leases: any LeaseStore, _ body: () throws -> T) throws -> T? {
        try leases.withLease(name, holder: CompositionRoot.leaseHolder(), duration: duration) { _ in try body() }
    }

    /// A command's run: prints what `body` returns, or ``skipped(_:)`` when another holder has the lease.
    static func printing(_ name: LeaseName, leases: any LeaseStore, _ body: () throws -> String) throws {
        print(try run(name, leases: leases, body) ?? String(decoding: skipped(name).serialized(), as: UTF8.self))
    }

    /// The answer of a run that found the lease taken.
    static func skipped(_ name: LeaseName) -> JSONValue {
        .object([
            ("status", .string("skipped")), ("reason", .string("lease_held")), ("lease", .string(name.rawValue)),
            ("detail", .string("another host holds the lease; this run did nothing")),
        ])
    }
}
