import Foundation

/// `POST /internal/cron/sync` (DESIGN §8): cron's trigger on the app pool. Loopback only (nginx) and the
/// cron bearer secret; anything else is 404. A run already in progress answers 409 at once.
enum SyncRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/internal/cron/sync") { request, _, context in
            try context.requireCron(request)
            guard let report = try SyncRun(services: context.services, logger: context.logger).run(now: context.now) else {
                return .json(SyncRun.busy, status: 409)
            }
            return .json(report.json)
        }
    }
}
