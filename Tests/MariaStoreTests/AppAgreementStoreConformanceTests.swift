import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// ``AppAgreementStore``: `MariaAppAgreementStore` and its memory twin (`MemoryAppAgreements`, wired to the OAuth
/// twin as the route tests wire it) under one contract, with the OAuth stores of the same backend around them.
@Suite(.serialized) struct AppAgreementStoreConformanceTests {
    static let firstParty = ClientID("conformance-own")

    /// The OAuth fixture of a backend and the agreements store over the same data.
    private func stores(_ backend: OAuthBackend) throws -> (OAuthConformanceFixture, any AppAgreementStore) {
        let f = try OAuthConformanceFixture(backend)
        let agreements: any AppAgreementStore
        if let database = f.database {
            agreements = MariaAppAgreementStore(database: database.database)
        } else {
            let oauth = try #require(f.policies as? MemoryOAuthStore)
            let twin = MemoryAppAgreements()
            twin.clientExists = { (try? oauth.client($0)) != nil }
            twin.clientActive = { (try? oauth.client($0))?.status == .active }
            twin.appName = { (try? oauth.client($0))?.name }
            twin.appBlocked = { school, client in (try? oauth.policy(school: school, client: client))?.status == .blocked }
            twin.blockAppsWithoutAgreement = { oauth.blockAppsWithoutAgreement(school: $0, current: $1, by: $2, now: $3) }
            oauth.requiresAgreement = { (try? twin.settings(school: $0).requireAgreement) ?? false }
            agreements = twin
        }
        try f.clients.createClient(
            OAuthClient(
                clientID: Self.firstParty, name: "Own", developerName: "Us", firstParty: true, kind: .confidential,
                redirectURIs: ["https://own.test/cb"], allowedScopes: ["openid"]), now: f.now)
        return (f, agreements)
    }

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    private func save(
        _ store: any AppAgreementStore, _ client: ClientID, school: Int64 = 1, signed: String = "2025-01-01", expires: String?,
        document: AgreementDocument? = nil, keep: Bool = true, now: Date
    ) throws {
        try store.saveAgreement(
            school: SchoolID(school), client: client, kind: "DPA \(client.rawValue)", signedOn: Self.day(signed),
            expiresOn: expires.map(Self.day), document: document, keepDocument: keep, by: UserID(1), now: now)
    }

    @Test(arguments: OAuthBackend.allCases)
    func anAgreementIsSavedRenewedWithItsDocumentKeptOrRemovedAndReadPerSchoolOnly(_ backend: OAuthBackend) throws {
        let (f, store) = try stores(backend)
        let app = OAuthConformanceFixture.app
        var pdf = PDFDocument(title: "Agreement")
        pdf.add(PDFDocument.Page(width: 595, height: 842))
        let document = try AgreementDocument.inspect(pdf.bytes()).get()
        try save(store, app, expires: "2026-08-31", document: document, now: f.now)
        let saved = try #require(try store.agreement(school: SchoolID(1), client: app))
        #expect(saved.kind == "DPA conformance-app" && saved.signedOn == Self.day("2025-01-01") && saved.expiresOn == Self.day("2026-08-31"))
        #expect(saved.document == document.summary && saved.warnedFor == nil && saved.blockedFor == nil)
        #expect(try store.document(school: SchoolID(1), client: app)?.bytes == document.bytes)
        #expect(try store.agreement(school: SchoolID(2), client: app) == nil)
        #expect(try store.agreements(school: SchoolID(2)).isEmpty)
        #expect(try store.agreements(school: SchoolID(1)) == [app: saved])
        // Markers apply only to the expiry they name; a renewal starts them over and keeps the document.
        try store.markWarned(school: SchoolID(1), client: app, expiresOn: Self.day("2026-08-31"))
        try store.markBlocked(school: SchoolID(1), client: app, expiresOn: Self.day("2026-07-01"))
        let marked = try #require(try store.agreement(school: SchoolID(1), client: app))
        #expect(marked.warnedFor == Self.day("2026-08-31") && marked.blockedFor == nil)
        try save(store, app, signed: "2026-08-01", expires: "2027-08-31", now: f.now)
        let renewed = try #require(try store.agreement(school: SchoolID(1), client: app))
        #expect(renewed.warnedFor == nil && renewed.document == document.summary && renewed.expiresOn == Self.day("2027-08-31"))
        try save(store, app, signed: "2026-08-01", expires: nil, keep: false, now: f.now)
        #expect(try store.document(school: SchoolID(1), client: app) == nil)
        #expect(try store.agreement(school: SchoolID(1), client: app)?.document == nil)
        #expect(try store.removeAgreement(school: SchoolID(2), client: app) == false)
        #expect(try store.removeAgreement(school: SchoolID(1), client: app))
        #expect(try store.agreement(school: SchoolID(1), client: app) == nil)
        #expect(throws: StoreError.self) { try save(store, ClientID("conformance-missing"), expires: nil, now: f.now) }
    }

