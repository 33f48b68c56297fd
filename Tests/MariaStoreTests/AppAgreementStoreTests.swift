import Domain
import Foundation
import Testing

@testable import MariaStore

/// Schools' agreements with apps in MariaDB: saving, renewing (markers start over), the document kept or
/// replaced, one school never reading another's, the settings and their effect on the default policy, and what
/// the daily run reads and marks.
@Suite(.serialized) struct AppAgreementStoreTests {
    let db: TestDatabase
    let store: MariaAppAgreementStore
    let policies: MariaSchoolAppPolicyStore
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let app = ClientID("cw_app_agree")
    static let pdf: [UInt8] = {
        var document = PDFDocument(title: "Agreement")
        document.add(PDFDocument.Page(width: 595, height: 842))
        return document.bytes()
    }()

    init() throws {
        db = try TestDatabase()
        store = MariaAppAgreementStore(database: db.database)
        policies = MariaSchoolAppPolicyStore(database: db.database)
        try db.insertTwoSchools(now: now)
        _ = try db.insertUser("admin1", role: "school_admin", school: 1, now: now)
        _ = try db.insertUser("admin2", role: "school_admin", school: 2, now: now)
        _ = try db.insertUser("teacher1", role: "teacher", school: 1, now: now)
        try MariaClientStore(database: db.database).createClient(
            OAuthClient(
                clientID: Self.app, name: "Planner", developerName: "Dev", kind: .confidential, redirectURIs: ["https://x.test/cb"],
                allowedScopes: ["openid"]), now: now)
    }

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    @Test func anAgreementIsSavedWithItsDocumentRenewedAndRemovedPerSchool() throws {
        let document = try AgreementDocument.inspect(Self.pdf).get()
        try store.saveAgreement(
            school: SchoolID(1), client: Self.app, kind: "SDPC NDPA", signedOn: Self.day("2025-09-01"), expiresOn: Self.day("2026-08-31"),
            document: document, keepDocument: true, by: UserID(1), now: now)
        let saved = try #require(try store.agreement(school: SchoolID(1), client: Self.app))
        #expect(saved.kind == "SDPC NDPA" && saved.signedOn == Self.day("2025-09-01") && saved.expiresOn == Self.day("2026-08-31"))
        #expect(saved.document == document.summary)
        #expect(try store.document(school: SchoolID(1), client: Self.app)?.bytes == Self.pdf)
        // Another school sees nothing of it.
        #expect(try store.agreement(school: SchoolID(2), client: Self.app) == nil)
        #expect(try store.document(school: SchoolID(2), client: Self.app) == nil)
        #expect(try store.agreements(school: SchoolID(2)).isEmpty)
        // The daily run's markers, then a renewal without a new file: the document stays, the markers start over.
        try store.markWarned(school: SchoolID(1), client: Self.app, expiresOn: Self.day("2026-08-31"))
        try store.markBlocked(school: SchoolID(1), client: Self.app, expiresOn: Self.day("2026-07-01"))
        let marked = try #require(try store.agreement(school: SchoolID(1), client: Self.app))
        #expect(marked.warnedFor == Self.day("2026-08-31") && marked.blockedFor == nil)
        try store.saveAgreement(
            school: SchoolID(1), client: Self.app, kind: "SDPC NDPA v2", signedOn: Self.day("2026-08-01"), expiresOn: Self.day("2027-08-31"),
            document: nil, keepDocument: true, by: UserID(1), now: now)
        let renewed = try #require(try store.agreements(school: SchoolID(1))[Self.app])
        #expect(renewed.kind == "SDPC NDPA v2" && renewed.warnedFor == nil && renewed.document == document.summary)
        try store.saveAgreement(
            school: SchoolID(1), client: Self.app, kind: "DPA", signedOn: Self.day("2026-08-01"), expiresOn: nil, document: nil, keepDocument: false,
            by: UserID(1), now: now)
        #expect(try store.document(school: SchoolID(1), client: Self.app) == nil)
        #expect(try store.removeAgreement(school: SchoolID(2), client: Self.app) == false)
        #expect(try store.removeAgreement(school: SchoolID(1), client: Self.app))
        #expect(try store.agreement(school: SchoolID(1), client: Self.app) == nil)
        #expect(throws: StoreError.self) {
            try store.saveAgreement(
                school: SchoolID(1), client: ClientID("cw_app_missing"), kind: "DPA", signedOn: Self.day("2026-01-01"), expiresOn: nil,
                document: nil, keepDocument: true, by: UserID(1), now: now)
        }
    }

    @Test func aSchoolThatRequiresAgreementsHasUndecidedAppsBlocked() throws {
        #expect(try store.settings(school: SchoolID(1)) == .default)
        #expect(try policies.policy(school: SchoolID(1), client: Self.app) == nil)
        _ = try store.setSettings(AgreementSettings(requireAgreement: true, blockOnExpiry: true), school: SchoolID(1), by: UserID(1), now: now)
        #expect(try store.settings(school: SchoolID(1)) == AgreementSettings(requireAgreement: true, blockOnExpiry: true))
        #expect(try policies.policy(school: SchoolID(1), client: Self.app)?.status == .blocked)
        #expect(try policies.policy(school: SchoolID(2), client: Self.app) == nil)
        // The installation's own (first-party) clients need no agreement.
        try MariaClientStore(database: db.database).createClient(
            OAuthClient(
                clientID: ClientID("own-app"), name: "Own", developerName: "Us", firstParty: true, kind: .confidential,
                redirectURIs: ["https://own.test/cb"], allowedScopes: ["openid"]), now: now)
        #expect(try policies.policy(school: SchoolID(1), client: ClientID("own-app")) == nil)
        // An explicit decision stands.
        _ = try policies.setPolicy(SchoolAppPolicy(status: .allowed, scopeLimit: nil), school: SchoolID(1), client: Self.app, by: UserID(1), now: now)
        #expect(try policies.policy(school: SchoolID(1), client: Self.app)?.status == .allowed)
    }

    @Test func theDailyRunReadsWhatIsDueWithSettingsAndPolicyAndAdmins() throws {
        try store.saveAgreement(
            school: SchoolID(1), client: Self.app, kind: "DPA", signedOn: Self.day("2025-01-01"), expiresOn: Self.day("2026-06-30"), document: nil,
            keepDocument: true, by: UserID(1), now: now)
        try store.saveAgreement(
            school: SchoolID(2), client: Self.app, kind: "DPA", signedOn: Self.day("2025-01-01"), expiresOn: Self.day("2027-06-30"), document: nil,
            keepDocument: true, by: UserID(2), now: now)
        _ = try store.setSettings(AgreementSettings(requireAgreement: false, blockOnExpiry: true), school: SchoolID(1), by: UserID(1), now: now)
        var due = try store.agreementsExpiring(onOrBefore: Self.day("2026-07-15"), limit: 10)
        #expect(due.map(\.agreement.school) == [SchoolID(1)])
        #expect(due.first?.settings.blockOnExpiry == true && due.first?.appBlocked == false && due.first?.appName == "Planner")
        _ = try policies.setPolicy(SchoolAppPolicy(status: .blocked, scopeLimit: nil), school: SchoolID(1), client: Self.app, by: UserID(1), now: now)
        #expect(try store.agreementsExpiring(onOrBefore: Self.day("2026-07-15"), limit: 10).first?.appBlocked == true)
        // Marked for this expiry on both counts: no longer due. A mark for another day changes nothing.
        try store.markWarned(school: SchoolID(1), client: Self.app, expiresOn: Self.day("2026-06-30"))
        try store.markBlocked(school: SchoolID(1), client: Self.app, expiresOn: Self.day("2026-06-29"))
        #expect(try store.agreementsExpiring(onOrBefore: Self.day("2026-07-15"), limit: 10).count == 1)
        try store.markBlocked(school: SchoolID(1), client: Self.app, expiresOn: Self.day("2026-06-30"))
        due = try store.agreementsExpiring(onOrBefore: Self.day("2026-07-15"), limit: 10)
        #expect(due.isEmpty)
        #expect(
            try store.adminRecipients(school: SchoolID(1)) == [SchoolAdminRecipient(email: "admin1@x.test", language: nil, schoolLanguage: nil)])
    }
}
