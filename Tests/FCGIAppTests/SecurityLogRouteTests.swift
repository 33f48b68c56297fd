import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// The security audit log through the routes: what sign-in writes, and who reads what.
@Suite struct SecurityLogRouteTests {
    let app = TestApp()
    let password = "correct horse battery"

    @Test func signInsAndRefusalsAreLoggedAndEachSchoolAdminReadsTheirSchoolOnly() throws {
        let ada = app.memory.addUser(role: .student, email: "ada@school.test", hash: try testHasher.hash(password))
        app.memory.addUser(role: .schoolAdmin, email: "head@school.test", hash: try testHasher.hash(password))
        app.memory.addUser(role: .schoolAdmin, email: "head@other.test", hash: try testHasher.hash(password), school: SchoolID(2))
        // Neither school requires a second factor here (the two-step suite covers that).
        for school in [SchoolID(1), SchoolID(2)] {
            try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: school, now: app.clock.now)
        }
        var student = TestBrowser(responder: app.responder())
        _ = student.signIn("ada@school.test", "wrong password")
        _ = student.signIn("nobody@school.test", "wrong password")
        #expect(student.signIn("ada@school.test", password).status == 303)
        let entries = app.audit.all
        #expect(entries.map(\.event) == [.signInFailed, .signInFailed, .signIn])
        #expect(entries[0].subject == ada.id && entries[0].school == SchoolID(1) && entries[0].method == "pwd")
        #expect(entries[1].subject == nil && entries[1].school == nil, "an unknown name concerns nobody and no school")
        #expect(entries[2].actor == ada.id && entries[2].clientAddress == "127.0.0.1")
        #expect(!entries.contains { $0.detail.contains("nobody@") }, "typed names are never logged")

        var head = TestBrowser(responder: app.responder())
        #expect(head.signIn("head@school.test", password).status == 303)
        let page = head.send("GET", "/school/security-log?event=sign_in_failed")
        #expect(page.status == 200 && page.text.contains("<td>Sign-in refused</td>") && !page.text.contains("<td>Signed in</td>"))
        let csv = head.send("GET", "/school/security-log.csv")
        #expect(csv.status == 200 && csv.text.hasPrefix("time,event,") && csv.text.contains("sign_in,"))
        #expect(head.send("GET", "/school/security-log?event=nonsense").status == 400)
        #expect(head.send("GET", "/platform/security-log").status == 404, "platform entries are the platform admins'")

        var other = TestBrowser(responder: app.responder())
        #expect(other.signIn("head@other.test", password).status == 303)
        let otherPage = other.send("GET", "/school/security-log")
        #expect(otherPage.status == 200 && !otherPage.text.contains("<td>Sign-in refused</td>"), "another school's entries stay hidden")
    }
}

/// `/account/sessions`: a person sees where they are signed in and ends other sessions, never someone else's.
@Suite struct AccountSessionsRouteTests {
    let app = TestApp()
    let password = "correct horse battery"

    @Test func aPersonEndsOneSessionOrEveryOtherOneButNotSomeoneElses() throws {
        app.memory.addUser(role: .teacher, email: "t@school.test", hash: try testHasher.hash(password))
        app.memory.addUser(role: .teacher, email: "u@school.test", hash: try testHasher.hash(password))
        var laptop = TestBrowser(responder: app.responder())
        var phone = TestBrowser(responder: app.responder())
        var tablet = TestBrowser(responder: app.responder())
        var colleague = TestBrowser(responder: app.responder())
        #expect(laptop.signIn("t@school.test", password).status == 303)
        #expect(phone.signIn("t@school.test", password).status == 303)
        #expect(tablet.signIn("t@school.test", password).status == 303)
        #expect(colleague.signIn("u@school.test", password).status == 303)
        let page = laptop.send("GET", "/account/sessions")
        #expect(page.status == 200 && page.text.components(separatedBy: "<tr><td>").count - 1 == 3 && page.text.contains("This browser"))
        let csrf = TestBrowser.csrf(in: page) ?? ""
        let colleagues = try app.memory.sessions(of: UserID(2), current: nil)
        #expect(laptop.send("POST", "/account/sessions/\(colleagues[0].number)/revoke", form: [("csrf", csrf)]).status == 404)
        let laptopDigest = SecretToken.digest(laptop.cookies["__Host-cw_session"] ?? "")
        let others = try app.memory.sessions(of: UserID(1), current: laptopDigest).filter { !$0.isCurrent }
        #expect(others.count == 2)
        #expect(laptop.send("POST", "/account/sessions/\(others[0].number)/revoke", form: [("csrf", csrf)]).status == 303)
        #expect(try app.memory.sessions(of: UserID(1), current: nil).count == 2)
        #expect(laptop.send("POST", "/account/sessions/revoke-others", form: [("csrf", csrf)]).status == 303)
        #expect(laptop.send("GET", "/account/sessions").status == 200)
        #expect(phone.send("GET", "/account/sessions").status == 303, "the phone is signed out")
        #expect(tablet.send("GET", "/account/sessions").status == 303)
        #expect(colleague.send("GET", "/account/sessions").status == 200)
        #expect(app.audit.events.filter { $0 == .signOut }.count == 2)
    }
}
