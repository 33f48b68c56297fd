import Crypto
import Domain
import Foundation
import Testing

/// RFC 7636: S256 only, with the Appendix B vector.
@Suite struct OAuthPKCETests {
    @Test func theRFC7636AppendixBVerifierHashesToItsChallenge() {
        #expect(PKCE.s256Challenge(verifier: OAuthFixtures.verifier) == OAuthFixtures.challenge)
        #expect(PKCE.verify(verifier: OAuthFixtures.verifier, challenge: OAuthFixtures.challenge))
    }

    @Test func anotherVerifierDoesNotMatch() {
        #expect(!PKCE.verify(verifier: String(repeating: "a", count: 43), challenge: OAuthFixtures.challenge))
        #expect(!PKCE.verify(verifier: OAuthFixtures.challenge, challenge: OAuthFixtures.challenge))
    }

    @Test(arguments: [
        (String(repeating: "a", count: 42), false),
        (String(repeating: "a", count: 43), true),
        (String(repeating: "a", count: 128), true),
        (String(repeating: "a", count: 129), false),
        ("-._~" + String(repeating: "Z9", count: 20), true),
        ("+" + String(repeating: "a", count: 42), false),
        ("=" + String(repeating: "a", count: 42), false),
        (" " + String(repeating: "a", count: 42), false),
        ("é" + String(repeating: "a", count: 42), false),
    ])
    func verifiersAre43To128UnreservedCharacters(verifier: String, valid: Bool) {
        #expect(PKCE.isValidVerifier(verifier) == valid)
    }
}

/// Keyed digests of client secrets.
@Suite struct OAuthClientSecretTests {
    @Test func theDigestIsHMACSHA256WithTheRFC4231Case2Vector() {
        let key = SymmetricKey(data: Array("Jefe".utf8))
        let digest = ClientSecret.digest(secret: "what do ya want for nothing?", key: key)
        #expect(digest.map { String(format: "%02x", $0) }.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func eitherOfTwoActiveSecretsMatches() {
        let key = SymmetricKey(data: [UInt8](repeating: 7, count: 32))
        let digests = [ClientSecret.digest(secret: "cw_cs_new", key: key), ClientSecret.digest(secret: "cw_cs_old", key: key)]
        #expect(ClientSecret.matches(secret: "cw_cs_new", digests: digests, key: key))
        #expect(ClientSecret.matches(secret: "cw_cs_old", digests: digests, key: key))
        #expect(!ClientSecret.matches(secret: "cw_cs_other", digests: digests, key: key))
        #expect(!ClientSecret.matches(secret: "cw_cs_new", digests: [], key: key))
        #expect(!ClientSecret.matches(secret: "cw_cs_new", digests: digests, key: SymmetricKey(data: [UInt8](repeating: 8, count: 32))))
    }

    @Test func secretsHaveTheirPrefixAnd256Bits() {
        var generator = OAuthFixtures.CountingGenerator()
        let secret = ClientSecret.make(using: &generator)
        #expect(SecretToken.isWellFormed(secret, prefix: "cw_cs_"))
    }

    @Test func defaultLifetimesAreAnHourThirtyDaysAMinuteAndTenSecondsOfGrace() {
        let lifetimes = TokenLifetimes()
        #expect(lifetimes.accessToken == 3600)
        #expect(lifetimes.refreshToken == 2_592_000)
        #expect(lifetimes.authorizationCode == 60)
        #expect(lifetimes.refreshReuseGrace == 10)
    }
}

