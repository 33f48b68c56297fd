import Domain
import Foundation
import Logging

/// One sync run (DESIGN §8), shared by `POST /internal/cron/sync`, `catalystwells sync` and the
/// review panel's "sync now" button.
///
/// Order, and why it is crash-safe:
/// 1. **Apps, developers → main.** Each app whose request marker is set, and whose content matches the latest
///    review decision recorded in main (``ReviewAttestation``; suspensions always pass), is applied to main in one transaction,
///    then its marker is cleared in the developers database only if it still holds the value read. A run killed
///    between the two leaves the marker set, and the next run applies the same state again, which changes
///    nothing the second time (``SyncTargetStore/apply(_:as:now:)`` is idempotent). New client secrets and API keys
///    go in only when an admin confirmed them in main (``CredentialAttestation``); the others are counted as
///    `credentials_unconfirmed`, and confirming one on the review panel asks for another sync of its app.
/// 2. **Usage, main → developers.** New access-log rows, grants and first consents (past id watermarks) are
///    folded into daily counters in main, in one transaction with the watermarks, so each is counted once and
///    an idle run reads nothing; counters that changed are then sent as absolute values and marked sent, so a
///    run killed in between sends the same numbers again. API keys' use and client secrets' last use go the
///    same way.
/// 3. **Events, main → developers.** Outbox events are queued as deliveries (skipping endpoints that have them
///    already), then marked handed over; a crash in between re-queues nothing twice.
/// Single-flight: everything runs under the sync lease (``LeaseName/sync``, any host); a second caller gets `nil` at
/// once, and a run that outlived its lease has its next write refused (the fence) and stops with `nil`.
struct SyncRun {
    let target: any SyncTargetStore
    let source: any SyncSourceStore
    let analytics: any AnalyticsStore
    /// The app site's URL: logos are served there too (`LogoRoutes`), so the consent page may show them.
    let logoBaseURL: String?
    /// Test-only: the named point at which the run kills its own process (`sync.test_fault`).
    let faultPoint: String?
    let logger: Logger

    /// Apps read per batch, and the most batches per run (the next run continues).
    static let batchSize = 100
    static let maximumBatches = 50
    /// Seconds a usage source row must have existed before it is counted: a batch inserted under a lower id
    /// than rows already visible is then never skipped by the watermark.
    static let usageSettleSeconds: TimeInterval = 5

    /// What a run did, as the JSON summary the endpoint and the command print.
    struct Report {
        var appsApplied = 0
        var appsFailed = 0
        var appsUnattested = 0
        var credentialsUnconfirmed = 0
        var approvalsAdopted = 0
        var clientsCreated = 0
        var clientsChanged = 0
        var tokensRevoked = 0
        var requestsCleared = 0
        var usageEvents = 0
        var usageRows = 0
        var apiKeysUpdated = 0
        var clientSecretsUpdated = 0
        var backchannelDeliveriesUpdated = 0
        var eventsHandedOver = 0
        var deliveriesQueued = 0
        var durationMilliseconds = 0

        var json: JSONValue {
            .object([
                ("status", .string(appsFailed == 0 && appsUnattested == 0 ? "ok" : "partial")), ("apps_applied", .int(appsApplied)),
                ("apps_failed", .int(appsFailed)), ("apps_refused_unattested", .int(appsUnattested)), ("approvals_adopted", .int(approvalsAdopted)),
                ("clients_created", .int(clientsCreated)),
                ("clients_changed", .int(clientsChanged)), ("tokens_revoked", .int(tokensRevoked)),
                ("credentials_unconfirmed", .int(credentialsUnconfirmed)),
                ("sync_requests_cleared", .int(requestsCleared)), ("usage_events", .int(usageEvents)), ("usage_rows", .int(usageRows)),
                ("api_keys_updated", .int(apiKeysUpdated)),
                ("client_secrets_updated", .int(clientSecretsUpdated)),
                ("backchannel_deliveries_updated", .int(backchannelDeliveriesUpdated)),
                ("events_handed_over", .int(eventsHandedOver)), ("deliveries_queued", .int(deliveriesQueued)),
                ("duration_ms", .int(durationMilliseconds)),
            ])
        }
    }

