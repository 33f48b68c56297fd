import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Regression tests of the security review's findings, through the router `main` builds, over the store twins.
@Suite struct HardeningRouteTests {
    let app = TestApp()
    let password = "correct horse battery staple"
    let student: UserAccount

    init() throws {
        student = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: try testHasher.hash(password))
    }

    private func changePassword(_ browser: inout TestBrowser, current: String, new: String = "a much better passphrase 2026") -> HTTPResponse {
        let page = browser.send("GET", "/account/password")
        return browser.send(
            "POST", "/account/password",
            form: [("csrf", TestBrowser.csrf(in: page) ?? ""), ("current", current), ("password", new), ("confirmation", new)])
    }

    @Test func wrongCurrentPasswordsAreThrottledPerPersonWithRetryAfter() throws {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("ada@school.test", password).status == 303)
        let limit = app.configuration.signIn.throttlePolicy.accountLimit
        for _ in 0..<limit {
            #expect(changePassword(&browser, current: "wrong guess").status == 422)
        }
        let throttled = changePassword(&browser, current: "wrong guess")
        #expect(throttled.status == 429)
        #expect(Int(throttled.headers["Retry-After"] ?? "") ?? 0 > 0)
        // Even the right password waits out the lock: the session cannot keep guessing.
        #expect(changePassword(&browser, current: password).status == 429)
        // The person's own sign-in name is not locked by the session's guesses.
        var other = TestBrowser(responder: app.responder())
        #expect(other.signIn("ada@school.test", password).status == 303)
    }

    @Test func aPasswordChangeRevokesEveryGrantAndSaysSo() throws {
        try app.oauth.createClient(
            OAuthClient(
                clientID: ClientID("app"), name: "App", developerName: "Dev", kind: .confidential, redirectURIs: [], allowedScopes: ["openid"]),
            now: app.clock.now)
        _ = try app.oauth.createGrant(
            client: ClientID("app"), user: student.id, scopes: ["openid"], authTime: app.clock.now,
            tokens: [NewToken(digest: SecretToken.digest("cw_at_before"), kind: .access, expiresAt: app.clock.now + 3600)], now: app.clock.now)
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("ada@school.test", password).status == 303)
        let changed = changePassword(&browser, current: password)
        #expect(changed.status == 303 && changed.headers["Location"] == "/account/password?changed=1")
        #expect(try app.oauth.token(digest: SecretToken.digest("cw_at_before"))?.isActive(at: app.clock.now) == false)
        #expect(browser.send("GET", "/account/password?changed=1").text.contains("apps you had connected must be signed in to again"))
    }

    @Test func forgotPasswordMailsOnePersonOncePerCoolDown() throws {
        var browser = TestBrowser(responder: app.responder())
        for _ in 0..<5 {
            let page = browser.send("GET", "/password/forgot")
            let sent = browser.send("POST", "/password/forgot", form: [("csrf", TestBrowser.csrf(in: page) ?? ""), ("email", "ada@school.test")])
            #expect(sent.status == 200)
        }
        #expect(app.outbox.messages.count == 1)
        app.clock.advance(app.configuration.signIn.resetMailCooldown + 1)
        let page = browser.send("GET", "/password/forgot")
        _ = browser.send("POST", "/password/forgot", form: [("csrf", TestBrowser.csrf(in: page) ?? ""), ("email", "ada@school.test")])
        #expect(app.outbox.messages.count == 2)
    }

    @Test(arguments: ["/api/oauth/token/", "//api/oauth/token", "/api/oauth/introspect/"])
    func anotherSpellingOfAnOAuthEndpointIsNotServed(path: String) {
        let response = app.responder().respond(
            to: rawRequest(
                "POST", path, headers: ["CONTENT_TYPE": "application/x-www-form-urlencoded"], body: Array("grant_type=client_credentials".utf8)))
        #expect(response.status == 404)
    }

    @Test func aHeaderThatWouldSplitTheHeaderBlockIsRefusedNotWritten() {
        let responder = app.responder(environment: .test)
        let fine = responder.respond(to: rawRequest("GET", "/internal/test/header?value=plain"))
        #expect(fine.status == 200 && fine.headers["X-Test-Echo"] == "plain")
        for value in ["a%0D%0AX-Injected:%201", "a%0Ab", "a%00b", "a%01b", "a%7Fb"] {
            let refused = responder.respond(to: rawRequest("GET", "/internal/test/header?value=\(value)"))
            #expect(refused.status == 500)
            #expect(refused.headers["X-Test-Echo"] == nil && refused.headers["X-Injected"] == nil)
            #expect(refused.headers.isWireSafe)
        }
    }

    @Test func theHashingGateRefusesWithRetryAfterWhenEveryTurnIsTaken() throws {
        let slow = BlockingHasher()
        let gate = PasswordHashingGate(slow, concurrency: 1)
        let started = DispatchSemaphore(value: 0)
        let holder = Thread {
            started.signal()
            _ = try? gate.verify("x", against: "held")
        }
        holder.start()
        started.wait()
        slow.entered.wait()
        // No turn comes within a second: refused, never queued for long.
        let began = Date()
        #expect(throws: PasswordHashingGate.Busy.self) { try gate.verify("y", against: "z") }
        #expect(Date().timeIntervalSince(began) >= 0.9)
        slow.release.signal()
        let response = PasswordHashingGate.Busy().response(ErrorStyle(json: false, requestID: "r"))
        #expect(response.status == 503 && response.headers["Retry-After"] == "2")
        #expect(try gate.verify("y", against: "z") == false)
    }
}

/// A hasher whose first check blocks until released, to hold the gate's only turn.
final class BlockingHasher: PasswordHasher, @unchecked Sendable {
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    var parameters: String { "blocking" }
    func hash(_ password: String) throws -> String { "hash" }
    func needsRehash(_ hash: String) -> Bool { false }
    func verify(_ password: String, against hash: String) throws -> Bool {
        if hash == "held" {
            entered.signal()
            release.wait()
        }
        return false
    }
}

@Suite struct MailCooldownTests {
    @Test func oneClaimPerCooldownPerPersonAndKind() throws {
        let store = MemoryAccounts()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try MailCooldown.claim(store, kind: "reset", person: "user:1", cooldown: 60, now: now))
        #expect(try !MailCooldown.claim(store, kind: "reset", person: "user:1", cooldown: 60, now: now + 30))
        #expect(try MailCooldown.claim(store, kind: "reset", person: "user:2", cooldown: 60, now: now + 30))
        #expect(try MailCooldown.claim(store, kind: "verify", person: "user:1", cooldown: 60, now: now + 30))
        #expect(try MailCooldown.claim(store, kind: "reset", person: "user:1", cooldown: 60, now: now + 60))
        // A claim does not count against the person's sign-in: it has a namespace of its own.
        #expect(try store.throttleState(key: SignInThrottlePolicy.key(.account, "user:1")) == nil)
    }
}
