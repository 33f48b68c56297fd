import Domain
import Foundation
import Testing

@testable import MariaStore

/// Issue 19 item 2 through sync: an app's LTI tool registration is stored with the app in the developers database
/// (developers 0021), carried into main's `lti_tools` and `lti_tool_redirect_uris` (main 0051) once, replaced when a
/// reviewed change replaces it, and removed when the app stops being a tool.
@Suite(.serialized) struct SyncLTIToolTests {
    let suite: SyncStoreTests

    init() throws { suite = try SyncStoreTests() }

    static let tool = LTIToolSettings(
        loginInitiationURL: "https://sb.example/lti/login", targetLinkURI: "https://sb.example/lti/launch",
        redirectURIs: ["https://sb.example/lti/launch", "https://sb.example/lti/deep"])

    func applying(_ settings: LTIToolSettings?, to app: SyncedApplication) throws -> (SyncedApplication, Bool) {
        var live = app.live
        live.lti = settings
        let changed = SyncedApplication(
            id: app.id, clientID: app.clientID, status: .approved, live: live, grantedScopes: app.grantedScopes, developerName: app.developerName,
            secretDigests: [], apiKeys: [], marker: app.marker)
        return (changed, try suite.target.apply(changed, as: changed.oauthClient(logoBaseURL: nil), now: suite.now).changed)
    }

    func stored() throws -> LTIToolSettings? {
        let rows = try suite.main.database.query(
            """
            SELECT t.login_initiation_url, t.target_link_uri, t.deep_linking_url FROM lti_tools t JOIN oauth_clients c ON c.id = t.client_pk
            WHERE c.client_id = 'cw_app_sync'
            """)
        guard let row = rows.first else { return nil }
        let uris = try suite.main.database.query(
            """
            SELECT u.uri FROM lti_tool_redirect_uris u JOIN oauth_clients c ON c.id = u.client_pk
            WHERE c.client_id = 'cw_app_sync' ORDER BY u.position
            """
        ).compactMap { $0.string("uri") }
        return LTIToolSettings(
            loginInitiationURL: row.string("login_initiation_url") ?? "", targetLinkURI: row.string("target_link_uri") ?? "", redirectURIs: uris,
            deepLinkingURL: row.string("deep_linking_url") ?? "")
    }

    @Test func theRegistrationReachesMainOnceIsReplacedAndRemoved() throws {
        let id = try suite.approvedApp()
        _ = try suite.applyAll()
        #expect(try stored() == nil)
        let original = try #require(try suite.source.applicationsToSyncForTest(id))
        let (app, changed) = try applying(Self.tool, to: original)
        #expect(changed)
        #expect(try stored() == Self.tool)
        // Idempotent: the same registration again writes nothing.
        #expect(try suite.target.apply(app, as: app.oauthClient(logoBaseURL: nil), now: suite.now).changed == false)
        var moved = Self.tool
        moved.redirectURIs = ["https://sb.example/lti/launch2"]
        #expect(try applying(moved, to: original).1)
        #expect(try stored() == moved)
        // A reviewed change that is no longer a tool removes it (and its redirect URIs, by the foreign key).
        #expect(try applying(nil, to: original).1)
        #expect(try stored() == nil)
        #expect(try suite.main.database.query("SELECT COUNT(*) AS n FROM lti_tool_redirect_uris").first?.int("n") == 0)
    }

    @Test func theDeepLinkingURLIsCarriedChangedAndClearedByMainMigration0054() throws {
        let id = try suite.approvedApp()
        _ = try suite.applyAll()
        let original = try #require(try suite.source.applicationsToSyncForTest(id))
        var linking = Self.tool
        linking.deepLinkingURL = "https://sb.example/lti/deep"
        let (app, changed) = try applying(linking, to: original)
        #expect(changed)
        #expect(try stored() == linking)
        #expect(try suite.target.apply(app, as: app.oauthClient(logoBaseURL: nil), now: suite.now).changed == false, "idempotent")
        #expect(try applying(Self.tool, to: original).1, "removing the URL is a change")
        #expect(try stored() == Self.tool)
        #expect(try suite.main.database.query("SELECT COUNT(*) AS n FROM lti_tools WHERE deep_linking_url IS NULL").first?.int("n") == 1)
        var bad = linking
        bad.deepLinkingURL = "http://10.0.0.1/deep"
        #expect(throws: StoreError.self) { _ = try applying(bad, to: original) }
        #expect(try stored() == Self.tool)
    }

    @Test func aBadRegistrationFromTheDevelopersDatabaseIsRefusedAndWritesNothing() throws {
        let id = try suite.approvedApp()
        _ = try suite.applyAll()
        let original = try #require(try suite.source.applicationsToSyncForTest(id))
        var bad = Self.tool
        bad.loginInitiationURL = "http://10.0.0.1/login"
        #expect(throws: StoreError.self) { _ = try applying(bad, to: original) }
        #expect(try stored() == nil)
    }

    @Test func theDevelopersDatabaseKeepsTheRegistrationWithTheApp() throws {
        var draft = SyncStoreTests.draft
        draft.lti = Self.tool
        let id = try suite.apps.createApplication(owner: suite.owner, clientID: ClientID("cw_app_lti"), draft: draft, now: suite.now)
        let stored = try #require(try suite.apps.applicationForReview(id))
        #expect(stored.review.currentContent.lti == Self.tool)
    }
}
