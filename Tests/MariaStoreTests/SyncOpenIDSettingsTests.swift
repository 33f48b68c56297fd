import Domain
import Foundation
import Testing

@testable import MariaStore

/// Issue 20 through sync: an app's OpenID Connect settings are stored with the app in the developers database
/// (developers 0015), carried into main's logout tables (main 0042) and `id_token_signed_response_alg` (main 0046)
/// once, replaced when a reviewed change replaces them, and read back by the token and logout code.
@Suite(.serialized) struct SyncOpenIDSettingsTests {
    let suite: SyncStoreTests

    init() throws { suite = try SyncStoreTests() }

    func applying(_ settings: ApplicationOpenIDSettings, to app: SyncedApplication) throws -> (SyncedApplication, Bool) {
        var live = app.live
        live.openID = settings
        let changed = SyncedApplication(
            id: app.id, clientID: app.clientID, status: .approved, live: live, grantedScopes: app.grantedScopes, developerName: app.developerName,
            secretDigests: [], apiKeys: [], marker: app.marker)
        return (changed, try suite.target.apply(changed, as: changed.oauthClient(logoBaseURL: nil), now: suite.now).changed)
    }

    @Test func theRegistrationAndAlgorithmReachMainOnceAndAreReplaced() throws {
        let id = try suite.approvedApp()
        _ = try suite.applyAll()
        let client = ClientID("cw_app_sync")
        let clients = MariaClientStore(database: suite.main.database)
        let logout = MariaLogoutStore(database: suite.main.database)
        #expect(try clients.client(client)?.idTokenSigningAlgorithm == .rs256)
        #expect(try logout.logoutRegistration(of: client) == ClientLogoutRegistration())
        let registration = ClientLogoutRegistration(
            postLogoutRedirectURIs: ["https://app.example/bye", "https://app.example/bye2"], backchannelLogoutURI: "https://app.example/bc",
            backchannelLogoutSessionRequired: true)
        let original = try #require(try suite.source.applicationsToSyncForTest(id))
        let (app, changed) = try applying(ApplicationOpenIDSettings(logout: registration, idTokenSigningAlgorithm: .es256), to: original)
        #expect(changed)
        #expect(try clients.client(client)?.idTokenSigningAlgorithm == .es256)
        #expect(try logout.logoutRegistration(of: client) == registration)
        // Idempotent: the same settings again write nothing.
        #expect(try suite.target.apply(app, as: app.oauthClient(logoBaseURL: nil), now: suite.now).changed == false)
        // A reviewed change back to the default removes the registration and restores RS256.
        #expect(try applying(.standard, to: original).1)
        #expect(try clients.client(client)?.idTokenSigningAlgorithm == .rs256)
        #expect(try logout.logoutRegistration(of: client) == ClientLogoutRegistration())
    }

    @Test func aBadRegistrationFromTheDevelopersDatabaseIsRefusedAndWritesNothing() throws {
        let id = try suite.approvedApp()
        _ = try suite.applyAll()
        let original = try #require(try suite.source.applicationsToSyncForTest(id))
        let bad = ApplicationOpenIDSettings(
            logout: ClientLogoutRegistration(backchannelLogoutURI: "http://10.0.0.1/bc"), idTokenSigningAlgorithm: .es256)
        #expect(throws: StoreError.self) { _ = try applying(bad, to: original) }
        #expect(try MariaClientStore(database: suite.main.database).client(ClientID("cw_app_sync"))?.idTokenSigningAlgorithm == .rs256)
    }

    @Test func anOperatorCreatedClientKeepsItsAlgorithm() throws {
        let clients = MariaClientStore(database: suite.main.database)
        try clients.createClient(
            OAuthClient(
                clientID: ClientID("cw-es256"), name: "ES256 App", developerName: "Ops", kind: .confidential,
                redirectURIs: ["https://app.example/cb"], allowedScopes: ["openid"], idTokenSigningAlgorithm: .es256),
            now: suite.now)
        #expect(try clients.client(ClientID("cw-es256"))?.idTokenSigningAlgorithm == .es256)
    }

    @Test func theDevelopersDatabaseKeepsTheSettingsWithTheApp() throws {
        var draft = SyncStoreTests.draft
        draft.openID = ApplicationOpenIDSettings(
            logout: ClientLogoutRegistration(postLogoutRedirectURIs: ["https://app.example/bye"]), idTokenSigningAlgorithm: .es256)
        let id = try suite.apps.createApplication(owner: suite.owner, clientID: ClientID("cw_app_oidc"), draft: draft, now: suite.now)
        let stored = try #require(try suite.apps.applicationForReview(id))
        #expect(stored.review.currentContent.openID == draft.openID)
    }
}
