import Crypto
import Domain
import Foundation
import Testing

/// RP-Initiated Logout 1.0 (the end-session request, `id_token_hint`, post-logout redirects) and Back-Channel Logout
/// 1.0 (logout tokens, `sid`, the retry schedule): the rules without a database.
@Suite struct LogoutRulesTests {
    static let issuer = "https://app.example"
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let key = try! SigningKey.generate(.es256)
    var keySet: JSONWebKeySet {
        var random = SystemRandomNumberGenerator()
        let record = try! key.record(sealingWith: SymmetricKey(size: .bits256), createdAt: now, using: &random)
        return try! JSONWebKeySet(document: Array(JWKS.document(keys: [record]).utf8))
    }

    func idToken(issuer: String = Self.issuer, signer: SigningKey? = nil, lifetime: TimeInterval = 300, sid: String? = "s1") -> String {
        var claims = IDTokenClaims(
            issuer: issuer, subject: "42", audience: ClientID("app-1"), issuedAt: now, lifetime: lifetime, authTime: now, nonce: nil)
        claims.sessionID = sid
        return try! claims.signed(with: signer ?? key)
    }

    func request(_ pairs: [String: [String]]) -> Result<EndSessionRequest, IDTokenHint.Refusal> {
        EndSessionRequest.parse { pairs[$0] ?? [] }
    }

    @Test func aHintWeSignedIsReadEvenWhenExpired() throws {
        let hint = try IDTokenHint.verify(idToken(lifetime: -3600), issuer: Self.issuer, keys: keySet).get()
        #expect(hint == IDTokenHint.verifyForTests(subject: "42", audience: "app-1", sid: "s1"))
    }

    @Test func aHintFromAnotherIssuerOrKeyIsRefused() throws {
        #expect(throws: IDTokenHint.Refusal.self) {
            try IDTokenHint.verify(idToken(issuer: "https://evil.example"), issuer: Self.issuer, keys: keySet).get()
        }
        let stranger = try SigningKey.generate(.es256)
        #expect(throws: IDTokenHint.Refusal.self) { try IDTokenHint.verify(idToken(signer: stranger), issuer: Self.issuer, keys: keySet).get() }
        #expect(throws: IDTokenHint.Refusal.self) { try IDTokenHint.verify("not.a.token", issuer: Self.issuer, keys: keySet).get() }
        // The signature covers the claims: a changed payload does not verify.
        let parts = idToken().split(separator: ".")
        let forged = parts[0] + "." + SecretToken.base64URL(Array(#"{"iss":"https://app.example","sub":"1","aud":"app-1"}"#.utf8)) + "." + parts[2]
        #expect(throws: IDTokenHint.Refusal.self) { try IDTokenHint.verify(String(forged), issuer: Self.issuer, keys: keySet).get() }
    }

    @Test func repeatedOrOverlongParametersAreRefused() {
        #expect(throws: IDTokenHint.Refusal.self) { try request(["state": ["a", "b"]]).get() }
        #expect(throws: IDTokenHint.Refusal.self) { try request(["client_id": [String(repeating: "x", count: 9000)]]).get() }
        #expect((try? request(["state": ["a"], "unknown": ["1", "2"]]).get()) != nil)
    }

    @Test func theClientComesFromClientIDOrTheHintAndTheyMustAgree() throws {
        let hint = IDTokenHint.verifyForTests(subject: "42", audience: "app-1", sid: nil)
        let both = try request(["client_id": ["app-2"]]).get()
        #expect(throws: IDTokenHint.Refusal.self) { try both.client(hint: hint).get() }
        #expect(try request([:]).get().client(hint: hint).get() == ClientID("app-1"))
        #expect(try request(["client_id": ["app-3"]]).get().client(hint: nil).get() == ClientID("app-3"))
    }

    @Test func onlyAnExactlyRegisteredRedirectIsFollowedWithStateAdded() throws {
        let registered = ["https://rp.example/bye", "https://rp.example/out?x=1"]
        let plain = try request(["post_logout_redirect_uri": ["https://rp.example/bye"], "state": ["a b&c"]]).get()
        #expect(try plain.redirect(client: ClientID("app-1"), registered: registered).get() == "https://rp.example/bye?state=a%20b%26c")
        let withQuery = try request(["post_logout_redirect_uri": ["https://rp.example/out?x=1"]]).get()
        #expect(try withQuery.redirect(client: ClientID("app-1"), registered: registered).get() == "https://rp.example/out?x=1")
        for uri in ["https://rp.example/bye/", "https://rp.example/BYE", "https://evil.example/bye"] {
            let other = try request(["post_logout_redirect_uri": [uri]]).get()
            #expect(throws: IDTokenHint.Refusal.self) { try other.redirect(client: ClientID("app-1"), registered: registered).get() }
        }
        #expect(throws: IDTokenHint.Refusal.self) { try plain.redirect(client: nil, registered: registered).get() }
        #expect(throws: IDTokenHint.Refusal.self) { try plain.redirect(client: ClientID("gone"), registered: nil).get() }
        #expect(try request([:]).get().redirect(client: nil, registered: nil).get() == nil)
    }

    @Test func theSessionEndsWithoutAskingOnlyWhenTheHintNamesIt() {
        let hint = IDTokenHint.verifyForTests(subject: "42", audience: "app-1", sid: "s1")
        #expect(BackchannelLogoutPolicy.endsWithoutAsking(hint: hint, subject: "42", sessionID: "s1"))
        #expect(!BackchannelLogoutPolicy.endsWithoutAsking(hint: hint, subject: "42", sessionID: "s2"))
        #expect(!BackchannelLogoutPolicy.endsWithoutAsking(hint: hint, subject: "43", sessionID: "s1"))
        #expect(!BackchannelLogoutPolicy.endsWithoutAsking(hint: nil, subject: "42", sessionID: "s1"))
        #expect(
            !BackchannelLogoutPolicy.endsWithoutAsking(
                hint: .verifyForTests(subject: "42", audience: "app-1", sid: nil), subject: "42", sessionID: "s1"))
    }

