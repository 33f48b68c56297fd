import Crypto
import Domain
import Foundation
import Testing
import _CryptoExtras

/// `private_key_jwt` (RFC 7523 §3): each assertion rule refuses on its own; registered key sets; the jwks_uri cache.
@Suite struct ClientAssertionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let client = ClientID("pkjwt-app")
    static let tokenURL = "https://app.example/api/oauth/token"
    static let issuer = "https://app.example"
    static let key = P256.Signing.PrivateKey()
    static let otherKey = P256.Signing.PrivateKey()
    static let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static func b64(_ bytes: some Sequence<UInt8>) -> String { SecretToken.base64URL(Array(bytes)) }

    static func jwk(_ key: P256.Signing.PrivateKey, kid: String) -> JSONValue {
        let raw = Array(key.publicKey.rawRepresentation)
        return .object([
            ("kty", "EC"), ("crv", "P-256"), ("kid", .string(kid)), ("x", .string(b64(raw[0..<32]))), ("y", .string(b64(raw[32...]))),
        ])
    }

    static func rsaJWK(kid: String) -> JSONValue {
        let components = try! rsaKey.publicKey.getKeyPrimitives()
        return .object([
            ("kty", "RSA"), ("kid", .string(kid)), ("n", .string(b64(components.modulus))), ("e", .string(b64(components.publicExponent))),
        ])
    }

    static let keySet = try! ClientKeySet(document: JSONValue.object([("keys", .array([jwk(key, kid: "ec1"), rsaJWK(kid: "rsa1")]))]).text)

    var context: ClientAssertionContext { ClientAssertionContext(keys: Self.keySet, audiences: [Self.tokenURL, Self.issuer], now: now) }

    /// An assertion with the given header and claim changes (`nil` removes), signed ES256 by `signer` unless `alg` says RS/PS.
    func assertion(
        header changes: [(String, JSONValue?)] = [], claims claimChanges: [(String, JSONValue?)] = [], signer: P256.Signing.PrivateKey = key
    )
        -> String
    {
        var header: [(String, JSONValue)] = [("alg", "ES256"), ("kid", "ec1")]
        var claims: [(String, JSONValue)] = [
            ("iss", .string(client.rawValue)), ("sub", .string(client.rawValue)), ("aud", .string(Self.tokenURL)),
            ("exp", .int(Int(now.timeIntervalSince1970) + 60)), ("iat", .int(Int(now.timeIntervalSince1970))), ("jti", "a-unique-id"),
        ]
        for (name, value) in changes {
            header.removeAll { $0.0 == name }
            if let value { header.append((name, value)) }
        }
        for (name, value) in claimChanges {
            claims.removeAll { $0.0 == name }
            if let value { claims.append((name, value)) }
        }
        let input = Array((Self.b64(JSONValue.object(header).serialized()) + "." + Self.b64(JSONValue.object(claims).serialized())).utf8)
        let alg = header.first { $0.0 == "alg" }?.1.stringValue
        let signature: [UInt8]
        switch alg {
        case "RS256": signature = Array(try! Self.rsaKey.signature(for: input, padding: .insecurePKCS1v1_5).rawRepresentation)
        case "PS256": signature = Array(try! Self.rsaKey.signature(for: input, padding: .PSS).rawRepresentation)
        case "HS256": signature = Array(HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(size: .bits256)))
        case "none": signature = []
        default: signature = Array(try! signer.signature(for: input).rawRepresentation)
        }
        return String(decoding: input, as: UTF8.self) + "." + Self.b64(signature)
    }

    func check(_ assertion: String, context: ClientAssertionContext? = nil) -> Result<ClientAssertionRules.Accepted, ClientAssertionRules.Refusal> {
        ClientAssertionRules.check(assertion, clientID: client, context: context ?? self.context)
    }

    @Test func aGoodAssertionIsAcceptedWithEveryAlgorithm() throws {
        for alg in ["ES256", "RS256", "PS256"] {
            let kid: JSONValue = alg == "ES256" ? "ec1" : "rsa1"
            let accepted = try check(assertion(header: [("alg", .string(alg)), ("kid", kid)])).get()
            #expect(accepted.replayDigest == ClientAssertionRules.replayDigest(clientID: client, jti: "a-unique-id"))
            #expect(accepted.rememberUntil == now.addingTimeInterval(90))
        }
    }

    @Test func theIssuerIsAnAudienceToo() {
        #expect((try? check(assertion(claims: [("aud", .array([.string(Self.issuer)]))])).get()) != nil)
    }

    @Test(
        arguments: [
            ("alg none", [("alg", JSONValue?.some("none"))], [(String, JSONValue?)]()),
            ("alg HS256", [("alg", "HS256")], []),
            ("a crit header", [("crit", .array(["exp"]))], []),
            ("an unknown kid", [("kid", "nope")], []),
            ("iss not the client", [], [("iss", "someone-else")]),
            ("sub not the client", [], [("sub", "someone-else")]),
            ("aud another server", [], [("aud", "https://other.example/token")]),
            ("aud the PAR endpoint", [], [("aud", "https://app.example/api/oauth/par")]),
            ("no exp", [], [("exp", nil)]),
            ("exp past", [], [("exp", .int(1_800_000_000 - 31))]),
            ("exp too far", [], [("exp", .int(1_800_000_000 + 3600))]),
            ("iat in the future", [], [("iat", .int(1_800_000_000 + 120))]),
            ("nbf in the future", [], [("nbf", .int(1_800_000_000 + 120))]),
            ("no jti", [], [("jti", nil)]),
            ("an empty jti", [], [("jti", "")]),
        ] as [(String, [(String, JSONValue?)], [(String, JSONValue?)])])
    func anAssertionIsRefusedFor(_ what: String, header: [(String, JSONValue?)], claims: [(String, JSONValue?)]) {
        if case .success = check(assertion(header: header, claims: claims)) { Issue.record("accepted with \(what)") }
    }

    @Test func aSignatureByAnotherKeyIsRefused() {
        if case .success = check(assertion(signer: Self.otherKey)) { Issue.record("accepted") }
    }

    @Test func noKeysRefuseEverything() {
        if case .success = check(assertion(), context: ClientAssertionContext(keys: nil, audiences: [Self.tokenURL], now: now)) {
            Issue.record("accepted")
        }
    }

    @Test func theMethodIdentifiesTheClientBySubAndChecksTheFormClientID() throws {
        let methods = ClientAuthenticationMethods.standard
        let form = OAuthParameters(pairs: [("client_assertion_type", ClientAssertionRules.assertionType), ("client_assertion", assertion())])
        let identified = try methods.identify(ClientAuthenticationRequest(form: form, authorization: nil)).get()
        #expect(identified.clientID == client && identified.method == .privateKeyJWT)
        let mismatched = OAuthParameters(pairs: form.values.map { ($0.key, $0.value) } + [("client_id", "other")])
        #expect(throws: OAuthError.self) { try methods.identify(ClientAuthenticationRequest(form: mismatched, authorization: nil)).get() }
        let wrongType = OAuthParameters(pairs: [("client_assertion_type", "urn:other"), ("client_assertion", assertion())])
        #expect((try? methods.identify(ClientAuthenticationRequest(form: wrongType, authorization: nil)).get()) == nil)
        let withSecret = OAuthParameters(pairs: form.values.map { ($0.key, $0.value) } + [("client_secret", "x"), ("client_id", client.rawValue)])
        let twoMethods = methods.identify(ClientAuthenticationRequest(form: withSecret, authorization: nil))
        if case .failure(let error) = twoMethods { #expect(error.code == .invalidRequest) } else { Issue.record("two methods accepted") }
    }

    @Test func onlyAClientRegisteredForKeysCanUseThemAndItsSecretsNoLongerCount() throws {
        let secretKey = SymmetricKey(size: .bits256)
        let registered = OAuthClient(
            clientID: client, name: "PKJWT", developerName: "Dev", kind: .confidential, redirectURIs: [], allowedScopes: [],
            privateKeyJWT: ClientKeyRegistration(source: .uri("https://keys.example/jwks.json")))
        var plain = registered
        plain.privateKeyJWT = nil
        let presented = ClientAuthentication(clientID: client, method: .privateKeyJWT, secret: assertion())
        #expect((try? presented.authenticate(client: registered, secretDigests: [], key: secretKey, assertion: context).get()) != nil)
        #expect((try? presented.authenticate(client: plain, secretDigests: [], key: secretKey, assertion: context).get()) == nil)
        let secret = "cw_cs_secret"
        let digest = ClientSecret.digest(secret: secret, key: secretKey)
        let bySecret = ClientAuthentication(clientID: client, method: .clientSecretPost, secret: secret)
        #expect((try? bySecret.authenticate(client: plain, secretDigests: [digest], key: secretKey).get()) != nil)
        #expect((try? bySecret.authenticate(client: registered, secretDigests: [digest], key: secretKey).get()) == nil)
    }

    @Test func keySetsRefusePrivateKeysAndNeedAUsableKey() {
        #expect(throws: ClientKeySet.Invalid.self) { try ClientKeySet(document: #"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#) }
        #expect(throws: ClientKeySet.Invalid.self) { try ClientKeySet(document: #"{"keys":[]}"#) }
        #expect(throws: ClientKeySet.Invalid.self) { try ClientKeySet(document: "not json") }
        #expect(throws: ClientKeySet.Invalid.self) { try ClientKeySet(document: #"{"kty":"EC"}"#) }
        var withD = Self.jwk(Self.key, kid: "k")
        if case .object(var members) = withD {
            members.append(("d", "AAAA"))
            withD = .object(members)
        }
        #expect(throws: ClientKeySet.Invalid.self) { try ClientKeySet(document: JSONValue.object([("keys", .array([withD]))]).text) }
    }

    @Test func registrationsNeedExactlyOneHTTPSPlace() {
        let jwks = JSONValue.object([("keys", .array([Self.jwk(Self.key, kid: "k")]))]).text
        #expect((try? ClientKeyRegistration.validate(jwks: jwks, jwksURI: nil).get()) != nil)
        #expect((try? ClientKeyRegistration.validate(jwks: nil, jwksURI: "https://keys.example/jwks").get()) != nil)
        #expect((try? ClientKeyRegistration.validate(jwks: jwks, jwksURI: "https://keys.example/jwks").get()) == nil)
        #expect((try? ClientKeyRegistration.validate(jwks: nil, jwksURI: nil).get()) == nil)
        for uri in ["http://keys.example/jwks", "https://user:pw@keys.example/", "https://keys.example/#f", "ftp://x"] {
            #expect((try? ClientKeyRegistration.validate(jwks: nil, jwksURI: uri).get()) == nil, "\(uri)")
        }
    }

    @Test func theKeyCacheRefetchesOnceForAnUnknownKidAndStaysBounded() {
        func fetches(_ step: ClientKeyCache.Step) -> Bool {
            if case .fetch = step { return true }
            return false
        }
        var cache = ClientKeyCache(capacity: 2)
        #expect(fetches(cache.step("a", kid: "ec1", now: now)), "a new client")
        cache.failed("a", at: now)
        if case .unavailable = cache.step("a", kid: "ec1", now: now.addingTimeInterval(30)) {} else { Issue.record("a failed fetch retried at once") }
        #expect(fetches(cache.step("a", kid: "ec1", now: now.addingTimeInterval(61))), "retried after a minute")
        cache.store(Self.keySet, for: "a", at: now)
        #expect(!fetches(cache.step("a", kid: "ec1", now: now.addingTimeInterval(10))), "cached")
        #expect(fetches(cache.step("a", kid: "new", now: now.addingTimeInterval(10))), "an unknown kid")
        #expect(!fetches(cache.step("a", kid: "new2", now: now.addingTimeInterval(20))), "not again within a minute")
        #expect(fetches(cache.step("a", kid: "new2", now: now.addingTimeInterval(80))), "again after a minute")
        #expect(fetches(cache.step("a", kid: nil, now: now.addingTimeInterval(ClientKeyCache.maximumAge))), "old keys")
        cache.store(Self.keySet, for: "b", at: now.addingTimeInterval(1))
        cache.store(Self.keySet, for: "c", at: now.addingTimeInterval(2))
        #expect(cache.count == 2)
        #expect(fetches(cache.step("a", kid: nil, now: now.addingTimeInterval(3))), "the oldest was dropped")
    }
}

