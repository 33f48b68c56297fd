/// `POST /internal/cron/agreements` on the app site: one daily run over schools' app agreements
/// (``AgreementExpiryRun``), answered with its JSON summary. Guarded like every cron endpoint
/// (``RequestContext/requireCron(_:)``).
enum AgreementCronRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/internal/cron/agreements") { request, _, context in
            try context.requireCron(request)
            let run = AgreementExpiryRun(services: context.services, logger: context.logger)
            guard let report = try CronLease.run(.agreements, leases: context.services.leases, { try run.run(now: context.now) }) else {
                return .json(CronLease.skipped(.agreements))
            }
            return .json(report.json)
        }
    }
}
