import Domain
import Foundation

/// `GET /internal/metrics`: the pool's metrics in the Prometheus text format, summed over all its workers, past and
/// present (``MetricsFolder``). nginx answers `/internal/` for loopback peers only (its `geo $cw_loopback` block is the
/// allow-list); the route checks the peer again, so a site file that forgot the rule does not publish it.
enum MetricsRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/internal/metrics") { request, _, context in
            guard isLoopback(request.remoteAddress), let folder = WorkerMetrics.shared.folder else { throw HTTPError.notFound() }
            let site = context.site.rawValue
            let total = MetricsFolder(path: folder).aggregate(own: getpid(), live: WorkerMetrics.shared.snapshot(site: site))
            var response = HTTPResponse(status: 200, body: Array(total.prometheusText(families: PoolMetrics.all).utf8))
            response.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            return response
        }
    }

    /// 127.0.0.0/8 and ::1 (also as an IPv4-mapped address).
    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}
