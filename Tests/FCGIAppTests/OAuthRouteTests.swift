import Domain
import Foundation
import MariaStore
import Testing

@testable import FCGIApp
@testable import StoreTwins

@Suite struct OAuthRouteTests {
    let app: TestApp
    let keys = OAuthKeyMaterial(secret: Array(repeating: 9, count: 32), credentials: CredentialKeyMaterial(secret: Array(repeating: 8, count: 32)))
    let secret = "cw_cs_route-test-secret"
    let student: UserAccount
    var oauth: MemoryOAuthStore { app.oauth }

    init() throws {
        var app = TestApp()
        app.oauthKeys = keys
        self.app = app
        student = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: nil)
        try oauth.createClient(
            OAuthClient(
                clientID: ClientID("server-app"), name: "Server App", description: "Reads grades", logoURL: "https://app.example/logo.png",
                homepageURL: "https://app.example", developerName: "Example Ltd", verified: true, kind: .confidential,
                redirectURIs: ["https://app.example/cb"], allowedScopes: ["openid", "profile.read", "profile.email"]),
            now: app.clock.now)
        try oauth.addSecret(digest: ClientSecret.digest(secret: secret, key: keys.clientSecretKey), to: ClientID("server-app"), now: app.clock.now)
        try oauth.createClient(
            OAuthClient(
                clientID: ClientID("spa"), name: "SPA", developerName: "Someone", kind: .public, redirectURIs: ["https://spa.example/cb"],
                allowedScopes: ["openid"]),
            now: app.clock.now)
        try oauth.createClient(
            OAuthClient(
                clientID: ClientID("suspended-app"), name: "Gone", developerName: "Someone", kind: .public,
                redirectURIs: ["https://gone.example/cb"], allowedScopes: ["openid"], status: .suspended),
            now: app.clock.now)
    }

    private var responder: SiteResponder { app.responder() }

    /// Issues a token as the token endpoint would store it; returns the token.
    private func issue(
        _ kind: StoredToken.Kind = .access, client: String = "server-app", user: UserID?, scopes: [String], lifetime: TimeInterval = 3600
    ) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: kind == .access ? TokenPrefix.accessToken : TokenPrefix.refreshToken, using: &generator)
        _ = try oauth.createGrant(
            client: ClientID(client), user: user, scopes: scopes, authTime: app.clock.now,
            tokens: [NewToken(digest: SecretToken.digest(token), kind: kind, expiresAt: app.clock.now + lifetime)], now: app.clock.now)
        return token
    }

    private func send(_ method: String, _ uri: String, headers: [String: String] = [:], form: [(String, String)]? = nil) -> HTTPResponse {
        var params = headers
        var body: [UInt8] = []
        if let form {
            params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            body = Array(form.map { "\(FormCodec.encode($0.0))=\(FormCodec.encode($0.1))" }.joined(separator: "&").utf8)
        }
        return responder.respond(to: rawRequest(method, uri, headers: params, body: body))
    }

    private func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    private func basic(_ id: String, _ secret: String) -> [String: String] {
        ["HTTP_AUTHORIZATION": "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()]
    }

    // MARK: Discovery and JWKS

    @Test func bothDiscoveryDocumentsNameTheIssuerAndEveryEndpointAndMayBeCachedFromAnyOrigin() {
        let oidc = send("GET", "/.well-known/openid-configuration")
        let oauthMetadata = send("GET", "/.well-known/oauth-authorization-server")
        #expect(oidc.status == 200)
        #expect(oidc.body == oauthMetadata.body)
        #expect(oidc.headers["Access-Control-Allow-Origin"] == "*")
        #expect(oidc.headers["Cache-Control"] == "public, max-age=3600")
        let document = json(oidc)
        #expect(document["issuer"] as? String == "https://app.localhost")
        #expect(document["authorization_endpoint"] as? String == "https://app.localhost/authsso")
        #expect(document["token_endpoint"] as? String == "https://app.localhost/api/oauth/token")
        #expect(document["userinfo_endpoint"] as? String == "https://app.localhost/api/oauth/userinfo")
        #expect(document["jwks_uri"] as? String == "https://app.localhost/api/oauth/jwks")
        #expect(document["revocation_endpoint"] as? String == "https://app.localhost/api/oauth/revoke")
        #expect(document["introspection_endpoint"] as? String == "https://app.localhost/api/oauth/introspect")
        #expect(document["code_challenge_methods_supported"] as? [String] == ["S256"])
        #expect(document["authorization_response_iss_parameter_supported"] as? Bool == true)
        #expect((document["scopes_supported"] as? [String])?.contains("openid") == true)
    }

    @Test func theKeySetPublishesCurrentKeysAndRetiredOnesUntilTheirIDTokensHaveExpired() throws {
        var generator = SystemRandomNumberGenerator()
        let now = app.clock.now
        func record(retired: Date?) throws -> SigningKeyRecord {
            let made = try SigningKey.generate(.es256).record(sealingWith: keys.sealingKey, createdAt: now - 7200, using: &generator)
            return SigningKeyRecord(
                kid: made.kid, algorithm: made.algorithm, sealedPrivateKey: made.sealedPrivateKey, publicJWK: made.publicJWK,
                createdAt: made.createdAt, retiredAt: retired)
        }
        let current = try record(retired: nil)
        let recentlyRetired = try record(retired: now - 600)
        let longRetired = try record(retired: now - 3 * 3600)
        for key in [current, recentlyRetired, longRetired] { try oauth.addKey(key, now: now) }

        let response = send("GET", "/api/oauth/jwks")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.headers["Access-Control-Allow-Origin"] == "*")
        let kids = (json(response)["keys"] as? [[String: Any]])?.compactMap { $0["kid"] as? String }
        #expect(kids?.count == 2 && Set(kids ?? []) == [current.kid, recentlyRetired.kid])
    }

    // MARK: App info

    @Test func theAppCardShowsWhatTheConsentPageShowsAndNothingElse() {
        let response = send("GET", "/api/oauth/app-info?client_id=server-app")
        #expect(response.status == 200)
        #expect(response.headers["Access-Control-Allow-Origin"] == nil)
        #expect(
            response.text
                == #"{"client_id":"server-app","name":"Server App","description":"Reads grades","logo_uri":"https://app.example/logo.png","client_uri":"https://app.example","policy_uri":null,"tos_uri":null,"developer":"Example Ltd","verified":true,"first_party":false}"#
        )
    }

    @Test(arguments: [
        ("/api/oauth/app-info?client_id=nobody", 404, "invalid_client"),
        ("/api/oauth/app-info?client_id=suspended-app", 404, "invalid_client"),
        ("/api/oauth/app-info", 400, "invalid_request"),
        ("/api/oauth/app-info?client_id=spa&client_id=server-app", 400, "invalid_request"),
        ("/api/oauth/app-info?client_id=%0A", 400, "invalid_request"),
    ])
    func anAppCardIsRefusedForUnknownInactiveMissingOrRepeatedClients(uri: String, status: Int, error: String) {
        let response = send("GET", uri)
        #expect(response.status == status)
        #expect(json(response)["error"] as? String == error)
    }

    // MARK: Userinfo

    @Test func userinfoWithoutATokenIsA401WithABareBearerChallenge() {
        let response = send("GET", "/api/oauth/userinfo")
        #expect(response.status == 401)
        #expect(
            response.headers["WWW-Authenticate"] == #"Bearer realm="catalystwells", DPoP algs="ES256 RS256 EdDSA Ed25519""#,
            "both schemes are offered (RFC 9449 §7.1)")
        #expect(response.headers["Access-Control-Allow-Origin"] == "*")
        #expect(response.headers["Cache-Control"] == "no-store")
    }

    @Test func userinfoReturnsTheClaimsOfTheGrantedScopes() throws {
        let token = try issue(user: student.id, scopes: ["openid", "profile.read"])
        let response = send("GET", "/api/oauth/userinfo", headers: ["HTTP_AUTHORIZATION": "Bearer \(token)"])
        #expect(response.status == 200)
        #expect(response.headers["Cache-Control"] == "no-store")
        #expect(response.headers["Access-Control-Allow-Origin"] == "*")
        let claims = json(response)
        #expect(claims["sub"] as? String == "\(student.id.rawValue)")
        #expect(claims["preferred_username"] as? String == "ada")
        #expect(claims["role"] as? String == "student")
        #expect(claims["email"] == nil)
    }

    @Test func userinfoTakesTheTokenFromAPostedForm() throws {
        let token = try issue(user: student.id, scopes: ["openid", "profile.email"])
        let response = send("POST", "/api/oauth/userinfo", form: [("access_token", token)])
        #expect(response.status == 200)
        #expect(json(response)["email"] as? String == "ada@school.test")
    }

    @Test func aTokenWithoutOpenIDIsInsufficientScope() throws {
        let token = try issue(user: student.id, scopes: ["profile.read"])
        let response = send("GET", "/api/oauth/userinfo", headers: ["HTTP_AUTHORIZATION": "Bearer \(token)"])
        #expect(response.status == 403)
        #expect(json(response)["error"] as? String == "insufficient_scope")
        #expect(response.headers["WWW-Authenticate"]?.hasPrefix(#"Bearer realm="catalystwells", error="insufficient_scope""#) == true)
        #expect(response.headers["WWW-Authenticate"]?.hasSuffix(#"scope="openid""#) == true)
    }

    @Test func userinfoRefusesEveryTokenThatIsNotALiveAccessTokenOfAnActiveUser() throws {
        let refresh = try issue(.refresh, user: student.id, scopes: ["openid"])
        let expired = try issue(user: student.id, scopes: ["openid"], lifetime: 10)
        let appOnly = try issue(user: nil, scopes: ["openid"])
        let revoked = try issue(user: student.id, scopes: ["openid"])
        try oauth.revokeToken(digest: SecretToken.digest(revoked), client: ClientID("server-app"), now: app.clock.now)
        let other = app.memory.addUser(role: .teacher, email: "grace@school.test", hash: nil)
        let deactivated = try issue(user: other.id, scopes: ["openid"])
        app.memory.deactivate(other.id)
        app.clock.advance(60)
        for token in [refresh, expired, appOnly, revoked, deactivated, "cw_at_short", "not-a-token"] {
            let response = send("GET", "/api/oauth/userinfo", headers: ["HTTP_AUTHORIZATION": "Bearer \(token)"])
            #expect(response.status == 401)
            #expect(json(response)["error"] as? String == "invalid_token")
            #expect(response.headers["WWW-Authenticate"]?.contains(#"error="invalid_token""#) == true)
        }
    }

    @Test func aTokenSentTwiceIsAnInvalidRequest() {
        let response = send("POST", "/api/oauth/userinfo", headers: ["HTTP_AUTHORIZATION": "Bearer cw_at_x"], form: [("access_token", "cw_at_x")])
        #expect(response.status == 400)
        #expect(json(response)["error"] as? String == "invalid_request")
    }

    @Test func browsersMayPreflightUserinfoWithAnAuthorizationHeader() {
        let response = send("OPTIONS", "/api/oauth/userinfo")
        #expect(response.status == 204)
        #expect(response.headers["Access-Control-Allow-Origin"] == "*")
        #expect(response.headers["Access-Control-Allow-Headers"]?.contains("Authorization") == true)
    }

    // MARK: Revocation

    @Test func revocationWithoutAClientIsInvalidClient() {
        let response = send("POST", "/api/oauth/revoke", form: [("token", "cw_at_x")])
        #expect(response.status == 401)
        #expect(json(response)["error"] as? String == "invalid_client")
    }

    @Test func revocationWithAWrongBasicSecretAsksForBasic() {
        let response = send("POST", "/api/oauth/revoke", headers: basic("server-app", "wrong"), form: [("token", "cw_at_x")])
        #expect(response.status == 401)
        #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Basic") == true)
    }

    @Test(arguments: [[(String, String)](), [("token", "a"), ("token", "b")]])
    func revocationNeedsExactlyOneToken(form: [(String, String)]) {
        let response = send("POST", "/api/oauth/revoke", headers: basic("server-app", secret), form: form)
        #expect(response.status == 400)
        #expect(json(response)["error"] as? String == "invalid_request")
    }

    @Test func aPublicClientRevokesItsOwnTokenByClientIDAlone() throws {
        let token = try issue(client: "spa", user: student.id, scopes: ["openid"])
        let response = send("POST", "/api/oauth/revoke", form: [("token", token), ("client_id", "spa"), ("token_type_hint", "refresh_token")])
        #expect(response.status == 200)
        #expect(response.text == "{}")
        #expect(try oauth.token(digest: SecretToken.digest(token))?.revokedAt != nil)
    }

    @Test func revokingAnotherClientsOrAnUnknownTokenAnswers200AndChangesNothing() throws {
        let token = try issue(client: "spa", user: student.id, scopes: ["openid"])
        for candidate in [token, "cw_at_unknown", "junk"] {
            let response = send("POST", "/api/oauth/revoke", headers: basic("server-app", secret), form: [("token", candidate)])
            #expect(response.status == 200)
        }
        #expect(try oauth.token(digest: SecretToken.digest(token))?.revokedAt == nil)
    }

    // MARK: Introspection

    @Test func introspectionDescribesTheCallersOwnActiveToken() throws {
        let token = try issue(user: student.id, scopes: ["openid", "profile.read"])
        let response = send("POST", "/api/oauth/introspect", headers: basic("server-app", secret), form: [("token", token)])
        #expect(response.status == 200)
        #expect(response.headers["Cache-Control"] == "no-store")
        let now = Int(app.clock.now.timeIntervalSince1970)
        #expect(
            response.text
                == #"{"active":true,"scope":"openid profile.read","client_id":"server-app","token_type":"Bearer","exp":\#(now + 3600),"iat":\#(now),"sub":"\#(student.id.rawValue)","iss":"https://app.localhost"}"#
        )
    }

    @Test func introspectionCallsARefreshTokenARefreshToken() throws {
        let token = try issue(.refresh, user: student.id, scopes: ["openid"])
        let response = send("POST", "/api/oauth/introspect", form: [("token", token), ("client_id", "server-app"), ("client_secret", secret)])
        #expect(json(response)["token_type"] as? String == "refresh_token")
    }

    @Test func introspectionAnswersOnlyActiveFalseForUnknownExpiredRevokedOrForeignTokens() throws {
        let foreign = try issue(client: "spa", user: student.id, scopes: ["openid"])
        let expired = try issue(user: student.id, scopes: ["openid"], lifetime: 10)
        let revoked = try issue(user: student.id, scopes: ["openid"])
        try oauth.revokeToken(digest: SecretToken.digest(revoked), client: ClientID("server-app"), now: app.clock.now)
        app.clock.advance(60)
        for token in [foreign, expired, revoked, "cw_at_unknown", "junk"] {
            let response = send("POST", "/api/oauth/introspect", headers: basic("server-app", secret), form: [("token", token)])
            #expect(response.status == 200)
            #expect(response.text == #"{"active":false}"#)
        }
    }

    @Test func aPublicClientMayNotIntrospect() throws {
        let token = try issue(client: "spa", user: student.id, scopes: ["openid"])
        let response = send("POST", "/api/oauth/introspect", form: [("token", token), ("client_id", "spa")])
        #expect(response.status == 401)
        #expect(json(response)["error"] as? String == "invalid_client")
    }

    @Test func introspectionWithoutAClientIsInvalidClient() {
        let response = send("POST", "/api/oauth/introspect", form: [("token", "cw_at_x")])
        #expect(response.status == 401)
        #expect(json(response)["error"] as? String == "invalid_client")
    }
}
