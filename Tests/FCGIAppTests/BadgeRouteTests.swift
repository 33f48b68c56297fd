import Domain
import Foundation
import Native
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// QR badges (issue 16, item 3) over the twins: sign-in with a badge's secret, rotation and revocation by the people
/// responsible, the school's policy, badges on printed cards, and the audit entries.
@Suite struct BadgeRouteTests {
    let app = TestApp()
    let password = "correct horse battery"
    let admin: UserAccount
    let teacher: UserAccount
    let otherTeacher: UserAccount
    let ada: UserAccount
    let bo: UserAccount
    let cy: UserAccount
    let ownClass: ClassID
    let otherClass: ClassID

    init() {
        let hash = try! testHasher.hash(password)
        let memory = app.memory
        admin = memory.addUser(role: .schoolAdmin, email: "admin@school.test", username: "admin", hash: hash)
        teacher = memory.addUser(role: .teacher, email: "teacher@school.test", username: "teacher", hash: hash)
        otherTeacher = memory.addUser(role: .teacher, email: "other@school.test", username: "other", hash: hash)
        ada = memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: hash)
        bo = memory.addUser(role: .student, email: "bo@school.test", username: "bo", hash: hash)
        cy = memory.addUser(role: .student, email: "cy@school.test", username: "cy", hash: hash)
        ownClass = memory.addClass(title: "Mathematics 7A", teachers: [teacher.id], students: [ada.id, bo.id])
        otherClass = memory.addClass(title: "Art 7B", teachers: [otherTeacher.id], students: [cy.id])
        try! app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(1), now: app.clock.now)
    }

    /// A badge planted for `user` with a known secret (route answers show secrets only inside QR drawings).
    @discardableResult
    func plant(_ user: UserAccount, _ fill: Character = "A") -> String {
        let text = String(repeating: fill, count: 42) + "Q"
        _ = try! app.badges.issueBadge(
            digest: BadgeSecret(submitted: text)!.digest(key: app.oauthKeys.badgeKey), to: user.id, replacing: true, now: app.clock.now)
        return text
    }

    func signedIn(_ name: String) -> TestBrowser {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn(name, password).status == 303)
        return browser
    }

    func post(_ browser: inout TestBrowser, _ path: String, _ form: [(String, String)]) -> HTTPResponse {
        let csrf = TestBrowser.csrf(in: browser.send("GET", "/account/password")) ?? ""
        return browser.send("POST", path, form: [("csrf", csrf)] + form)
    }

    /// Opens the badge page and posts `secret` as its script would, from `address`.
    func badgeSignIn(_ browser: inout TestBrowser, _ secret: String, from address: String = "127.0.0.1") -> HTTPResponse {
        let page = browser.send("GET", "/login/badge", headers: ["REMOTE_ADDR": address])
        return browser.send(
            "POST", "/login/badge", form: [("csrf", TestBrowser.csrf(in: page) ?? ""), ("secret", secret)], headers: ["REMOTE_ADDR": address])
    }

    @Test func theBadgePageLoadsItsScriptFromAssetsAndTheScriptClearsTheFragmentBeforePosting() {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/login/badge")
        #expect(page.status == 200)
        #expect(page.headers["Cache-Control"] == "no-store")
        #expect(page.text.contains("<script src=\"/assets/badge.js\"></script>"))
        #expect(page.text.contains("id=\"badge-form\" method=\"post\" action=\"/login/badge\""))
        let script = browser.send("GET", "/assets/badge.js")
        #expect(script.status == 200)
        #expect(script.headers["Content-Type"] == "text/javascript; charset=utf-8")
        let text = script.text
        let cleared = try! #require(text.range(of: "history.replaceState"))
        let submitted = try! #require(text.range(of: "send(fromLink)"))
        #expect(cleared.lowerBound < submitted.lowerBound)
    }

    @Test func aStudentSignsInWithTheirBadgeAsAmrScAndTheAuditLogSaysSo() throws {
        let secret = plant(ada)
        var browser = TestBrowser(responder: app.responder())
        let response = badgeSignIn(&browser, secret)
        #expect(response.status == 303)
        #expect(response.headers["Location"] == "/student")
        #expect(response.setCookies.contains { $0.hasPrefix("__Host-cw_session=") })
        #expect(browser.send("GET", "/student").status == 200)
        let entry = try #require(app.audit.all.last { $0.event == .signIn })
        #expect(entry.subject == ada.id && entry.method == "sc")
    }

    @Test func aWrongOrMalformedBadgeIsRefusedAuditedAndCountedAgainstTheAddress() throws {
        plant(ada)
        var browser = TestBrowser(responder: app.responder())
        let wrong = badgeSignIn(&browser, String(repeating: "B", count: 42) + "Q")
        #expect(wrong.status == 400)
        #expect(wrong.text.contains("This badge does not work"))
        #expect(!wrong.setCookies.contains { $0.hasPrefix("__Host-cw_session=") })
        let malformed = badgeSignIn(&browser, "not a badge")
        #expect(malformed.status == 400)
        #expect(malformed.text.contains("This is not a badge code"))
        let failures = app.audit.all.filter { $0.event == .signInFailed }
        #expect(failures.map(\.detail) == ["unknown badge", "malformed badge"])
        #expect(failures.allSatisfy { $0.method == "sc" && $0.subject == nil })
    }

    @Test func repeatedFailuresFromOneAddressLockItOutEvenForAGoodBadge() {
        let secret = plant(ada)
        var tight = app
        tight.configuration.signIn.throttlePolicy.addressLimit = 5
        var browser = TestBrowser(responder: tight.responder())
        for _ in 0..<30 {
            if badgeSignIn(&browser, String(repeating: "C", count: 42) + "Q").status == 429 { break }
        }
        let locked = badgeSignIn(&browser, secret)
        #expect(locked.status == 429)
        #expect(locked.headers["Retry-After"] != nil)
        // Another address is not affected.
        var elsewhere = TestBrowser(responder: tight.responder())
        #expect(badgeSignIn(&elsewhere, secret, from: "192.0.2.9").status == 303)
    }

    @Test func aBadgeWithoutTheFormTokenIsRefused() {
        let secret = plant(ada)
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.send("POST", "/login/badge", form: [("secret", secret)]).status == 403)
        #expect(app.audit.all.filter { $0.event == .signIn }.isEmpty)
    }

    @Test func theBadgeOfADeactivatedStudentIsRefused() throws {
        let secret = plant(bo)
        app.memory.deactivate(bo.id)
        var browser = TestBrowser(responder: app.responder())
        let response = badgeSignIn(&browser, secret)
        #expect(response.status == 400)
        #expect(response.text.contains("switched off"))
    }

    @Test func aTeacherOfAnotherClassGets404AndTheBadgeKeepsWorking() {
        let secret = plant(cy)
        var browser = signedIn("teacher")
        #expect(post(&browser, "/teacher/classes/\(ownClass)/students/\(cy.id)/badge", [("action", "rotate")]).status == 404)
        #expect(post(&browser, "/teacher/classes/\(otherClass)/students/\(cy.id)/badge", [("action", "revoke")]).status == 404)
        #expect(post(&browser, "/school/users/\(cy.id)/badge", [("action", "revoke")]).status == 404)
        #expect(app.audit.events.filter { $0 == .badgeChanged }.isEmpty)
        var student = TestBrowser(responder: app.responder())
        #expect(badgeSignIn(&student, secret).status == 303)
    }

    @Test func rotationShowsTheNewCodeOnceAndTheOldSecretFailsAtOnce() throws {
        let old = plant(ada)
        var browser = signedIn("teacher")
        let form = browser.send("GET", "/teacher/classes/\(ownClass)/students/\(ada.id)/password")
        #expect(form.text.contains("id=\"badge-rotate\""))
        #expect(form.text.contains("id=\"badge-revoke\""))
        let rotated = post(&browser, "/teacher/classes/\(ownClass)/students/\(ada.id)/badge", [("action", "rotate")])
        #expect(rotated.status == 200)
        #expect(rotated.headers["Cache-Control"] == "no-store")
        #expect(rotated.text.contains("class=\"badge-qr\""))
        #expect(!rotated.text.contains("/login/badge#"))
        let entry = try #require(app.audit.all.last { $0.event == .badgeChanged })
        #expect(entry.actor == teacher.id && entry.subject == ada.id && entry.detail == "badge rotated")
        var student = TestBrowser(responder: app.responder())
        #expect(badgeSignIn(&student, old).status == 400)
        #expect(try app.badges.badgeDates(of: [ada.id])[ada.id] != nil)
    }

    @Test func anAdminRevokesABadgeOfAnyoneOfTheSchoolAndItStopsWorking() throws {
        let secret = plant(cy)
        var browser = signedIn("admin")
        let revoked = post(&browser, "/school/users/\(cy.id)/badge", [("action", "revoke")])
        #expect(revoked.status == 200)
        #expect(revoked.text.contains("no longer works"))
        #expect(app.audit.all.last { $0.event == .badgeChanged }?.detail == "badge revoked")
        var student = TestBrowser(responder: app.responder())
        #expect(badgeSignIn(&student, secret).status == 400)
        #expect(post(&browser, "/school/users/\(cy.id)/badge", [("action", "explode")]).status == 400)
    }

    @Test func thePolicyRefusesARoleItDoesNotAllowAndAddressesOutsideItsNetworks() throws {
        let adaSecret = plant(ada)
        let teacherSecret = plant(teacher, "T")
        var adminBrowser = signedIn("admin")
        let saved = post(
            &adminBrowser, "/school/sign-in/badges", [("badge_roles", "student"), ("badge_networks", "192.0.2.0/24\n2001:db8:42::/48")])
        #expect(saved.status == 303)
        let settings = adminBrowser.send("GET", "/school/sign-in")
        #expect(settings.text.contains("192.0.2.0/24\n2001:db8:42::/48"))
        #expect(try app.badges.badgePolicy(of: SchoolID(1)).networks.count == 2)
        #expect(app.audit.all.last { $0.event == .signInPolicyChanged }?.detail == "badges for: student; networks: 192.0.2.0/24 2001:db8:42::/48")

        var home = TestBrowser(responder: app.responder())
        let outside = badgeSignIn(&home, adaSecret, from: "198.51.100.7")
        #expect(outside.status == 403)
        #expect(outside.text.contains("Badges work only at school"))
        #expect(app.audit.all.last { $0.event == .signInFailed }?.subject == ada.id)
        var school = TestBrowser(responder: app.responder())
        #expect(badgeSignIn(&school, adaSecret, from: "2001:db8:42:1::20").status == 303)

        var staff = TestBrowser(responder: app.responder())
        let refused = badgeSignIn(&staff, teacherSecret, from: "192.0.2.10")
        #expect(refused.status == 403)
        #expect(refused.text.contains("does not allow badge sign-in"))
    }

    @Test func aBadNetworkOrRoleInThePolicyFormIsAClearErrorAndChangesNothing() throws {
        var browser = signedIn("admin")
        let bad = post(&browser, "/school/sign-in/badges", [("badge_roles", "student"), ("badge_networks", "10.0.0.0/8 school-wifi")])
        #expect(bad.status == 400)
        #expect(bad.text.contains("school-wifi is not a network range"))
        #expect(post(&browser, "/school/sign-in/badges", [("badge_roles", "platform_admin")]).status == 400)
        #expect(try app.badges.badgePolicy(of: SchoolID(1)) == .standard)
    }

    @Test func cardsMakeBadgesForStudentsWithoutOneAndLeaveOthersUnchangedUnlessAsked() throws {
        let adaSecret = plant(ada)
        var browser = signedIn("teacher")
        let page = browser.send("GET", "/teacher/classes/\(ownClass)/cards")
        #expect(page.text.contains("name=\"new_badges\""))
        #expect(page.text.contains("data-badge=\"unchanged\""))
        let first = post(&browser, "/teacher/classes/\(ownClass)/cards", [("format", "html")])
        #expect(first.status == 200)
        // Bo got a new badge drawn on his card; Ada's stays as it was, and her card says so.
        #expect(first.text.components(separatedBy: "data-badge=\"new\"").count == 2)
        #expect(first.text.components(separatedBy: "data-badge=\"unchanged\"").count == 2)
        #expect(app.audit.all.filter { $0.event == .badgeChanged }.map(\.subject) == [bo.id])
        var student = TestBrowser(responder: app.responder())
        #expect(badgeSignIn(&student, adaSecret).status == 303)

        let again = post(&browser, "/teacher/classes/\(ownClass)/cards", [("format", "html"), ("new_badges", "1")])
        #expect(again.text.components(separatedBy: "data-badge=\"new\"").count == 3)
        #expect(
            app.audit.all.filter { $0.event == .badgeChanged }.map(\.detail).suffix(2)
                == Array(repeating: "badge rotated with sign-in cards", count: 2))
        var later = TestBrowser(responder: app.responder())
        #expect(badgeSignIn(&later, adaSecret).status == 400)
        let pdf = post(&browser, "/teacher/classes/\(ownClass)/cards", [("format", "pdf")])
        #expect(pdf.headers["Content-Type"] == "application/pdf")
        #expect(String(decoding: pdf.body, as: UTF8.self).contains("Badge unchanged:"))
    }

    @Test func noBadgesAreMadeWhenTheSchoolAllowsNoStudentBadges() throws {
        try app.badges.setBadgePolicy(BadgePolicy(roles: [], networks: []), of: SchoolID(1), now: app.clock.now)
        var browser = signedIn("teacher")
        let cards = post(&browser, "/teacher/classes/\(ownClass)/cards", [("format", "html")])
        #expect(!cards.text.contains("data-badge="))
        #expect(try app.badges.badgeDates(of: [ada.id, bo.id]).isEmpty)
        #expect(post(&browser, "/teacher/classes/\(ownClass)/students/\(ada.id)/badge", [("action", "rotate")]).status == 400)
    }

    /// `text` as a QR code drawn the way a camera sees a card: `scale` pixels a module, a white quiet zone, grey
    /// pixels one byte each; the frame is `side` × `side`.
    func frame(of text: String, side: Int = 240, scale: Int = 4) throws -> [UInt8] {
        let code = try QRCode(encoding: text)
        var pixels = [UInt8](repeating: 235, count: side * side)
        let offset = (side - code.width * scale) / 2
        for y in 0..<code.width * scale {
            for x in 0..<code.width * scale where code.isDark(x: x / scale, y: y / scale) {
                pixels[(offset + y) * side + offset + x] = 20
            }
        }
        return pixels
    }

    /// Sends a frame as the page's script does, with the signed-out form's token.
    func scan(_ browser: inout TestBrowser, _ pixels: [UInt8], w: Int = 240, h: Int = 240, token: Bool = true) -> HTTPResponse {
        let page = browser.send("GET", "/login/badge")
        let csrf = TestBrowser.csrf(in: page) ?? ""
        return browser.send(
            "POST", "/badge/frame?w=\(w)&h=\(h)",
            headers: ["CONTENT_TYPE": "application/octet-stream"].merging(token ? ["HTTP_X_CSRF_TOKEN": csrf] : [:]) { a, _ in a },
            body: pixels)
    }

    @Test func aCameraFrameShowingABadgeGivesItsSecretToThePageAndSignsNobodyIn() throws {
        let secret = plant(ada)
        var browser = TestBrowser(responder: app.responder())
        let answer = scan(&browser, try frame(of: "https://app.localhost/login/badge#" + secret))
        #expect(answer.status == 200)
        #expect(answer.headers["Content-Type"]?.hasPrefix("application/json") == true)
        #expect(answer.headers["Cache-Control"] == "no-store")
        #expect(answer.text == #"{"badge":"\#(secret)"}"#)
        #expect(!answer.setCookies.contains { $0.hasPrefix("__Host-cw_session=") })
        #expect(app.audit.all.isEmpty)
        // The page then posts the form with it, as a scanned link would.
        #expect(badgeSignIn(&browser, secret).status == 303)
    }

    @Test func framesWithoutABadgeSaySoAndKeepTheScanGoing() throws {
        var browser = TestBrowser(responder: app.responder())
        #expect(scan(&browser, [UInt8](repeating: 200, count: 240 * 240)).text == #"{"badge":null}"#)
        let cereal = scan(&browser, try frame(of: "https://example.com/prize"))
        #expect(cereal.status == 200 && cereal.text.contains("not a sign-in badge of this site"))
        // A badge link of another installation is not ours either.
        let foreign = scan(&browser, try frame(of: "https://app.elsewhere.example/login/badge#" + String(repeating: "A", count: 42) + "Q"))
        #expect(foreign.text.contains("not a sign-in badge of this site"))
    }

    @Test func malformedFramesAndFramesWithoutTheTokenAreRefusedAsJSON() throws {
        var browser = TestBrowser(responder: app.responder())
        let pixels = [UInt8](repeating: 200, count: 240 * 240)
        let short = scan(&browser, Array(pixels.dropLast()))
        #expect(short.status == 400 && short.text.contains("57600 bytes"))
        let huge = scan(&browser, [UInt8](repeating: 0, count: 4), w: 2, h: 2)
        #expect(huge.status == 400 && huge.text.contains(#""error":"invalid_request""#))
        #expect(scan(&browser, pixels, w: 641, h: 90).status == 400)
        let noToken = scan(&browser, pixels, token: false)
        #expect(noToken.status == 403 && noToken.text.contains("expired"))
    }

    @Test func opensForASchoolAndRefusesABadgeOfAnotherSchool() throws {
        let secret = plant(ada)
        var browser = TestBrowser(responder: app.responder())
        let signInPage = browser.send("GET", "/login?school=school-1")
        #expect(signInPage.text.contains(#"href="/login/badge?school=school-1""#))
        // Ada's school is school 1; the page was opened for school 2.
        let page = browser.send("GET", "/login/badge?school=school-2")
        #expect(page.text.contains("School Two") && page.text.contains(#"name="school" value="school-2""#))
        let refused = browser.send(
            "POST", "/login/badge", form: [("csrf", TestBrowser.csrf(in: page) ?? ""), ("secret", secret), ("school", "school-2")])
        #expect(refused.status == 403)
        #expect(refused.text.contains("belongs to another school"))
        #expect(!refused.setCookies.contains { $0.hasPrefix("__Host-cw_session=") })
        let entry = try #require(app.audit.all.last)
        #expect(entry.event == .signInFailed && entry.detail == "badge of another school" && entry.subject == ada.id)
        // From her own school's page it works.
        let own = browser.send("GET", "/login/badge?school=school-1")
        let accepted = browser.send(
            "POST", "/login/badge", form: [("csrf", TestBrowser.csrf(in: own) ?? ""), ("secret", secret), ("school", "school-1")])
        #expect(accepted.status == 303)
    }
}