/// Client identification at the token endpoint (RFC 6749 §2.3.1).
@Suite struct OAuthClientAuthenticationTests {
    static func basic(_ raw: String) -> String { "Basic " + Data(raw.utf8).base64EncodedString() }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let form: [(String, String)]
        let authorization: String?
        /// `client_id|method|secret` or an error code.
        let expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(
            name: "client_secret_basic is read from the header", form: [], authorization: basic("demo-web:cw_cs_s3cret"),
            expected: "demo-web|client_secret_basic|cw_cs_s3cret"),
        .init(
            name: "Basic credentials are form-urldecoded after base64", form: [], authorization: basic("my+client%2F1:p%40ss%3Aw%2Brd%25"),
            expected: "my client/1|client_secret_basic|p@ss:w+rd%"),
        .init(name: "the secret may contain colons", form: [], authorization: basic("id:a:b"), expected: "id|client_secret_basic|a:b"),
        .init(
            name: "the Basic scheme name is case-insensitive", form: [], authorization: "bAsIc " + Data("id:s".utf8).base64EncodedString(),
            expected: "id|client_secret_basic|s"),
        .init(
            name: "a client_id field naming the same client is tolerated with Basic", form: [("client_id", "demo-web")],
            authorization: basic("demo-web:s"), expected: "demo-web|client_secret_basic|s"),
        .init(
            name: "a client_id field naming another client is refused", form: [("client_id", "other")], authorization: basic("demo-web:s"),
            expected: "invalid_request"),
        .init(
            name: "using both Basic and client_secret is invalid_request", form: [("client_id", "demo-web"), ("client_secret", "s")],
            authorization: basic("demo-web:s"), expected: "invalid_request"),
        .init(
            name: "client_secret_post is read from the form", form: [("client_id", "demo-web"), ("client_secret", "s")], authorization: nil,
            expected: "demo-web|client_secret_post|s"),
        .init(name: "a public client sends only client_id", form: [("client_id", "demo-public")], authorization: nil, expected: "demo-public|none|-"),
        .init(
            name: "an empty client_secret counts as absent", form: [("client_id", "demo-public"), ("client_secret", "")], authorization: nil,
            expected: "demo-public|none|-"),
        .init(name: "no identification at all is invalid_client", form: [], authorization: nil, expected: "invalid_client"),
        .init(name: "a Bearer header is not client authentication", form: [], authorization: "Bearer abc", expected: "invalid_client"),
        .init(name: "Basic with bad base64 is invalid_client", form: [], authorization: "Basic !!!", expected: "invalid_client"),
        .init(name: "Basic without a colon is invalid_client", form: [], authorization: basic("nocolon"), expected: "invalid_client"),
        .init(name: "Basic with a bad percent escape is invalid_client", form: [], authorization: basic("id%zz:s"), expected: "invalid_client"),
        .init(name: "Basic with an empty client_id is invalid_client", form: [], authorization: basic(":s"), expected: "invalid_client"),
        .init(
            name: "a repeated client_id is invalid_request", form: [("client_id", "a"), ("client_id", "a")], authorization: nil,
            expected: "invalid_request"),
    ]

    @Test(arguments: cases)
    func clientIdentification(_ c: Case) {
        switch ClientAuthentication.parse(form: OAuthParameters(pairs: c.form), authorization: c.authorization) {
        case .success(let auth):
            #expect(c.expected == "\(auth.clientID.rawValue)|\(auth.method.rawValue)|\(auth.secret ?? "-")")
        case .failure(let error):
            #expect(c.expected == error.code.rawValue, "\(error.description)")
        }
    }

    static let key = SymmetricKey(data: [UInt8](repeating: 1, count: 32))
    static let digests = [ClientSecret.digest(secret: "cw_cs_current", key: key), ClientSecret.digest(secret: "cw_cs_previous", key: key)]

    struct AuthCase: Sendable, CustomTestStringConvertible {
        let name: String
        let auth: ClientAuthentication
        let client: OAuthClient?
        let passes: Bool
        var testDescription: String { name }
    }

    static let web = OAuthFixtures.webClient
    static let authCases: [AuthCase] = [
        .init(
            name: "a confidential client with its current secret authenticates",
            auth: .init(clientID: web.clientID, method: .clientSecretBasic, secret: "cw_cs_current"), client: web, passes: true),
        .init(
            name: "the previous secret still works during a rotation",
            auth: .init(clientID: web.clientID, method: .clientSecretPost, secret: "cw_cs_previous"), client: web, passes: true),
        .init(
            name: "a wrong secret fails", auth: .init(clientID: web.clientID, method: .clientSecretBasic, secret: "cw_cs_wrong"), client: web,
            passes: false),
        .init(
            name: "a confidential client without a secret fails", auth: .init(clientID: web.clientID, method: .none, secret: nil), client: web,
            passes: false),
        .init(
            name: "a public client with only client_id authenticates",
            auth: .init(clientID: OAuthFixtures.publicClient.clientID, method: .none, secret: nil), client: OAuthFixtures.publicClient, passes: true),
        .init(
            name: "a public client sending a secret fails",
            auth: .init(clientID: OAuthFixtures.publicClient.clientID, method: .clientSecretPost, secret: "cw_cs_current"),
            client: OAuthFixtures.publicClient, passes: false),
        .init(
            name: "an unknown client fails", auth: .init(clientID: ClientID("nobody"), method: .clientSecretBasic, secret: "cw_cs_current"),
            client: nil, passes: false),
        .init(
            name: "a suspended client fails", auth: .init(clientID: web.clientID, method: .clientSecretBasic, secret: "cw_cs_current"),
            client: OAuthFixtures.client("demo-web", kind: .confidential, redirectURIs: [], status: .suspended), passes: false),
    ]

    @Test(arguments: authCases)
    func clientAuthentication(_ c: AuthCase) {
        let result = c.auth.authenticate(client: c.client, secretDigests: Self.digests, key: Self.key)
        switch result {
        case .success: #expect(c.passes)
        case .failure(let error):
            #expect(!c.passes)
            #expect(error.code == .invalidClient)
            #expect(error.httpStatus == 401)
        }
    }

    @Test func theSecretNeverPrints() {
        let auth = ClientAuthentication(clientID: ClientID("id"), method: .clientSecretPost, secret: "cw_cs_topsecret")
        #expect(!"\(auth)".contains("topsecret"))
        #expect(!String(reflecting: auth).contains("topsecret"))
        var dumped = ""
        dump(auth, to: &dumped)
        #expect(!dumped.contains("topsecret"))
    }
}

