import Crypto
import Domain
import Foundation
import Testing
import _CryptoExtras

/// Keys are generated once: RSA generation takes a noticeable fraction of a second.
private let rsaKey = try! SigningKey.generate(.rs256)
private let ecKey = try! SigningKey.generate(.es256)

/// JWK thumbprints, JWS signing, ID token claims, key sealing, JWKS.
@Suite struct OAuthIDTokenTests {
    typealias F = OAuthFixtures

    @Test func theRFC7638Section3_1ExampleHasItsThumbprint() {
        let n =
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        let jwk = JWK.rsa(n: n, e: "AQAB")
        #expect(jwk.thumbprintInput == "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"\(n)\"}")
        #expect(jwk.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test func anECThumbprintUsesCrvKtyXYInOrder() {
        #expect(JWK.p256(x: "X", y: "Y").thumbprintInput == "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"X\",\"y\":\"Y\"}")
    }

    static func claims(nonce: String? = "n-0S6_WzA2Mj") -> IDTokenClaims {
        IDTokenClaims(
            issuer: F.issuer, subject: IDTokenClaims.subject(for: UserID(1234)), audience: ClientID("demo-public"),
            issuedAt: F.t0 + 0.9, lifetime: 3600, authTime: F.t0 - 60, nonce: nonce)
    }