    /// Runs once; `nil` when another run holds the lease (or took it over from this one).
    func run(now: Date) throws -> Report? {
        let started = DispatchTime.now()
        // The pool's catalystwells_sync_duration_seconds (a run from the CLI records into a process nobody scrapes).
        func observe(_ result: String) {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            WorkerMetrics.shared.record { $0.observe(PoolMetrics.syncDuration, ["site": "app", "result": result], value: seconds) }
        }
        let report: Report?
        do {
            report = try target.withSyncLock { () throws -> Report in
                var report = Report()
                try syncApplications(now: now, into: &report)
                try syncUsage(now: now, into: &report)
                try handOverEvents(now: now, into: &report)
                return report
            }
        } catch let error as StoreError where error.kind == .leaseLost {
            // This run outlived its lease and another took over: its last transaction was refused and rolled
            // back, and what it did before is what any run would do (idempotent). The newer run carries on.
            observe("busy")
            logger.warning("sync stopped: another run took over its lease", metadata: ["error.detail": "\(error.detail)"])
            return nil
        } catch {
            observe("error")
            throw error
        }
        observe(report == nil ? "busy" : "ok")
        guard var report else { return nil }
        report.durationMilliseconds = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
        logger.info(
            "sync finished",
            metadata: [
                "sync.apps": "\(report.appsApplied)", "sync.tokens_revoked": "\(report.tokensRevoked)",
                "sync.usage_rows": "\(report.usageRows)", "sync.deliveries": "\(report.deliveriesQueued)",
                "sync.duration_ms": "\(report.durationMilliseconds)",
            ])
        return report
    }

    private func syncApplications(now: Date, into report: inout Report) throws {
        var failed: Set<ApplicationID> = []
        for _ in 0..<Self.maximumBatches {
            // Apps that failed this run keep their markers and come first in every batch: skip past them.
            let batch = try source.applicationsToSync(limit: Self.batchSize + failed.count).filter { !failed.contains($0.id) }
            let attestations = try target.reviewAttestations(of: batch.map(\.id))
            for app in batch {
                if app.status == .approved || app.status == .suspended {
                    let client = app.oauthClient(logoBaseURL: logoBaseURL)
                    let refused: Bool
                    do {
                        var attestation = attestations[app.id]
                        if attestation == nil, let adopted = try target.adoptEarlierApproval(of: app, as: client, now: now) {
                            // Approved before decisions were recorded, and main already runs exactly this content.
                            attestation = adopted
                            report.approvalsAdopted += 1
                        }
                        let result: SyncApplyResult
                        if app.status == .approved, attestation?.permits(app) == true {
                            result = try target.apply(app, as: client, now: now)
                            refused = false
                        } else {
                            // A suspension, or an approval main has no matching decision for: only what takes access
                            // away is applied (ended secrets and keys, the suspension itself).
                            result = try target.applyRestrictions(app, now: now)
                            refused = app.status == .approved
                        }
                        report.appsApplied += refused ? 0 : 1
                        if result.created { report.clientsCreated += 1 }
                        if result.changed { report.clientsChanged += 1 }
                        report.tokensRevoked += result.tokensRevoked
                        report.credentialsUnconfirmed += result.unattested
                        if result.unattested > 0 {
                            // A new secret or key that no admin confirmed yet (or one written past the portal): left
                            // out until confirmed on /platform, which asks for another sync of the app.
                            logger.notice(
                                "sync left out credentials no platform admin confirmed",
                                metadata: ["application.id": "\(app.id)", "sync.credentials_unconfirmed": "\(result.unattested)"])
                        }
                    } catch let error as StoreError where error.kind != .unavailable && error.kind != .leaseLost {
                        // One app the main database refuses (its transaction rolled back) must not hold up the
                        // others, usage or events: it keeps its marker, is logged, and is tried again next run.
                        failed.insert(app.id)
                        report.appsFailed += 1
                        logger.error("sync could not apply an app", metadata: ["application.id": "\(app.id)", "error.detail": "\(error.detail)"])
                        continue
                    }
                    if refused {
                        // Approved in the developers database, but not as an admin approved it in main: a tampered
                        // row, or a decision that did not get recorded. The marker stays, so every run reports it
                        // until an admin decides again.
                        failed.insert(app.id)
                        report.appsUnattested += 1
                        logger.critical(
                            "sync refused an app: its content or status in the developers database does not match the latest review decision recorded in the main database; only revocations were applied. Check the app on /platform and decide again.",
                            metadata: ["application.id": "\(app.id)", "client.id": "\(app.clientID)"])
                        continue
                    }
                    fault("after_main_commit")
                }
                if try source.clearSyncRequest(of: app.id, marker: app.marker) { report.requestsCleared += 1 }
            }
            if batch.count < Self.batchSize { return }
        }
    }