/// Form validation of `POST /api/oauth/token`.
@Suite struct OAuthTokenRequestTests {
    static let code = "cw_ac_" + String(repeating: "A", count: 43)
    static let refresh = "cw_rt_" + String(repeating: "B", count: 43)
    static let pub = ("client_id", "demo-public")

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let form: [(String, String)]
        let expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(
            name: "an authorization_code request with a verifier parses",
            form: [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "http://127.0.0.1:8765/callback"),
                ("code_verifier", OAuthFixtures.verifier), pub,
            ], expected: "code"),
        .init(name: "a missing grant_type is invalid_request", form: [("code", code), pub], expected: "invalid_request"),
        .init(
            name: "the password grant is unsupported_grant_type", form: [("grant_type", "password"), ("username", "u"), ("password", "p"), pub],
            expected: "unsupported_grant_type"),
        .init(name: "the implicit grant is unsupported_grant_type", form: [("grant_type", "implicit"), pub], expected: "unsupported_grant_type"),
        .init(
            name: "a device code grant is unsupported_grant_type", form: [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), pub],
            expected: "unsupported_grant_type"),
        .init(
            name: "a repeated code is invalid_request", form: [("grant_type", "authorization_code"), ("code", code), ("code", code), pub],
            expected: "invalid_request"),
        .init(
            name: "a repeated grant_type is invalid_request",
            form: [("grant_type", "authorization_code"), ("grant_type", "authorization_code"), ("code", code), pub], expected: "invalid_request"),
        .init(name: "a missing code is invalid_request", form: [("grant_type", "authorization_code"), pub], expected: "invalid_request"),
        .init(
            name: "a code that is not one of ours is invalid_grant without a lookup",
            form: [("grant_type", "authorization_code"), ("code", "abc"), pub], expected: "invalid_grant"),
        .init(
            name: "a malformed code_verifier is invalid_request",
            form: [("grant_type", "authorization_code"), ("code", code), ("code_verifier", "short"), pub], expected: "invalid_request"),
        .init(
            name: "no client identification is invalid_client", form: [("grant_type", "authorization_code"), ("code", code)],
            expected: "invalid_client"),
        .init(name: "a refresh_token request parses", form: [("grant_type", "refresh_token"), ("refresh_token", refresh), pub], expected: "refresh"),
        .init(
            name: "a refresh_token request may narrow the scope",
            form: [("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", "openid"), pub], expected: "refresh openid"),
        .init(
            name: "a refresh with an unknown scope is invalid_scope",
            form: [("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", "email"), pub], expected: "invalid_scope"),
        .init(name: "a missing refresh_token is invalid_request", form: [("grant_type", "refresh_token"), pub], expected: "invalid_request"),
        .init(
            name: "a refresh token that is not one of ours is invalid_grant", form: [("grant_type", "refresh_token"), ("refresh_token", code), pub],
            expected: "invalid_grant"),
        .init(
            name: "a client_credentials request parses",
            form: [("grant_type", "client_credentials"), ("scope", "school.read"), ("client_id", "demo-web"), ("client_secret", "s")],
            expected: "cc school.read"),
        .init(
            name: "a client_credentials request may omit scope",
            form: [("grant_type", "client_credentials"), ("client_id", "demo-web"), ("client_secret", "s")], expected: "cc"),
    ]

    @Test(arguments: cases)
    func tokenRequestForm(_ c: Case) {
        switch TokenRequest.parse(form: OAuthParameters(pairs: c.form), authorization: nil) {
        case .success(let request):
            switch request.grant {
            case .authorizationCode(let code, let redirectURI, let verifier):
                #expect(c.expected == "code")
                #expect(code == Self.code && redirectURI == "http://127.0.0.1:8765/callback" && verifier == OAuthFixtures.verifier)
            case .refreshToken(let token, let scopes):
                #expect(token == Self.refresh)
                #expect(c.expected == (["refresh"] + (scopes ?? [])).joined(separator: " "))
            case .clientCredentials(let scopes):
                #expect(c.expected == (["cc"] + (scopes ?? [])).joined(separator: " "))
            }
        case .failure(let error):
            #expect(c.expected == error.code.rawValue, "\(error.description)")
        }
    }

    @Test func basicAuthenticationCarriesThroughToTheRequest() throws {
        let header = "Basic " + Data("demo-web:cw_cs_x".utf8).base64EncodedString()
        let request = try TokenRequest.parse(
            form: OAuthParameters(pairs: [("grant_type", "client_credentials")]), authorization: header
        ).get()
        #expect(request.client == ClientAuthentication(clientID: ClientID("demo-web"), method: .clientSecretBasic, secret: "cw_cs_x"))
    }
}