    @Test func claimsAreWrittenInAFixedOrderWithWholeSeconds() {
        #expect(
            Self.claims().json
                == #"{"iss":"https://app.catalystwells.test","sub":"1234","aud":"demo-public","exp":1800003600,"iat":1800000000,"auth_time":1799999940,"nonce":"n-0S6_WzA2Mj"}"#
        )
    }

    @Test func theSignInMethodsAreAnAmrArrayOfStringsAfterAuthTimeInTheOrderUsed() throws {
        var claims = Self.claims()
        claims.methods = [.password, .oneTimePassword]
        #expect(claims.json.contains(#","auth_time":1799999940,"amr":["pwd","otp"],"nonce":"n-0S6_WzA2Mj"}"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(claims.json.utf8)) as? [String: Any])
        #expect(parsed["amr"] as? [String] == ["pwd", "otp"])
    }

    @Test func unknownMethodsLeaveAmrOut() {
        #expect(!Self.claims().json.contains("amr"), "OIDC Core §2: amr is optional, and an empty array would claim nothing")
    }

    @Test func anAbsentNonceIsOmittedAndAzpAppearsWhenSet() {
        var claims = Self.claims(nonce: nil)
        #expect(!claims.json.contains("nonce"))
        claims.authorizedParty = ClientID("demo-public")
        #expect(claims.json.hasSuffix(#","auth_time":1799999940,"azp":"demo-public"}"#))
    }

    @Test func stringsAreEscapedPerRFC8259() {
        let json = Self.claims(nonce: "a\"b\\c\n\u{01}é/").json
        #expect(json.contains(#""nonce":"a\"b\\c\n\u0001é/""#))
        let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(parsed?["nonce"] as? String == "a\"b\\c\n\u{01}é/")
    }

    /// Splits a compact JWS and decodes its header.
    static func parts(_ jws: String) throws -> (header: [String: Any], payload: String, signingInput: String, signature: [UInt8]) {
        let pieces = jws.split(separator: ".", omittingEmptySubsequences: false)
        try #require(pieces.count == 3)
        let header = try #require(F.base64URLDecode(pieces[0]))
        let payload = try #require(F.base64URLDecode(pieces[1]))
        let signature = try #require(F.base64URLDecode(pieces[2]))
        let headerObject = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any])
        return (headerObject, String(decoding: payload, as: UTF8.self), pieces[0] + "." + pieces[1], signature)
    }

    @Test func anRS256TokenVerifiesWithThePublishedRSAKey() throws {
        let token = try Self.claims().signed(with: rsaKey)
        let (header, payload, signingInput, signature) = try Self.parts(token)
        #expect(header["alg"] as? String == "RS256")
        #expect(header["kid"] as? String == rsaKey.kid)
        #expect(header["typ"] as? String == "JWT")
        #expect(payload == Self.claims().json)
        #expect(signature.count == 256)

        guard case .rsa(let n, let e) = rsaKey.publicJWK else {
            Issue.record("expected an RSA JWK")
            return
        }
        let publicKey = try _RSA.Signing.PublicKey(n: try #require(F.base64URLDecode(n)), e: try #require(F.base64URLDecode(e)))
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
        #expect(publicKey.isValidSignature(rsaSignature, for: SHA256.hash(data: Array(signingInput.utf8)), padding: .insecurePKCS1v1_5))
        #expect(!publicKey.isValidSignature(rsaSignature, for: SHA256.hash(data: Array((signingInput + "x").utf8)), padding: .insecurePKCS1v1_5))
    }

    @Test func anES256TokenHasA64ByteRawSignatureThatVerifies() throws {
        let token = try Self.claims().signed(with: ecKey)
        let (header, _, signingInput, signature) = try Self.parts(token)
        #expect(header["alg"] as? String == "ES256")
        #expect(header["kid"] as? String == ecKey.kid)
        #expect(signature.count == 64)

        guard case .p256(let x, let y) = ecKey.publicJWK else {
            Issue.record("expected an EC JWK")
            return
        }
        let xBytes = try #require(F.base64URLDecode(x))
        let yBytes = try #require(F.base64URLDecode(y))
        #expect(xBytes.count == 32 && yBytes.count == 32)
        let publicKey = try P256.Signing.PublicKey(rawRepresentation: xBytes + yBytes)
        let ecdsa = try P256.Signing.ECDSASignature(rawRepresentation: signature)
        #expect(publicKey.isValidSignature(ecdsa, for: SHA256.hash(data: Array(signingInput.utf8))))
    }

    @Test func theKidIsTheThumbprintOfThePublicJWK() throws {
        for key in [rsaKey, ecKey] {
            #expect(key.kid == key.publicJWK.thumbprint)
            #expect(key.kid.count == 43)
            let jwk = try #require(try JSONSerialization.jsonObject(with: Data(key.publicJWKJSON.utf8)) as? [String: String])
            #expect(jwk["kid"] == key.kid)
            #expect(jwk["use"] == "sig")
            #expect(jwk["alg"] == key.algorithm.rawValue)
        }
    }

    @Test func publishedJWKsCarryTheMembersOfTheirKeyType() throws {
        let rsa = try #require(try JSONSerialization.jsonObject(with: Data(rsaKey.publicJWKJSON.utf8)) as? [String: String])
        #expect(Set(rsa.keys) == ["kty", "use", "alg", "kid", "n", "e"])
        #expect(rsa["kty"] == "RSA" && rsa["e"] == "AQAB")
        #expect(F.base64URLDecode(rsa["n"]!)?.count == 256)
        let ec = try #require(try JSONSerialization.jsonObject(with: Data(ecKey.publicJWKJSON.utf8)) as? [String: String])
        #expect(Set(ec.keys) == ["kty", "use", "alg", "kid", "crv", "x", "y"])
        #expect(ec["kty"] == "EC" && ec["crv"] == "P-256")
    }

    @Test func privateKeysRoundTripThroughDERAndPEM() throws {
        for key in [rsaKey, ecKey] {
            #expect(try SigningKey(algorithm: key.algorithm, privateKeyDER: key.privateKeyDER).kid == key.kid)
            #expect(try SigningKey(algorithm: key.algorithm, privateKeyPEM: key.privateKeyPEM).kid == key.kid)
        }
        #expect(throws: SigningKeyError.malformedPrivateKey) {
            try SigningKey(algorithm: .es256, privateKeyDER: [1, 2, 3])
        }
    }

    static let sealingKey = SymmetricKey(data: [UInt8](repeating: 0x42, count: 32))

    @Test func aSealedKeyOpensWithTheSameKeyAndSignsAlike() throws {
        var generator = F.CountingGenerator()
        for key in [rsaKey, ecKey] {
            let record = try key.record(sealingWith: Self.sealingKey, createdAt: F.t0, using: &generator)
            #expect(record.kid == key.kid)
            #expect(record.algorithm == key.algorithm)
            #expect(record.publicJWK == key.publicJWKJSON)
            #expect(!record.sealedPrivateKey.isEmpty)
            let opened = try SigningKey(record: record, sealingKey: Self.sealingKey)
            #expect(opened.privateKeyDER == key.privateKeyDER)
        }
    }

    @Test func aTamperedSealedKeyIsRejected() throws {
        var generator = F.CountingGenerator()
        let record = try ecKey.record(sealingWith: Self.sealingKey, createdAt: F.t0, using: &generator)
        for index in [0, 12, record.sealedPrivateKey.count / 2, record.sealedPrivateKey.count - 1] {
            var sealed = record.sealedPrivateKey
            sealed[index] ^= 0x01
            let tampered = SigningKeyRecord(
                kid: record.kid, algorithm: record.algorithm, sealedPrivateKey: sealed, publicJWK: record.publicJWK, createdAt: F.t0, retiredAt: nil)
            #expect(throws: SigningKeyError.sealedKeyRejected) { try SigningKey(record: tampered, sealingKey: Self.sealingKey) }
        }
    }

    @Test func aSealedKeyDoesNotOpenWithAnotherKeyOrUnderAnotherKid() throws {
        var generator = F.CountingGenerator()
        let record = try ecKey.record(sealingWith: Self.sealingKey, createdAt: F.t0, using: &generator)
        #expect(throws: SigningKeyError.sealedKeyRejected) {
            try SigningKey(record: record, sealingKey: SymmetricKey(data: [UInt8](repeating: 0x43, count: 32)))
        }
        let moved = SigningKeyRecord(
            kid: rsaKey.kid, algorithm: .es256, sealedPrivateKey: record.sealedPrivateKey, publicJWK: record.publicJWK, createdAt: F.t0,
            retiredAt: nil)
        #expect(throws: SigningKeyError.sealedKeyRejected) { try SigningKey(record: moved, sealingKey: Self.sealingKey) }
        #expect(throws: SigningKeyError.sealingKeyNot256Bits) {
            try ecKey.record(sealingWith: SymmetricKey(size: .bits128), createdAt: F.t0, using: &generator)
        }
    }

    @Test func sealingUsesTheGivenRandomSourceForTheNonce() throws {
        var first = F.CountingGenerator()
        var second = F.CountingGenerator()
        let a = try KeySealing.seal([1, 2, 3], key: Self.sealingKey, associatedData: [], using: &first)
        let b = try KeySealing.seal([1, 2, 3], key: Self.sealingKey, associatedData: [], using: &second)
        #expect(a == b)
        #expect(a.count == 12 + 3 + 16)
        #expect(try KeySealing.open(a, key: Self.sealingKey, associatedData: []) == [1, 2, 3])
    }

    @Test func theJWKSListsEveryPublishedKey() throws {
        var generator = F.CountingGenerator()
        let records = try [rsaKey, ecKey].map { try $0.record(sealingWith: Self.sealingKey, createdAt: F.t0, using: &generator) }
        let document = JWKS.document(keys: records)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: [[String: String]]])
        #expect(parsed["keys"]?.compactMap { $0["kid"] } == [rsaKey.kid, ecKey.kid])
        #expect(JWKS.document(keys: []) == #"{"keys":[]}"#)
        #expect(JWKS.publishedSince(now: F.t0, lifetimes: TokenLifetimes()) == F.t0 - 3600)
    }
}

