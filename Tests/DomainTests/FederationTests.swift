import Crypto
import Domain
import Foundation
import Testing
import _CryptoExtras

/// The strict JSON reader and the upstream ID-token rules: every attack the issue lists, refused before a claim is
/// believed.
@Suite struct FederationTests {
    // MARK: JSON

    @Test func theReaderAcceptsRFC8259AndRefusesWhatReadersDisagreeOn() throws {
        let value = try JSONParser.parse(Array(#" {"a": [1, -2.5e3, true, null, "\u00e9\ud83d\ude00\n"], "b": {}} "#.utf8))
        #expect(value[member: "a"]?.arrayValue?.count == 5)
        #expect(value[member: "a"]?.arrayValue?[0].intValue == 1)
        #expect(value[member: "a"]?.arrayValue?[4].stringValue == "é😀\n")
        for bad in [
            #"{"a":1,"a":2}"#, #"{"a":1} x"#, "[01]", "[1.]", "[-]", #"["\ud800"]"#, #"["\udc00"]"#, "[\"a\u{01}\"]", "{'a':1}", "[1,]",
            "", "nul", String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "[1e999]",
        ] {
            #expect(throws: JSONParser.Failure.self, "\(bad)") { try JSONParser.parse(Array(bad.utf8)) }
        }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func base64URLIsStrict() {
        #expect(Base64URL.decode("aGk") == Array("hi".utf8))
        #expect(Base64URL.decode("aGk=") == nil)
        #expect(Base64URL.decode("a+k") == nil)
        #expect(Base64URL.decode("aGl") == nil, "non-zero trailing bits")
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("") == [])
    }

    // MARK: ID tokens

    static let issuer = "https://op.example"
    static let clientID = "catalystwells-school"
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let ecKey = P256.Signing.PrivateKey()
    let otherEC = P256.Signing.PrivateKey()

    var keys: JSONWebKeySet { JSONWebKeySet(keys: ["ec1": .p256(ecKey.publicKey)]) }
    var expected: UpstreamIDTokenExpectations {
        UpstreamIDTokenExpectations(issuers: [Self.issuer], clientID: Self.clientID, nonce: "n-0S6_WzA2Mj", now: now)
    }

    func claims(_ changes: [(String, JSONValue?)] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("iss", .string(Self.issuer)), ("sub", "248289761001"), ("aud", .string(Self.clientID)), ("nonce", "n-0S6_WzA2Mj"),
            ("iat", .int(Int(now.timeIntervalSince1970) - 10)), ("exp", .int(Int(now.timeIntervalSince1970) + 300)),
            ("email", "ada@school.example"), ("email_verified", true),
        ]
        for (name, value) in changes {
            members.removeAll { $0.0 == name }
            if let value { members.append((name, value)) }
        }
        return .object(members)
    }

    func sign(_ claims: JSONValue, header: JSONValue = ["alg": "ES256", "kid": "ec1"], key: P256.Signing.PrivateKey? = nil) -> String {
        let input = SecretToken.base64URL(header.serialized()) + "." + SecretToken.base64URL(claims.serialized())
        let signature = try! (key ?? ecKey).signature(for: Array(input.utf8))
        return input + "." + SecretToken.base64URL(Array(signature.rawRepresentation))
    }

    @Test func aGoodES256TokenIsVerified() throws {
        let token = try UpstreamIDTokenRules.verify(sign(claims()), keys: keys, expecting: expected).get()
        #expect(token.subject == "248289761001" && token.issuer == Self.issuer)
    }

    @Test func aGoodRS256TokenIsVerified() throws {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let header: JSONValue = ["alg": "RS256", "kid": "r1"]
        let input = SecretToken.base64URL(header.serialized()) + "." + SecretToken.base64URL(claims().serialized())
        let signature = try rsa.signature(for: Array(input.utf8), padding: .insecurePKCS1v1_5)
        let token = input + "." + SecretToken.base64URL(Array(signature.rawRepresentation))
        let set = JSONWebKeySet(keys: ["r1": .rsa(rsa.publicKey)])
        #expect(try UpstreamIDTokenRules.verify(token, keys: set, expecting: expected).get().subject == "248289761001")
        // The same RSA key offered for ES256 is refused: an algorithm belongs to its key type.
        let mixed = sign(claims(), header: ["alg": "ES256", "kid": "r1"])
        #expect(UpstreamIDTokenRules.verify(mixed, keys: set, expecting: expected) == .failure(.badSignature))
    }

    @Test func everyAttackIsRefusedWithItsReason() {
        let nowSeconds = Int(now.timeIntervalSince1970)
        let unsigned = SecretToken.base64URL((["alg": "none"] as JSONValue).serialized()) + "." + SecretToken.base64URL(claims().serialized()) + "."
        let hs256Input =
            SecretToken.base64URL((["alg": "HS256", "kid": "ec1"] as JSONValue).serialized()) + "."
            + SecretToken.base64URL(claims().serialized())
        let hmac = HMAC<SHA256>.authenticationCode(for: Array(hs256Input.utf8), using: SymmetricKey(data: ecKey.publicKey.rawRepresentation))
        let cases: [(String, String, UpstreamSignInRefusal)] = [
            ("alg none", unsigned, .algorithmNotAllowed("none")),
            ("HS256 keyed with the public key", hs256Input + "." + SecretToken.base64URL(Array(hmac)), .algorithmNotAllowed("HS256")),
            ("wrong issuer", sign(claims([("iss", "https://evil.example")])), .wrongIssuer),
            ("wrong audience", sign(claims([("aud", "another-app")])), .wrongAudience),
            ("several audiences, no azp", sign(claims([("aud", [.string(Self.clientID), "another-app"])])), .wrongAudience),
            ("azp of another app", sign(claims([("azp", "another-app")])), .wrongAudience),
            ("expired", sign(claims([("exp", .int(nowSeconds - 600))])), .expired),
            ("issued in the future", sign(claims([("iat", .int(nowSeconds + 600))])), .issuedInTheFuture),
            ("wrong nonce", sign(claims([("nonce", "replayed")])), .nonceMismatch),
            ("no nonce", sign(claims([("nonce", nil)])), .nonceMismatch),
            ("no subject", sign(claims([("sub", nil)])), .missingSubject),
            ("unknown kid (a rotated key)", sign(claims(), header: ["alg": "ES256", "kid": "ec2"], key: otherEC), .unknownKey),
            ("signed by another key under our kid", sign(claims(), key: otherEC), .badSignature),
            ("tampered claims", tamper(sign(claims())), .badSignature),
            ("critical header", sign(claims(), header: ["alg": "ES256", "kid": "ec1", "crit": ["exp"]]), .malformed("critical header parameters")),
        ]
        for (name, token, refusal) in cases {
            #expect(UpstreamIDTokenRules.verify(token, keys: keys, expecting: expected) == .failure(refusal), "\(name)")
        }
        for garbage in ["", "a.b", "a.b.c.d.e", "!!.!!.!!", String(repeating: "a", count: 20_000)] {
            guard case .failure(.malformed) = UpstreamIDTokenRules.verify(garbage, keys: keys, expecting: expected) else {
                Issue.record("\(garbage.prefix(20)) was not refused as malformed")
                continue
            }
        }
    }

    /// The token with its payload replaced by one naming another subject, the signature kept.
    func tamper(_ token: String) -> String {
        let parts = token.split(separator: ".")
        return "\(parts[0]).\(SecretToken.base64URL(claims([("sub", "someone-else")]).serialized())).\(parts[2])"
    }

    @Test func aJWKSKeepsOnlyUsableVerificationKeys() throws {
        let x = SecretToken.base64URL(Array(ecKey.publicKey.rawRepresentation.prefix(32)))
        let y = SecretToken.base64URL(Array(ecKey.publicKey.rawRepresentation.suffix(32)))
        let document = """
            {"keys":[{"kty":"EC","crv":"P-256","kid":"ec1","x":"\(x)","y":"\(y)","use":"sig"},
            {"kty":"EC","crv":"P-384","kid":"p384","x":"\(x)","y":"\(y)"},
            {"kty":"EC","crv":"P-256","kid":"enc","x":"\(x)","y":"\(y)","use":"enc"},
            {"kty":"RSA","kid":"short","n":"\(SecretToken.base64URL(Array(repeating: 0xC1, count: 128)))","e":"AQAB"},
            {"kty":"oct","kid":"secret","k":"c2VjcmV0"}]}
            """
        let set = try JSONWebKeySet(document: Array(document.utf8))
        #expect(Set(set.keys.keys) == ["ec1"])
        #expect(set.skipped.count == 4)
        #expect(try UpstreamIDTokenRules.verify(sign(claims()), keys: set, expecting: expected).get().subject == "248289761001")
    }

    // MARK: Provider kinds

    func verified(_ changes: [(String, JSONValue?)], issuer: String = FederationTests.issuer) -> VerifiedIDToken {
        var expectation = expected
        expectation.issuers = [issuer]
        return try! UpstreamIDTokenRules.verify(sign(claims([("iss", .string(issuer))] + changes)), keys: keys, expecting: expectation).get()
    }

    @Test func googleAcceptsTheSchoolsDomainsWithVerifiedEmailOnly() {
        let google = UpstreamProviderKind.google(domains: ["school.example"])
        let issuer = UpstreamProviderKind.googleAuthority
        #expect(google.issuers(authority: issuer) == [issuer])
        #expect(
            (try? google.identity(authority: issuer, from: verified([("hd", "school.example")], issuer: issuer)).get())?.email == "ada@school.example"
        )
        #expect(google.identity(authority: issuer, from: verified([("hd", "other.example")], issuer: issuer)).failure == .wrongDomain)
        #expect(google.identity(authority: issuer, from: verified([], issuer: issuer)).failure == .wrongDomain, "a consumer account has no hd")
        #expect(
            google.identity(authority: issuer, from: verified([("hd", "school.example"), ("email_verified", false)], issuer: issuer)).failure
                == .emailNotVerified)
    }

    @Test func entraAcceptsTheConfiguredTenantsAndKeysByTenantAndObjectID() {
        let tenant = "9188040d-6c67-4c5b-b112-36a304b66dad"
        let entra = UpstreamProviderKind.entra(tenants: [tenant])
        let issuer = "https://login.microsoftonline.com/\(tenant)/v2.0"
        #expect(entra.issuers(authority: UpstreamProviderKind.entraAuthority) == [issuer])
        let identity = try? entra.identity(
            authority: UpstreamProviderKind.entraAuthority,
            from: verified([("tid", .string(tenant)), ("oid", "00000000-0000-0000-66f3-3332eca7ea81")], issuer: issuer)
        ).get()
        #expect(identity?.subject == "\(tenant):00000000-0000-0000-66f3-3332eca7ea81")
        #expect(identity?.emailVerified == false, "Entra's email is never trusted for linking")
        #expect(
            entra.identity(authority: UpstreamProviderKind.entraAuthority, from: verified([("tid", "another-tenant"), ("oid", "x")], issuer: issuer))
                .failure == .wrongTenant)
        #expect(
            entra.identity(authority: UpstreamProviderKind.entraAuthority, from: verified([("tid", .string(tenant))], issuer: issuer)).failure
                == .missingSubject)
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}