/// Pushed authorization requests (RFC 9126): the push validates as /authsso; the request_uri is bound, spent once.
@Suite struct PushedAuthorizationRequestTests {
    let client = OAuthFixtures.webClient

    func form(_ changes: [(String, String?)] = []) -> OAuthParameters {
        var values: [String: String] = [
            "response_type": "code", "client_id": client.clientID.rawValue, "redirect_uri": "https://app.example/cb",
            "scope": "openid", "code_challenge": OAuthFixtures.challenge, "code_challenge_method": "S256", "state": "s1",
            "client_secret": "cw_cs_x",
        ]
        for (name, value) in changes { values[name] = value }
        return OAuthParameters(values: values)
    }

    @Test func aValidPushIsStoredWithoutCredentials() throws {
        let stored = try PushedAuthorizationRequest.validate(form(), client: client).get()
        #expect(stored["client_secret"] == nil && stored["state"] == "s1")
        let again = try #require(PushedAuthorizationRequest.decode(PushedAuthorizationRequest.encode(stored)))
        #expect(again == stored)
    }

    @Test(
        arguments: [
            ("a request_uri", [("request_uri", String?.some("urn:x"))], "invalid_request"),
            ("a request object", [("request", "eyJ")], "request_not_supported"),
            ("another client_id", [("client_id", "someone")], "invalid_request"),
            ("an unregistered redirect_uri", [("redirect_uri", "https://evil.example/cb")], "invalid_request"),
            ("no PKCE challenge for a plain method", [("code_challenge_method", "plain")], "invalid_request"),
            ("an unknown scope", [("scope", "root")], "invalid_scope"),
            ("a token response type", [("response_type", "token")], "unsupported_response_type"),
        ] as [(String, [(String, String?)], String)])
    func aPushIsRefusedFor(_ what: String, changes: [(String, String?)], code: String) {
        switch PushedAuthorizationRequest.validate(form(changes), client: client) {
        case .success: Issue.record("accepted with \(what)")
        case .failure(let error): #expect(error.code.rawValue == code, "\(what)")
        }
    }

