import Domain
import Foundation
import Native
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Exports and erasures through the routes, over the twins: who downloads whose export, what a big export becomes,
/// the one-time link, and the erasure's request, confirmation and cancellation with their refusals.
@Suite struct PrivacyRouteTests {
    let app: TestApp
    let password = "correct horse battery"
    let student: UserAccount
    let parent: UserAccount
    let otherParent: UserAccount
    let admin: UserAccount
    let otherAdmin: UserAccount

    init() throws {
        var app = TestApp()
        app.configuration.credentialKey = Array(repeating: 8, count: 32)
        self.app = app
        let hash = try testHasher.hash(password)
        student = app.memory.addUser(role: .student, email: "ana@school.test", username: "ana", hash: hash)
        parent = app.memory.addUser(role: .parent, email: "pat@school.test", hash: hash)
        otherParent = app.memory.addUser(role: .parent, email: "olu@school.test", hash: hash)
        admin = app.memory.addUser(role: .schoolAdmin, email: "head@school.test", hash: hash)
        otherAdmin = app.memory.addUser(role: .schoolAdmin, email: "head@other.test", hash: hash, school: SchoolID(2))
        app.memory.link(parent: parent.id, student: student.id)
        for school in [SchoolID(1), SchoolID(2)] {
            try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: school, now: app.clock.now)
        }
        for person in [student, parent, otherParent, admin] { app.privacy.add(Self.record(of: person), school: SchoolID(1)) }
        app.privacy.add(Self.record(of: otherAdmin), school: SchoolID(2))
    }

    static func record(of person: UserAccount) -> PersonRecord {
        var record = PersonRecord(
            profile: PersonRecord.Profile(
                id: person.id, sourcedID: "src-\(person.id)", role: person.role, givenName: person.givenName, familyName: person.familyName,
                email: person.email, username: person.username, gradeLevel: nil, active: true, schoolName: "School", schoolSourcedID: "s",
                createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), hasPassword: true, passwordChangedAt: nil))
        if person.role == .student {
            record.grades = [
                PersonRecord.Grade(
                    classTitle: "Maths", assessmentID: AssessmentID(1), assessmentTitle: "Fractions", dueDate: nil, score: Score("9")!,
                    maxScore: Score("10")!, comment: nil, published: true, recordedAt: Date(timeIntervalSince1970: 0))
            ]
        }
        return record
    }

    func browser(_ email: String) -> (TestBrowser, String) {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn(email, password).status == 303)
        return (browser, TestBrowser.csrf(in: browser.send("GET", "/account/export")) ?? "")
    }

    func files(_ response: HTTPResponse) throws -> [String: [UInt8]] {
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/zip")
        #expect(response.headers["cache-control"] == "no-store")
        return try ZipArchive(bytes: response.body).extractAll()
    }

    @Test func aParentDownloadsTheirChildsExportAndNoOtherChilds() throws {
        let signedInPat = browser("pat@school.test")
        var pat = signedInPat.0
        let csrf = signedInPat.1
        let page = pat.send("GET", "/account/export")
        #expect(page.text.contains("data-student-id=\"\(student.id)\""))
        let zip = try files(pat.send("POST", "/parent/children/\(student.id)/export", form: [("csrf", csrf)]))
        #expect(String(decoding: zip["grades.json"] ?? [], as: UTF8.self).contains("Fractions"))
        #expect(app.audit.events.suffix(2) == [.exportRequested, .exportDownloaded])
        #expect(app.audit.all.last?.subject == student.id)

        let signedInOlu = browser("olu@school.test")
        var olu = signedInOlu.0
        let oluCSRF = signedInOlu.1
        let refused = olu.send("POST", "/parent/children/\(student.id)/export", form: [("csrf", oluCSRF)])
        #expect(refused.status == 404 && refused.headers["content-type"] != "application/zip")
        #expect(olu.send("POST", "/parent/children/\(student.id)/export", form: [("csrf", "forged")]).status == 403)
        #expect(olu.send("POST", "/school/users/\(student.id)/export", form: [("csrf", oluCSRF)]).status == 404)
    }

    @Test func aStudentDownloadsTheirOwnExport() throws {
        let signedInAna = browser("ana@school.test")
        var ana = signedInAna.0
        let csrf = signedInAna.1
        let zip = try files(ana.send("POST", "/account/export", form: [("csrf", csrf)]))
        #expect(zip.keys.sorted().first == "README.txt" && zip.count == 10)
    }

    @Test func aBigExportIsPreparedInTheBackgroundAndItsLinkWorksOnceForTheRequester() throws {
        var configured = app
        configured.configuration.privacy.exportInlineRows = 0
        var pat = TestBrowser(responder: configured.responder())
        #expect(pat.signIn("pat@school.test", password).status == 303)
        let csrf = TestBrowser.csrf(in: pat.send("GET", "/account/export")) ?? ""
        let queued = pat.send("POST", "/parent/children/\(student.id)/export", form: [("csrf", csrf)])
        #expect(queued.status == 303 && queued.headers["location"] == "/account/export?export=queued")
        #expect(pat.send("GET", "/account/export?export=queued").text.contains("Being prepared"))

        let report = try ExportRun(services: configured.services, logger: .init(label: "test")).run(now: app.clock.now)
        #expect(report == ExportRun.Report(built: 1, failed: 0, expired: 0))
        let mail = try #require(app.outbox.messages.last)
        #expect(mail.to == "pat@school.test")
        let token = try #require(mail.body.components(separatedBy: "/account/export/download/").last?.prefix(50).split(separator: "\n").first)
        var olu = TestBrowser(responder: configured.responder())
        #expect(olu.signIn("olu@school.test", password).status == 303)
        #expect(olu.send("GET", "/account/export/download/\(token)").status == 404, "another account's link")
        let zip = try files(pat.send("GET", "/account/export/download/\(token)"))
        #expect(zip["profile.json"] != nil)
        #expect(pat.send("GET", "/account/export/download/\(token)").status == 404, "the link works once")
        #expect(pat.send("GET", "/account/export/download/cw_exp_junk").status == 404)
        #expect(app.audit.events.last == .exportDownloaded)

        // Three exports waiting at once are the most.
        for _ in 0..<3 { #expect(pat.send("POST", "/parent/children/\(student.id)/export", form: [("csrf", csrf)]).status == 303) }
        #expect(pat.send("POST", "/parent/children/\(student.id)/export", form: [("csrf", csrf)]).status == 429)
    }

    @Test func anErasureIsRequestedConfirmedAndCancelledWithClearRefusals() throws {
        let signedInHead = browser("head@school.test")
        var head = signedInHead.0
        let csrf = signedInHead.1
        #expect(head.send("GET", "/school/users/\(student.id)/privacy").text.contains("id=\"request-erasure\""))
        let requested = head.send("POST", "/school/users/\(student.id)/erasure", form: [("csrf", csrf)])
        #expect(requested.status == 303)
        let erasure = try #require(app.privacy.allErasures.first)
        #expect(requested.headers["location"] == "/school/erasures/\(erasure.id)")
        #expect(Pseudonym.isPseudonym(erasure.pseudonym))

        let again = head.send("POST", "/school/users/\(student.id)/erasure", form: [("csrf", csrf)])
        #expect(again.status == 409 && again.text.contains("already requested and waits for confirmation"))
        #expect(app.privacy.allErasures.count == 1, "nothing added")
        #expect(head.send("POST", "/school/users/\(admin.id)/erasure", form: [("csrf", csrf)]).text.contains("cannot erase your own account"))
        #expect(head.send("POST", "/school/users/\(otherAdmin.id)/erasure", form: [("csrf", csrf)]).status == 404, "another school's person")

        #expect(head.send("POST", "/school/erasures/\(erasure.id)/confirm", form: [("csrf", csrf)]).status == 303)
        let scheduled = try #require(app.privacy.allErasures.first)
        #expect(scheduled.status == .scheduled && scheduled.runsAfter == app.clock.now.addingTimeInterval(30 * 86400))
        #expect(head.send("POST", "/school/erasures/\(erasure.id)/confirm", form: [("csrf", csrf)]).status == 409)

        let signedInOther = browser("head@other.test")
        var other = signedInOther.0
        let otherCSRF = signedInOther.1
        #expect(other.send("GET", "/school/erasures/\(erasure.id)").status == 404)
        #expect(other.send("POST", "/school/erasures/\(erasure.id)/cancel", form: [("csrf", otherCSRF)]).status == 404)
        #expect(app.privacy.allErasures.first?.status == .scheduled)

        // On the last day it can still be cancelled.
        app.clock.advance(30 * 86400 - 60)
        let again30 = browser("head@school.test")
        head = again30.0
        let csrf30 = again30.1
        let cancelled = head.send("POST", "/school/erasures/\(erasure.id)/cancel", form: [("csrf", csrf30)])
        #expect(cancelled.status == 303 && cancelled.headers["location"] == "/school/erasures/\(erasure.id)?done=cancelled")
        #expect(head.send("GET", "/school/erasures/\(erasure.id)?done=cancelled").text.contains("Nothing was erased."))
        #expect(app.audit.events.filter { [.erasureRequested, .erasureConfirmed, .erasureCancelled].contains($0) }.count == 3)

        // Once it runs, cancelling is refused with the reason.
        let second = head.send("POST", "/school/users/\(student.id)/erasure", form: [("csrf", csrf30)])
        #expect(second.status == 303)
        let running = try #require(app.privacy.allErasures.last)
        app.privacy.setStatus(running.id, .running)
        let late = head.send("POST", "/school/erasures/\(running.id)/cancel", form: [("csrf", csrf30)])
        #expect(late.status == 409 && late.text.contains("has started and cannot be cancelled"))
    }
}
