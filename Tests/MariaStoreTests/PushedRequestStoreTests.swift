import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// Migration 0040's stores: pushed authorization requests (spent once, expire), the client-assertion replay cache,
/// and clients registered for private_key_jwt and PAR. The same cases run on the in-memory twin.
@Suite(.serialized) struct PushedRequestStoreTests {
    let db: TestDatabase
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws { db = try TestDatabase() }

    var stores: [(String, any PushedAuthorizationRequestStore & ClientAssertionUseStore)] {
        [("MariaDB", MariaTokenStore(database: db.database)), ("memory", MemoryPushedRequests())]
    }

    @Test func aPushedRequestIsReadUntilItExpiresAndSpentOnce() throws {
        for (name, store) in stores {
            let digest = [UInt8](repeating: 0x11, count: 32)
            let parameters = OAuthParameters(values: ["client_id": "app", "scope": "openid profile", "state": "a&b=c"])
            try store.savePushedRequest(
                digest: digest, clientID: ClientID("app"), parameters: PushedAuthorizationRequest.encode(parameters), expiresAt: now + 60)
            let read = try #require(try store.pushedRequest(digest: digest, now: now + 1), "\(name)")
            #expect(read == PushedRequestRecord(clientID: ClientID("app"), parameters: parameters, consumed: false), "\(name)")
            #expect(try store.pushedRequest(digest: [UInt8](repeating: 0x22, count: 32), now: now) == nil, "\(name)")
            #expect(try store.consumePushedRequest(digest: digest, now: now + 2), "\(name)")
            #expect(try !store.consumePushedRequest(digest: digest, now: now + 3), "\(name): spent twice")
            #expect(try store.pushedRequest(digest: digest, now: now + 3)?.consumed == true, "\(name)")
            #expect(try store.pushedRequest(digest: digest, now: now + 61) == nil, "\(name): expired")
            let late = [UInt8](repeating: 0x33, count: 32)
            try store.savePushedRequest(digest: late, clientID: ClientID("app"), parameters: "a=b", expiresAt: now + 60)
            #expect(try !store.consumePushedRequest(digest: late, now: now + 61), "\(name): spent after expiry")
            #expect(try store.purgePushedRequests(before: now + 61) == 2, "\(name)")
            #expect(try store.purgePushedRequests(before: now + 61) == 0, "\(name)")
        }
    }

    @Test func anAssertionIsUsedOnceUntilItIsPurged() throws {
        for (name, store) in stores {
            let digest = ClientAssertionRules.replayDigest(clientID: ClientID("app"), jti: "jti-1")
            #expect(try store.recordAssertionUse(digest: digest, expiresAt: now + 90), "\(name)")
            #expect(try !store.recordAssertionUse(digest: digest, expiresAt: now + 90), "\(name): a replay")
            #expect(
                try store.recordAssertionUse(
                    digest: ClientAssertionRules.replayDigest(clientID: ClientID("other"), jti: "jti-1"), expiresAt: now + 300))
            #expect(try store.purgeAssertionUses(before: now + 100) == 1, "\(name)")
            #expect(try store.recordAssertionUse(digest: digest, expiresAt: now + 190), "\(name): purged after it expired")
        }
    }

    @Test func aClientKeepsItsKeysAndPARRequirement() throws {
        let clients = MariaClientStore(database: db.database)
        let document =
            #"{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#
        for (id, keys, par) in [
            ("pkjwt-doc", ClientKeyRegistration(source: .document(document)), true),
            ("pkjwt-uri", ClientKeyRegistration(source: .uri("https://keys.example/jwks.json")), false),
            ("plain", nil, false),
        ] as [(String, ClientKeyRegistration?, Bool)] {
            let client = OAuthClient(
                clientID: ClientID(id), name: "App", developerName: "Dev", kind: .confidential, redirectURIs: ["https://app.example/cb"],
                allowedScopes: ["openid"], privateKeyJWT: keys, requiresPushedAuthorizationRequests: par)
            try clients.createClient(client, now: now)
            let read = try #require(try clients.client(ClientID(id)))
            #expect(read == client, "\(id)")
            let record = try #require(try clients.authenticationRecord(of: ClientID(id), presentedDigest: nil, redirectURIs: true, now: now))
            #expect(record.client.privateKeyJWT == keys && record.client.requiresPushedAuthorizationRequests == par, "\(id)")
        }
    }
}
