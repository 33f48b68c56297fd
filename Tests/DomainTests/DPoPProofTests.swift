import Crypto
import Domain
import Foundation
import Testing

/// DPoP proofs (RFC 9449 §4.3), nonces (§8) and the bearer rule's key binding (§7.1): every check refuses on its own.
@Suite struct DPoPProofTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let key = P256.Signing.PrivateKey()
    static let tokenURL = "https://app.example/api/oauth/token"

    static func b64(_ bytes: some Sequence<UInt8>) -> String { SecretToken.base64URL(Array(bytes)) }

    func publicJWK(_ key: P256.Signing.PrivateKey) -> JSONValue {
        let raw = Array(key.publicKey.rawRepresentation)
        return .object([("kty", "EC"), ("crv", "P-256"), ("x", .string(Self.b64(raw[0..<32]))), ("y", .string(Self.b64(raw[32...])))])
    }

    /// A proof signed by `signer` with the given header and claim changes (a `nil` value removes the member).
    func proof(
        header changes: [(String, JSONValue?)] = [], claims claimChanges: [(String, JSONValue?)] = [], signer: P256.Signing.PrivateKey? = nil
    ) -> String {
        var header: [(String, JSONValue)] = [("typ", "dpop+jwt"), ("alg", "ES256"), ("jwk", publicJWK(key))]
        var claims: [(String, JSONValue)] = [
            ("jti", "e1j3V_bKic8-LAEB"), ("htm", "POST"), ("htu", .string(Self.tokenURL)), ("iat", .int(Int(now.timeIntervalSince1970) - 5)),
        ]
        for (name, value) in changes {
            header.removeAll { $0.0 == name }
            if let value { header.append((name, value)) }
        }
        for (name, value) in claimChanges {
            claims.removeAll { $0.0 == name }
            if let value { claims.append((name, value)) }
        }
        let input = Self.b64(JSONValue.object(header).serialized()) + "." + Self.b64(JSONValue.object(claims).serialized())
        let signature = try! (signer ?? key).signature(for: Array(input.utf8)).rawRepresentation
        return input + "." + Self.b64(signature)
    }

    func verify(
        _ proof: String, method: String = "POST", uri: String = tokenURL, accessToken: String? = nil,
        nonce: DPoPProof.NonceRule = .none
    ) -> Result<DPoPProof, DPoPProof.Failure> {
        DPoPProof.verify(proof, method: method, uri: uri, accessToken: accessToken, nonce: nonce, now: now)
    }

    @Test func aWellFormedProofGivesTheKeysThumbprint() throws {
        let accepted = try verify(proof()).get()
        #expect(accepted.thumbprint == DPoPProof.thumbprint(ofPublicJWK: publicJWK(key)))
        #expect(accepted.replayExpiresAt == now.addingTimeInterval(-5 + DPoPProof.maximumAge + DPoPProof.maximumSkew))
        let other = try verify(proof(claims: [("jti", "another")])).get()
        #expect(other.replayDigest != accepted.replayDigest && other.thumbprint == accepted.thumbprint)
    }

    @Test func theThumbprintIsRFC7638s() {
        // RFC 7638 §3.1.
        let rsa: JSONValue = .object([
            ("kty", "RSA"), ("e", "AQAB"),
            (
                "n",
                "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
            ),
        ])
        #expect(DPoPProof.thumbprint(ofPublicJWK: rsa) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        // Private members make it no proof key at all.
        #expect(DPoPProof.thumbprint(ofPublicJWK: .object([("kty", "EC"), ("crv", "P-256"), ("x", "AA"), ("y", "AA"), ("d", "AA")])) == nil)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let header: [(String, JSONValue?)]
        let claims: [(String, JSONValue?)]
        let method: String
        let uri: String
        var testDescription: String { name }
        init(
            _ name: String, header: [(String, JSONValue?)] = [], claims: [(String, JSONValue?)] = [], method: String = "POST",
            uri: String = DPoPProofTests.tokenURL
        ) {
            (self.name, self.header, self.claims, self.method, self.uri) = (name, header, claims, method, uri)
        }
    }

    static let refusals: [Refusal] = [
        .init("a JWT that is not typed dpop+jwt", header: [("typ", "JWT")]),
        .init("alg none", header: [("alg", "none")]),
        .init("a symmetric alg", header: [("alg", "HS256")]),
        .init("an alg that is not the key's", header: [("alg", "RS256")]),
        .init("no jwk", header: [("jwk", nil)]),
        .init("a jwk with its private key", header: [("jwk", .object([("kty", "EC"), ("crv", "P-256"), ("d", "AAAA")]))]),
        .init("no jti", claims: [("jti", nil)]),
        .init("another method", method: "GET"),
        .init("another URL", uri: "https://app.example/api/oauth/userinfo"),
        .init("another host", uri: "https://evil.example/api/oauth/token"),
        .init("no iat", claims: [("iat", nil)]),
        .init("an iat older than the window", claims: [("iat", .int(1_800_000_000 - 61))]),
        .init("an iat in the future", claims: [("iat", .int(1_800_000_000 + 11))]),
    ]

    @Test(arguments: refusals) func aProofIsRefusedFor(_ refusal: Refusal) {
        let result = verify(proof(header: refusal.header, claims: refusal.claims), method: refusal.method, uri: refusal.uri)
        guard case .failure(.invalid) = result else {
            Issue.record("accepted: \(refusal.name)")
            return
        }
    }

    @Test func aSignatureByAnotherKeyOrAnAlteredProofIsRefused() {
        #expect(throws: DPoPProof.Failure.self) { try verify(proof(signer: P256.Signing.PrivateKey())).get() }
        var parts = proof().split(separator: ".").map(String.init)
        parts[1] = Self.b64(JSONValue.object([("jti", "x"), ("htm", "POST"), ("htu", .string(Self.tokenURL)), ("iat", 1_800_000_000)]).serialized())
        #expect(throws: DPoPProof.Failure.self) { try verify(parts.joined(separator: ".")).get() }
        #expect(throws: DPoPProof.Failure.self) { try verify("not a jws").get() }
    }

    @Test func htuIgnoresQueryFragmentCaseOfTheHostAndTheDefaultPort() throws {
        _ = try verify(proof(claims: [("htu", "HTTPS://App.Example:443/api/oauth/token?x=1#f")])).get()
        #expect(throws: DPoPProof.Failure.self) { try verify(proof(claims: [("htu", "https://app.example:8443/api/oauth/token")])).get() }
        #expect(throws: DPoPProof.Failure.self) { try verify(proof(claims: [("htu", "https://app.example/API/oauth/token")])).get() }
    }

    @Test func aResourceNeedsTheHashOfItsAccessToken() throws {
        let token = "cw_at_abc"
        let ath = DPoPProof.accessTokenHash(token)
        #expect(ath == Self.b64(SHA256.hash(data: Array(token.utf8))))
        _ = try verify(proof(claims: [("ath", .string(ath))]), accessToken: token).get()
        #expect(throws: DPoPProof.Failure.self) { try verify(proof(), accessToken: token).get() }
        #expect(throws: DPoPProof.Failure.self) { try verify(proof(claims: [("ath", .string(ath))]), accessToken: "cw_at_other").get() }
    }

    @Test func theTokenEndpointsNonceIsAskedForThenAccepted() throws {
        let nonceKey = SymmetricKey(size: .bits256)
        let rule = DPoPProof.NonceRule.required { [now] in DPoPNonce.accepts($0, now: now, key: nonceKey) }
        #expect(verify(proof(), nonce: rule) == .failure(.useNonce))
        #expect(verify(proof(claims: [("nonce", "made-up")]), nonce: rule) == .failure(.useNonce))
        let current = DPoPNonce.current(now: now, key: nonceKey)
        _ = try verify(proof(claims: [("nonce", .string(current))]), nonce: rule).get()
        // A nonce lives one more slot, then is stale.
        #expect(DPoPNonce.accepts(current, now: now.addingTimeInterval(DPoPNonce.slotLength), key: nonceKey))
        #expect(!DPoPNonce.accepts(current, now: now.addingTimeInterval(2 * DPoPNonce.slotLength), key: nonceKey))
        #expect(!DPoPNonce.accepts(current, now: now, key: SymmetricKey(size: .bits256)))
        #expect(DPoPProof.Failure.useNonce.oauthError.code == .useDPoPNonce)
        #expect(DPoPProof.Failure.invalid("x").oauthError.code == .invalidDPoPProof)
    }

    /// RFC 9864 names EdDSA over Ed25519 `Ed25519` and deprecates the polymorphic `EdDSA`: both are accepted for an
    /// Ed25519 key, and neither for another key type.
    @Test(arguments: ["EdDSA", "Ed25519"]) func anEd25519ProofIsAcceptedUnderEitherName(_ alg: String) throws {
        let edKey = Curve25519.Signing.PrivateKey()
        let jwk: JSONValue = .object([("kty", "OKP"), ("crv", "Ed25519"), ("x", .string(Self.b64(edKey.publicKey.rawRepresentation)))])
        let header: JSONValue = .object([("typ", "dpop+jwt"), ("alg", .string(alg)), ("jwk", jwk)])
        let claims: JSONValue = .object([("jti", "1"), ("htm", "GET"), ("htu", "https://app.example/r"), ("iat", .int(1_800_000_000))])
        let input = Self.b64(header.serialized()) + "." + Self.b64(claims.serialized())
        let signed = input + "." + Self.b64(try edKey.signature(for: Array(input.utf8)))
        let accepted = try DPoPProof.verify(signed, method: "GET", uri: "https://app.example/r", accessToken: nil, nonce: .none, now: now).get()
        #expect(accepted.thumbprint == DPoPProof.thumbprint(ofPublicJWK: jwk))
        #expect(DPoPProof.algorithms.contains(alg), "dpop_signing_alg_values_supported lists what is accepted")
        #expect(throws: DPoPProof.Failure.self, "a P-256 key under an EdDSA name") { try verify(proof(header: [("alg", .string(alg))])).get() }
    }

    // MARK: The header cache

    /// A header part read once is not read again, but every answer is the one an empty cache gives: the refusals
    /// above, altered claims or signatures under a known header, and broken compact serialisations around one.
    @Test func aCachedHeaderChangesNoAnswer() throws {
        let cache = DPoPKeyCache()
        let first = try DPoPProof.verify(proof(), method: "POST", uri: Self.tokenURL, accessToken: nil, nonce: .none, now: now, keys: cache).get()
        #expect(cache.count == 1 && first.thumbprint == DPoPProof.thumbprint(ofPublicJWK: publicJWK(key)))
        let valid = proof(claims: [("jti", "second")])
        let headerPart = String(valid.split(separator: ".")[0])
        var parts = valid.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        parts[1] = Self.b64(JSONValue.object([("jti", "x"), ("htm", "POST"), ("htu", .string(Self.tokenURL)), ("iat", 1_800_000_000)]).serialized())
        var cases = Self.refusals.map { (proof(header: $0.header, claims: $0.claims), $0.method, $0.uri) }
        cases += [
            valid, proof(signer: P256.Signing.PrivateKey()), parts.joined(separator: "."), headerPart, headerPart + ".", headerPart + "..",
            valid + ".", valid + ".x", headerPart + ".e30.", headerPart + ".W10." + Self.b64([1, 2]), headerPart + ".e30=." + Self.b64([1]),
            headerPart + ".!!." + Self.b64([1]), "." + valid, headerPart + "." + Self.b64(Array("{}x".utf8)) + ".AA",
        ].map { ($0, "POST", Self.tokenURL) }
        for (proof, method, uri) in cases {
            let uncached = DPoPProof.verify(proof, method: method, uri: uri, accessToken: nil, nonce: .none, now: now)
            let cached = DPoPProof.verify(proof, method: method, uri: uri, accessToken: nil, nonce: .none, now: now, keys: cache)
            #expect(cached == uncached, "\(proof)")
        }
        #expect(cache.count == 1, "only checked headers are kept")
    }

    @Test func theHeaderCacheIsBounded() throws {
        let cache = DPoPKeyCache()
        for _ in 0..<(DPoPKeyCache.limit + 1) {
            let signer = P256.Signing.PrivateKey()
            let signed = proof(header: [("jwk", publicJWK(signer))], signer: signer)
            _ = try DPoPProof.verify(signed, method: "POST", uri: Self.tokenURL, accessToken: nil, nonce: .none, now: now, keys: cache).get()
        }
        #expect(cache.count == 1, "emptied when full")
    }

    // MARK: Challenges (RFC 6750 §3, RFC 9449 §7.1)

    @Test func aChallengeIsInTheSchemeOfTheToken() {
        let algs = #"algs="ES256 RS256 EdDSA Ed25519""#
        #expect(ResourceChallenge(.bearer).headerValue == #"Bearer realm="catalystwells", DPoP "# + algs, "no token: both schemes")
        #expect(
            ResourceChallenge(.dpop, error: "insufficient_scope", description: "Needs \"openid\".", scope: "openid").headerValue
                == #"DPoP realm="catalystwells", "# + algs + #", error="insufficient_scope", error_description="Needs 'openid'.", scope="openid""#)
        #expect(
            ResourceChallenge(.bearer, error: "invalid_token").headerValue == #"Bearer realm="catalystwells", error="invalid_token""#)
        #expect(
            ResourceChallenge(.dpop, error: "use_dpop_nonce").headerValue == #"DPoP realm="catalystwells", "# + algs + #", error="use_dpop_nonce""#)
    }

    // MARK: dpop_jkt (RFC 9449 §10)

    func code(jkt: String?) -> AuthorizationCodeGrant {
        AuthorizationCodeGrant(
            clientID: ClientID("app"), userID: UserID(1), redirectURI: "https://app.example/cb", scopes: ["openid"],
            codeChallenge: PKCE.s256Challenge(verifier: String(repeating: "v", count: 43)), nonce: nil, authTime: now, methods: [],
            expiresAt: now + 60, dpopJKT: jkt)
    }

    @Test func aCodeBoundWithDPoPJKTNeedsAProofByThatKey() {
        let client = OAuthClient(
            clientID: ClientID("app"), name: "App", developerName: "d", kind: .confidential, redirectURIs: ["https://app.example/cb"],
            allowedScopes: ["openid"])
        let jkt = DPoPProof.thumbprint(ofPublicJWK: publicJWK(key))!
        func check(_ code: AuthorizationCodeGrant, _ thumbprint: String?) -> OAuthError? {
            CodeExchangeRule.check(
                code: code, client: client, redirectURI: "https://app.example/cb", codeVerifier: String(repeating: "v", count: 43), now: now,
                dpopThumbprint: thumbprint)
        }
        #expect(check(code(jkt: jkt), jkt) == nil)
        #expect(check(code(jkt: jkt), nil)?.code == .invalidDPoPProof)
        #expect(check(code(jkt: jkt), String(repeating: "A", count: 43))?.code == .invalidGrant)
        #expect(check(code(jkt: nil), nil) == nil && check(code(jkt: nil), jkt) == nil, "an unbound code takes either")
    }

    @Test func dpopJKTIsCheckedAtTheAuthorizationRequest() throws {
        let client = OAuthClient(
            clientID: ClientID("app"), name: "App", developerName: "d", kind: .public, redirectURIs: ["https://app.example/cb"],
            allowedScopes: ["openid"])
        func validate(_ jkt: String?) -> Result<AuthorizationRequest, AuthorizationFailure> {
            var pairs = [
                ("response_type", "code"), ("client_id", "app"), ("redirect_uri", "https://app.example/cb"), ("scope", "openid"),
                ("code_challenge", PKCE.s256Challenge(verifier: String(repeating: "v", count: 43))), ("code_challenge_method", "S256"),
            ]
            if let jkt { pairs.append(("dpop_jkt", jkt)) }
            return AuthorizationChecks.validate(OAuthParameters(pairs: pairs), client: client)
        }
        let jkt = DPoPProof.thumbprint(ofPublicJWK: publicJWK(key))!
        #expect(try validate(jkt).get().dpopJKT == jkt)
        #expect(try validate(nil).get().dpopJKT == nil)
        for bad in ["short", String(repeating: "=", count: 43)] {
            guard case .failure(.redirect(let error, _, _)) = validate(bad) else {
                Issue.record("dpop_jkt \(bad) accepted")
                continue
            }
            #expect(error.code == .invalidRequest)
        }
    }

    // MARK: The bearer rule's binding (RFC 9449 §7.1)

    func record(confirmation: String?) -> BearerRecord {
        BearerRecord(
            token: StoredToken(
                kind: .access, grantID: GrantID(1), clientID: ClientID("app"), userID: nil, scopes: ["school.read"],
                issuedAt: now - 10, expiresAt: now + 600, revokedAt: nil, rotatedAt: nil, confirmation: confirmation),
            clientStatus: .active, clientAllowedScopes: ["school.read"], user: nil, schoolPolicy: nil)
    }

    @Test func aBoundTokenNeedsAProofByItsKeyAndABearerTokenNeedsNone() {
        let bound = record(confirmation: "jkt-1")
        #expect(BearerRule.authorize(bound, now: now, presentation: .dpop(thumbprint: "jkt-1")) != nil)
        #expect(BearerRule.authorize(bound, now: now, presentation: .dpop(thumbprint: "jkt-2")) == nil)
        #expect(BearerRule.authorize(bound, now: now, presentation: .bearer) == nil, "a bound token used as a bearer token")
        let plain = record(confirmation: nil)
        #expect(BearerRule.authorize(plain, now: now, presentation: .bearer) != nil)
        #expect(BearerRule.authorize(plain, now: now, presentation: .dpop(thumbprint: "jkt-1")) == nil)
        // Introspection asks about a token without using it.
        #expect(BearerRule.authorize(bound, now: now) != nil)
    }

    @Test func tokensMintedWithABindingCarryItAndSayDPoP() {
        var random = SystemRandomNumberGenerator()
        let lifetimes = TokenLifetimes()
        let publicClient = OAuthClient(clientID: ClientID("p"), name: "P", developerName: "d", kind: .public, redirectURIs: [], allowedScopes: [])
        let minted = MintedTokens.random(
            refresh: true, lifetimes: lifetimes, now: now, binding: TokenBinding(thumbprint: "jkt", client: publicClient), using: &random)
        #expect(minted.records.map(\.confirmation) == ["jkt", "jkt"])
        #expect(minted.response(scopes: [], accessExpiresIn: 60).tokenType == "DPoP")
        var confidential = publicClient
        confidential.kind = .confidential
        let other = MintedTokens.random(
            refresh: true, lifetimes: lifetimes, now: now, binding: TokenBinding(thumbprint: "jkt", client: confidential), using: &random)
        #expect(other.records.map(\.confirmation) == ["jkt", nil], "a confidential client's refresh token is bound by its authentication")
        #expect(
            MintedTokens.random(refresh: false, lifetimes: lifetimes, now: now, using: &random).response(scopes: [], accessExpiresIn: 60).tokenType
                == "Bearer")
    }
}
