import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Resets by the people responsible and the sign-in cards (issue 16, items 1 and 2), over the twins: who may reset
/// whom, the temporary password that works once and must then be replaced, bulk cards, audit entries and mails.
@Suite struct PasswordResetRouteTests {
    let app = TestApp()
    let password = "correct horse battery"
    let admin: UserAccount
    let teacher: UserAccount
    let otherTeacher: UserAccount
    let ada: UserAccount
    let bo: UserAccount
    let cy: UserAccount
    let otherAdmin: UserAccount
    let ownClass: ClassID
    let otherClass: ClassID

    init() {
        let hash = try! testHasher.hash(password)
        let memory = app.memory
        admin = memory.addUser(role: .schoolAdmin, email: "admin@school.test", username: "admin", hash: hash)
        teacher = memory.addUser(role: .teacher, email: "teacher@school.test", username: "teacher", hash: hash)
        otherTeacher = memory.addUser(role: .teacher, email: "other@school.test", username: "other", hash: hash)
        ada = memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: hash)
        bo = memory.addUser(role: .student, email: "bo@x.invalid", username: "bo", hash: hash)
        cy = memory.addUser(role: .student, email: "cy@school.test", username: "cy", hash: hash)
        otherAdmin = memory.addUser(role: .schoolAdmin, email: "admin@other.test", username: "otheradmin", hash: hash, school: SchoolID(2))
        ownClass = memory.addClass(title: "Mathematics 7A", teachers: [teacher.id], students: [ada.id, bo.id])
        otherClass = memory.addClass(title: "Art 7B", teachers: [otherTeacher.id], students: [cy.id])
        memory.setGradeLevel("7", of: ada.id)
        memory.setGradeLevel("7", of: cy.id)
        // These schools require no second factor (the two-step suite covers that rule).
        for school in [SchoolID(1), SchoolID(2)] {
            try! app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: school, now: app.clock.now)
        }
    }

    func signedIn(_ name: String) -> TestBrowser {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn(name, password).status == 303)
        return browser
    }

    /// Posts a form of a signed-in browser with its CSRF token.
    func post(_ browser: inout TestBrowser, _ path: String, _ form: [(String, String)]) -> HTTPResponse {
        let csrf = TestBrowser.csrf(in: browser.send("GET", "/account/password")) ?? ""
        return browser.send("POST", path, form: [("csrf", csrf)] + form)
    }

    /// The temporary passwords shown on a page, in order.
    static func passwords(in page: HTTPResponse) -> [String] {
        page.text.components(separatedBy: "<dd class=\"card-password\"><code>").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    @Test func aTeacherCannotReachAStudentOfAnotherClassOrAClassTheyDoNotTeach() {
        var browser = signedIn("teacher")
        #expect(browser.send("GET", "/teacher/classes/\(ownClass)/students/\(cy.id)/password").status == 404)
        #expect(post(&browser, "/teacher/classes/\(ownClass)/students/\(cy.id)/password", [("kind", "temporary")]).status == 404)
        #expect(browser.send("GET", "/teacher/classes/\(otherClass)/students/\(cy.id)/password").status == 404)
        #expect(post(&browser, "/teacher/classes/\(otherClass)/cards", [("format", "html")]).status == 404)
        #expect(browser.send("GET", "/teacher/classes/\(otherClass)/cards.pdf").status == 404)
        #expect(browser.send("GET", "/school/users/\(ada.id)/password").status == 404)
        #expect(app.audit.events.filter { $0 == .passwordReset }.isEmpty)
        #expect(app.memory.passwordHash(of: cy.id).map { try! testHasher.verify(password, against: $0) } == true)
    }

    @Test func anAdminOfAnotherSchoolGets404AndAStudentGets404() {
        var browser = signedIn("otheradmin")
        #expect(browser.send("GET", "/school/users/\(ada.id)/password").status == 404)
        #expect(post(&browser, "/school/users/\(ada.id)/password", [("kind", "temporary")]).status == 404)
        #expect(post(&browser, "/school/classes/\(ownClass)/cards", [("format", "pdf")]).status == 404)
        var student = signedIn("ada")
        #expect(student.send("GET", "/teacher/classes/\(ownClass)/students/\(bo.id)/password").status == 404)
        #expect(app.audit.events.filter { $0 == .passwordReset }.isEmpty)
    }

    @Test func aResetFormWithoutItsTokenChangesNothing() {
        var browser = signedIn("teacher")
        let response = browser.send("POST", "/teacher/classes/\(ownClass)/students/\(ada.id)/password", form: [("kind", "temporary")])
        #expect(response.status == 403)
        #expect(app.memory.mustChangeFlag(of: ada.id) == false)
    }

    @Test func aTemporaryPasswordIsShownOnceWorksOnceAndMustThenBeReplaced() throws {
        var adaBefore = signedIn("ada")
        var browser = signedIn("teacher")
        #expect(browser.send("GET", "/teacher/classes/\(ownClass)").text.contains("/teacher/classes/\(ownClass)/students/\(ada.id)/password"))
        let result = post(&browser, "/teacher/classes/\(ownClass)/students/\(ada.id)/password", [("kind", "temporary")])
        #expect(result.status == 200)
        #expect(result.headers["Cache-Control"] == "no-store")
        let temporary = try #require(Self.passwords(in: result).first)
        #expect(temporary.count == 14)
        // Ada's own session ended; the audit log and a mail (without the password) say what happened.
        #expect(adaBefore.send("GET", "/student").status == 303)
        let entry = try #require(app.audit.all.last { $0.event == .passwordReset })
        #expect(entry.actor == teacher.id && entry.subject == ada.id && entry.school == SchoolID(1) && entry.method == "temporary")
        #expect(entry.detail.contains("temporary password generated by a teacher; must be changed at the next sign-in"))
        let mail = try #require(app.outbox.messages.last { $0.to == "ada@school.test" })
        #expect(mail.subject == "Your CatalystWells password was reset")
        #expect(!mail.body.contains(temporary))
        #expect(app.memory.mustChangeFlag(of: ada.id))

        // The old password is gone; the temporary one leads to the step, with no session yet.
        var student = TestBrowser(responder: app.responder())
        #expect(student.signIn("ada", password).text.contains(SignInRoutes.failedMessage))
        let step = student.signIn("ada", temporary, next: "/account")
        #expect(step.status == 303)
        #expect(step.headers["Location"] == "/login/choose-password?next=/account")
        #expect(!step.setCookies.contains { $0.hasPrefix("__Host-cw_session=") })
        #expect(student.send("GET", "/student").status == 303)
        let choose = student.send("GET", "/login/choose-password?next=/account")
        #expect(choose.status == 200)
        #expect(choose.text.contains("Choose your password"))
        let csrf = TestBrowser.csrf(in: choose) ?? ""
        let same = student.send("POST", "/login/choose-password", form: [("csrf", csrf), ("password", temporary), ("confirmation", temporary)])
        #expect(same.status == 422)
        #expect(same.text.contains("not the temporary one"))
        let stolenTicket = student.cookies["__Host-cw_choose"]
        let chosen = "my own new password"
        let done = student.send(
            "POST", "/login/choose-password", form: [("csrf", csrf), ("next", "/account"), ("password", chosen), ("confirmation", chosen)])
        #expect(done.status == 303)
        #expect(done.headers["Location"] == "/account")
        #expect(done.setCookies.contains { $0.hasPrefix("__Host-cw_session=cw_ses_") })
        #expect(done.setCookies.contains { $0.hasPrefix("__Host-cw_choose=;") })
        #expect(student.send("GET", "/student").status == 200)
        #expect(app.memory.mustChangeFlag(of: ada.id) == false)
        #expect(
            app.audit.all.contains { $0.event == .passwordChanged && $0.subject == ada.id && $0.detail == "temporary password replaced at sign-in" })

        // The temporary password no longer works, nor does the step's cookie.
        var again = TestBrowser(responder: app.responder())
        #expect(again.signIn("ada", temporary).text.contains(SignInRoutes.failedMessage))
        #expect(again.signIn("ada", chosen).headers["Location"] == "/student")
        var replay = TestBrowser(responder: app.responder())
        replay.cookies["__Host-cw_choose"] = stolenTicket
        #expect(replay.send("GET", "/login/choose-password").headers["Location"] == "/login")
    }

    @Test func whenTheSchoolLetsPeopleKeepTemporaryPasswordsTheySignInDirectly() throws {
        var browser = signedIn("admin")
        #expect(browser.send("GET", "/school/passwords").text.contains("name=\"must_change\" value=\"1\" checked"))
        #expect(post(&browser, "/school/passwords", []).headers["Location"] == "/school/passwords?saved=1")
        #expect(app.audit.all.last?.event == .signInPolicyChanged)
        let result = post(&browser, "/school/users/\(bo.id)/password", [("kind", "temporary")])
        let temporary = try #require(Self.passwords(in: result).first)
        #expect(!result.text.contains("choose their own password at their first sign-in"))
        var student = TestBrowser(responder: app.responder())
        #expect(student.signIn("bo", temporary).headers["Location"] == "/student")
    }

    @Test func anAdminSetsATypedPasswordUnderThePasswordRules() {
        var browser = signedIn("admin")
        #expect(browser.send("GET", "/school/users").text.contains("/school/users/\(teacher.id)/password"))
        let short = post(&browser, "/school/users/\(teacher.id)/password", [("kind", "set"), ("password", "short"), ("confirmation", "short")])
        #expect(short.status == 422)
        let chosen = "a password for the teacher"
        let set = post(&browser, "/school/users/\(teacher.id)/password", [("kind", "set"), ("password", chosen), ("confirmation", chosen)])
        #expect(set.status == 200)
        #expect(set.text.contains("reset-done"))
        #expect(app.audit.all.last { $0.event == .passwordReset }?.method == "set")
        #expect(post(&browser, "/school/users/\(admin.id)/password", [("kind", "temporary")]).status == 404)
        var teacherBrowser = TestBrowser(responder: app.responder())
        #expect(teacherBrowser.signIn("teacher", chosen).headers["Location"] == "/teacher")
    }

    @Test func aClassGetsTemporaryPasswordsInBulkOnPrintableCardsAndAPDF() throws {
        var browser = signedIn("teacher")
        let plain = browser.send("GET", "/teacher/classes/\(ownClass)/cards")
        #expect(plain.status == 200)
        #expect(Self.passwords(in: plain).isEmpty)
        #expect(plain.text.contains("data-qr-slot=\"badge\""))
        #expect(plain.text.contains("https://app.localhost/login?school=school-1"))
        let pdf = browser.send("GET", "/teacher/classes/\(ownClass)/cards.pdf")
        #expect(pdf.headers["Content-Type"] == "application/pdf")
        #expect(pdf.body.starts(with: Array("%PDF-1.4".utf8)))

        let generated = post(&browser, "/teacher/classes/\(ownClass)/cards", [("format", "html")])
        #expect(generated.status == 200)
        #expect(generated.headers["Cache-Control"] == "no-store")
        let passwords = Self.passwords(in: generated)
        #expect(passwords.count == 2)
        #expect(generated.text.contains("href=\"data:application/pdf;base64,"))
        let resets = app.audit.all.filter { $0.event == .passwordReset }
        #expect(Set(resets.compactMap(\.subject)) == [ada.id, bo.id])
        #expect(resets.allSatisfy { $0.actor == teacher.id && $0.detail.contains("bulk for class Mathematics 7A") })
        #expect(app.outbox.messages.filter { $0.subject == "Your CatalystWells password was reset" }.count == 2)
        // Cards are in roster order (family, given name): both "Test Student", so by id here.
        var student = TestBrowser(responder: app.responder())
        #expect(student.signIn("ada", passwords[0]).headers["Location"]?.hasPrefix("/login/choose-password") == true)

        let download = post(&browser, "/teacher/classes/\(ownClass)/cards", [("format", "pdf")])
        #expect(download.headers["Content-Type"] == "application/pdf")
        #expect(download.headers["Cache-Control"] == "no-store")
        #expect(download.headers["Content-Disposition"] == "attachment; filename=\"sign-in-cards-mathematics-7a.pdf\"")
        #expect(app.audit.all.filter { $0.event == .passwordReset }.count == 4)
        // The first generation's passwords were replaced by the second.
        #expect(student.signIn("ada", passwords[0]).text.contains(SignInRoutes.failedMessage))
    }

    @Test func anAdminPrintsAGradeLevelAndAClassOfTheirSchool() {
        var browser = signedIn("admin")
        let page = browser.send("GET", "/school/passwords")
        #expect(page.text.contains("<option value=\"7\">7</option>"))
        let grade = post(&browser, "/school/grades/cards", [("grade_level", "7"), ("format", "html")])
        #expect(grade.status == 200)
        #expect(Self.passwords(in: grade).count == 2)
        #expect(Set(app.audit.all.filter { $0.event == .passwordReset }.compactMap(\.subject)) == [ada.id, cy.id])
        #expect(browser.send("GET", "/school/classes/\(otherClass)/cards").status == 200)
        #expect(post(&browser, "/school/grades/cards", [("grade_level", ""), ("format", "html")]).status == 400)
        // The grade's form offers new badges too; ticked, every badge of the grade level is replaced.
        #expect(page.text.contains("id=\"grade-new-badges\""))
        let before = try! app.badges.badgeDates(of: [ada.id, cy.id])
        #expect(before.count == 2)
        app.clock.advance(60)
        _ = post(&browser, "/school/grades/cards", [("grade_level", "7"), ("format", "html"), ("new_badges", "1")])
        let after = try! app.badges.badgeDates(of: [ada.id, cy.id])
        #expect(after.count == 2 && after[ada.id] != before[ada.id] && after[cy.id] != before[cy.id])
    }
}
