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
