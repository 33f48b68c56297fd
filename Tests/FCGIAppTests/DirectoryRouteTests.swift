import Crypto
import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Sign-in against a school's directory through the routes, the directory scripted (``ScriptedDirectory``): the
/// school's form posts to it, the right password starts a session (`amr` pwd), every refusal shows its page without a
/// session and with an audit line. The end-to-end suite runs the same against slapd.
@Suite struct DirectoryRouteTests {
    let app = TestApp()
    let ada: UserAccount
    static let filter = "(&(objectClass=user)(sAMAccountName=ada))"
    static let dn = "CN=Ada,OU=People,DC=school,DC=test"

    init() throws {
        ada = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: nil)
        var settings = SignInDirectorySettings()
        settings.name = "School AD"
        settings.uris = "ldaps://dc1.school.test"
        settings.bindDN = "cn=reader,dc=school,dc=test"
        settings.bindPassword = "service"
        settings.baseDN = "dc=school,dc=test"
        settings.filter = "(&(objectClass=user)(sAMAccountName={name}))"
        settings.linkRule = "email"
        var generator = SystemRandomNumberGenerator()
        try app.directories.saveSignInDirectory(
            try settings.validated(school: SchoolID(1), key: app.oauthKeys.directorySecretKey, existing: nil, using: &generator), now: app.clock.now)
        app.directoryConnector.answer(Self.filter, with: [DirectoryEntry(dn: Self.dn, attributes: [("mail", ["ada@school.test"])])])
        app.directoryConnector.password("correct horse", for: Self.dn)
    }

    func post(_ browser: inout TestBrowser, name: String, password: String) -> HTTPResponse {
        let page = browser.send("GET", "/login?school=school-1")
        #expect(page.text.contains("action=\"/login/directory\"") && page.text.contains("Sign in with your School AD account"))
        return browser.send(
            "POST", "/login/directory",
            form: [("csrf", TestBrowser.csrf(in: page) ?? ""), ("school", "school-1"), ("identifier", name), ("password", password)])
    }

    @Test func theRightPasswordStartsASession() {
        var browser = TestBrowser(responder: app.responder())
        let answer = post(&browser, name: "ada", password: "correct horse")
        #expect(answer.status == 303 && answer.headers["Location"] == "/student")
        #expect(answer.setCookies.contains { $0.hasPrefix("__Host-cw_session=cw_ses_") })
        let entry = app.audit.all.last
        #expect(entry?.event == .signIn && entry?.method == "pwd" && entry?.detail == "directory: \(Self.dn)")
    }

    @Test func refusalsSetNoSessionAndAnEmptyPasswordBindsNothing() {
        for (name, password, detail) in [
            ("ada", "wrong", "directory: wrong password for \(Self.dn)"), ("ada", "", "directory: empty password (no bind attempted)"),
            ("*)(uid=*", "correct horse", "directory: no directory entry matches"),
        ] {
            var browser = TestBrowser(responder: app.responder())
            let answer = post(&browser, name: name, password: password)
            #expect(answer.status == 200 && answer.text.contains(SignInRoutes.failedMessage))
            #expect(!answer.setCookies.contains { $0.hasPrefix("__Host-cw_session=") })
            #expect(app.audit.all.last?.event == .signInFailed && app.audit.all.last?.detail == detail)
        }
        #expect(app.directoryConnector.bound == [Self.dn], "one bind: the wrong password's")
        #expect(app.directoryConnector.searched.last == "(&(objectClass=user)(sAMAccountName=\\2a\\29\\28uid=\\2a))")
    }

    @Test func aDirectoryThatCannotBeUsedGetsItsPage() {
        app.directoryConnector.failSearches(DirectoryFailure(.tls, "ldaps://dc1.school.test: certificate"))
        var browser = TestBrowser(responder: app.responder())
        let answer = post(&browser, name: "ada", password: "correct horse")
        #expect(answer.status == 502 && answer.text.contains("its certificate did not verify"))
        #expect(!answer.setCookies.contains { $0.hasPrefix("__Host-cw_session=") })
        #expect(app.audit.all.last?.detail == "directory: tls: ldaps://dc1.school.test: certificate")
    }
}
