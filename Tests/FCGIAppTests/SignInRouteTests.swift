import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// A browser-like client over the router: keeps cookies, reads the CSRF field, posts forms.
struct TestBrowser {
    let responder: SiteResponder
    var cookies: [String: String] = [:]

    mutating func send(
        _ method: String, _ uri: String, form: [(String, String)]? = nil, headers: [String: String] = [:], body raw: [UInt8] = []
    ) -> HTTPResponse {
        var params = headers
        if !cookies.isEmpty { params["HTTP_COOKIE"] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var body = raw
        if let form {
            params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            body = Array(form.map { "\(FormCodec.encode($0.0))=\(FormCodec.encode($0.1))" }.joined(separator: "&").utf8)
        }
        let response = responder.respond(to: rawRequest(method, uri, headers: params, body: body))
        for cookie in response.setCookies {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if cookie.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = String(pair[1]) }
        }
        return response
    }

    /// The value of the first `csrf` hidden field of a page.
    static func csrf(in page: HTTPResponse) -> String? {
        guard let range = page.text.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page.text[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Opens the sign-in page and submits it.
    mutating func signIn(_ identifier: String, _ password: String, next: String? = nil) -> HTTPResponse {
        let page = send("GET", "/login")
        var form = [("csrf", Self.csrf(in: page) ?? ""), ("identifier", identifier), ("password", password)]
        if let next { form.append(("next", next)) }
        return send("POST", "/login", form: form)
    }
}

@Suite struct SignInRouteTests {
    let app = TestApp()
    let password = "correct horse battery"

    init() {
        app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: try! testHasher.hash(password))
    }

    @Test func aStudentSignsInAndLandsOnTheirPageWithAHostOnlySessionCookie() {
        var browser = TestBrowser(responder: app.responder())
        let response = browser.signIn("ada@school.test", password)
        #expect(response.status == 303)
        #expect(response.headers["Location"] == "/student")
        let cookie = response.setCookies.first { $0.hasPrefix("__Host-cw_session=cw_ses_") }
        #expect(cookie != nil)
        #expect(cookie?.contains("; Path=/; Secure; HttpOnly; SameSite=Lax") == true)
        #expect(app.memory.sessionCount == 1)
    }

    @Test func theUsernameWorksAsWellAsTheEmailInAnyCase() {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("  ADA ", password).status == 303)
    }

    @Test func anUnknownAccountAndAWrongPasswordGetTheSameAnswer() {
        var browser = TestBrowser(responder: app.responder())
        let wrong = browser.signIn("ada@school.test", "not the password")
        let unknown = browser.signIn("nobody@school.test", "not the password")
        #expect(wrong.status == 200)
        #expect(unknown.status == 200)
        #expect(wrong.text.contains(SignInRoutes.failedMessage))
        #expect(unknown.text.contains(SignInRoutes.failedMessage))
        #expect(wrong.setCookies.allSatisfy { !$0.hasPrefix("__Host-cw_session") })
    }

