import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Two-step sign-in for school users through the routes: enrolment, the code step, the schools' rule and the
/// platform admin's duty.
@Suite struct SecondFactorRouteTests {
    let app = TestApp()
    let password = "correct horse battery"

    /// The seed on the setup page.
    func seed(in page: HTTPResponse) -> [UInt8]? {
        guard let range = page.text.range(of: "<code id=\"totp-secret\">") else { return nil }
        return Base32.decode(String(page.text[range.upperBound...].prefix { $0 != "<" }).replacingOccurrences(of: " ", with: ""))
    }

    @Test func aSchoolAdminMustSetItUpAndThenSignsInWithACodeOnce() throws {
        app.memory.addUser(role: .schoolAdmin, email: "head@school.test", hash: try testHasher.hash(password))
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("head@school.test", password).headers["Location"] == "/school")
        let sent = browser.send("GET", "/school")
        #expect(sent.status == 303 && sent.headers["Location"] == "/account/two-step?required=1", "the default policy requires school admins")
        let status = browser.send("GET", "/account/two-step?required=1")
        #expect(status.status == 200 && status.text.contains("Your school requires two-step sign-in"))
        #expect(browser.send("POST", "/account/two-step/start", form: [("csrf", TestBrowser.csrf(in: status) ?? "")]).status == 303)
        let setup = browser.send("GET", "/account/two-step/setup")
        let secret = try #require(seed(in: setup))
        let now = app.clock.now
        let confirmed = browser.send(
            "POST", "/account/two-step/confirm", form: [("csrf", TestBrowser.csrf(in: setup) ?? ""), ("code", TOTP.code(secret: secret, at: now))])
        #expect(confirmed.status == 200 && confirmed.text.contains("recovery-codes"))
        #expect(browser.send("GET", "/school").status == 200)

        // A new sign-in: no session from the password alone; the next step's code signs in, once.
        app.clock.advance(30)
        var again = TestBrowser(responder: app.responder())
        let first = again.signIn("head@school.test", password)
        #expect(first.status == 303 && first.headers["Location"] == "/login/two-step" && again.cookies["__Host-cw_session"] == nil)
        let step = again.send("GET", "/login/two-step")
        let wrong = again.send("POST", "/login/two-step", form: [("csrf", TestBrowser.csrf(in: step) ?? ""), ("code", "000000")])
        #expect(wrong.status == 422 || TOTP.code(secret: secret, at: app.clock.now) == "000000")
        let code = TOTP.code(secret: secret, at: app.clock.now)
        let done = again.send("POST", "/login/two-step", form: [("csrf", TestBrowser.csrf(in: step) ?? ""), ("code", code)])
        #expect(done.status == 303 && done.headers["Location"] == "/school")
        let digest = SecretToken.digest(again.cookies["__Host-cw_session"] ?? "")
        #expect(try app.memory.session(digest: digest)?.methods == [.password, .oneTimePassword])
        var replay = TestBrowser(responder: app.responder())
        _ = replay.signIn("head@school.test", password)
        let replayStep = replay.send("GET", "/login/two-step")
        let replayed = replay.send("POST", "/login/two-step", form: [("csrf", TestBrowser.csrf(in: replayStep) ?? ""), ("code", code)])
        #expect(replayed.status == 422 && replay.cookies["__Host-cw_session"] == nil)
        #expect(app.audit.events.contains(.secondFactorChanged))
    }

    @Test func thePlatformAdminMustHaveOneBeforeTheReviewPanelOpens() throws {
        app.memory.addUser(role: .platformAdmin, email: "root@platform.test", hash: try testHasher.hash(password))
        var browser = TestBrowser(responder: app.responder())
        _ = browser.signIn("root@platform.test", password)
        let sent = browser.send("GET", "/platform")
        #expect(sent.status == 303 && sent.headers["Location"] == "/account/two-step?required=1")
    }

    @Test func aSchoolThatRequiresNothingLeavesItOptional() throws {
        app.memory.addUser(role: .schoolAdmin, email: "head@school.test", hash: try testHasher.hash(password))
        try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(1), now: app.clock.now)
        var browser = TestBrowser(responder: app.responder())
        _ = browser.signIn("head@school.test", password)
        #expect(browser.send("GET", "/school").status == 200)
    }
}