/// `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`.
@Suite struct OAuthDiscoveryTests {
    static func value(_ key: String, issuer: String = OAuthFixtures.issuer) -> DiscoveryDocument.Value? {
        DiscoveryDocument.metadata(issuer: issuer).first { $0.key == key }?.value
    }

    @Test(arguments: [
        ("issuer", DiscoveryDocument.Value.string("https://app.catalystwells.test")),
        ("authorization_endpoint", .string("https://app.catalystwells.test/authsso")),
        ("token_endpoint", .string("https://app.catalystwells.test/api/oauth/token")),
        ("userinfo_endpoint", .string("https://app.catalystwells.test/api/oauth/userinfo")),
        ("jwks_uri", .string("https://app.catalystwells.test/api/oauth/jwks")),
        ("revocation_endpoint", .string("https://app.catalystwells.test/api/oauth/revoke")),
        ("introspection_endpoint", .string("https://app.catalystwells.test/api/oauth/introspect")),
        ("response_types_supported", .strings(["code"])),
        ("grant_types_supported", .strings(["authorization_code", "refresh_token", "client_credentials"])),
        ("code_challenge_methods_supported", .strings(["S256"])),
        ("token_endpoint_auth_methods_supported", .strings(["client_secret_basic", "client_secret_post", "private_key_jwt", "none"])),
        ("token_endpoint_auth_signing_alg_values_supported", .strings(["RS256", "PS256", "ES256"])),
        ("pushed_authorization_request_endpoint", .string("https://app.catalystwells.test/api/oauth/par")),
        ("require_pushed_authorization_requests", .bool(false)),
        ("id_token_signing_alg_values_supported", .strings(["RS256", "ES256"])),
        ("subject_types_supported", .strings(["public", "pairwise"])),
        ("prompt_values_supported", .strings(["none", "login", "consent"])),
        ("authorization_response_iss_parameter_supported", .bool(true)),
        ("request_uri_parameter_supported", .bool(false)),
    ])
    func discoveryAdvertises(key: String, expected: DiscoveryDocument.Value) {
        #expect(Self.value(key) == expected)
    }

