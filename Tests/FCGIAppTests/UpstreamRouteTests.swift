import Crypto
import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Sign-in with an upstream provider through the routes, the provider scripted (``ScriptedUpstream``): the
/// detour and callback, every refusal's page, the account page's unlinking, the school's password policy and
/// home-realm discovery. The end-to-end suite runs the same against a real provider.
@Suite struct UpstreamRouteTests {
    let app = TestApp()
    let key = P256.Signing.PrivateKey()
    let issuer = "https://op.example/realm"
    let password = "correct horse battery"
    let ada: UserAccount

    init() throws {
        ada = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: try testHasher.hash(password))
        var generator = SystemRandomNumberGenerator()
        let sealed = try UpstreamClientSecret.seal("op-secret", slug: "school-op", key: app.oauthKeys.upstreamSecretKey, using: &generator)
        _ = try app.upstream.saveUpstreamProvider(
            NewUpstreamProvider(
                slug: "school-op", schoolID: SchoolID(1), name: "School OP", kind: .generic, authority: issuer, clientID: "cw",
                sealedSecret: sealed, linkRule: .email, jitStudents: false, enabled: true),
            now: app.clock.now)
        app.upstreamTransport.answer(
            issuer + "/.well-known/openid-configuration",
            json: """
                {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/authorize","token_endpoint":"\(issuer)/token","jwks_uri":"\(issuer)/jwks"}
                """)
        let raw = Array(key.publicKey.rawRepresentation)
        app.upstreamTransport.answer(
            issuer + "/jwks",
            json: """
                {"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"\(SecretToken.base64URL(Array(raw[0..<32])))","y":"\(SecretToken.base64URL(Array(raw[32..<64])))"}]}
                """)
    }

    /// An ID token the scripted provider gives for a sign-in with `nonce`.
    func idToken(nonce: String, email: String = "ada@school.test", changes: [(String, JSONValue)] = []) -> String {
        let now = Int(app.clock.now.timeIntervalSince1970)
        var claims: [(String, JSONValue)] = [
            ("iss", .string(issuer)), ("sub", "op-ada"), ("aud", "cw"), ("nonce", .string(nonce)), ("iat", .int(now)), ("exp", .int(now + 300)),
            ("email", .string(email)), ("email_verified", true),
        ]
        for (name, value) in changes {
            claims.removeAll { $0.0 == name }
            claims.append((name, value))
        }
        let header: JSONValue = ["alg": "ES256", "kid": "k1"]
        let input = SecretToken.base64URL(header.serialized()) + "." + SecretToken.base64URL(JSONValue.object(claims).serialized())
        return input + "." + SecretToken.base64URL(Array(try! key.signature(for: Array(input.utf8)).rawRepresentation))
    }

    /// Starts a sign-in and returns the authorization request's query.
    func start(_ browser: inout TestBrowser, next: String? = nil) -> [String: String] {
        let response = browser.send("GET", "/login/upstream/school-op" + (next.map { "?next=" + FormCodec.encode($0) } ?? ""))
        #expect(response.status == 303)
        let location = response.headers["Location"] ?? ""
        return Dictionary(uniqueKeysWithValues: (URLComponents(string: location)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
    }

    /// The provider answers the code exchange with `token`.
    func provider(gives token: String) {
        let body = Array(#"{"access_token":"a","token_type":"Bearer","id_token":"\#(token)"}"#.utf8)
        app.upstreamTransport.onPost = { _ in (200, body) }
    }

    @Test func aPersonSignsInThroughTheProviderAndTheLinkIsKept() {
        var browser = TestBrowser(responder: app.responder())
        let login = browser.send("GET", "/login?school=school-1")
        #expect(login.text.contains("Continue with School OP") && login.text.contains("Sign in to School One"))
        let query = start(&browser, next: "/student")
        #expect(query["redirect_uri"] == "https://app.localhost/login/upstream/callback" && query["code_challenge_method"] == "S256")
        provider(gives: idToken(nonce: query["nonce"] ?? ""))
        let callback = browser.send("GET", "/login/upstream/callback?code=abc&state=\(query["state"] ?? "")")
        #expect(callback.status == 303 && callback.headers["Location"] == "/student")
        #expect(callback.setCookies.contains { $0.hasPrefix("__Host-cw_session=cw_ses_") })
        #expect(callback.setCookies.contains { $0.hasPrefix("__Host-cw_upstream=;") }, "the ticket is cleared")
        #expect(app.upstream.linkCount == 1)
        let account = browser.send("GET", "/account")
        #expect(account.status == 200 && account.text.contains("School OP") && account.text.contains("ada@school.test"))
        // The same callback again: the ticket is gone.
        let replay = browser.send("GET", "/login/upstream/callback?code=abc&state=\(query["state"] ?? "")")
        #expect(replay.status == 400 && replay.text.contains("This sign-in has expired or was already used."))
    }

    @Test func everyRefusalHasItsPageAndLeavesNoSessionAndNoLink() {
        let cases: [(changes: [(String, JSONValue)], status: Int, text: String)] = [
            ([("iss", "https://evil.example")], 400, "The answer came from another issuer than the one configured."),
            ([("aud", "someone-else")], 400, "The answer was meant for another application."),
            ([("nonce", "other")], 400, "The answer does not belong to this sign-in (nonce); start again."),
            ([("exp", .int(Int(app.clock.now.timeIntervalSince1970) - 600))], 400, "The provider&#39;s answer has expired; try again."),
        ]
        for (changes, status, text) in cases {
            var browser = TestBrowser(responder: app.responder())
            let query = start(&browser)
            provider(gives: idToken(nonce: query["nonce"] ?? "", changes: changes))
            let response = browser.send("GET", "/login/upstream/callback?code=abc&state=\(query["state"] ?? "")")
            #expect(response.status == status && response.text.contains(text), "\(changes)")
            #expect(!response.setCookies.contains { $0.hasPrefix("__Host-cw_session=cw_") })
        }
        var browser = TestBrowser(responder: app.responder())
        var query = start(&browser)
        let stateMismatch = browser.send("GET", "/login/upstream/callback?code=abc&state=forged")
        #expect(stateMismatch.status == 400 && stateMismatch.text.contains("This sign-in did not start in this browser."))
        query = start(&browser)
        let denied = browser.send("GET", "/login/upstream/callback?error=access_denied&error_description=%3Cscript%3E&state=\(query["state"] ?? "")")
        #expect(denied.status == 400 && denied.text.contains("The provider answered: access_denied: &lt;script&gt;"))
        query = start(&browser)
        app.upstreamTransport.onPost = { _ in (400, Array(#"{"error":"invalid_grant"}"#.utf8)) }
        let tokenError = browser.send("GET", "/login/upstream/callback?code=abc&state=\(query["state"] ?? "")")
        #expect(tokenError.status == 502 && tokenError.text.contains("it answered HTTP 400: invalid_grant"))
        query = start(&browser)
        provider(gives: idToken(nonce: query["nonce"] ?? "", email: "stranger@school.test"))
        let stranger = browser.send("GET", "/login/upstream/callback?code=abc&state=\(query["state"] ?? "")")
        #expect(stranger.status == 403 && stranger.text.contains("Your school has no person with this account."))
        #expect(app.upstream.linkCount == 0 && app.memory.sessionCount == 0)
        #expect(browser.send("GET", "/login/upstream/nobody").status == 404)
    }

    @Test func theRefusalsAfterTheProviderAnsweredAreInThePagesLanguage() {
        var browser = TestBrowser(responder: app.responder())
        var query = start(&browser)
        provider(gives: idToken(nonce: query["nonce"] ?? "", changes: [("aud", "someone-else")]))
        let spanish = browser.send(
            "GET", "/login/upstream/callback?code=abc&state=\(query["state"] ?? "")", headers: ["HTTP_ACCEPT_LANGUAGE": "es"])
        #expect(spanish.status == 400 && spanish.text.contains("La respuesta estaba destinada a otra aplicación."), "\(spanish.text)")
        #expect(!spanish.text.contains("The answer was meant for another application."))
        query = start(&browser)
        app.upstreamTransport.onPost = { _ in (400, Array(#"{"error":"invalid_grant"}"#.utf8)) }
        let arabic = browser.send(
            "GET", "/login/upstream/callback?code=abc&state=\(query["state"] ?? "")", headers: ["HTTP_ACCEPT_LANGUAGE": "ar"])
        // The provider's own error code is shown as it sent it, in the Arabic sentence.
        #expect(arabic.status == 502 && arabic.text.contains("تعذّر الوصول إلى المزوّد أو رفض الرمز: أجاب برمز HTTP 400: invalid_grant."))
        #expect(app.upstream.linkCount == 0 && app.memory.sessionCount == 0)
    }

    @Test func theLastWayToSignInCannotBeUnlinkedAndThePolicyCanRuleOutPasswords() throws {
        var browser = TestBrowser(responder: app.responder())
        let query = start(&browser)
        provider(gives: idToken(nonce: query["nonce"] ?? ""))
        #expect(browser.send("GET", "/login/upstream/callback?code=abc&state=\(query["state"] ?? "")").status == 303)
        let link = try #require(try app.upstream.links(of: ada.id).first)
        // Students may no longer use a password: the link is now the only way in, and the right password is refused.
        try app.upstream.setSignInPolicy(SchoolSignInPolicy(passwordRoles: [.teacher]), of: SchoolID(1), now: app.clock.now)
        let account = browser.send("GET", "/account")
        let csrf = TestBrowser.csrf(in: account) ?? ""
        let refused = browser.send("POST", "/account/linked/\(link.id)/remove", form: [("csrf", csrf)])
        #expect(refused.status == 409 && refused.text.contains("This is the only way you can sign in, so it cannot be removed."))
        var other = TestBrowser(responder: app.responder())
        let byPassword = other.signIn("ada@school.test", password)
        #expect(byPassword.status == 403 && byPassword.text.contains("Your school has you sign in with School OP instead of a password."))
        // With passwords allowed again, the link can go.
        try app.upstream.setSignInPolicy(.everyone, of: SchoolID(1), now: app.clock.now)
        let removed = browser.send("POST", "/account/linked/\(link.id)/remove", form: [("csrf", csrf)])
        #expect(removed.status == 303 && removed.headers["Location"] == "/account?unlinked=1")
        #expect(app.upstream.linkCount == 0)
    }

    @Test func anEmailOfAClaimedDomainLeadsToTheSchoolsProvider() throws {
        try app.upstream.setEmailDomains(["school.test"], of: SchoolID(1))
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/login")
        let csrf = TestBrowser.csrf(in: page) ?? ""
        let found = browser.send("POST", "/login/school", form: [("csrf", csrf), ("email", "Ada@School.test"), ("next", "/student")])
        #expect(found.status == 303 && found.headers["Location"] == "/login/upstream/school-op?next=/student&login_hint=ada%40school.test")
        let unknown = browser.send("POST", "/login/school", form: [("csrf", csrf), ("email", "x@elsewhere.test")])
        #expect(unknown.status == 200 && unknown.text.contains("No school signs in with accounts of elsewhere.test."))
        #expect(browser.send("GET", "/login?school=nowhere").text.contains("There is no school with that sign-in link."))
    }
}