/// The authorization_code grant against the stored code.
@Suite struct OAuthCodeExchangeTests {
    typealias F = OAuthFixtures

    static func code(
        client: OAuthClient = F.publicClient, redirectURI: String = "http://127.0.0.1:8765/callback", challenge: String? = F.challenge,
        expiresIn: Double = 60
    ) -> AuthorizationCodeGrant {
        AuthorizationCodeGrant(
            clientID: client.clientID, userID: UserID(7), redirectURI: redirectURI, scopes: ["openid"], codeChallenge: challenge,
            nonce: nil, authTime: F.t0, methods: [.password], expiresAt: F.t0 + expiresIn)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let code: AuthorizationCodeGrant
        let client: OAuthClient
        let redirectURI: String?
        let verifier: String?
        let expected: String?
        var testDescription: String { name }
    }

    static let web = F.webClient
    static let cases: [Case] = [
        .init(
            name: "the right verifier and redirect_uri exchange the code", code: code(), client: F.publicClient,
            redirectURI: "http://127.0.0.1:8765/callback", verifier: F.verifier, expected: nil),
        .init(
            name: "a wrong verifier is invalid_grant", code: code(), client: F.publicClient, redirectURI: "http://127.0.0.1:8765/callback",
            verifier: String(repeating: "x", count: 43), expected: "invalid_grant"),
        .init(
            name: "a stored challenge without a verifier is invalid_grant", code: code(), client: F.publicClient,
            redirectURI: "http://127.0.0.1:8765/callback", verifier: nil, expected: "invalid_grant"),
        .init(
            name: "a verifier without a stored challenge is a downgrade and invalid_grant",
            code: code(client: web, redirectURI: "https://app.example/cb", challenge: nil), client: web, redirectURI: "https://app.example/cb",
            verifier: F.verifier, expected: "invalid_grant"),
        .init(
            name: "a confidential client without PKCE exchanges its code",
            code: code(client: web, redirectURI: "https://app.example/cb", challenge: nil), client: web, redirectURI: "https://app.example/cb",
            verifier: nil, expected: nil),
        .init(
            name: "a public client's code without a challenge is refused", code: code(challenge: nil), client: F.publicClient,
            redirectURI: "http://127.0.0.1:8765/callback", verifier: nil, expected: "invalid_grant"),
        .init(
            name: "another client's code is invalid_grant", code: code(), client: F.v4OnlyClient, redirectURI: "http://127.0.0.1:8765/callback",
            verifier: F.verifier, expected: "invalid_grant"),
        .init(
            name: "an expired code is invalid_grant", code: code(expiresIn: 0), client: F.publicClient, redirectURI: "http://127.0.0.1:8765/callback",
            verifier: F.verifier, expected: "invalid_grant"),
        .init(
            name: "a redirect_uri differing from the code's is invalid_grant", code: code(redirectURI: "http://127.0.0.1:51000/callback"),
            client: F.publicClient, redirectURI: "http://127.0.0.1:8765/callback", verifier: F.verifier, expected: "invalid_grant"),
        .init(
            name: "a missing redirect_uri is invalid_request for a client with several URIs", code: code(), client: F.publicClient, redirectURI: nil,
            verifier: F.verifier, expected: "invalid_request"),
        .init(
            name: "a client with one URI may omit redirect_uri for a code issued to it",
            code: code(client: web, redirectURI: "https://app.example/cb", challenge: nil), client: web, redirectURI: nil, verifier: nil,
            expected: nil),
        .init(
            name: "a loopback code on another port needs its redirect_uri",
            code: code(client: F.v4OnlyClient, redirectURI: "http://127.0.0.1:51000/callback"), client: F.v4OnlyClient, redirectURI: nil,
            verifier: F.verifier, expected: "invalid_request"),
    ]

