import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// The education API's route table against its OpenAPI document, and the answers that need no database.
@Suite struct EducationAPIRouteTests {
    static func document() throws -> [String: Any] {
        let response = TestApp().responder().respond(to: rawRequest("GET", "/api/v1/openapi.json"))
        #expect(response.status == 200)
        let object = try JSONSerialization.jsonObject(with: Data(response.body))
        return try #require(object as? [String: Any])
    }

    /// Every `/api/v1` route of the app site's router, as "METHOD /pattern".
    static func registeredRoutes() -> Set<String> {
        let router = SiteRoutes.router(for: .app, environment: .production)
        return Set(router.patterns.filter { $0.pattern.hasPrefix(EducationAPI.prefix + "/") }.map { "\($0.method) \($0.pattern)" })
    }

    @Test func everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let registered = Self.registeredRoutes()
        #expect(registered.subtracting(documented).isEmpty, "registered but undocumented: \(registered.subtracting(documented))")
        #expect(documented.subtracting(registered).isEmpty, "documented but not registered: \(documented.subtracting(registered))")
        #expect(registered.count == EducationAPI.endpoints.count)
    }

    @Test func theDocumentIsOpenAPI31WithAnOperationIdSecurityAndResponsesForEveryOperation() throws {
        let document = try Self.document()
        #expect(document["openapi"] as? String == "3.1.0")
        let info = try #require(document["info"] as? [String: Any])
        #expect(info["title"] is String && info["version"] is String)
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        let schemes = try #require((document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any])
        let oauth = try #require(schemes["oauth2"] as? [String: Any])
        let flows = try #require(oauth["flows"] as? [String: [String: Any]])
        let knownScopes = Set((flows["authorizationCode"]?["scopes"] as? [String: String] ?? [:]).keys)
        #expect(knownScopes == Set(ScopeRegistry.standard.scopesSupported))
        var operationIDs: Set<String> = []
        for (path, operations) in paths {
            for (method, operation) in operations {
                let id = try #require(operation["operationId"] as? String, "\(method) \(path)")
                #expect(operationIDs.insert(id).inserted, "operationId \(id) repeated")
                let responses = try #require(operation["responses"] as? [String: Any])
                #expect(responses["200"] != nil)
                let security = try #require(operation["security"] as? [[String: [String]]])
                let endpoint = try #require(EducationAPI.endpoints.first { $0.operation.rawValue == id })
                #expect(Set(security.flatMap { $0["oauth2"] ?? [] }) == Set(endpoint.allScopes))
                for scope in security.flatMap({ $0["oauth2"] ?? [] }) { #expect(knownScopes.contains(scope)) }
                if !endpoint.isPublic {
                    for status in ["400", "401", "403", "404", "429"] { #expect(responses[status] != nil, "\(id) lacks \(status)") }
                }
                // Path parameters are declared for each {capture}.
                let declared = Set(
                    (operation["parameters"] as? [[String: Any]] ?? []).filter { $0["in"] as? String == "path" }
                        .compactMap { $0["name"] as? String })
                let captures = Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                #expect(declared == captures, "\(id): path parameters \(declared) vs \(captures)")
            }
        }
    }

    @Test func aCallWithoutATokenIs401WithABareBearerChallenge() {
        let response = TestApp().responder().respond(to: rawRequest("GET", "/api/v1/students/1/grades"))
        #expect(response.status == 401)
        #expect(
            response.headers["WWW-Authenticate"] == "Bearer realm=\"catalystwells\", DPoP algs=\"ES256 RS256 EdDSA Ed25519\"",
            "both schemes are offered (RFC 9449 §7.1)")
        #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true)
    }

    @Test func aMalformedTokenIs401InvalidTokenWithoutADatabaseLookup() {
        let response = TestApp().responder().respond(
            to: rawRequest("GET", "/api/v1/me", headers: ["HTTP_AUTHORIZATION": "Bearer not-a-catalyst-token"]))
        #expect(response.status == 401)
        #expect(response.headers["WWW-Authenticate"]?.contains("error=\"invalid_token\"") == true)
    }

    /// A test app with one app and a student's access token for `/me` (which reads no database).
    private func studentCallingMe() throws -> (app: TestApp, student: UserAccount, token: String) {
        let app = TestApp()
        let student = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: nil)
        try app.oauth.createClient(
            OAuthClient(
                clientID: ClientID("reader"), name: "Reader", developerName: "Example Ltd", kind: .confidential,
                redirectURIs: ["https://reader.example/cb"], allowedScopes: ["openid", "profile.read"]),
            now: app.clock.now)
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.accessToken, using: &generator)
        _ = try app.oauth.createGrant(
            client: ClientID("reader"), user: student.id, scopes: ["openid", "profile.read"], authTime: app.clock.now,
            tokens: [NewToken(digest: SecretToken.digest(token), kind: .access, expiresAt: app.clock.now + 3600)], now: app.clock.now)
        return (app, student, token)
    }

    @Test func aCallIsOnRecordOncePerPersonBeforeItIsAnswered() throws {
        let (app, student, token) = try studentCallingMe()
        let response = app.responder().respond(to: rawRequest("GET", "/api/v1/me", headers: ["HTTP_AUTHORIZATION": "Bearer \(token)"]))
        #expect(response.status == 200)
        #expect(
            app.accessLog.entries == [
                DataAccessEntry(
                    occurredAt: app.clock.now, clientID: ClientID("reader"), actorID: student.id, subjectID: student.id,
                    schoolID: student.schoolID, operation: "getMe", request: "GET /api/v1/me", status: 200, firstOfCall: true)
            ])
    }

    @Test func aCallWhoseLogEntriesCannotBeWrittenIs503WithRetryAfterAndCarriesNoData() throws {
        let (app, _, token) = try studentCallingMe()
        app.accessLog.failing = true
        let response = app.responder().respond(to: rawRequest("GET", "/api/v1/me", headers: ["HTTP_AUTHORIZATION": "Bearer \(token)"]))
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "5")
        #expect(response.headers["X-RateLimit-Limit"] != nil)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains("\"error\":\"temporarily_unavailable\""))
        #expect(!body.contains("ada") && !body.contains("given_name"))
        #expect(app.accessLog.entries.isEmpty)
        // Once the log can be written again, the same call is answered and on record.
        app.accessLog.failing = false
        let again = app.responder().respond(to: rawRequest("GET", "/api/v1/me", headers: ["HTTP_AUTHORIZATION": "Bearer \(token)"]))
        #expect(again.status == 200)
        #expect(app.accessLog.entries.count == 1)
    }

    @Test func aCachedListIsRebuiltWhenTheStudentsRecordVersionChangesAndWrittenAsIs() {
        let cache = APIListCache(capacity: 2)
        let key = APIListKey(student: UserID(5), operation: .studentGrades, page: "50||")
        var builds = 0
        func answer(_ version: Int64) -> JSONValue {
            cache.value(for: key, version: version) {
                builds += 1
                return .preserialized(JSONValue.object([("n", .int(builds))]).serialized())
            }
        }
        #expect(answer(1).serialized() == Array("{\"n\":1}".utf8))
        #expect(answer(1).serialized() == Array("{\"n\":1}".utf8))
        #expect(answer(2).serialized() == Array("{\"n\":2}".utf8))
        #expect(builds == 2)
        #expect(JSONValue.object([("data", answer(2))]).serialized() == Array("{\"data\":{\"n\":2}}".utf8))
        // Bounded: the oldest key goes first.
        for n in 0..<3 { _ = cache.value(for: APIListKey(student: UserID(Int64(10 + n)), operation: .studentGrades, page: ""), version: 0) { .null } }
        _ = answer(2)
        #expect(builds == 3)
    }

    @Test func anAppOnThePartnerTierGetsThePartnerBucket() throws {
        let limiter = APIRateLimiter(
            standard: .init(perMinute: 60, burst: 1), partner: .init(perMinute: 600, burst: 3), partnerClients: ["partner-app"])
        let buckets = MemoryRateBuckets()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(limiter.limits(of: ClientID("partner-app")).perMinute == 600)
        #expect(try limiter.take(ClientID("other-app"), store: buckets, now: now).allowed)
        #expect(try !limiter.take(ClientID("other-app"), store: buckets, now: now).allowed)
        #expect(try (0..<3).allSatisfy { _ in try limiter.take(ClientID("partner-app"), store: buckets, now: now).allowed })
        #expect(try !limiter.take(ClientID("partner-app"), store: buckets, now: now).allowed)
    }

    @Test func workersShareOneBucketPerAppAndARecycledWorkerDoesNotRefillIt() throws {
        let limits = APIRateLimiter.Limits(perMinute: 60, burst: 20)
        let buckets = MemoryRateBuckets()
        let workers = (0..<4).map { _ in APIRateLimiter(standard: limits, partner: limits, partnerClients: []) }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let app = ClientID("busy-app")
        var served = 0
        for call in 0..<200 {
            if try workers[call % 4].take(app, store: buckets, now: now).allowed { served += 1 }
        }
        // One burst for the installation, not one per worker (4 × 20 before).
        #expect(served == 20)
        // A worker started afresh (a recycle) leases from the same, empty bucket.
        let fresh = APIRateLimiter(standard: limits, partner: limits, partnerClients: [])
        let refused = try fresh.take(app, store: buckets, now: now)
        #expect(!refused.allowed && refused.retryAfterSeconds == 1)
        // Leases, not calls, reach the store: 20 tokens in leases of 2, and one empty lease per worker, whose refusal
        // then answers from memory.
        #expect(buckets.leaseCount == 10 + 5)
        #expect(try fresh.take(app, store: buckets, now: now.addingTimeInterval(2)).allowed)
    }
}
