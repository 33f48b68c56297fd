import Domain
import Foundation
import Testing

@testable import MariaStore

/// Issue 20 through sync: an app's client authentication (private_key_jwt keys, PAR requirement) is stored with the
/// app in the developers database (developers 0014), carried into its client in main (main 0040) once, and changed
/// there when a reviewed change replaces it.
@Suite(.serialized) struct SyncClientAuthenticationTests {
    let suite: SyncStoreTests

    init() throws { suite = try SyncStoreTests() }

    static let jwks =
        #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#

    @Test func keysAndThePARRequirementReachTheClientOnce() throws {
        let id = try suite.approvedApp()
        _ = try suite.applyAll()
        let clients = MariaClientStore(database: suite.main.database)
        #expect(try clients.client(ClientID("cw_app_sync"))?.privateKeyJWT == nil)
        var app = try #require(try suite.source.applicationsToSyncForTest(id))
        var live = app.live
        live.clientAuthentication = ApplicationClientAuthentication(
            privateKeyJWT: ClientKeyRegistration(source: .document(Self.jwks)), requiresPushedAuthorizationRequests: true)
        app = SyncedApplication(
            id: app.id, clientID: app.clientID, status: .approved, live: live, grantedScopes: app.grantedScopes, developerName: app.developerName,
            secretDigests: [], apiKeys: [], marker: app.marker)
        #expect(try suite.target.apply(app, as: app.oauthClient(logoBaseURL: nil), now: suite.now).changed)
        let client = try #require(try clients.client(ClientID("cw_app_sync")))
        #expect(client.privateKeyJWT == ClientKeyRegistration(source: .document(Self.jwks)) && client.requiresPushedAuthorizationRequests)
        #expect(try suite.target.apply(app, as: app.oauthClient(logoBaseURL: nil), now: suite.now).changed == false)
    }

    /// The DPoP requirement (`require_dpop`) turns `dpop_bound_access_tokens` on and, for a confidential client, off again.
    @Test func theDPoPRequirementReachesTheClient() throws {
        let id = try suite.approvedApp()
        _ = try suite.applyAll()
        let clients = MariaClientStore(database: suite.main.database)
        var app = try #require(try suite.source.applicationsToSyncForTest(id))
        func apply(requiring: Bool) throws -> Bool {
            var live = app.live
            live.clientAuthentication = ApplicationClientAuthentication(requiresDPoPBoundTokens: requiring)
            app = SyncedApplication(
                id: app.id, clientID: app.clientID, status: .approved, live: live, grantedScopes: app.grantedScopes,
                developerName: app.developerName, secretDigests: [], apiKeys: [], marker: app.marker)
            return try suite.target.apply(app, as: app.oauthClient(logoBaseURL: nil), now: suite.now).changed
        }
        let before = try #require(try clients.client(ClientID("cw_app_sync")))
        #expect(try apply(requiring: true))
        #expect(try clients.client(ClientID("cw_app_sync"))?.requiresDPoP == true)
        #expect(try apply(requiring: true) == false, "unchanged: nothing written")
        if before.kind == .confidential {
            #expect(try apply(requiring: false))
            #expect(try clients.client(ClientID("cw_app_sync"))?.requiresDPoP == false)
        }
    }

    @Test func theDevelopersDatabaseKeepsTheSettingWithTheApp() throws {
        var draft = SyncStoreTests.draft
        draft.clientAuthentication = ApplicationClientAuthentication(
            privateKeyJWT: ClientKeyRegistration(source: .uri("https://keys.example/jwks.json")), requiresPushedAuthorizationRequests: true)
        let id = try suite.apps.createApplication(owner: suite.owner, clientID: ClientID("cw_app_keys"), draft: draft, now: suite.now)
        let stored = try #require(try suite.apps.applicationForReview(id))
        #expect(stored.review.currentContent.clientAuthentication == draft.clientAuthentication)
    }
}
