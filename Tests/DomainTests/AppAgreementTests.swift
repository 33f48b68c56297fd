import Domain
import Foundation
import Testing

/// School agreements with apps (issue 23 item 5): the form, "current", the refusal to allow without one, the
/// expiry rules of the daily run, and the PDF check.
@Suite struct AppAgreementTests {
    static let school = SchoolID(1)
    static let client = ClientID("cw_app_1")
    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    static func agreement(expires: String?, warned: String? = nil, blocked: String? = nil) -> AppAgreement {
        AppAgreement(
            school: school, client: client, kind: "SDPC National Data Privacy Agreement", signedOn: day("2025-01-10"),
            expiresOn: expires.map(day), warnedFor: warned.map(day), blockedFor: blocked.map(day))
    }

    @Test func anAgreementHoldsFromItsSigningDayUpToButNotOnItsExpiryDay() {
        let agreement = Self.agreement(expires: "2026-06-30")
        #expect(!agreement.isCurrent(on: Self.day("2025-01-09")))
        #expect(agreement.isCurrent(on: Self.day("2025-01-10")))
        #expect(agreement.isCurrent(on: Self.day("2026-06-29")))
        #expect(!agreement.isCurrent(on: Self.day("2026-06-30")))
        #expect(Self.agreement(expires: nil).isCurrent(on: Self.day("2040-01-01")))
    }

