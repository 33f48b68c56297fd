import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Data labels and school agreements over the twins (issue 23 items 4–5): the consent page's label, the
/// agreement upload (a real PDF kept, anything else refused with nothing written), the download for the school's
/// admins only, the requirement that refuses allowing without a current agreement, and the daily expiry run
/// (mail ahead, block on the day once, audited).
@Suite struct AgreementAndDataLabelRouteTests {
    let app: TestApp
    let password = "correct horse battery"
    let admin: UserAccount
    let otherAdmin: UserAccount
    let student: UserAccount
    static let client = ClientID("planner-app")
    static let redirect = "https://planner.example/cb"
    static let cronSecret = String(repeating: "c", count: 40)

    init() throws {
        var app = TestApp()
        app.configuration.cronSecret = Self.cronSecret
        self.app = app
        let hash = try testHasher.hash(password)
        admin = app.memory.addUser(role: .schoolAdmin, email: "head@school.test", username: "head", hash: hash)
        otherAdmin = app.memory.addUser(role: .schoolAdmin, email: "head@other.test", username: "otherhead", hash: hash, school: SchoolID(2))
        student = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: hash)
        try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(1), now: app.clock.now)
        try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(2), now: app.clock.now)
        try app.oauth.createClient(
            OAuthClient(
                clientID: Self.client, name: "Planner", developerName: "Planner Ltd", verified: true, kind: .public,
                redirectURIs: [Self.redirect], allowedScopes: ["openid", "student.grades.read"]),
            now: app.clock.now)
        app.agreements.setDeclarations(
            [
                DataDeclaration(scope: "openid", purpose: "Knows it is you.", retention: .session, subProcessors: []),
                DataDeclaration(
                    scope: "student.grades.read", purpose: "Plans revision around your grades.", retention: .days(90),
                    subProcessors: [.init(name: "Amazon Web Services", country: "Ireland")]),
            ], of: Self.client)
    }

    func signedIn(_ name: String) -> TestBrowser {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn(name, password).status == 303)
        return browser
    }

    func csrf(_ browser: inout TestBrowser) -> String { TestBrowser.csrf(in: browser.send("GET", "/school/apps")) ?? "" }

    /// A multipart body with fields and one file.
    func multipart(_ fields: [(String, String)], file: (name: String, bytes: [UInt8])?) -> (contentType: String, body: [UInt8]) {
        let boundary = "----cwtestboundary"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"document\"; filename=\"\(file.name)\"\r\nContent-Type: application/pdf\r\n\r\n"
                    .utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    func upload(_ browser: inout TestBrowser, file: (name: String, bytes: [UInt8])?, signed: String = "2026-01-05", expires: String = "2027-01-05")
        -> HTTPResponse
    {
        let form = multipart(
            [
                ("csrf", csrf(&browser)), ("client_id", Self.client.rawValue), ("kind", "SDPC National Data Privacy Agreement"),
                ("signed_on", signed), ("expires_on", expires),
            ], file: file)
        return browser.send("POST", "/school/agreements", headers: ["CONTENT_TYPE": form.contentType], body: form.body)
    }

    static var pdf: [UInt8] {
        var document = PDFDocument(title: "Agreement")
        document.add(PDFDocument.Page(width: 595, height: 842))
        return document.bytes()
    }

    var today: CalendarDate { CalendarDate(app.clock.now) }

    @Test func theConsentPageShowsTheDataLabelInPlainWords() throws {
        var browser = signedIn("ada@school.test")
        let uri =
            "/authsso?response_type=code&client_id=planner-app&redirect_uri=\(FormCodec.encode(Self.redirect))&scope=openid%20student.grades.read"
            + "&state=s&code_challenge=\(PKCE.s256Challenge(verifier: String(repeating: "v", count: 50)))&code_challenge_method=S256"
        let page = browser.send("GET", uri)
        #expect(page.status == 200)
        #expect(page.text.contains("id=\"data-label\""))
        #expect(page.text.contains("Plans revision around your grades."))
        #expect(page.text.contains("Kept for 90 days, then deleted."))
        #expect(page.text.contains("Also shared with Amazon Web Services (Ireland)."))
        #expect(page.text.contains("Only while you are using the app; deleted when you stop."))
    }

    @Test func theSchoolsAppPageShowsTheLabelAndAnAdminRecordsAnAgreementWithItsPDF() throws {
        var browser = signedIn("head@school.test")
        #expect(browser.send("GET", "/school/apps").text.contains("Plans revision around your grades."))
        let saved = upload(&browser, file: ("signed.pdf", Self.pdf))
        #expect(saved.status == 303 && saved.headers["Location"] == "/school/apps?saved=agreement")
        let agreement = try #require(try app.agreements.agreement(school: SchoolID(1), client: Self.client))
        #expect(agreement.kind == "SDPC National Data Privacy Agreement" && agreement.expiresOn == CalendarDate("2027-01-05"))
        #expect(agreement.document?.size == Self.pdf.count)
        let download = browser.send("GET", "/school/agreements/planner-app/document")
        #expect(download.status == 200 && download.body == Self.pdf)
        #expect(download.headers["Content-Type"] == "application/pdf")
        #expect(download.headers["Content-Disposition"] == "attachment; filename=\"agreement.pdf\"")
        #expect(download.headers["X-Content-Type-Options"] == "nosniff")
        #expect(try app.audit.entries(SecurityAuditFilter(school: SchoolID(1)), limit: 10).contains { $0.entry.event == .agreementChanged })
        // Another school's admin, and a student, see nothing.
        var other = signedIn("head@other.test")
        #expect(other.send("GET", "/school/agreements/planner-app/document").status == 404)
        var pupil = signedIn("ada@school.test")
        #expect(pupil.send("GET", "/school/agreements/planner-app/document").status != 200)
    }

    @Test(arguments: [
        ("notes.txt", Array("These are not the signed terms.".utf8)), ("fake.pdf", Array("%PDF-1.4\nnot really a pdf".utf8)),
        ("image.pdf", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 64)),
    ])
    func aFileThatIsNotAPDFIsRefusedAndNothingIsSaved(name: String, bytes: [UInt8]) throws {
        var browser = signedIn("head@school.test")
        let refused = upload(&browser, file: (name, bytes))
        #expect(refused.status == 422)
        #expect(refused.text.contains("The file is not a PDF document: upload the signed agreement as a PDF."))
        #expect(try app.agreements.agreement(school: SchoolID(1), client: Self.client) == nil)
    }

    @Test func badDatesAreRefusedNextToTheirFields() throws {
        var browser = signedIn("head@school.test")
        let refused = upload(&browser, file: nil, signed: "2026-02-30", expires: "2020-01-01")
        #expect(refused.status == 422 && refused.text.contains("Enter the day it was signed (YYYY-MM-DD)."))
        #expect(try app.agreements.agreement(school: SchoolID(1), client: Self.client) == nil)
    }

    @Test func aSchoolThatRequiresAgreementsCannotAllowAnAppWithoutACurrentOne() throws {
        var browser = signedIn("head@school.test")
        let settings = browser.send(
            "POST", "/school/agreement-settings", form: [("csrf", csrf(&browser)), ("require_agreement", "1"), ("block_on_expiry", "1")])
        #expect(settings.status == 303)
        // Undecided apps are now blocked for the school.
        #expect(try app.oauth.policy(school: SchoolID(1), client: Self.client)?.status == .blocked)
        let refused = browser.send(
            "POST", "/school/apps/planner-app",
            form: [("csrf", csrf(&browser)), ("status", "allowed"), ("scope", "openid"), ("scope", "student.grades.read")])
        #expect(refused.status == 409)
        #expect(refused.text.contains("Your school requires a data-privacy agreement before an app is allowed"))
        #expect(try app.oauth.policy(school: SchoolID(1), client: Self.client)?.status == .blocked)
        #expect(upload(&browser, file: nil, signed: today.adding(days: -10).description, expires: today.adding(days: 300).description).status == 303)
        let allowed = browser.send(
            "POST", "/school/apps/planner-app",
            form: [("csrf", csrf(&browser)), ("status", "allowed"), ("scope", "openid"), ("scope", "student.grades.read")])
        #expect(allowed.status == 303)
        #expect(try app.oauth.policy(school: SchoolID(1), client: Self.client)?.status == .allowed)
    }

    func runCron() -> HTTPResponse {
        app.responder().respond(to: rawRequest("POST", "/internal/cron/agreements", headers: ["HTTP_AUTHORIZATION": "Bearer " + Self.cronSecret]))
    }

    @Test func expiryWarnsTheAdminsOnceAheadAndBlocksOnTheDayWhenTheSchoolChoseSo() throws {
        #expect(
            app.responder().respond(to: rawRequest("POST", "/internal/cron/agreements", headers: ["HTTP_AUTHORIZATION": "Bearer wrong"])).status
                == 404)
        try app.agreements.saveAgreement(
            school: SchoolID(1), client: Self.client, kind: "NDPA", signedOn: today.adding(days: -300), expiresOn: today.adding(days: 10),
            document: nil, keepDocument: true, by: admin.id, now: app.clock.now)
        _ = try app.agreements.setSettings(
            AgreementSettings(requireAgreement: false, blockOnExpiry: true), school: SchoolID(1), by: admin.id, now: app.clock.now)
        let first = runCron()
        #expect(first.status == 200 && first.text.contains("\"warned\":1"))
        #expect(app.outbox.messages.map(\.to) == ["head@school.test"])
        #expect(app.outbox.messages.first?.subject.hasSuffix("expires in 10 days") == true)
        #expect(runCron().text.contains("\"warned\":0"))
        #expect(app.outbox.messages.count == 1)
        // The expiry day: blocked, audited as blocked by policy, admins told; once.
        app.clock.advance(10 * 86400)
        let onTheDay = runCron()
        #expect(onTheDay.text.contains("\"blocked\":1"))
        #expect(try app.oauth.policy(school: SchoolID(1), client: Self.client)?.status == .blocked)
        #expect(try app.audit.entries(SecurityAuditFilter(school: SchoolID(1)), limit: 10).contains { $0.entry.event == .appBlockedByPolicy })
        #expect(app.outbox.messages.count == 2 && app.outbox.messages.last?.subject.contains("is blocked") == true)
        _ = try app.oauth.setPolicy(
            SchoolAppPolicy(status: .allowed, scopeLimit: nil), school: SchoolID(1), client: Self.client, by: admin.id, now: app.clock.now)
        app.clock.advance(86400)
        #expect(runCron().text.contains("\"blocked\":0"))
        #expect(try app.oauth.policy(school: SchoolID(1), client: Self.client)?.status == .allowed)
    }

    /// Issue 22: each admin gets the agreement mails in their saved language, else the school's default, else English.
    @Test func expiryMailsAreInEachAdminsSavedLanguageElseTheSchoolsDefault() throws {
        _ = app.memory.addUser(role: .schoolAdmin, email: "deputy@school.test", username: "deputy", hash: nil)
        try app.languages.setLanguage("es", of: admin.id)
        try app.agreements.saveAgreement(
            school: SchoolID(1), client: Self.client, kind: "NDPA", signedOn: today.adding(days: -300), expiresOn: today.adding(days: 10),
            document: nil, keepDocument: true, by: admin.id, now: app.clock.now)
        _ = try app.agreements.setSettings(
            AgreementSettings(requireAgreement: false, blockOnExpiry: true), school: SchoolID(1), by: admin.id, now: app.clock.now)
        #expect(runCron().text.contains("\"warned\":1"))
        let warned = Dictionary(uniqueKeysWithValues: app.outbox.messages.map { ($0.to, $0) })
        #expect(warned["head@school.test"]?.subject == "El acuerdo con Planner vence en 10 días")
        #expect(warned["head@school.test"]?.body.contains("quedará bloqueada") == true)
        #expect(warned["deputy@school.test"]?.subject == "The agreement with Planner expires in 10 days")
        // The school's default counts for the admin who saved none.
        try app.languages.setSchoolLanguage("fr", of: SchoolID(1))
        app.clock.advance(10 * 86400)
        #expect(runCron().text.contains("\"blocked\":1"))
        let blocked = Dictionary(uniqueKeysWithValues: app.outbox.messages.suffix(2).map { ($0.to, $0) })
        #expect(blocked["head@school.test"]?.subject == "Planner está bloqueada: su acuerdo ha vencido")
        #expect(blocked["deputy@school.test"]?.subject == "Planner est bloquée : son accord a expiré")
    }
}
