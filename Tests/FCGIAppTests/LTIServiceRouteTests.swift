import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// The NRPS memberships route (issue 19): on the app site only; its token is checked before its query, so a call
/// without a valid app token is a 401 or 403 whatever its `limit`, `page`, `role` or `rlid`, and nothing is logged. The
/// calls with a token (paging, filters, the `Link` header) run end to end (tests/e2e/test_lti_nrps_paging.py).
@Suite struct LTIServiceRouteTests {
    static let base = "/api/lti/contexts/1/memberships"
    static let paths = [
        base, base + "?limit=2&page=3", base + "?limit=0", base + "?page=x", base + "?role=Wizard",
        base + "?role=http%3A//purl.imsglobal.org/vocab/lis/v2/membership%23Learner&rlid=rl_x",
    ]

    @Test func theRouteIsOnTheAppSiteAndNotTheDevelopersSite() {
        let pattern = "/api/lti/contexts/{class}/memberships"
        #expect(SiteRoutes.router(for: .app, environment: .production).patterns.contains { $0.method == "GET" && $0.pattern == pattern })
        #expect(!SiteRoutes.router(for: .developers, environment: .production).patterns.contains { $0.pattern == pattern })
    }

    @Test func withoutATokenEveryQueryIs401() throws {
        let responder = TestApp().responder()
        for path in Self.paths {
            let response = responder.respond(to: rawRequest("GET", path))
            #expect(response.status == 401, "\(path)")
            #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true, "\(path)")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
            #expect(body["error"] == "invalid_token", "\(path)")
        }
    }

    /// A person's token holding the memberships scope is refused before the query is read: the service takes the
    /// tool's own app token.
    @Test func aPersonsTokenIs403WhateverTheQuery() throws {
        let app = TestApp()
        let teacher = app.memory.addUser(role: .teacher, email: "tess@school.test", username: "tess", hash: nil)
        let scopes: Set<String> = ["openid", LTIScopes.contextMembershipRead]
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
        for path in Self.paths {
            let response = app.responder().respond(to: rawRequest("GET", path, headers: ["HTTP_AUTHORIZATION": "Bearer \(token)"]))
            #expect(response.status == 403, "\(path)")
            #expect(response.headers["WWW-Authenticate"]?.contains("error=\"insufficient_scope\"") == true, "\(path)")
        }
        #expect(app.accessLog.entries.isEmpty)
    }
}