    @Test func aSchoolThatRequiresAgreementsCannotAllowAnAppWithoutACurrentOne() {
        let requiring = AgreementSettings(requireAgreement: true, blockOnExpiry: false)
        let today = Self.day("2026-07-01")
        #expect(requiring.refusalToAllow(nil, appName: "Planner", on: today)?.contains("record the agreement with Planner first") == true)
        #expect(
            requiring.refusalToAllow(Self.agreement(expires: "2026-06-30"), appName: "Planner", on: today)?.contains("expired on 2026-06-30") == true)
        #expect(requiring.refusalToAllow(Self.agreement(expires: "2027-06-30"), appName: "Planner", on: today) == nil)
        #expect(AgreementSettings.default.refusalToAllow(nil, appName: "Planner", on: today) == nil)
    }

    @Test func theFormChecksKindAndDates() throws {
        let today = Self.day("2026-03-01")
        let valid = try AppAgreementForm(kind: " SDPC NDPA ", signedOn: "2026-02-01", expiresOn: "2027-02-01").validate(today: today).get()
        #expect(valid.kind == "SDPC NDPA")
        #expect(valid.expiresOn == Self.day("2027-02-01"))
        #expect(try AppAgreementForm(kind: "DPA", signedOn: "2026-02-01", expiresOn: "").validate(today: today).get().expiresOn == nil)
        func errors(_ form: AppAgreementForm) -> [String: String] {
            if case .failure(let errors) = form.validate(today: today) { return errors.messages }
            return [:]
        }
        #expect(errors(AppAgreementForm(kind: "", signedOn: "2026-02-01", expiresOn: "")).keys.sorted() == ["kind"])
        #expect(errors(AppAgreementForm(kind: String(repeating: "k", count: 201), signedOn: "2026-02-01", expiresOn: "")).keys.sorted() == ["kind"])
        #expect(errors(AppAgreementForm(kind: "DPA", signedOn: "2026-02-30", expiresOn: "")).keys.sorted() == ["signed_on"])
        #expect(errors(AppAgreementForm(kind: "DPA", signedOn: "2026-03-02", expiresOn: "")).keys.sorted() == ["signed_on"])
        #expect(errors(AppAgreementForm(kind: "DPA", signedOn: "2026-02-01", expiresOn: "2026-02-01")).keys.sorted() == ["expires_on"])
        #expect(errors(AppAgreementForm(kind: "DPA", signedOn: "2026-02-01", expiresOn: "soon")).keys.sorted() == ["expires_on"])
    }

    @Test(
        arguments: [
            // (today, expiry, warned for, blocked for, block on expiry, app blocked, actions)
            ("2026-05-30", "2026-06-30", nil, nil, false, false, [AgreementExpiry.Action]()),
            ("2026-05-31", "2026-06-30", nil, nil, false, false, [.warn(days: 30)]),
            ("2026-06-29", "2026-06-30", nil, nil, true, false, [.warn(days: 1)]),
            ("2026-06-10", "2026-06-30", "2026-06-30", nil, false, false, []),
            ("2026-06-10", "2026-06-30", "2025-06-30", nil, false, false, [.warn(days: 20)]),
            ("2026-06-30", "2026-06-30", "2026-06-30", nil, true, false, [.block]),
            ("2026-07-03", "2026-06-30", nil, nil, true, false, [.block]),
            ("2026-06-30", "2026-06-30", "2026-06-30", nil, false, false, []),
            ("2026-06-30", "2026-06-30", "2026-06-30", nil, true, true, []),
            ("2026-07-01", "2026-06-30", "2026-06-30", "2026-06-30", true, false, []),
        ] as [(String, String, String?, String?, Bool, Bool, [AgreementExpiry.Action])])
    func expiryWarnsOnceAheadAndBlocksOnceOnTheDayWhenTheSchoolChoseSo(
        today: String, expiry: String, warned: String?, blocked: String?, blockOnExpiry: Bool, appBlocked: Bool, expected: [AgreementExpiry.Action]
    ) {
        let actions = AgreementExpiry.actions(
            for: Self.agreement(expires: expiry, warned: warned, blocked: blocked),
            settings: AgreementSettings(requireAgreement: false, blockOnExpiry: blockOnExpiry), appBlocked: appBlocked, today: Self.day(today))
        #expect(actions == expected)
    }

    @Test func anAgreementWithoutExpiryNeverWarnsNorBlocks() {
        let settings = AgreementSettings(requireAgreement: true, blockOnExpiry: true)
        #expect(
            AgreementExpiry.actions(for: Self.agreement(expires: nil), settings: settings, appBlocked: false, today: Self.day("2099-01-01")).isEmpty)
    }

    @Test func calendarArithmeticCountsWholeDays() {
        #expect(Self.day("2026-02-28").days(until: Self.day("2026-03-01")) == 1)
        #expect(Self.day("2024-02-28").days(until: Self.day("2024-03-01")) == 2)
        #expect(Self.day("2026-12-31").adding(days: 1) == Self.day("2027-01-01"))
        #expect(Self.day("1970-01-01").daysSinceEpoch == 0)
        #expect(Self.day("2026-01-01").adding(days: -1) == Self.day("2025-12-31"))
    }

    /// A minimal real PDF: header, one object, a cross-reference table and its trailer.
    static func pdf(version: String = "1.4") -> [UInt8] {
        var text = "%PDF-\(version)\n"
        let objectOffset = text.utf8.count
        text += "1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        let xref = text.utf8.count
        let offset = String(objectOffset)
        text += "xref\n0 2\n0000000000 65535 f \n\(String(repeating: "0", count: 10 - offset.count))\(offset) 00000 n \n"
        text += "trailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(text.utf8)
    }

    @Test func aRealPDFIsAccepted() throws {
        let document = try AgreementDocument.inspect(Self.pdf()).get()
        #expect(document.summary.size == Self.pdf().count)
        #expect(document.summary.sha256.count == 64)
        #expect(throws: Never.self) { try AgreementDocument.inspect(Self.pdf(version: "2.0")).get() }
        var written = PDFDocument(title: "Agreement")
        written.add(PDFDocument.Page(width: 595, height: 842))
        #expect(throws: Never.self) { try AgreementDocument.inspect(written.bytes()).get() }
    }

    @Test func whatIsNotAPDFIsRefused() {
        let pdf = Self.pdf()
        // startxref beyond the end of the file, or into the middle of an object.
        let text = String(decoding: pdf, as: UTF8.self)
        let trailer = text.components(separatedBy: "startxref\n")
        let beyond = Array((trailer[0] + "startxref\n9" + trailer[1]).utf8)
        let inside = Array((trailer[0] + "startxref\n12\n%%EOF\n").utf8)
        let cases: [[UInt8]] = [
            [], Array("Hello, this is a text file pretending to be a PDF".utf8), Array("%PDF-1.4\n".utf8), Array(pdf.dropLast(7)),
            Array("%PDF-3.0".utf8) + pdf.dropFirst(8), Array("<html>".utf8) + pdf, beyond, inside,
            [0x89, 0x50, 0x4E, 0x47] + pdf,
        ]
        for bytes in cases {
            #expect(throws: AgreementDocument.Problem.self) { try AgreementDocument.inspect(bytes).get() }
        }
        let large = Array("%PDF-1.4\n".utf8) + Array(repeating: UInt8(32), count: AgreementDocument.maximumBytes) + Array(pdf.dropFirst(9))
        guard case .failure(let problem) = AgreementDocument.inspect(large) else { Issue.record("accepted"); return }
        #expect(problem.message == "The file is larger than 5 MB: upload a smaller PDF.")
    }
}