    @Test func sidIsStablePerSessionAndRevealsNeitherCookieNorDigest() {
        let digest = SecretToken.digest("cw_s_cookie")
        let key = SymmetricKey(size: .bits256)
        let sid = SessionIdentifier.sid(sessionDigest: digest, key: key)
        #expect(sid == SessionIdentifier.sid(sessionDigest: digest, key: key))
        #expect(sid != SessionIdentifier.sid(sessionDigest: SecretToken.digest("cw_s_other"), key: key))
        #expect(sid != SessionIdentifier.sid(sessionDigest: digest, key: SymmetricKey(size: .bits256)))
        #expect(sid.count == 22 && !sid.contains("cookie") && sid != SecretToken.base64URL(digest))
    }

    @Test func aLogoutTokenHasTheSpecsClaimsAndNoNonce() throws {
        let token = LogoutToken(issuer: Self.issuer, audience: ClientID("app-1"), issuedAt: now, id: "j1", subject: "42", sessionID: "s1")
        #expect(
            token.json
                == #"{"iss":"https://app.example","aud":"app-1","iat":1800000000,"exp":1800000120,"jti":"j1","sub":"42","sid":"s1","events":{"http://schemas.openid.net/event/backchannel-logout":{}}}"#
        )
        let jws = try CompactJWS(try token.signed(with: key))
        #expect(jws.header[member: "typ"]?.stringValue == "logout+jwt")
        #expect(JSONWebKeySet.verify(jws.signature, over: jws.signingInput, key: keySet.keys[key.kid]!, algorithm: "ES256"))
    }

    @Test func failedDeliveriesAreRetriedFurtherApartThenGivenUp() {
        #expect(BackchannelLogoutPolicy.nextAttempt(after: 1, succeeded: true, now: now) == nil)
        #expect(BackchannelLogoutPolicy.nextAttempt(after: 1, succeeded: false, now: now) == now.addingTimeInterval(30))
        #expect(BackchannelLogoutPolicy.nextAttempt(after: 3, succeeded: false, now: now) == now.addingTimeInterval(120))
        #expect(BackchannelLogoutPolicy.nextAttempt(after: 7, succeeded: false, now: now) == now.addingTimeInterval(1800))
        #expect(BackchannelLogoutPolicy.nextAttempt(after: 8, succeeded: false, now: now) == nil)
        #expect(BackchannelLogoutPolicy.delivered(status: 200) && !BackchannelLogoutPolicy.delivered(status: 500))
    }

    @Test func registrationsAreCheckedBeforeTheyAreStored() {
        #expect(ClientLogoutRegistration(postLogoutRedirectURIs: ["https://rp.example/bye", "http://127.0.0.1:9/x"]).problems().isEmpty)
        #expect(!ClientLogoutRegistration(postLogoutRedirectURIs: ["https://rp.example/bye#x"]).problems().isEmpty)
        #expect(!ClientLogoutRegistration(postLogoutRedirectURIs: ["http://rp.example/bye"]).problems().isEmpty)
        #expect(!ClientLogoutRegistration(postLogoutRedirectURIs: ["https://a.example", "https://a.example"]).problems().isEmpty)
        #expect(ClientLogoutRegistration(backchannelLogoutURI: "https://rp.example/bc?x=1").problems().isEmpty)
        #expect(!ClientLogoutRegistration(backchannelLogoutURI: "http://127.0.0.1/bc").problems().isEmpty)
        #expect(!ClientLogoutRegistration(backchannelLogoutSessionRequired: true).problems().isEmpty)
    }
}

extension IDTokenHint {
    /// A hint as ``verify(_:issuer:keys:)`` returns it.
    static func verifyForTests(subject: String, audience: String, sid: String?) -> IDTokenHint {
        IDTokenHint(subject: subject, audience: ClientID(audience), sessionID: sid)
    }
}