    private func syncUsage(now: Date, into report: inout Report) throws {
        report.usageEvents = try target.collectUsage(now: now, settle: Self.usageSettleSeconds)
        fault("after_usage_collected")
        for _ in 0..<Self.maximumBatches {
            let changed = try target.changedUsage(limit: 1000)
            guard !changed.isEmpty else { break }
            let apps = try source.applicationIDs(of: Array(Set(changed.map(\.clientID))))
            let rows = changed.compactMap { day -> DailyAppStats? in
                guard let app = apps[day.clientID] else { return nil }
                return DailyAppStats(
                    application: app, day: day.day, apiRequests: day.apiRequests, authorizations: day.authorizations,
                    activeUsers: day.activeUsers, newUsers: day.newUsers, errors: day.errors)
            }
            // Absolute values: if the run dies before the mark below, the next one sends the same numbers again.
            try analytics.upsertDailyStats(rows, now: now)
            report.usageRows += rows.count
            try target.markUsagePushed(changed)
            if changed.count < 1000 { break }
        }
        report.apiKeysUpdated = try push(read: target.changedAPIKeyUsage, write: source.recordAPIKeyUsage, mark: target.markAPIKeyUsagePushed)
        report.clientSecretsUpdated = try push(
            read: target.changedClientSecretUsage, write: source.recordClientSecretUsage, mark: target.markClientSecretUsagePushed)
        let keepDeliveriesSince = now.addingTimeInterval(-BackchannelLogoutPolicy.keptFor)
        report.backchannelDeliveriesUpdated = try push(
            read: target.changedBackchannelLogouts,
            write: { changes in
                // Rows of clients that are not portal apps (first-party, demo) have no page to go to: marked all the same.
                let apps = try source.applicationIDs(of: Array(Set(changes.map(\.clientID))))
                try analytics.upsertBackchannelDeliveries(
                    changes.compactMap { change in apps[change.clientID].map { AppBackchannelDelivery(application: $0, entry: change.entry) } },
                    keepSince: keepDeliveriesSince, now: now)
            }, mark: target.markBackchannelLogoutsPushed)
        // Nothing new: the rows older than main keeps its own still go (a DELETE of nothing changes nothing).
        if report.backchannelDeliveriesUpdated == 0 {
            try analytics.upsertBackchannelDeliveries([], keepSince: keepDeliveriesSince, now: now)
        }
    }

    /// Sends changed figures to the developers database in batches of 1000, marking each batch only after it
    /// was written (absolute values, so a batch sent twice is harmless); returns how many were sent.
    private func push<Figure>(
        read: (Int) throws -> [Figure], write: ([Figure]) throws -> Void, mark: ([Figure]) throws -> Void
    ) throws -> Int {
        var sent = 0
        for _ in 0..<Self.maximumBatches {
            let batch = try read(1000)
            guard !batch.isEmpty else { break }
            try write(batch)
            sent += batch.count
            try mark(batch)
            if batch.count < 1000 { break }
        }
        return sent
    }

    private func handOverEvents(now: Date, into report: inout Report) throws {
        let events = try target.pendingEvents(limit: 1000)
        guard !events.isEmpty else { return }
        let apps = try source.applicationIDs(of: Array(Set(events.map(\.clientID))))
        // Events of clients that are not portal apps (first-party, demo) have nobody to go to: marked all the same.
        report.deliveriesQueued = try source.enqueueEvents(events.compactMap { event in apps[event.clientID].map { (event, $0) } }, now: now)
        fault("after_events_queued")
        try target.markEventsHandedOver(events, now: now)
        report.eventsHandedOver = events.count
    }

    /// The test-only fault point: the process dies here, as a crash or a `kill -9` would end it.
    private func fault(_ point: String) {
        guard faultPoint == point else { return }
        logger.critical("sync fault point reached: exiting", metadata: ["sync.fault": "\(point)"])
        exit(70)
    }
}