    @Test func scopesSupportedComeFromTheRegistry() {
        #expect(Self.value("scopes_supported") == .strings(ScopeRegistry.standard.scopesSupported))
    }

    @Test func claimsSupportedCoverTheIDTokenAndUserinfo() {
        guard case .strings(let claims) = Self.value("claims_supported") else {
            Issue.record("claims_supported missing")
            return
        }
        for claim in ["iss", "sub", "aud", "exp", "iat", "auth_time", "amr", "nonce", "email", "name"] {
            #expect(claims.contains(claim), "\(claim)")
        }
        #expect(Set(claims).count == claims.count)
    }

    @Test func theIssuerIsKeptExactlyWhileEndpointsAvoidADoubleSlash() {
        #expect(Self.value("issuer", issuer: "https://a.example/") == .string("https://a.example/"))
        #expect(Self.value("token_endpoint", issuer: "https://a.example/") == .string("https://a.example/api/oauth/token"))
    }

    @Test func keysAreUniqueAndIssuerComesFirst() {
        let keys = DiscoveryDocument.metadata(issuer: OAuthFixtures.issuer).map(\.key)
        #expect(keys.first == "issuer")
        #expect(Set(keys).count == keys.count)
    }
}

/// Userinfo claims by scope.
@Suite struct OAuthUserInfoTests {
    static let user = UserAccount(
        id: UserID(1234), role: .student, schoolID: SchoolID(3), givenName: "Ada", familyName: "Lovelace",
        email: "ada@school.test", username: "ada")

    @Test(arguments: [
        (["openid"], "sub=1234"),
        (
            ["openid", "profile.read"],
            "sub=1234 name=Ada Lovelace given_name=Ada family_name=Lovelace preferred_username=ada role=student school_id=3"
        ),
        (["openid", "profile.email"], "sub=1234 email=ada@school.test"),
    ])
    func claimsFollowTheGrantedScopes(scopes: [String], expected: String) {
        let claims = UserInfoClaims.claims(for: Self.user, subject: "1234", scopes: scopes).map { "\($0.name)=\($0.value)" }
        #expect(claims.joined(separator: " ") == expected)
    }
}