    @Test(arguments: OAuthBackend.allCases)
    func theDailyRunGetsDueAgreementsOfActiveAppsOldestFirstUntilWarnedAndBlocked(_ backend: OAuthBackend) throws {
        let (f, store) = try stores(backend)
        #expect(try store.settings(school: SchoolID(1)) == .default)
        #expect(
            try store.setSettings(AgreementSettings(requireAgreement: false, blockOnExpiry: true), school: SchoolID(1), by: UserID(1), now: f.now)
                == [])
        #expect(try store.settings(school: SchoolID(1)) == AgreementSettings(requireAgreement: false, blockOnExpiry: true))
        try save(store, OAuthConformanceFixture.app, expires: "2026-06-30", now: f.now)
        try save(store, OAuthConformanceFixture.other, school: 2, expires: "2026-06-01", now: f.now)
        try save(store, OAuthConformanceFixture.other, expires: "2027-06-30", now: f.now)
        try save(store, OAuthConformanceFixture.suspended, expires: "2026-01-01", now: f.now)
        var due = try store.agreementsExpiring(onOrBefore: Self.day("2026-07-15"), limit: 10)
        #expect(due.map { "\($0.agreement.school) \($0.agreement.client.rawValue)" } == ["2 conformance-other", "1 conformance-app"])
        #expect(due.last?.appName == "App conformance-app" && due.last?.settings.blockOnExpiry == true && due.last?.appBlocked == false)
        #expect(due.first?.settings == .default)
        #expect(try store.agreementsExpiring(onOrBefore: Self.day("2026-07-15"), limit: 1).count == 1)
        _ = try f.policies.setPolicy(
            SchoolAppPolicy(status: .blocked, scopeLimit: nil), school: SchoolID(1), client: OAuthConformanceFixture.app, by: UserID(1), now: f.now)
        #expect(try store.agreementsExpiring(onOrBefore: Self.day("2026-07-15"), limit: 10).last?.appBlocked == true)
        // Warned and blocked for this expiry: no longer due; warned only: still due (for the block).
        try store.markWarned(school: SchoolID(1), client: OAuthConformanceFixture.app, expiresOn: Self.day("2026-06-30"))
        try store.markBlocked(school: SchoolID(1), client: OAuthConformanceFixture.app, expiresOn: Self.day("2026-06-30"))
        try store.markWarned(school: SchoolID(2), client: OAuthConformanceFixture.other, expiresOn: Self.day("2026-06-01"))
        due = try store.agreementsExpiring(onOrBefore: Self.day("2026-07-15"), limit: 10)
        #expect(due.map { "\($0.agreement.school) \($0.agreement.client.rawValue)" } == ["2 conformance-other"])
    }

    @Test(arguments: OAuthBackend.allCases)
    func requiringAgreementsEndsAtOnceTheConnectionsOfAppsWithoutACurrentOne(_ backend: OAuthBackend) throws {
        let (f, store) = try stores(backend)
        let today = CalendarDate(f.now)
        let ada = try f.addStudent("ada")
        let bea = try f.addStudent("bea", school: SchoolID(2))
        // conformance-app: connected, no agreement. conformance-other: connected, a current agreement. The first-party
        // client: connected, needs none. bea's connection is another school's.
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: ada.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("ada-app"), now: f.now)
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.other, user: ada.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("ada-other"), now: f.now)
        _ = try f.tokens.createGrant(
            client: Self.firstParty, user: ada.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("ada-own"), now: f.now)
        _ = try f.tokens.createGrant(
            client: OAuthConformanceFixture.app, user: bea.id, scopes: ["openid"], authTime: f.now, tokens: f.pair("bea-app"), now: f.now)
        try save(
            store, OAuthConformanceFixture.other, signed: today.adding(days: -30).description, expires: today.adding(days: 30).description, now: f.now
        )
        // An agreement that expired yesterday is not current.
        try save(store, OAuthConformanceFixture.app, signed: "2024-01-01", expires: today.description, now: f.now)

        let blocked = try store.setSettings(
            AgreementSettings(requireAgreement: true, blockOnExpiry: false), school: SchoolID(1), by: UserID(1), now: f.now)
        #expect(blocked == [OAuthConformanceFixture.app])
        #expect(try f.policies.policy(school: SchoolID(1), client: OAuthConformanceFixture.app)?.status == .blocked)
        #expect(try f.policies.policy(school: SchoolID(2), client: OAuthConformanceFixture.app) == nil)
        // The token issued before is refused by the resource servers' rule at once, and its grant is revoked.
        func served(_ name: String) throws -> Bool {
            BearerRule.authorize(try f.bearers.bearer(digest: SecretToken.digest("cw_at_" + name)), now: f.now + 1) != nil
        }
        #expect(try !served("ada-app") && !f.isActive("cw_rt_ada-app", at: f.now + 1))
        #expect(try served("ada-own") && served("bea-app"))
        // An app with a current agreement that the school has not decided about is blocked by default (as for a new
        // authorization), its connection kept: allowing it serves the same token again.
        #expect(try !served("ada-other") && f.isActive("cw_rt_ada-other", at: f.now + 1))
        _ = try f.policies.setPolicy(
            SchoolAppPolicy(status: .allowed, scopeLimit: nil), school: SchoolID(1), client: OAuthConformanceFixture.other, by: UserID(1), now: f.now)
        #expect(try served("ada-other"))
        // Saving the settings again has nothing left to cut; an allowed app without a current agreement is cut too.
        #expect(
            try store.setSettings(AgreementSettings(requireAgreement: true, blockOnExpiry: true), school: SchoolID(1), by: UserID(1), now: f.now)
                == [])
        _ = try store.setSettings(AgreementSettings(requireAgreement: false, blockOnExpiry: false), school: SchoolID(1), by: UserID(1), now: f.now)
        _ = try f.policies.setPolicy(
            SchoolAppPolicy(status: .allowed, scopeLimit: nil), school: SchoolID(1), client: OAuthConformanceFixture.app, by: UserID(1), now: f.now)
        #expect(
            try store.setSettings(AgreementSettings(requireAgreement: true, blockOnExpiry: false), school: SchoolID(1), by: UserID(1), now: f.now)
                == [OAuthConformanceFixture.app])
        #expect(try f.policies.policy(school: SchoolID(1), client: OAuthConformanceFixture.app)?.status == .blocked)
    }
}