@Suite struct UpstreamDiscoveryAndTicketTests {
    @Test func discoveryIsForTheConfiguredIssuerWithHTTPSEndpointsAndTheFlowWeUse() throws {
        let good = """
            {"issuer":"https://op.example","authorization_endpoint":"https://op.example/authorize",
            "token_endpoint":"https://op.example/token","jwks_uri":"https://op.example/jwks",
            "response_types_supported":["code","id_token"],"id_token_signing_alg_values_supported":["RS256"],
            "code_challenge_methods_supported":["S256"]}
            """
        let metadata = try OpenIDProviderMetadata.parse(Array(good.utf8), expectedIssuer: "https://op.example").get()
        #expect(metadata.tokenEndpoint == "https://op.example/token")
        #expect(OpenIDProviderMetadata.discoveryURL(issuer: "https://op.example/") == "https://op.example/.well-known/openid-configuration")
        for (bad, reason) in [
            (
                good.replacingOccurrences(of: "\"issuer\":\"https://op.example\"", with: "\"issuer\":\"https://evil.example\""),
                "not https://op.example"
            ),
            (good.replacingOccurrences(of: "https://op.example/token", with: "http://op.example/token"), "token_endpoint"),
            (good.replacingOccurrences(of: "[\"RS256\"]", with: "[\"HS256\",\"none\"]"), "RS256, ES256"),
            (good.replacingOccurrences(of: "[\"S256\"]", with: "[\"plain\"]"), "PKCE"),
            (good.replacingOccurrences(of: "[\"code\",\"id_token\"]", with: "[\"id_token\"]"), "code flow"),
            ("{\"issuer\":1}", "no issuer"), ("not json", "not JSON"),
        ] {
            guard case .failure(let refusal) = OpenIDProviderMetadata.parse(Array(bad.utf8), expectedIssuer: "https://op.example") else {
                Issue.record("accepted: \(reason)")
                continue
            }
            #expect(refusal.reason.contains(reason), "\(refusal.reason)")
        }
        // A provider on this machine (tests, the demo) may use plain http to loopback when allowed.
        let local = good.replacingOccurrences(of: "https://op.example/", with: "http://127.0.0.1:9000/")
        #expect((try? OpenIDProviderMetadata.parse(Array(local.utf8), expectedIssuer: "https://op.example", allowLoopbackHTTP: true).get()) != nil)
        #expect((try? OpenIDProviderMetadata.parse(Array(local.utf8), expectedIssuer: "https://op.example").get()) == nil)
    }