    @Test(arguments: cases)
    func codeExchange(_ c: Case) {
        let error = CodeExchangeRule.check(code: c.code, client: c.client, redirectURI: c.redirectURI, codeVerifier: c.verifier, now: F.t0)
        #expect(error?.code.rawValue == c.expected, "\(error?.description ?? "")")
    }
}

/// client_credentials: confidential clients, app-level scopes.
@Suite struct OAuthClientCredentialsTests {
    typealias F = OAuthFixtures

    @Test(
        arguments: [
            ("a confidential client gets the app-level scope it asks for", ["school.read"], false, "school.read"),
            ("without scope it gets every app-level scope it is allowed", nil, false, "school.read"),
            ("a user scope is invalid_scope without a user", ["profile.read"], false, "invalid_scope"),
            ("openid is invalid_scope without a user", ["openid", "school.read"], false, "invalid_scope"),
            ("a public client is unauthorized_client", ["school.read"], true, "unauthorized_client"),
        ] as [(String, [String]?, Bool, String)])
    func clientCredentialsScopes(name: String, requested: [String]?, isPublic: Bool, expected: String) {
        let client = isPublic ? F.publicClient : F.webClient
        switch ClientCredentialsRule.scopes(requested: requested, client: client) {
        case .success(let scopes): #expect(scopes.joined(separator: " ") == expected, "\(name)")
        case .failure(let error): #expect(error.code.rawValue == expected, "\(name)")
        }
    }

    @Test func aClientNotAllowedSchoolReadHasNoDefaultScope() {
        let client = F.client("no-app-scope", kind: .confidential, redirectURIs: [], scopes: ["openid"])
        #expect(ClientCredentialsRule.scopes(requested: nil, client: client).failureCode == "invalid_scope")
        #expect(ClientCredentialsRule.scopes(requested: ["school.read"], client: client).failureCode == "invalid_scope")
    }
}

extension Result where Failure == OAuthError {
    var failureCode: String? {
        if case .failure(let error) = self { return error.code.rawValue }
        return nil
    }
}

/// Refresh token rotation and reuse (RFC 9700 §4.14.2).
@Suite struct OAuthRefreshPolicyTests {
    typealias F = OAuthFixtures
    static let grant = GrantID(42)
    static let client = ClientID("demo-public")

