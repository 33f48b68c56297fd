import Domain
import Foundation
import Logging
import Testing

@testable import FCGIApp

@Suite struct SiteResponderTests {
    private func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test(arguments: Site.allCases)
    func healthzReportsTheDatabaseAndItsSchemaVersion(site: Site) throws {
        let response = responder(site: site, health: .success(7)).respond(to: rawRequest("GET", "/healthz"))
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.headers["Cache-Control"] == "no-store")
        let body = try json(response)
        #expect(body["status"] as? String == "ok")
        #expect(body["site"] as? String == site.rawValue)
        #expect(body["database"] as? String == "up")
        #expect(body["schema_version"] as? Int == 7)
    }

    @Test func healthzIs503WhenTheDatabaseIsDown() throws {
        let response = responder(health: .failure(StoreError(.unavailable, detail: "socket gone")))
            .respond(to: rawRequest("GET", "/healthz"))
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "5")
        let body = try json(response)
        #expect(body["database"] as? String == "down")
        #expect(!response.text.contains("socket gone"))
    }

    /// An outage, and a conflict the store's retries did not get past (Galera certification failures while a node
    /// leaves the cluster), are answered 503 with Retry-After; every other database failure is a 500.
    @Test func onlyOutagesAndConflictsAreTransient() {
        #expect(SiteResponder.isTransient(StoreError(.unavailable, detail: "x")))
        #expect(SiteResponder.isTransient(StoreError(.conflict, detail: "x")))
        for kind in [StoreError.Kind.duplicate, .constraint, .denied, .leaseLost, .unsupported, .other] {
            #expect(!SiteResponder.isTransient(StoreError(kind, detail: "x")))
        }
    }

    @Test func livezNeedsNoDatabase() throws {
        let response = responder(health: .failure(StoreError(.unavailable, detail: "x"))).respond(to: rawRequest("GET", "/livez"))
        #expect(response.status == 200)
        #expect(try json(response)["status"] as? String == "ok")
    }

    @Test func anUnknownAPIPathIsA404InJSON() throws {
        let response = responder().respond(to: rawRequest("GET", "/api/v1/nothing"))
        #expect(response.status == 404)
        #expect(try json(response)["error"] as? String == "not_found")
    }

    @Test func anUnknownPagePathIsA404Page() {
        let response = responder().respond(to: rawRequest("GET", "/nothing/<script>"))
        #expect(response.status == 404)
        #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(response.text.contains("Page not found"))
        #expect(!response.text.contains("<script>"))
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() {
        let response = responder().respond(to: rawRequest("POST", "/healthz"))
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD")
    }

    @Test func headIsServedByTheGetRoute() {
        #expect(responder().respond(to: rawRequest("HEAD", "/livez")).status == 200)
    }

    @Test func badInputGetsItsStatusInTheFormOfThePath() throws {
        let api = responder().respond(to: rawRequest("GET", "/api/x%zz"))
        #expect(api.status == 400)
        #expect(try json(api)["error"] as? String == "invalid_request")
        let page = responder().respond(to: rawRequest("GET", "/x?q=%FF"))
        #expect(page.status == 400)
        #expect(page.text.contains("not valid UTF-8"))
        let large = responder().respond(to: rawRequest("POST", "/api/upload", tooLarge: true))
        #expect(large.status == 413)
        #expect(try json(large)["error"] as? String == "request_too_large")
    }

    @Test func everyResponseCarriesTheRequestID() {
        let response = responder().respond(to: rawRequest("GET", "/"))
        #expect(response.headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef")
        let forged = responder().respond(to: rawRequest("GET", "/", headers: ["REQUEST_ID": "not-hex"]))
        #expect(forged.headers["X-Request-ID"]?.count == 32)
        #expect(forged.headers["X-Request-ID"] != "not-hex")
    }

    @Test func theStylesheetIsServedWithItsType() {
        let response = responder().respond(to: rawRequest("GET", "/assets/catalyst.css"))
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/css; charset=utf-8")
    }
}

@Suite struct TestRouteTests {
    @Test func theSleepFaultPointExistsOnlyInTheTestEnvironment() {
        let app = TestApp()
        let production = app.responder()
        #expect(production.respond(to: rawRequest("GET", "/internal/test/sleep?ms=1")).status == 404)
        let test = app.responder(environment: .test)
        #expect(test.respond(to: rawRequest("GET", "/internal/test/sleep?ms=1")).status == 200)
        #expect(test.respond(to: rawRequest("GET", "/internal/test/sleep?ms=99999")).status == 400)
    }
}
