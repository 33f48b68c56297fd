import Domain
import Foundation
import Testing

@testable import FCGIApp

@Suite struct MetricsRouteTests {
    @Test func theRouteSumsTheSupervisorsRecordTheOtherWorkersAndThisOneAndAnswersLoopbackOnly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)").path
        let folder = try MetricsFolder.prepare(path)
        defer { folder.remove() }
        var retired = MetricsFolder.SupervisorRecord()
        retired.retired.increment(PoolMetrics.requests, ["site": "app", "route": "/gone", "method": "GET", "status": "200"], by: 7)
        retired.retired.set(PoolMetrics.workers, ["site": "app"], to: 2)
        retired.folded = [999_998]
        folder.write(retired)
        var other = MetricsSnapshot()
        other.increment(PoolMetrics.requests, ["site": "app", "route": "/gone", "method": "GET", "status": "200"], by: 5)
        folder.write(worker: 999_997, other)
        // A worker already folded into the record is not counted again, even while its file is still there.
        folder.write(worker: 999_998, other)
        WorkerMetrics.shared.configure(folder: path)

        let answer = responder().respond(to: rawRequest("GET", "/internal/metrics"))
        #expect(answer.status == 200)
        #expect(answer.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains(#"catalystwells_http_requests_total{method="GET",route="/gone",site="app",status="200"} 12"#))
        #expect(text.contains(#"catalystwells_workers{site="app"} 2"#))
        #expect(text.contains("# TYPE catalystwells_http_request_duration_seconds histogram"))

        let outside = responder().respond(to: rawRequest("GET", "/internal/metrics", headers: ["REMOTE_ADDR": "10.0.0.7"]))
        #expect(outside.status == 404)
    }

    @Test func aRequestRecordedThroughItsSpelledKeysCountsAsItsLabelsWould() {
        let metrics = WorkerMetrics()
        for status in [200, 200, 404] {
            metrics.recordRequest(RequestSeries(site: "app", route: "/userinfo", method: "GET", status: status), seconds: 0.002, databaseError: nil)
        }
        metrics.recordRequest(RequestSeries(site: "app", route: "/userinfo", method: "GET", status: 503), seconds: 2, databaseError: "unavailable")
        var expected = MetricsSnapshot()
        for status in ["200", "200", "404", "503"] {
            expected.increment(PoolMetrics.requests, ["site": "app", "route": "/userinfo", "method": "GET", "status": status])
        }
        for seconds in [0.002, 0.002, 0.002, 2] { expected.observe(PoolMetrics.duration, ["site": "app", "route": "/userinfo"], value: seconds) }
        expected.increment(PoolMetrics.databaseErrors, ["site": "app", "kind": "unavailable"])
        let recorded = metrics.snapshot(site: "app")
        #expect(recorded.counters == expected.counters)
        #expect(recorded.histograms == expected.histograms)
    }

    @Test func aRequestIsCountedUnderItsRoutePatternNeverItsPath() {
        func count(_ route: String, _ status: String) -> Double {
            WorkerMetrics.shared.snapshot(site: "app").counters[
                MetricSeries.key(PoolMetrics.requests.name, ["site": "app", "route": route, "method": "GET", "status": status])] ?? 0
        }
        let livez = count("/livez", "200")
        let unmatched = count("unmatched", "404")
        _ = responder().respond(to: rawRequest("GET", "/livez"))
        _ = responder().respond(to: rawRequest("GET", "/no/such/4711"))
        #expect(count("/livez", "200") >= livez + 1)
        #expect(count("unmatched", "404") >= unmatched + 1)
        #expect(!WorkerMetrics.shared.snapshot(site: "app").counters.keys.contains { $0.contains("4711") })
    }
}