    static func token(
        kind: StoredToken.Kind = .refresh, client: ClientID = client, expiresIn: Double = 1000, revokedAgo: Double? = nil, rotatedAgo: Double? = nil
    ) -> StoredToken {
        StoredToken(
            kind: kind, grantID: grant, clientID: client, userID: UserID(7), scopes: ["openid", "profile.read"],
            issuedAt: F.t0 - 100, expiresAt: F.t0 + expiresIn, revokedAt: revokedAgo.map { F.t0 - $0 },
            rotatedAt: rotatedAgo.map { F.t0 - $0 })
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let token: StoredToken?
        let expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(name: "a live refresh token rotates", token: token(), expected: "rotate"),
        .init(name: "an unknown token is refused", token: nil, expected: "refuse"),
        .init(name: "an access token is not a refresh token", token: token(kind: .access), expected: "refuse"),
        .init(name: "another client's token is refused without revoking its grant", token: token(client: ClientID("other")), expected: "refuse"),
        .init(name: "an expired token is refused", token: token(expiresIn: 0), expected: "refuse"),
        .init(name: "a revoked token is refused", token: token(revokedAgo: 5), expected: "refuse"),
        .init(name: "a token rotated within the grace window is a retry: nothing is revoked", token: token(rotatedAgo: 10), expected: "within grace"),
        .init(name: "a token rotated after the grace window revokes the grant", token: token(rotatedAgo: 10.5), expected: "revoke 42"),
    ]

    @Test(arguments: cases)
    func refreshDecision(_ c: Case) {
        switch RefreshPolicy.decide(token: c.token, client: Self.client, now: F.t0, grace: 10) {
        case .rotate: #expect(c.expected == "rotate")
        case .refuse(let error):
            #expect(c.expected == "refuse")
            #expect(error.code == .invalidGrant)
        case .rotatedWithinGrace(let error):
            #expect(c.expected == "within grace")
            #expect(error.code == .invalidGrant)
        case .revokeGrant(let grant, let error):
            #expect(c.expected == "revoke \(grant)")
            #expect(error.code == .invalidGrant)
        }
    }

    @Test(
        arguments: [
            (nil, "openid profile.read"),
            (["openid"], "openid"),
            (["profile.read", "openid"], "profile.read openid"),
            (["openid", "profile.email"], "invalid_scope"),
        ] as [([String]?, String)])
    func aRefreshMayNarrowButNotWidenTheScope(requested: [String]?, expected: String) {
        switch RefreshPolicy.scopes(requested: requested, granted: ["openid", "profile.read"]) {
        case .success(let scopes): #expect(scopes.joined(separator: " ") == expected)
        case .failure(let error): #expect(error.code.rawValue == expected)
        }
    }

    @Test func everyStoreOutcomeButRotationIsInvalidGrant() {
        #expect((try? RefreshPolicy.outcome(.rotated(Self.token())).get()) == Self.token())
        for outcome in [RefreshRotation.alreadyRotated, .reuseDetected, .invalid] {
            #expect(RefreshPolicy.outcome(outcome).failureCode == "invalid_grant")
        }
    }
}

/// Statuses of JSON errors (RFC 6749 §5.2, RFC 6750 §3.1).
@Suite struct OAuthErrorTests {
    @Test(arguments: [
        (OAuthError.Code.invalidRequest, 400), (.invalidClient, 401), (.invalidGrant, 400), (.unauthorizedClient, 400),
        (.unsupportedGrantType, 400), (.invalidScope, 400), (.accessDenied, 400), (.unsupportedResponseType, 400),
        (.serverError, 500), (.temporarilyUnavailable, 503), (.loginRequired, 400), (.consentRequired, 400),
        (.invalidToken, 401), (.insufficientScope, 403),
    ])
    func eachCodeHasItsRFCStatus(code: OAuthError.Code, status: Int) {
        #expect(OAuthError(code, "x").httpStatus == status)
    }

    @Test func serverErrorsDoNotEchoTheirDetail() {
        let error = OAuthError.serverError(logDetail: "MariaDB 2013: lost connection")
        #expect(error.code.rawValue == "server_error")
        #expect(!error.description.contains("MariaDB"))
        #expect(error.logDetail == "MariaDB 2013: lost connection")
    }
}
