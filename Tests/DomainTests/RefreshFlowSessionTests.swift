import Crypto
import Domain
import Foundation
import Testing

@testable import StoreTwins

/// ``RefreshFlow``'s `sid` (OIDC Core §12.2, Back-Channel Logout 1.0 §2.4): the refreshed ID token names the session
/// the grant came from while that session is alive, and no session once it has ended.
@Suite struct RefreshFlowSessionTests {
    let student = UserAccount(
        id: UserID(7), role: .student, schoolID: SchoolID(1), givenName: "Ada", familyName: "L", email: "ada@school.test", username: nil)
    let client = OAuthFixtures.webClient
    let now = OAuthFixtures.t0
    let policy = SessionPolicy(idleTimeout: 1800, absoluteLifetime: 43200)
    let sessionIDKey = SymmetricKey(size: .bits256)
    let session = SecretToken.digest("cw_s_refresh")

    /// Signs nothing: the "token" is the claims' JSON.
    struct ClaimsEcho: IDTokenSigner {
        func sign(_ claims: IDTokenClaims) throws -> String { claims.json }
    }

    /// The claims of the ID token a refresh answers when the grant's session is `found` (`nil`: none stored).
    func refreshedClaims(found: GrantSession?, at time: Date) throws -> [String: Any] {
        let student = self.student
        let store = MemoryOAuthStore(users: { $0 == student.id ? student : nil })
        try store.createClient(client, now: now)
        var generator = SystemRandomNumberGenerator()
        let refresh = SecretToken.make(prefix: TokenPrefix.refreshToken, using: &generator)
        let grant = try store.createGrant(
            client: client.clientID, user: student.id, scopes: ["openid", "offline_access"], authTime: now,
            tokens: [NewToken(digest: SecretToken.digest(refresh), kind: .refresh, expiresAt: now + 86400 * 30)], now: now)
        let flow = RefreshFlow(
            tokens: store, lifetimes: TokenLifetimes(), rotationKey: SymmetricKey(size: .bits256),
            idTokens: IDTokenSettings(
                issuer: OAuthFixtures.issuer, lifetime: 3600, subjects: SubjectIdentifiers(key: SymmetricKey(size: .bits256)),
                sessionIDKey: sessionIDKey),
            signer: ClaimsEcho(), activeUser: { $0 == student.id ? student : nil }, sessionPolicy: policy,
            grantSession: { $0 == grant ? found : nil })
        guard case .issued(let response, _) = try flow.run(refreshToken: refresh, scopes: nil, client: client, now: time) else {
            throw StoreError(.other, detail: "the refresh was refused")
        }
        let json = try #require(response.idToken)
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func aLiveSessionsSidIsTheOneTheCodesIDTokenCarried() throws {
        let claims = try refreshedClaims(found: GrantSession(digest: session, createdAt: now, lastSeenAt: now + 600), at: now + 1200)
        #expect(claims["sid"] as? String == SessionIdentifier.sid(sessionDigest: session, key: sessionIDKey))
        #expect(claims["nonce"] == nil && claims["auth_time"] == nil)
    }

    @Test func anEndedOrExpiredSessionGivesNoSid() throws {
        // Deleted (signed out, or swept by the cron): the grant lives on, its ID tokens name no session.
        #expect(try refreshedClaims(found: nil, at: now + 60)["sid"] == nil)
        // Still stored but idle past its limit, or past its absolute lifetime: as good as ended.
        let idle = GrantSession(digest: session, createdAt: now, lastSeenAt: now)
        #expect(try refreshedClaims(found: idle, at: now + 1800)["sid"] == nil)
        let old = GrantSession(digest: session, createdAt: now, lastSeenAt: now + 43000)
        #expect(try refreshedClaims(found: old, at: now + 43200)["sid"] == nil)
        #expect(try refreshedClaims(found: idle, at: now + 1799)["sid"] != nil)
    }
}