    @Test func aTicketOpensOnlyUnderItsKeyUnchangedAndInTime() throws {
        let key = SymmetricKey(data: Array(repeating: 5, count: 32))
        var generator = SystemRandomNumberGenerator()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let ticket = UpstreamSignInTicket.start(provider: "google", next: "/authsso?client_id=x", now: now, using: &generator)
        #expect(PKCE.isValidVerifier(ticket.codeVerifier) && ticket.state != ticket.nonce)
        let cookie = try ticket.sealed(key: key, using: &generator)
        #expect(!cookie.contains(ticket.codeVerifier) && !cookie.contains(ticket.state))
        #expect(UpstreamSignInTicket.open(cookie, key: key, now: now + 30) == Self.truncated(ticket))
        #expect(UpstreamSignInTicket.open(cookie, key: SymmetricKey(data: Array(repeating: 6, count: 32)), now: now) == nil)
        #expect(UpstreamSignInTicket.open(cookie, key: key, now: now + UpstreamSignInTicket.lifetime + 1) == nil)
        var edited = Array(cookie)
        edited[10] = edited[10] == "A" ? "B" : "A"
        #expect(UpstreamSignInTicket.open(String(edited), key: key, now: now) == nil)
        #expect(ticket.matches(state: ticket.state) && !ticket.matches(state: "other") && !ticket.matches(state: nil))
    }

