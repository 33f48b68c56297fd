import Domain
import Foundation

/// `GET /internal/metrics`: the pool's metrics in the Prometheus text format, summed over all its workers, past and
/// present (``MetricsFolder``). nginx answers `/internal/` for its `geo $cw_internal` peers only, and ``SiteResponder``
/// checks the peer again against `cron.allowed_addresses`, so a site file that forgot the rule does not publish it.
enum MetricsRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/internal/metrics") { request, _, context in
            guard context.services.configuration.internalAllowList.permits(request.remoteAddress), let folder = WorkerMetrics.shared.folder else {
                throw HTTPError.notFound()
            }
            let site = context.site.rawValue
            var total = MetricsFolder(path: folder).aggregate(own: getpid(), live: WorkerMetrics.shared.snapshot(site: site))
            // Gauges of work done outside the pool's requests (cron runs), read from the database now; left out when it
            // cannot be asked, so a scrape during an outage still answers.
            switch context.site {
            case .app:
                if let oldest = Result(catching: { try context.services.portal.syncSource.oldestSyncRequest() }).success {
                    total.set(PoolMetrics.syncLag, ["site": site], to: oldest.map { max(0, context.now.timeIntervalSince($0)) } ?? 0)
                }
            case .developers:
                if let depth = try? context.services.portal.deliveries.pendingCount() {
                    total.set(PoolMetrics.webhookQueueDepth, ["site": site], to: Double(depth))
                }
            }
            var response = HTTPResponse(status: 200, body: Array(total.prometheusText(families: PoolMetrics.all).utf8))
            response.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            return response
        }
    }

}

extension Result {
    /// The value, or `nil` after a failure (unlike `try?`, an optional value stays an optional inside).
    fileprivate var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
