import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// The AGS routes (issue 19 item 2): registered on the app site only, and every one answers a call without a valid
/// token with RFC 6750's 401 and JSON error before it reads anything. The calls with a token run end to end
/// (tests/e2e/test_lti_ags.py) against the real stores.
@Suite struct LTIGradeRouteTests {
    static let base = "/api/lti/contexts/1/lineitems"
    static let item = base + "/li_" + String(repeating: "A", count: 43)
    static let calls = [
        ("GET", base), ("POST", base), ("GET", item), ("PUT", item), ("DELETE", item), ("POST", item + "/scores"), ("GET", item + "/results"),
    ]

    @Test func theSevenRoutesAreOnTheAppSiteAndNotTheDevelopersSite() {
        let expected: Set<String> = [
            "GET /api/lti/contexts/{class}/lineitems", "POST /api/lti/contexts/{class}/lineitems",
            "GET /api/lti/contexts/{class}/lineitems/{item}", "PUT /api/lti/contexts/{class}/lineitems/{item}",
            "DELETE /api/lti/contexts/{class}/lineitems/{item}", "POST /api/lti/contexts/{class}/lineitems/{item}/scores",
            "GET /api/lti/contexts/{class}/lineitems/{item}/results",
        ]
        let app = Set(
            SiteRoutes.router(for: .app, environment: .production).patterns.filter { $0.pattern.contains("/lineitems") }.map {
                "\($0.method) \($0.pattern)"
            })
        #expect(app == expected)
        #expect(!SiteRoutes.router(for: .developers, environment: .production).patterns.contains { $0.pattern.contains("/lineitems") })
    }

    @Test func withoutATokenEveryCallIs401WithABearerChallenge() throws {
        let responder = TestApp().responder()
        for (method, path) in Self.calls {
            let response = responder.respond(to: rawRequest(method, path))
            #expect(response.status == 401, "\(method) \(path)")
            #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true, "\(method) \(path)")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
            #expect(body["error"] == "invalid_token", "\(method) \(path)")
        }
    }

    @Test func anUnknownTokenIs401InvalidToken() throws {
        let responder = TestApp().responder()
        let token = "cw_at_" + String(repeating: "B", count: 43)
        for (method, path) in Self.calls {
            let response = responder.respond(to: rawRequest(method, path, headers: ["HTTP_AUTHORIZATION": "Bearer " + token]))
            #expect(response.status == 401, "\(method) \(path)")
            #expect(response.headers["WWW-Authenticate"]?.contains("error=\"invalid_token\"") == true, "\(method) \(path)")
        }
    }

    /// A person's token holding every AGS scope is still refused: the services take the tool's own app token.
    @Test func aPersonsTokenIs403InsufficientScopeEvenWithTheScopes() throws {
        let app = TestApp()
        let teacher = app.memory.addUser(role: .teacher, email: "tess@school.test", username: "tess", hash: nil)
        let scopes: Set<String> = ["openid", LTIScopes.lineItem, LTIScopes.resultRead, LTIScopes.score]
        try app.oauth.createClient(
            OAuthClient(
                clientID: ClientID("tool"), name: "Tool", developerName: "Example Ltd", kind: .confidential,
                redirectURIs: ["https://tool.example/cb"], allowedScopes: scopes),
            now: app.clock.now)
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.accessToken, using: &generator)
        _ = try app.oauth.createGrant(
            client: ClientID("tool"), user: teacher.id, scopes: Array(scopes), authTime: app.clock.now,
            tokens: [NewToken(digest: SecretToken.digest(token), kind: .access, expiresAt: app.clock.now + 3600)], now: app.clock.now)
        for (method, path) in Self.calls {
            let response = app.responder().respond(to: rawRequest(method, path, headers: ["HTTP_AUTHORIZATION": "Bearer \(token)"]))
            #expect(response.status == 403, "\(method) \(path)")
            #expect(response.headers["WWW-Authenticate"]?.contains("error=\"insufficient_scope\"") == true, "\(method) \(path)")
        }
        #expect(app.accessLog.entries.isEmpty)
    }
}