    /// The ticket as its cookie keeps it (whole seconds).
    static func truncated(_ ticket: UpstreamSignInTicket) -> UpstreamSignInTicket {
        UpstreamSignInTicket(
            provider: ticket.provider, state: ticket.state, nonce: ticket.nonce, codeVerifier: ticket.codeVerifier, next: ticket.next,
            startedAt: Date(timeIntervalSince1970: ticket.startedAt.timeIntervalSince1970.rounded(.down)))
    }
}

@Suite struct UpstreamKeyCacheTests {
    @Test func keysAreFetchedWhenMissingOldOrRotatedButNotForEveryMadeUpKid() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let set = JSONWebKeySet(keys: ["k1": .p256(P256.Signing.PrivateKey().publicKey)])
        var cache = UpstreamKeyCache()
        func fetches(_ kid: String?, at offset: TimeInterval) -> Bool {
            if case .fetch = cache.step(provider: "google", kid: kid, now: start + offset) { return true }
            return false
        }
        #expect(fetches("k1", at: 0))
        cache.store(set, for: "google", at: start)
        #expect(!fetches("k1", at: 10) && !fetches(nil, at: 10))
        // An unknown kid right after a fetch does not fetch again (a made-up kid cannot make us hammer the provider)…
        #expect(!fetches("k2", at: 10))
        // …but does once the refetch interval has passed (a real rotation).
        #expect(fetches("k2", at: UpstreamKeyCache.refetchInterval))
        // Old keys are fetched again whatever the kid; so are keys dated in the future (a clock step).
        #expect(fetches("k1", at: UpstreamKeyCache.maximumAge))
        #expect(fetches("k1", at: -1))
        // Providers are cached apart.
        #expect(fetches("k1", at: 10) == false && { if case .fetch = cache.step(provider: "entra", kid: "k1", now: start) { true } else { false } }())
    }
}
