import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// The roster upload page over the twins (issue 17): problems are still named in the request, a large upload is
/// checked and queued at once, and its page reloads itself until the import run has ended it.
@Suite struct RosterUploadRouteTests {
    let app: TestApp
    let head: UserID
    let password = "correct horse battery"
    static let cronSecret = String(repeating: "c", count: 40)

    init() throws {
        var app = TestApp()
        app.configuration.cronSecret = Self.cronSecret
        self.app = app
        let hash = try testHasher.hash(password)
        head = app.memory.addUser(role: .schoolAdmin, email: "head@school.test", username: "head", hash: hash).id
        _ = app.memory.addUser(role: .schoolAdmin, email: "head@other.test", username: "otherhead", hash: hash, school: SchoolID(2))
        try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(1), now: app.clock.now)
        try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(2), now: app.clock.now)
    }

    /// A delta users.csv of `count` students of the twin's school.
    static func files(students count: Int, role: String = "student") -> [(String, String)] {
        let manifest = """
            propertyName,value
            manifest.version,1.0
            oneroster.version,1.1
            file.academicSessions,absent
            file.classes,absent
            file.courses,absent
            file.enrollments,absent
            file.orgs,absent
            file.users,delta

            """
        var users = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,familyName,email\n"
        for index in 0..<count {
            users += "st\(index),active,2026-11-01T08:00:00Z,true,school-1,\(role),st\(index),Given,Family\(index),st\(index)@school.test\n"
        }
        return [("manifest.csv", manifest), ("users.csv", users)]
    }

    func upload(_ browser: inout TestBrowser, _ files: [(String, String)], language: String = "en") -> HTTPResponse {
        let csrf = TestBrowser.csrf(in: browser.send("GET", "/school/roster")) ?? ""
        let boundary = "----cwtestboundary"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n".utf8)
        for (name, text) in files {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\(name)\"\r\nContent-Type: text/csv\r\n\r\n\(text)\r\n"
                    .utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return browser.send(
            "POST", "/school/roster",
            headers: ["CONTENT_TYPE": "multipart/form-data; boundary=\(boundary)", "HTTP_ACCEPT_LANGUAGE": language], body: body)
    }

    func signedIn(_ name: String) -> TestBrowser {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn(name, password).status == 303)
        return browser
    }

    @Test func aBrokenUploadIsRefusedInTheRequestWithTheLineNamed() throws {
        var browser = signedIn("head@school.test")
        let page = upload(&browser, Self.files(students: RosterImportRun.inlineRows + 1, role: "wizard"))
        #expect(page.status == 422)
        #expect(page.text.contains("users.csv line 2, column role"))
        #expect(try app.rosterJobs.claimNext(now: app.clock.now, lease: 60) == nil)
    }

    @Test func aBrokenUploadsProblemsAreInThePagesLanguage() throws {
        var browser = signedIn("head@school.test")
        let page = upload(&browser, Self.files(students: 2, role: "wizard"), language: "es")
        #expect(page.status == 422)
        #expect(page.text.contains("users.csv línea 2, columna role: &#39;wizard&#39; no es uno de administrator"))
        #expect(!page.text.contains("is not one of"))
    }

    @Test func aLargeUploadIsQueuedAtOnceAndItsPageReloadsUntilTheRunEndsIt() throws {
        var browser = signedIn("head@school.test")
        let answer = upload(&browser, Self.files(students: RosterImportRun.inlineRows + 1))
        #expect(answer.status == 303)
        let location = try #require(answer.headers["Location"])
        #expect(location.hasPrefix("/school/roster/jobs/"))

        let waiting = browser.send("GET", location)
        #expect(waiting.status == 200)
        #expect(waiting.text.contains("data-status=\"pending\""))
        #expect(waiting.headers["Refresh"] == "3")
        var other = signedIn("head@other.test")
        #expect(other.send("GET", location).status == 404)

        // The cron endpoint runs it (the twin's roster store refuses to apply, so the job ends as failed).
        let run = browser.send("POST", "/internal/cron/roster", headers: ["HTTP_AUTHORIZATION": "Bearer \(Self.cronSecret)"])
        #expect(run.status == 200)
        #expect(run.text.contains("\"failed\":1"))
        let ended = browser.send("GET", location)
        #expect(ended.text.contains("data-status=\"failed\""))
        #expect(ended.headers["Refresh"] == nil)
    }

    /// A job the run ended: its lines as codes (a summary with counts, a problem with its line number), or, for a job
    /// an older version ended, its English lines.
    func finishedJob(status: RosterImportJobStatus, lines: [Message]) throws -> String {
        let id = try app.rosterJobs.enqueue(
            school: SchoolID(1), requestedBy: head, startedBy: "head@school.test", source: "upload: r.zip", filesZip: [1], now: app.clock.now)
        _ = try #require(try app.rosterJobs.claimNext(now: app.clock.now, lease: 60))
        try app.rosterJobs.finish(id, status: status, lines: lines, now: app.clock.now)
        return "/school/roster/jobs/\(id)"
    }

    @Test func aQueuedJobsSummaryIsInThePagesLanguageWithItsDigits() throws {
        let counts = RosterImportSummary.Counts(created: 1234, updated: 5)
        let summary = RosterImportSummary(
            schoolID: SchoolID(1), schoolName: "Northside", school: .init(updated: 1), terms: counts, courses: counts, classes: counts,
            users: counts, enrollments: counts, guardianLinks: counts, skipped: .init(), ignoredPasswords: 0, endedSessions: 0,
            invitations: [])
        let path = try finishedJob(status: .done, lines: summary.messages)
        var browser = signedIn("head@school.test")
        let english = browser.send("GET", path, headers: ["HTTP_ACCEPT_LANGUAGE": "en"])
        #expect(english.text.contains("Users: 1,234 created, 5 updated, 0 unchanged, 0 deactivated"))
        let spanish = browser.send("GET", path, headers: ["HTTP_ACCEPT_LANGUAGE": "es"])
        #expect(spanish.text.contains("data-status=\"done\""))
        let thousands = LocaleFormatting.number(1234, language: "es")
        #expect(spanish.text.contains("Usuarios: \(thousands) creados, 5 actualizados, 0 sin cambios, 0 desactivados"))
        #expect(!spanish.text.contains("Users:"))
        let arabic = browser.send("GET", path, headers: ["HTTP_ACCEPT_LANGUAGE": "ar"])
        #expect(arabic.text.contains("المستخدمون: أُنشئ \(LocaleFormatting.number(1234, language: "ar"))، وحُدّث ٥، ودون تغيير ٠، وعُطّل ٠"))
        #expect(LocaleFormatting.number(1234, language: "ar").hasPrefix("١"))
    }

    @Test func aQueuedJobsProblemsAreInThePagesLanguageAndAnOlderJobsEnglishStays() throws {
        let report = RosterReport(problems: [
            RosterProblem(
                file: "enrollments.csv", line: 12, column: "userSourcedId",
                problem: Message(
                    "roster.problem.no_user_stored", "there is no user 'u9' in users.csv or in earlier imports of this school", ["value": "u9"]))
        ])
        let path = try finishedJob(status: .failed, lines: report.messages)
        var browser = signedIn("head@school.test")
        let spanish = browser.send("GET", path, headers: ["HTTP_ACCEPT_LANGUAGE": "es"])
        #expect(spanish.text.contains("data-status=\"failed\""))
        #expect(
            spanish.text.contains(
                "enrollments.csv línea 12, columna userSourcedId: no hay ningún usuario &#39;u9&#39; en users.csv ni en importaciones anteriores de este centro"
            ))
        let arabic = browser.send("GET", path, headers: ["HTTP_ACCEPT_LANGUAGE": "ar"])
        #expect(arabic.text.contains("١٢") && !arabic.text.contains("there is no user"))

        let old = try finishedJob(status: .failed, lines: [Message(verbatim: "users.csv line 2, column role: 'wizard' is not a role")])
        let stored = browser.send("GET", old, headers: ["HTTP_ACCEPT_LANGUAGE": "es"])
        #expect(stored.text.contains("<li>users.csv line 2, column role: &#39;wizard&#39; is not a role</li>"))
        #expect(stored.text.contains("<html lang=\"es\""))
    }
}
