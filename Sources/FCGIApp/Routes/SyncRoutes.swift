import Foundation

/// `POST /internal/cron/sync` (DESIGN §8): cron's trigger on the app pool. Loopback only (nginx) and the
/// cron bearer secret; anything else is 404. A run in progress on any host (the sync lease) makes this one answer
/// 200 at once with ``CronLease/skipped(_:)``, so cron may call every host.
enum SyncRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/internal/cron/sync") { request, _, context in
            try context.requireCron(request)
            guard let report = try SyncRun(services: context.services, logger: context.logger).run(now: context.now) else {
                return .json(CronLease.skipped(.sync))
            }
            return .json(report.json)
        }
    }
}
