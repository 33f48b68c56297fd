import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// `/authsso` and `/api/oauth/token` through the router `main` builds, over the in-memory store twins: the whole
/// code flow with PKCE, the consent page, the code's single use, refresh rotation with the lost-answer retry,
/// and the one bearer rule narrowing existing tokens to a school's current limit.
@Suite struct TokenAndAuthorizeRouteTests {
    let app: TestApp
    let password = "correct horse battery staple"
    let student: UserAccount
    let secret = "cw_cs_token-route-secret"
    let verifier = "dBjftJeZ4CVP-mJ92K9UWwwMqn5Ymc1xZWlvZK0kHhQ_-PKCE-verifier"
    let redirect = "https://app.example/cb"
    static let client = ClientID("server-app")

    init() throws {
        let app = TestApp()
        self.app = app
        student = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: try testHasher.hash(password))
        try app.oauth.createClient(
            OAuthClient(
                clientID: Self.client, name: "Server App", developerName: "Example Ltd", verified: true, kind: .confidential,
                redirectURIs: [redirect], allowedScopes: ["openid", "profile.read", "student.grades.read", "offline_access"]),
            now: app.clock.now)
        try app.oauth.addSecret(digest: ClientSecret.digest(secret: secret, key: app.oauthKeys.clientSecretKey), to: Self.client, now: app.clock.now)
        var generator = SystemRandomNumberGenerator()
        try app.oauth.addKey(
            try SigningKey.generate(.rs256).record(sealingWith: app.oauthKeys.sealingKey, createdAt: app.clock.now, using: &generator),
            now: app.clock.now)
    }

    var challenge: String { PKCE.s256Challenge(verifier: verifier) }

    var authorizeURI: String {
        "/authsso?response_type=code&client_id=server-app&redirect_uri=\(FormCodec.encode(redirect))"
            + "&scope=openid%20profile.read%20offline_access&state=st-1&nonce=n-1&code_challenge=\(challenge)&code_challenge_method=S256"
    }

    private func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    private func hiddenFields(_ page: HTTPResponse) -> [(String, String)] {
        let pattern = try! NSRegularExpression(pattern: "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")
        let text = page.text
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let name = Range(match.range(at: 1), in: text), let value = Range(match.range(at: 2), in: text) else { return nil }
            return (String(text[name]), String(text[value]).replacingOccurrences(of: "&amp;", with: "&"))
        }
    }

    private func query(_ location: String?) -> [String: String] {
        guard let location, let components = URLComponents(string: location) else { return [:] }
        return Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// Signs the student in, consents on the page and returns the code the redirect carries.
    private func authorize(_ browser: inout TestBrowser) throws -> String {
        let first = browser.send("GET", authorizeURI)
        #expect(first.status == 303 && first.headers["Location"]?.hasPrefix("/login?next=") == true)
        let signedIn = browser.signIn(
            "ada@school.test", password, next: String(first.headers["Location"]!.dropFirst("/login?next=".count)).removingPercentEncoding)
        #expect(signedIn.status == 303)
        let consent = browser.send("GET", try #require(signedIn.headers["Location"]))
        #expect(consent.status == 200 && consent.text.contains("Server App"))
        let fields = hiddenFields(consent).filter { $0.0 != "next" }
        let answer = browser.send("POST", "/authsso", form: fields + [("decision", "approve")])
        #expect(answer.status == 303)
        let back = query(answer.headers["Location"])
        #expect(answer.headers["Location"]?.hasPrefix(redirect + "?") == true)
        #expect(back["state"] == "st-1" && back["iss"] == "https://app.localhost")
        return try #require(back["code"])
    }

    private func token(_ form: [(String, String)], browser: inout TestBrowser) -> HTTPResponse {
        browser.send(
            "POST", "/api/oauth/token", form: form,
            headers: ["HTTP_AUTHORIZATION": "Basic " + Data("server-app:\(secret)".utf8).base64EncodedString()])
    }

    private func exchange(_ code: String, browser: inout TestBrowser) -> HTTPResponse {
        token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", verifier)], browser: &browser)
    }

    private func userinfo(_ accessToken: String, browser: inout TestBrowser) -> HTTPResponse {
        browser.send("GET", "/api/oauth/userinfo", headers: ["HTTP_AUTHORIZATION": "Bearer \(accessToken)"])
    }

    @Test func theCodeFlowIssuesTokensWithAnIDTokenAndAReplayedCodeEndsThem() throws {
        var browser = TestBrowser(responder: app.responder())
        let code = try authorize(&browser)
        let issued = exchange(code, browser: &browser)
        #expect(issued.status == 200)
        #expect(issued.headers["Cache-Control"] == "no-store")
        let body = json(issued)
        let access = try #require(body["access_token"] as? String)
        #expect(body["token_type"] as? String == "Bearer" && body["expires_in"] as? Int == 3600)
        #expect(body["scope"] as? String == "openid profile.read offline_access" && body["refresh_token"] is String)
        let idToken = try #require(body["id_token"] as? String)
        let payload = try #require(Data(base64Encoded: base64(idToken.split(separator: ".")[1])))
        let claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(claims["nonce"] as? String == "n-1" && claims["aud"] as? String == "server-app" && claims["sub"] as? String == "\(student.id)")
        #expect(claims["amr"] as? [String] == ["pwd"], "the password sign-in, from the session through the code (RFC 8176)")
        #expect(userinfo(access, browser: &browser).status == 200)

        let replay = exchange(code, browser: &browser)
        #expect(replay.status == 400 && json(replay)["error"] as? String == "invalid_grant")
        #expect(userinfo(access, browser: &browser).status == 401)
    }

    @Test func aClientRegisteredForES256GetsIDTokensSignedWithTheCurrentES256Key() throws {
        var generator = SystemRandomNumberGenerator()
        let es256 = try SigningKey.generate(.es256)
        try app.oauth.addKey(
            try es256.record(sealingWith: app.oauthKeys.sealingKey, createdAt: app.clock.now, using: &generator), now: app.clock.now)
        app.oauth.setIDTokenSigningAlgorithm(.es256, of: Self.client)
        var browser = TestBrowser(responder: app.responder())
        let issued = exchange(try authorize(&browser), browser: &browser)
        let idToken = try #require(json(issued)["id_token"] as? String)
        let header = try #require(Data(base64Encoded: base64(idToken.split(separator: ".")[0])))
        let fields = try #require(try JSONSerialization.jsonObject(with: header) as? [String: Any])
        #expect(fields["alg"] as? String == "ES256" && fields["kid"] as? String == es256.kid)
        let jws = try CompactJWS(idToken)
        let keys = try JSONWebKeySet(document: Array("{\"keys\":[\(es256.publicJWKJSON)]}".utf8))
        let key = try #require(keys.keys[es256.kid])
        #expect(JSONWebKeySet.verify(jws.signature, over: jws.signingInput, key: key, algorithm: "ES256"))
    }

    @Test func aWrongVerifierSpendsTheCodeAndIssuesNothing() throws {
        var browser = TestBrowser(responder: app.responder())
        let code = try authorize(&browser)
        let grants = app.oauth.grantCount
        let wrong = token(
            [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", String(repeating: "a", count: 43))],
            browser: &browser)
        #expect(wrong.status == 400 && json(wrong)["error"] as? String == "invalid_grant")
        #expect(app.oauth.grantCount == grants)
        #expect(exchange(code, browser: &browser).status == 400)
    }

    @Test func twoClientAuthenticationMethodsInOneRequestAreRefused() throws {
        var browser = TestBrowser(responder: app.responder())
        let response = token([("grant_type", "client_credentials"), ("client_secret", secret)], browser: &browser)
        #expect(response.status == 400 && json(response)["error"] as? String == "invalid_request")
    }

    @Test func aRefreshRetriedAfterALostAnswerGetsTheSamePairUntilTheNewTokenIsUsed() throws {
        var browser = TestBrowser(responder: app.responder())
        let first = json(exchange(try authorize(&browser), browser: &browser))
        let refresh = try #require(first["refresh_token"] as? String)

        app.clock.advance(60)
        let rotated = token([("grant_type", "refresh_token"), ("refresh_token", refresh)], browser: &browser)
        #expect(rotated.status == 200)
        let pair = json(rotated)
        // The answer was lost; the client retries with the same refresh token 3 seconds later.
        app.clock.advance(3)
        let retried = token([("grant_type", "refresh_token"), ("refresh_token", refresh)], browser: &browser)
        #expect(retried.status == 200)
        let again = json(retried)
        #expect(again["access_token"] as? String == pair["access_token"] as? String)
        #expect(again["refresh_token"] as? String == pair["refresh_token"] as? String)
        #expect(again["expires_in"] as? Int == 3597)
        #expect(userinfo(try #require(again["access_token"] as? String), browser: &browser).status == 200)

        // The client uses the new refresh token: the old one is never answered with that pair again.
        let next = token([("grant_type", "refresh_token"), ("refresh_token", try #require(pair["refresh_token"] as? String))], browser: &browser)
        #expect(next.status == 200)
        let stale = token([("grant_type", "refresh_token"), ("refresh_token", refresh)], browser: &browser)
        #expect(stale.status == 400 && json(stale)["error"] as? String == "invalid_grant")
        // After the grace window the old token is a reuse: the whole family is revoked.
        app.clock.advance(60)
        #expect(token([("grant_type", "refresh_token"), ("refresh_token", refresh)], browser: &browser).status == 400)
        let latest = try #require(json(next)["access_token"] as? String)
        #expect(userinfo(latest, browser: &browser).status == 401)
    }

    @Test func aSchoolLimitNarrowsExistingTokensOnUserinfoIntrospectionAndTheAPI() throws {
        var browser = TestBrowser(responder: app.responder())
        let body = json(exchange(try authorize(&browser), browser: &browser))
        let access = try #require(body["access_token"] as? String)
        func introspection(_ browser: inout TestBrowser) -> [String: Any] {
            json(
                browser.send(
                    "POST", "/api/oauth/introspect", form: [("token", access)],
                    headers: ["HTTP_AUTHORIZATION": "Basic " + Data("server-app:\(secret)".utf8).base64EncodedString()]))
        }
        #expect(introspection(&browser)["scope"] as? String == "openid profile.read offline_access")
        #expect(json(userinfo(access, browser: &browser))["name"] != nil)

        _ = try app.oauth.setPolicy(
            SchoolAppPolicy(status: .allowed, scopeLimit: ["openid"]), school: try #require(student.schoolID), client: Self.client,
            by: student.id, now: app.clock.now)
        #expect(introspection(&browser)["scope"] as? String == "openid")
        let narrowed = json(userinfo(access, browser: &browser))
        #expect(narrowed["sub"] as? String == "\(student.id)" && narrowed["name"] == nil)

        _ = try app.oauth.setPolicy(
            SchoolAppPolicy(status: .allowed, scopeLimit: ["profile.read"]), school: try #require(student.schoolID), client: Self.client,
            by: student.id, now: app.clock.now)
        let noOpenID = userinfo(access, browser: &browser)
        #expect(noOpenID.status == 403 && noOpenID.headers["WWW-Authenticate"]?.contains("insufficient_scope") == true)
        #expect(introspection(&browser)["scope"] as? String == "profile.read")
    }

    private func base64(_ part: Substring) -> String {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return text
    }

    @Test func promptLoginIsNotWaivedByAForgedOrStaleSignInMarker() throws {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("ada@school.test", password).status == 303)
        for forged in ["1", "1800000000.AAAA"] {
            let response = browser.send("GET", authorizeURI + "&prompt=login&cw_signed_in=" + forged)
            #expect(response.status == 303 && response.headers["Location"]?.hasPrefix("/login?reauth=1&next=") == true)
        }
        // A real marker from a detour does not count for a sign-in before it (here: the earlier session's).
        app.clock.advance(2)
        let detour = browser.send("GET", authorizeURI + "&prompt=login")
        let next = try #require(detour.headers["Location"].map { String($0.dropFirst("/login?reauth=1&next=".count)) }?.removingPercentEncoding)
        #expect(next.contains("cw_signed_in=") && !next.contains("prompt=login"))
        let again = browser.send("GET", next + "&prompt=login")
        #expect(again.status == 303 && again.headers["Location"]?.hasPrefix("/login?reauth=1&next=") == true)
        // Signing in after the detour satisfies it.
        app.clock.advance(1)
        let form = browser.send("GET", "/login?reauth=1")
        let signedIn = browser.send(
            "POST", "/login", form: [("csrf", TestBrowser.csrf(in: form) ?? ""), ("identifier", "ada@school.test"), ("password", password)])
        #expect(signedIn.status == 303)
        #expect(browser.send("GET", next + "&prompt=login").status == 200, "the consent page, not another sign-in")
    }

    @Test func aSmallMaxAgeDoesNotSendTheConsentAnswerBackToSignIn() throws {
        var browser = TestBrowser(responder: app.responder())
        let first = browser.send("GET", authorizeURI + "&max_age=1")
        #expect(first.status == 303)
        let next = try #require(first.headers["Location"].map { String($0.dropFirst("/login?next=".count)) }?.removingPercentEncoding)
        #expect(browser.signIn("ada@school.test", password, next: next).status == 303)
        let consent = browser.send("GET", next)
        #expect(consent.status == 200)
        app.clock.advance(5)
        let fields = hiddenFields(consent).filter { $0.0 != "next" }
        let answer = browser.send("POST", "/authsso", form: fields + [("decision", "approve")])
        #expect(answer.status == 303 && answer.headers["Location"]?.hasPrefix(redirect + "?code=") == true, "\(answer.headers["Location"] ?? "")")
    }

    @Test func anAdminWhoMustHaveASecondFactorSetsItUpBeforeAnAppGetsTheirData() throws {
        app.memory.addUser(role: .schoolAdmin, email: "head@school.test", username: "head", hash: try testHasher.hash(password))
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("head@school.test", password).status == 303)
        let answer = browser.send("GET", authorizeURI)
        #expect(answer.status == 303 && answer.headers["Location"] == "/account/two-step?required=1")
        #expect(browser.cookies["__Host-cw_resume"] != nil, "where they were going is remembered")
        // The enrolment's last page offers the app's request again, which now reaches the consent page.
        let status = browser.send("GET", "/account/two-step?required=1")
        #expect(browser.send("POST", "/account/two-step/start", form: [("csrf", TestBrowser.csrf(in: status) ?? "")]).status == 303)
        let setup = browser.send("GET", "/account/two-step/setup")
        let marker = "<code id=\"totp-secret\">"
        let seedText = try #require(setup.text.range(of: marker).map { String(setup.text[$0.upperBound...].prefix { $0 != "<" }) })
        let seed = try #require(Base32.decode(seedText.replacingOccurrences(of: " ", with: "")))
        let done = browser.send(
            "POST", "/account/two-step/confirm",
            form: [("csrf", TestBrowser.csrf(in: setup) ?? ""), ("code", TOTP.code(secret: seed, at: app.clock.now))])
        #expect(done.status == 200 && done.text.contains("id=\"recovery-codes\""))
        let link = try #require(done.text.range(of: "id=\"continue\" href=\"").map { String(done.text[$0.upperBound...].prefix { $0 != "\"" }) })
        let back = link.replacingOccurrences(of: "&amp;", with: "&")
        #expect(back.hasPrefix("/authorize?") || back.hasPrefix("/api/oauth/authorize?") || back.contains("client_id="), "\(back)")
        #expect(browser.cookies["__Host-cw_resume"] == nil, "used once")
        let consent = browser.send("GET", back)
        #expect(consent.status == 200 && consent.text.contains("decision"), "the consent page")
    }

    @Test func aResumeCookieNeverLeadsOffTheSite() throws {
        app.memory.addUser(role: .schoolAdmin, email: "head@school.test", username: "head", hash: try testHasher.hash(password))
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("head@school.test", password).status == 303)
        browser.cookies["__Host-cw_resume"] = "%2F%2Fevil.example%2F"
        let status = browser.send("GET", "/account/two-step?required=1")
        #expect(browser.send("POST", "/account/two-step/start", form: [("csrf", TestBrowser.csrf(in: status) ?? "")]).status == 303)
        let setup = browser.send("GET", "/account/two-step/setup")
        let marker = "<code id=\"totp-secret\">"
        let seedText = try #require(setup.text.range(of: marker).map { String(setup.text[$0.upperBound...].prefix { $0 != "<" }) })
        let seed = try #require(Base32.decode(seedText.replacingOccurrences(of: " ", with: "")))
        let done = browser.send(
            "POST", "/account/two-step/confirm",
            form: [("csrf", TestBrowser.csrf(in: setup) ?? ""), ("code", TOTP.code(secret: seed, at: app.clock.now))])
        #expect(done.status == 200 && !done.text.contains("id=\"continue\"") && !done.text.contains("evil.example"))
    }

    @Test func withoutOfflineAccessTheCodeFlowIssuesNoRefreshToken() throws {
        var browser = TestBrowser(responder: app.responder())
        let withoutOffline = authorizeURI.replacingOccurrences(of: "%20offline_access", with: "")
        let first = browser.send("GET", withoutOffline)
        let next = try #require(first.headers["Location"].map { String($0.dropFirst("/login?next=".count)) }?.removingPercentEncoding)
        #expect(browser.signIn("ada@school.test", password, next: next).status == 303)
        let consent = browser.send("GET", next)
        let answer = browser.send("POST", "/authsso", form: hiddenFields(consent).filter { $0.0 != "next" } + [("decision", "approve")])
        let code = try #require(query(answer.headers["Location"])["code"])
        let tokens = app.oauth.tokenCount
        let body = json(exchange(code, browser: &browser))
        #expect(body["access_token"] is String && body["refresh_token"] == nil && body["scope"] as? String == "openid profile.read")
        #expect(app.oauth.tokenCount == tokens + 1, "only the access token is stored")
    }
}
