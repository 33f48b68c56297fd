import Crypto
import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// `/api/oauth/par`, `/authsso` with a `request_uri`, and `private_key_jwt` at the token endpoint, through the router
/// `main` builds over the store twins: a pushed request is used once and only by its client; an assertion is used
/// once; a `jwks_uri` is fetched once, again for a new `kid`, and not retried for a minute after it failed.
@Suite struct PARAndClientAssertionRouteTests {
    let app: TestApp
    let password = "correct horse battery staple"
    let secret = "cw_cs_par-route-secret"
    let verifier = "dBjftJeZ4CVP-mJ92K9UWwwMqn5Ymc1xZWlvZK0kHhQ_-PKCE-verifier"
    let redirect = "https://app.example/cb"
    let key = P256.Signing.PrivateKey()
    static let jwksURI = "https://keys.example/jwks.json"

    init() throws {
        let app = TestApp()
        self.app = app
        _ = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: try testHasher.hash(password))
        for id in ["par-app", "other-app"] {
            try app.oauth.createClient(
                OAuthClient(
                    clientID: ClientID(id), name: "PAR App", developerName: "Example Ltd", kind: .confidential, redirectURIs: [redirect],
                    allowedScopes: ["openid", "profile.read"]),
                now: app.clock.now)
            try app.oauth.addSecret(
                digest: ClientSecret.digest(secret: secret, key: app.oauthKeys.clientSecretKey), to: ClientID(id), now: app.clock.now)
        }
        try app.oauth.createClient(
            OAuthClient(
                clientID: ClientID("key-app"), name: "Key App", developerName: "Example Ltd", kind: .confidential, redirectURIs: [],
                allowedScopes: ["school.read"], privateKeyJWT: ClientKeyRegistration(source: .uri(Self.jwksURI))),
            now: app.clock.now)
    }

    func basic(_ id: String) -> [String: String] {
        ["HTTP_AUTHORIZATION": "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()]
    }

    func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    func push(_ browser: inout TestBrowser, as id: String = "par-app", _ extra: [(String, String)] = []) -> HTTPResponse {
        browser.send(
            "POST", "/api/oauth/par",
            form: [
                ("response_type", "code"), ("client_id", id), ("redirect_uri", redirect), ("scope", "openid profile.read"),
                ("state", "st-par"), ("code_challenge", PKCE.s256Challenge(verifier: verifier)), ("code_challenge_method", "S256"),
            ] + extra, headers: basic(id))
    }

    @Test func aPushedRequestIsUsedOnceAndOnlyByItsClient() throws {
        var browser = TestBrowser(responder: app.responder())
        let pushed = push(&browser)
        #expect(pushed.status == 201 && pushed.headers["Cache-Control"] == "no-store")
        let requestURI = try #require(json(pushed)["request_uri"] as? String)
        #expect(json(pushed)["expires_in"] as? Int == 60)
        let path = "/authsso?client_id=par-app&request_uri=\(FormCodec.encode(requestURI))"

        #expect(browser.send("GET", "/authsso?client_id=other-app&request_uri=\(FormCodec.encode(requestURI))").status == 400)
        let first = browser.send("GET", path)
        #expect(first.status == 303 && first.headers["Location"]?.hasPrefix("/login?next=") == true)
        let signedIn = browser.signIn(
            "ada@school.test", password, next: String(first.headers["Location"]!.dropFirst("/login?next=".count)).removingPercentEncoding)
        let consent = browser.send("GET", try #require(signedIn.headers["Location"]))
        #expect(consent.status == 200 && consent.text.contains("name=\"request_uri\"") && !consent.text.contains("name=\"redirect_uri\""))
        let fields = hiddenFields(consent.text).filter { $0.0 != "next" }
        #expect(fields.contains { $0 == ("request_uri", requestURI) })
        let answer = browser.send("POST", "/authsso", form: fields + [("decision", "approve")])
        #expect(answer.status == 303 && answer.headers["Location"]?.hasPrefix(redirect + "?code=") == true)
        #expect(answer.headers["Location"]?.contains("state=st-par") == true)
        // Spent: the consent answered again, or the link opened again, shows the page.
        #expect(browser.send("POST", "/authsso", form: fields + [("decision", "approve")]).status == 400)
        #expect(browser.send("GET", path).status == 400)
    }

    @Test func aBadPushStoresNothing() {
        var browser = TestBrowser(responder: app.responder())
        for (extra, status) in [
            ([("redirect_uri", "https://evil.example/cb")], 400), ([("code_challenge_method", "plain")], 400),
            ([("request_uri", "urn:x")], 400),
        ] {
            #expect(push(&browser, extra).status == status)
        }
        let anonymous = browser.send("POST", "/api/oauth/par", form: [("response_type", "code"), ("client_id", "par-app")])
        #expect(anonymous.status == 401)
        // Another client's credentials naming this client: the request contradicts itself.
        let mixed = browser.send("POST", "/api/oauth/par", form: [("client_id", "par-app")], headers: basic("other-app"))
        #expect(mixed.status == 400)
        #expect((try? app.pushedRequests.purgePushedRequests(before: app.clock.now.addingTimeInterval(3600))) == 0)
    }

    func b64(_ bytes: some Sequence<UInt8>) -> String { SecretToken.base64URL(Array(bytes)) }

    func jwks(kid: String) -> String {
        let raw = Array(key.publicKey.rawRepresentation)
        return JSONValue.object([
            (
                "keys",
                .array([
                    .object([
                        ("kty", "EC"), ("crv", "P-256"), ("kid", .string(kid)), ("x", .string(b64(raw[0..<32]))), ("y", .string(b64(raw[32...]))),
                    ])
                ])
            )
        ]).text
    }

    func assertion(kid: String, jti: String = UUID().uuidString) -> String {
        let now = Int(app.clock.now.timeIntervalSince1970)
        let header = JSONValue.object([("alg", "ES256"), ("kid", .string(kid))])
        let claims = JSONValue.object([
            ("iss", "key-app"), ("sub", "key-app"), ("aud", "https://app.localhost/api/oauth/token"), ("exp", .int(now + 60)), ("jti", .string(jti)),
        ])
        let input = b64(header.serialized()) + "." + b64(claims.serialized())
        return input + "." + b64(try! key.signature(for: Array(input.utf8)).rawRepresentation)
    }

    func token(_ assertion: String, _ browser: inout TestBrowser) -> HTTPResponse {
        browser.send(
            "POST", "/api/oauth/token",
            form: [
                ("grant_type", "client_credentials"), ("scope", "school.read"),
                ("client_assertion_type", ClientAssertionRules.assertionType), ("client_assertion", assertion),
            ])
    }

    @Test func anAssertionIsUsedOnceAndTheJWKSURIIsFetchedSparingly() {
        var browser = TestBrowser(responder: app.responder())
        // The client's server is down: refused, and not asked again within a minute.
        #expect(token(assertion(kid: "k1"), &browser).status == 401)
        #expect(token(assertion(kid: "k1"), &browser).status == 401)
        #expect(app.upstreamTransport.asked == ["GET \(Self.jwksURI)"])
        app.clock.advance(61)
        app.upstreamTransport.answer(Self.jwksURI, json: jwks(kid: "k1"))
        let once = assertion(kid: "k1", jti: "only-once")
        #expect(token(once, &browser).status == 200)
        #expect(token(once, &browser).status == 401, "a replayed jti")
        #expect(token(assertion(kid: "k1"), &browser).status == 200)
        #expect(app.upstreamTransport.asked.count == 2, "cached")
        // A new kid fetches again once; another unknown kid right after does not.
        app.upstreamTransport.answer(Self.jwksURI, json: jwks(kid: "k2"))
        #expect(token(assertion(kid: "k2"), &browser).status == 200)
        #expect(token(assertion(kid: "k3"), &browser).status == 401)
        #expect(app.upstreamTransport.asked.count == 3)
    }

    func hiddenFields(_ text: String) -> [(String, String)] {
        let pattern = try! NSRegularExpression(pattern: "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let name = Range(match.range(at: 1), in: text), let value = Range(match.range(at: 2), in: text) else { return nil }
            return (String(text[name]), String(text[value]).replacingOccurrences(of: "&amp;", with: "&"))
        }
    }
}
