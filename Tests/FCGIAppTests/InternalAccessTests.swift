import Domain
import Testing

@testable import FCGIApp

/// `/internal/` answers only `cron.allowed_addresses` (issue 18), checked by the app on the address nginx passes; and
/// a cron run that finds its lease held elsewhere answers 200 "skipped" at once.
@Suite struct InternalAccessTests {
    static let secret = String(repeating: "c", count: 40)

    func cronCall(_ app: TestApp, from peer: String, path: String = "/internal/cron/webhooks") -> HTTPResponse {
        app.responder(site: .developers).respond(
            to: rawRequest("POST", path, headers: ["HTTP_AUTHORIZATION": "Bearer " + Self.secret, "REMOTE_ADDR": peer]))
    }

    func app(allowing list: String? = nil) throws -> TestApp {
        var app = TestApp()
        app.configuration.cronSecret = Self.secret
        if let list { app.configuration.internalAllowList = try #require(AddressAllowList(parsing: list)) }
        return app
    }

    @Test func byDefaultOnlyLoopbackReachesInternalEvenWithTheSecret() throws {
        let app = try app()
        #expect(cronCall(app, from: "10.0.3.7").status == 404)
        #expect(cronCall(app, from: "10.0.3.7", path: "/INTERNAL/cron/webhooks").status == 404)
        #expect(app.responder(site: .app).respond(to: rawRequest("GET", "/internal/metrics", headers: ["REMOTE_ADDR": "10.0.3.7"])).status == 404)
        #expect(cronCall(app, from: "127.0.0.1").status == 503, "the route ran and met the unconnected test database")
    }

    @Test func anotherHostListedInTheConfigurationReachesIt() throws {
        let app = try app(allowing: "127.0.0.0/8, 10.0.3.0/24")
        #expect(cronCall(app, from: "10.0.3.7").status == 503, "the route ran")
        #expect(cronCall(app, from: "10.0.4.7").status == 404)
    }

    @Test func aRunWhoseLeaseAnotherHostHoldsAnswers200Skipped() throws {
        let app = try app()
        _ = try #require(try app.leases.acquire(.webhooks, holder: "other-host/1/x", duration: .seconds(60)))
        let answer = cronCall(app, from: "127.0.0.1")
        #expect(answer.status == 200)
        let body = String(decoding: answer.body, as: UTF8.self)
        #expect(body.contains("\"status\":\"skipped\"") && body.contains("\"reason\":\"lease_held\"") && body.contains("\"lease\":\"webhooks\""))
    }
}