    @Test func fiveFailuresLockTheAccountUntilTheLockOutEnds() {
        var browser = TestBrowser(responder: app.responder())
        for _ in 1...5 { #expect(browser.signIn("ada@school.test", "wrong password").status == 200) }
        let locked = browser.signIn("ada@school.test", password)
        #expect(locked.status == 429)
        #expect(locked.headers["Retry-After"] == "60")
        #expect(locked.text.contains("Too many failed sign-ins"))
        app.clock.advance(61)
        #expect(browser.signIn("ada@school.test", password).status == 303)
    }

    @Test func aSuccessUnderTheUsernameClearsFailuresUnderTheEmail() {
        var browser = TestBrowser(responder: app.responder())
        for _ in 1...4 { _ = browser.signIn("ada@school.test", "wrong password") }
        #expect(browser.signIn("ada", password).status == 303)
        var other = TestBrowser(responder: app.responder())
        for _ in 1...4 { #expect(other.signIn("ada@school.test", "wrong password").status == 200) }
        #expect(other.signIn("ada@school.test", password).status == 303)
    }

    @Test func aDeviceThatSignedInBeforeIsNotLockedOutByAClassmateGuessingItsName() {
        var ada = TestBrowser(responder: app.responder())
        let first = ada.signIn("ada", password)
        let device = first.setCookies.first { $0.hasPrefix("__Host-cw_device=") }
        #expect(device?.contains("; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=15552000") == true)
        // The cookie does not show the name.
        #expect(device.map { !$0.lowercased().contains("ada") } == true)

        // A classmate at the same address types Ada's name until it locks.
        var classmate = TestBrowser(responder: app.responder())
        for _ in 1...6 { _ = classmate.signIn("ada", "a guess") }
        #expect(classmate.signIn("ada", password).status == 429)
        // Ada, on her device, signs in all the same (her session has ended); her own wrong guesses count against the
        // device alone.
        ada.cookies["__Host-cw_session"] = nil
        #expect(ada.signIn("ADA", password).status == 303)
        ada.cookies["__Host-cw_session"] = nil
        for _ in 1...5 { #expect(ada.signIn("ada", "typo").status == 200) }
        #expect(ada.signIn("ada", password).status == 429)
        // A forged or foreign entry is no device at all.
        var forger = TestBrowser(responder: app.responder())
        forger.cookies["__Host-cw_device"] = ada.cookies["__Host-cw_device"].map { cookie in
            cookie.split(separator: "~").map { entry in
                var parts = entry.split(separator: ".").map(String.init)
                parts[2] = String(repeating: "A", count: 22)
                return parts.joined(separator: ".")
            }.joined(separator: "~")
        }
        // (Ada's success cleared the name's lock; the forger's guesses count under the name again.)
        for _ in 1...5 { #expect(forger.signIn("ada", "a guess").status == 200) }
        #expect(classmate.signIn("ada", password).status == 429)
    }

    @Test func aSharedAddressPastItsLimitIsSlowedForSecondsNotLockedAndTrustedDevicesPassAtOnce() {
        var app = TestApp()
        app.configuration.signIn.throttlePolicy.addressLimit = 6
        app.memory.addUser(role: .student, email: "bo@school.test", username: "bo", hash: try! testHasher.hash(password))
        var bo = TestBrowser(responder: app.responder())
        #expect(bo.signIn("bo", password).status == 303)

        // One pupil guesses at many names from the school's one address.
        var guesser = TestBrowser(responder: app.responder())
        for n in 1...6 { #expect(guesser.signIn("name\(n)", "guess").status == 200) }
        let slowed = guesser.signIn("name7", "guess")
        #expect(slowed.status == 429 && slowed.headers["Retry-After"] == "3")
        // A classmate on a new device waits seconds, not the five-minute lock-out.
        app.clock.advance(3)
        #expect(guesser.signIn("name8", "guess").status == 200)
        #expect(guesser.signIn("name9", "guess").headers["Retry-After"] == "6")
        // Bo's device is not slowed at all.
        bo.cookies["__Host-cw_session"] = nil
        #expect(bo.signIn("bo", password).status == 303)
        app.clock.advance(6)
        var newcomer = TestBrowser(responder: app.responder())
        #expect(newcomer.signIn("bo", password).status == 303)
    }

    @Test func anUnknownAccountIsLockedLikeAKnownOne() {
        var browser = TestBrowser(responder: app.responder())
        for _ in 1...5 { _ = browser.signIn("ghost@school.test", "whatever it is") }
        #expect(browser.signIn("ghost@school.test", "whatever it is").status == 429)
    }

    @Test func aFormWithoutItsCSRFTokenIsRefused() {
        var browser = TestBrowser(responder: app.responder())
        _ = browser.send("GET", "/login")
        let response = browser.send("POST", "/login", form: [("identifier", "ada@school.test"), ("password", password)])
        #expect(response.status == 403)
        #expect(response.text.contains("This form has expired"))
        #expect(app.memory.sessionCount == 0)
    }

    @Test func aFormFromAnotherOriginIsRefusedEvenWithAToken() {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/login")
        let response = browser.send(
            "POST", "/login", form: [("csrf", TestBrowser.csrf(in: page)!), ("identifier", "ada@school.test"), ("password", password)],
            headers: ["HTTP_ORIGIN": "https://evil.example"])
        #expect(response.status == 403)
    }

    @Test func aBrowserPostUnderNoReferrerWithOriginNullIsAccepted() {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/login")
        let response = browser.send(
            "POST", "/login", form: [("csrf", TestBrowser.csrf(in: page)!), ("identifier", "ada@school.test"), ("password", password)],
            headers: ["HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"])
        #expect(response.status == 303)
    }

    @Test func aCrossSitePostIsRefusedByItsFetchMetadata() {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/login")
        let response = browser.send(
            "POST", "/login", form: [("csrf", TestBrowser.csrf(in: page)!), ("identifier", "ada@school.test"), ("password", password)],
            headers: ["HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "cross-site"])
        #expect(response.status == 403)
    }

    @Test func signOutEndsTheSessionOnTheServer() {
        var browser = TestBrowser(responder: app.responder())
        _ = browser.signIn("ada@school.test", password)
        let stolen = browser.cookies
        let page = browser.send("GET", "/student")
        #expect(page.status == 200)
        let out = browser.send("POST", "/logout", form: [("csrf", TestBrowser.csrf(in: page)!)])
        #expect(out.status == 303)
        #expect(out.headers["Location"] == "/login?signed_out=1")
        #expect(app.memory.sessionCount == 0)
        var replay = TestBrowser(responder: app.responder(), cookies: stolen)
        let again = replay.send("GET", "/student")
        #expect(again.status == 303)
        #expect(again.headers["Location"] == "/login?next=/student")
    }

    @Test func signingInReplacesASessionPlantedInTheBrowser() {
        var attacker = TestBrowser(responder: app.responder())
        _ = attacker.signIn("ada@school.test", password)
        let planted = attacker.cookies["__Host-cw_session"]
        var victim = TestBrowser(responder: app.responder())
        let page = victim.send("GET", "/login")
        victim.cookies["__Host-cw_session"] = planted
        let response = victim.send(
            "POST", "/login", form: [("csrf", TestBrowser.csrf(in: page)!), ("identifier", "ada@school.test"), ("password", password)])
        #expect(response.status == 303)
        #expect(victim.cookies["__Host-cw_session"] != planted)
        #expect(app.memory.sessionCount == 1)
        #expect(attacker.send("GET", "/student").status == 303)
    }

    @Test func anIdleSessionExpires() {
        var browser = TestBrowser(responder: app.responder())
        _ = browser.signIn("ada@school.test", password)
        app.clock.advance(29 * 60)
        #expect(browser.send("GET", "/student").status == 200)
        app.clock.advance(29 * 60)
        #expect(browser.send("GET", "/student").status == 200)
        app.clock.advance(31 * 60)
        #expect(browser.send("GET", "/student").status == 303)
        #expect(app.memory.sessionCount == 0)
    }

    @Test func anotherRolesPageIsNotFound() {
        var browser = TestBrowser(responder: app.responder())
        _ = browser.signIn("ada@school.test", password)
        #expect(browser.send("GET", "/teacher").status == 404)
        #expect(browser.send("GET", "/school").status == 404)
        #expect(browser.send("GET", "/parent/children/1").status == 404)
    }

    @Test(arguments: [
        ("/student", "/student"), ("//evil.example/x", "/student"), ("/\\evil.example", "/student"), ("https://evil.example", "/student"),
    ])
    func theNextTargetMustBeAPathOnThisSite(next: String, expected: String) {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("ada@school.test", password, next: next).headers["Location"] == expected)
    }

    @Test func aForgottenPasswordIsResetOnceThroughTheMailedLink() throws {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/password/forgot")
        let sent = browser.send("POST", "/password/forgot", form: [("csrf", TestBrowser.csrf(in: page)!), ("email", "ada@school.test")])
        #expect(sent.text.contains("reset-sent"))
        let mail = try #require(app.outbox.messages.first)
        #expect(mail.to == "ada@school.test")
        let link = try #require(mail.body.split(separator: "\n").first { $0.contains("/password/reset?token=") })
        let path = String(link[link.range(of: "/password/reset")!.lowerBound...])
        let form = browser.send("GET", path)
        #expect(form.status == 200)
        let token = String(path.split(separator: "=")[1])
        let fields = [
            ("csrf", TestBrowser.csrf(in: form)!), ("token", token), ("password", "a brand new passphrase"),
            ("confirmation", "a brand new passphrase"),
        ]
        #expect(browser.send("POST", "/password/reset", form: fields).headers["Location"] == "/login?reset=1")
        #expect(browser.send("POST", "/password/reset", form: fields).status == 400)
        #expect(browser.send("GET", path).status == 400)
        #expect(browser.signIn("ada@school.test", "a brand new passphrase").status == 303)
    }

    /// The reset mail goes out after the page: how long the page takes must not tell whether the address has
    /// an account.
    @Test func theResetMailIsSentOnlyAfterTheResponse() throws {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/password/forgot")
        let form = Array("csrf=\(FormCodec.encode(TestBrowser.csrf(in: page)!))&email=ada%40school.test".utf8)
        let cookies = page.setCookies.map { String($0.split(separator: ";")[0]) }.joined(separator: "; ")
        let (response, afterResponse) = app.responder().respondDeferring(
            to: rawRequest(
                "POST", "/password/forgot", headers: ["CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_COOKIE": cookies], body: form))
        #expect(response.text.contains("reset-sent"))
        #expect(app.outbox.messages.isEmpty, "nothing is mailed before the response is sent")
        afterResponse.run()
        #expect(try #require(app.outbox.messages.first).to == "ada@school.test")
    }

    @Test func anUnknownAddressGetsTheSameAnswerAndNoMail() {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/password/forgot")
        let sent = browser.send("POST", "/password/forgot", form: [("csrf", TestBrowser.csrf(in: page)!), ("email", "who@school.test")])
        #expect(sent.status == 200)
        #expect(sent.text.contains("reset-sent"))
        #expect(app.outbox.messages.isEmpty)
    }

    @Test func aShortNewPasswordIsRefusedNextToTheField() {
        var browser = TestBrowser(responder: app.responder())
        _ = browser.signIn("ada@school.test", password)
        let page = browser.send("GET", "/account/password")
        let response = browser.send(
            "POST", "/account/password",
            form: [("csrf", TestBrowser.csrf(in: page)!), ("current", password), ("password", "short"), ("confirmation", "short")])
        #expect(response.status == 422)
        #expect(response.text.contains("id=\"password-error\""))
    }
}
