import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// OneRoster's route table against its OpenAPI documents, and the answers that need no database.
@Suite struct OneRosterRouteTests {
    static func document(_ service: OneRosterEndpoint.Service) throws -> [String: Any] {
        let response = TestApp().responder().respond(to: rawRequest("GET", service.prefix + "/openapi.json"))
        #expect(response.status == 200)
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() throws {
        let router = SiteRoutes.router(for: .app, environment: .production)
        for service in [OneRosterEndpoint.Service.rostering, .gradebook] {
            let registered = Set(router.patterns.filter { $0.pattern.hasPrefix(service.prefix + "/") }.map { "\($0.method) \($0.pattern)" })
            let paths = try #require(try Self.document(service)["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, operations) in paths {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            #expect(registered.subtracting(documented).isEmpty, "registered but undocumented: \(registered.subtracting(documented))")
            #expect(documented.subtracting(registered).isEmpty, "documented but not registered: \(documented.subtracting(registered))")
            #expect(registered.count == OneRosterAPI.endpoints.filter { $0.service == service }.count + 1)
        }
    }

    @Test func everyOperationNamesTheServiceScopesAndTheStatusInfoErrors() throws {
        for service in [OneRosterEndpoint.Service.rostering, .gradebook] {
            let document = try Self.document(service)
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
            for (path, operations) in paths where !path.hasSuffix("/openapi.json") {
                for (method, operation) in operations {
                    let security = try #require(operation["security"] as? [[String: [String]]])
                    let scopes = method == "put" ? [OneRosterAccess.gradebookCreatePut] : service.scopes
                    #expect(Set(security.flatMap { $0["oauth2"] ?? [] }) == Set(scopes), "\(method) \(path)")
                    let responses = try #require(operation["responses"] as? [String: Any])
                    for status in ["200", "400", "401", "403", "404", "429"] { #expect(responses[status] != nil, "\(path) lacks \(status)") }
                }
            }
        }
    }

    @Test func aCallWithoutATokenIs401WithTheStatusInfoPayload() throws {
        let response = TestApp().responder().respond(to: rawRequest("GET", "/ims/oneroster/rostering/v1p2/users"))
        #expect(response.status == 401)
        #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Bearer realm=\"catalystwells\"") == true)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(body["imsx_codeMajor"] as? String == "failure")
        #expect(body["imsx_severity"] as? String == "error")
        let minor = try #require((body["imsx_CodeMinor"] as? [String: Any])?["imsx_codeMinorField"] as? [[String: String]])
        #expect(minor == [["imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": "unauthorisedrequest"]])
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(OneRosterJSON.timestamp(Date(timeIntervalSince1970: 1_704_164_645.25)) == "2024-01-02T03:04:05.250Z")
    }
}