    @Test func requestURIsAreRandomAndOnlyOursAreLookedUp() {
        var generator = SystemRandomNumberGenerator()
        let one = PushedAuthorizationRequest.make(using: &generator)
        let two = PushedAuthorizationRequest.make(using: &generator)
        #expect(one.requestURI != two.requestURI && one.requestURI.hasPrefix("urn:ietf:params:oauth:request_uri:"))
        #expect(PushedAuthorizationRequest.digest(requestURI: one.requestURI) == one.digest)
        #expect(!one.requestURI.contains(SecretToken.base64URL(one.digest)))
        #expect(PushedAuthorizationRequest.digest(requestURI: "urn:ietf:params:oauth:request_uri:short") == nil)
        #expect(PushedAuthorizationRequest.digest(requestURI: "https://evil.example/req") == nil)
    }

    @Test func aStoredRequestResolvesOnlyForItsClientAndOnce() throws {
        let parameters = try PushedAuthorizationRequest.validate(form(), client: client).get()
        let query = OAuthParameters(values: ["client_id": client.clientID.rawValue, "request_uri": "urn:x"])
        let fresh = PushedRequestRecord(clientID: client.clientID, parameters: parameters, consumed: false)
        #expect(try PushedAuthorizationRequest.resolve(query: query, stored: fresh).get() == parameters)
        let spent = PushedRequestRecord(clientID: client.clientID, parameters: parameters, consumed: true)
        let other = PushedRequestRecord(clientID: ClientID("other"), parameters: parameters, consumed: false)
        for stored in [spent, other, nil] {
            switch PushedAuthorizationRequest.resolve(query: query, stored: stored) {
            case .success: Issue.record("resolved \(String(describing: stored))")
            case .failure(let error): #expect(error.code == .invalidRequest && !error.isRedirectable)
            }
        }
        let noClient = OAuthParameters(values: ["request_uri": "urn:x"])
        #expect((try? PushedAuthorizationRequest.resolve(query: noClient, stored: fresh).get()) == nil)
    }

    @Test func aClientThatMustPushIsRefusedWithoutARequestURI() {
        var strict = client
        strict.requiresPushedAuthorizationRequests = true
        #expect(PushedAuthorizationRequest.requirement(for: strict, query: form()) != nil)
        #expect(PushedAuthorizationRequest.requirement(for: strict, query: OAuthParameters(values: ["request_uri": "urn:x"])) == nil)
        #expect(PushedAuthorizationRequest.requirement(for: client, query: form()) == nil)
    }
}
