import Crypto
import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// DPoP (RFC 9449) through the router `main` builds over the store twins: resources ask for the server nonce (§9)
/// unless configured not to, refuse a DPoP-bound token in the `DPoP` scheme (§7.1), accept RFC 9864's `Ed25519`
/// name, and a code bound with `dpop_jkt` (§10) at PAR is exchanged only with a proof by that key.
@Suite struct DPoPRouteTests {
    let app: TestApp
    let password = "correct horse battery staple"
    let secret = "cw_cs_dpop-route-secret"
    let verifier = "dBjftJeZ4CVP-mJ92K9UWwwMqn5Ymc1xZWlvZK0kHhQ_-PKCE-verifier"
    let redirect = "https://app.example/cb"
    let key = P256.Signing.PrivateKey()
    let student: UserAccount
    static let userinfo = "https://app.localhost/api/oauth/userinfo"
    static let tokenURL = "https://app.localhost/api/oauth/token"

    init() throws {
        let app = TestApp()
        self.app = app
        student = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: try testHasher.hash(password))
        try app.oauth.createClient(
            OAuthClient(
                clientID: ClientID("dpop-app"), name: "DPoP App", developerName: "Example Ltd", kind: .confidential, redirectURIs: [redirect],
                allowedScopes: ["openid", "profile.read"]),
            now: app.clock.now)
        try app.oauth.addSecret(
            digest: ClientSecret.digest(secret: secret, key: app.oauthKeys.clientSecretKey), to: ClientID("dpop-app"), now: app.clock.now)
        var generator = SystemRandomNumberGenerator()
        try app.oauth.addKey(
            try SigningKey.generate(.rs256).record(sealingWith: app.oauthKeys.sealingKey, createdAt: app.clock.now, using: &generator),
            now: app.clock.now)
    }

    func b64(_ bytes: some Sequence<UInt8>) -> String { SecretToken.base64URL(Array(bytes)) }

    func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    func jwk(_ key: P256.Signing.PrivateKey) -> JSONValue {
        let raw = Array(key.publicKey.rawRepresentation)
        return .object([("kty", "EC"), ("crv", "P-256"), ("x", .string(b64(raw[0..<32]))), ("y", .string(b64(raw[32...])))])
    }

    var thumbprint: String { DPoPProof.thumbprint(ofPublicJWK: jwk(key))! }

    var nonce: String { DPoPNonce.current(now: app.clock.now, key: app.oauthKeys.dpopNonceKey) }

    /// A fresh ES256 proof by `signer` (the suite's key by default).
    func proof(_ method: String, _ url: String, token: String? = nil, nonce: String? = nil, signer: P256.Signing.PrivateKey? = nil) -> String {
        var claims: [(String, JSONValue)] = [
            ("jti", .string(UUID().uuidString)), ("htm", .string(method)), ("htu", .string(url)),
            ("iat", .int(Int(app.clock.now.timeIntervalSince1970))),
        ]
        if let token { claims.append(("ath", .string(DPoPProof.accessTokenHash(token)))) }
        if let nonce { claims.append(("nonce", .string(nonce))) }
        let header = JSONValue.object([("typ", "dpop+jwt"), ("alg", "ES256"), ("jwk", jwk(signer ?? key))])
        let input = b64(header.serialized()) + "." + b64(JSONValue.object(claims).serialized())
        return input + "." + b64(try! (signer ?? key).signature(for: Array(input.utf8)).rawRepresentation)
    }

    /// An access token bound to the suite's key, as the token endpoint stores one.
    func boundToken(scopes: [String]) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.accessToken, using: &generator)
        _ = try app.oauth.createGrant(
            client: ClientID("dpop-app"), user: student.id, scopes: scopes, authTime: app.clock.now,
            tokens: [NewToken(digest: SecretToken.digest(token), kind: .access, expiresAt: app.clock.now + 3600, confirmation: thumbprint)],
            now: app.clock.now)
        return token
    }

    func userinfo(_ token: String, proof: String, responder: SiteResponder? = nil) -> HTTPResponse {
        (responder ?? app.responder()).respond(
            to: rawRequest("GET", "/api/oauth/userinfo", headers: ["HTTP_AUTHORIZATION": "DPoP \(token)", "HTTP_DPOP": proof]))
    }

    @Test func aResourceAsksForTheServerNonceThenAcceptsTheRetry() throws {
        let token = try boundToken(scopes: ["openid"])
        let first = userinfo(token, proof: proof("GET", Self.userinfo, token: token))
        #expect(first.status == 401 && json(first)["error"] as? String == "use_dpop_nonce")
        let challenge = try #require(first.headers["WWW-Authenticate"])
        #expect(challenge.hasPrefix(#"DPoP realm="catalystwells", algs="ES256 RS256 EdDSA Ed25519", error="use_dpop_nonce""#))
        let issued = try #require(first.headers["DPoP-Nonce"])
        #expect(issued == nonce, "the token endpoint's stateless nonce")
        let retry = userinfo(token, proof: proof("GET", Self.userinfo, token: token, nonce: issued))
        #expect(retry.status == 200 && json(retry)["sub"] != nil)
        // A made-up nonce, or one two slots old, is asked again.
        #expect(json(userinfo(token, proof: proof("GET", Self.userinfo, token: token, nonce: "made-up")))["error"] as? String == "use_dpop_nonce")
        app.clock.advance(2 * DPoPNonce.slotLength)
        let stale = userinfo(token, proof: proof("GET", Self.userinfo, token: token, nonce: issued))
        #expect(stale.status == 401 && stale.headers["DPoP-Nonce"] == nonce && stale.headers["DPoP-Nonce"] != issued)
    }

    /// RFC 9449 §8.2: a nonce in its last slot is still accepted, and the answer hands out the current one, so the
    /// client's next request needs no `use_dpop_nonce` round trip.
    @Test func aProofWhoseNonceIsInItsLastSlotGetsTheNextOneWithTheAnswer() throws {
        let token = try boundToken(scopes: ["openid"])
        let issued = nonce
        let fresh = userinfo(token, proof: proof("GET", Self.userinfo, token: token, nonce: issued))
        #expect(fresh.status == 200 && fresh.headers["DPoP-Nonce"] == nil, "a nonce of this slot lives on in the next")
        app.clock.advance(DPoPNonce.slotLength)
        let late = userinfo(token, proof: proof("GET", Self.userinfo, token: token, nonce: issued))
        #expect(late.status == 200 && late.headers["DPoP-Nonce"] == nonce && nonce != issued)
        let next = userinfo(token, proof: proof("GET", Self.userinfo, token: token, nonce: try #require(late.headers["DPoP-Nonce"])))
        #expect(next.status == 200 && next.headers["DPoP-Nonce"] == nil)
    }

    @Test func withResourceNoncesOffAProofNeedsNone() throws {
        var app = self.app
        app.configuration.oauth.dpopResourceNonce = false
        let token = try boundToken(scopes: ["openid"])
        let response = userinfo(token, proof: proof("GET", Self.userinfo, token: token), responder: app.responder())
        #expect(response.status == 200 && response.headers["DPoP-Nonce"] == nil)
    }

    @Test func aBoundTokenIsRefusedInTheDPoPScheme() throws {
        let token = try boundToken(scopes: ["profile.read"])
        let scope = userinfo(token, proof: proof("GET", Self.userinfo, token: token, nonce: nonce))
        #expect(scope.status == 403 && json(scope)["error"] as? String == "insufficient_scope")
        #expect(
            scope.headers["WWW-Authenticate"]?.hasPrefix(#"DPoP realm="catalystwells", algs="ES256 RS256 EdDSA Ed25519", error="insufficient_scope""#)
                == true)
        #expect(scope.headers["WWW-Authenticate"]?.hasSuffix(#"scope="openid""#) == true)
        // Another key's proof: the token is not bound to it.
        let other = userinfo(token, proof: proof("GET", Self.userinfo, token: token, nonce: nonce, signer: P256.Signing.PrivateKey()))
        #expect(other.status == 401 && other.headers["WWW-Authenticate"]?.hasPrefix(#"DPoP realm="catalystwells""#) == true)
        #expect(other.headers["WWW-Authenticate"]?.contains(#"error="invalid_token""#) == true)
    }

    @Test func anEd25519ProofMayNameItsAlgorithmEd25519() throws {
        let edKey = Curve25519.Signing.PrivateKey()
        let edJWK: JSONValue = .object([("kty", "OKP"), ("crv", "Ed25519"), ("x", .string(b64(edKey.publicKey.rawRepresentation)))])
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.accessToken, using: &generator)
        _ = try app.oauth.createGrant(
            client: ClientID("dpop-app"), user: student.id, scopes: ["openid"], authTime: app.clock.now,
            tokens: [
                NewToken(
                    digest: SecretToken.digest(token), kind: .access, expiresAt: app.clock.now + 3600,
                    confirmation: DPoPProof.thumbprint(ofPublicJWK: edJWK))
            ], now: app.clock.now)
        for alg in ["Ed25519", "EdDSA"] {
            let header = JSONValue.object([("typ", "dpop+jwt"), ("alg", .string(alg)), ("jwk", edJWK)])
            let claims = JSONValue.object([
                ("jti", .string(UUID().uuidString)), ("htm", "GET"), ("htu", .string(Self.userinfo)),
                ("iat", .int(Int(app.clock.now.timeIntervalSince1970))), ("ath", .string(DPoPProof.accessTokenHash(token))),
                ("nonce", .string(nonce)),
            ])
            let input = b64(header.serialized()) + "." + b64(claims.serialized())
            let response = userinfo(token, proof: input + "." + b64(try edKey.signature(for: Array(input.utf8))))
            #expect(response.status == 200, "alg \(alg)")
        }
        let discovery = app.responder().respond(to: rawRequest("GET", "/.well-known/openid-configuration"))
        #expect(json(discovery)["dpop_signing_alg_values_supported"] as? [String] == ["ES256", "RS256", "EdDSA", "Ed25519"])
    }

    // MARK: dpop_jkt (RFC 9449 §10)

    /// A pushed request with `dpop_jkt` (or, `nil`, none) and the `DPoP` header `pushProof`, signed in and approved:
    /// the code.
    func boundCode(_ browser: inout TestBrowser, jkt: String?, pushProof: String? = nil) throws -> String {
        var headers = ["HTTP_AUTHORIZATION": "Basic " + Data("dpop-app:\(secret)".utf8).base64EncodedString()]
        if let pushProof { headers["HTTP_DPOP"] = pushProof }
        let pushed = browser.send(
            "POST", "/api/oauth/par",
            form: [
                ("response_type", "code"), ("client_id", "dpop-app"), ("redirect_uri", redirect), ("scope", "openid"),
                ("code_challenge", PKCE.s256Challenge(verifier: verifier)), ("code_challenge_method", "S256"),
            ] + (jkt.map { [("dpop_jkt", $0)] } ?? []), headers: headers)
        let requestURI = try #require(json(pushed)["request_uri"] as? String)
        var page = browser.send("GET", "/authsso?client_id=dpop-app&request_uri=\(FormCodec.encode(requestURI))")
        if page.headers["Location"]?.hasPrefix("/login?next=") == true {
            let signedIn = browser.signIn(
                "ada@school.test", password, next: String(page.headers["Location"]!.dropFirst("/login?next=".count)).removingPercentEncoding)
            page = browser.send("GET", try #require(signedIn.headers["Location"]))
        }
        // Consent given once is not asked again: the code comes at once.
        let answer =
            page.status == 303
            ? page : browser.send("POST", "/authsso", form: hiddenFields(page.text).filter { $0.0 != "next" } + [("decision", "approve")])
        let location = try #require(answer.headers["Location"])
        return try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
    }

    func hiddenFields(_ text: String) -> [(String, String)] {
        let pattern = try! NSRegularExpression(pattern: "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let name = Range(match.range(at: 1), in: text), let value = Range(match.range(at: 2), in: text) else { return nil }
            return (String(text[name]), String(text[value]).replacingOccurrences(of: "&amp;", with: "&"))
        }
    }

    func exchange(_ code: String, _ browser: inout TestBrowser, proof: String?) -> HTTPResponse {
        var headers = ["HTTP_AUTHORIZATION": "Basic " + Data("dpop-app:\(secret)".utf8).base64EncodedString()]
        if let proof { headers["HTTP_DPOP"] = proof }
        return browser.send(
            "POST", "/api/oauth/token",
            form: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", verifier)], headers: headers)
    }

    @Test func aCodeBoundWithDPoPJKTNeedsAProofByThatKey() throws {
        var browser = TestBrowser(responder: app.responder())
        let withoutProof = exchange(try boundCode(&browser, jkt: thumbprint), &browser, proof: nil)
        #expect(withoutProof.status == 400 && json(withoutProof)["error"] as? String == "invalid_dpop_proof")
        let otherKey = exchange(
            try boundCode(&browser, jkt: thumbprint), &browser, proof: proof("POST", Self.tokenURL, nonce: nonce, signer: P256.Signing.PrivateKey()))
        #expect(otherKey.status == 400 && json(otherKey)["error"] as? String == "invalid_grant")
        let bound = exchange(try boundCode(&browser, jkt: thumbprint), &browser, proof: proof("POST", Self.tokenURL, nonce: nonce))
        #expect(bound.status == 200 && json(bound)["token_type"] as? String == "DPoP")
        // Not a thumbprint: refused at the push.
        let malformed = browser.send(
            "POST", "/api/oauth/par",
            form: [
                ("response_type", "code"), ("client_id", "dpop-app"), ("redirect_uri", redirect), ("scope", "openid"),
                ("code_challenge", PKCE.s256Challenge(verifier: verifier)), ("code_challenge_method", "S256"), ("dpop_jkt", "short"),
            ], headers: ["HTTP_AUTHORIZATION": "Basic " + Data("dpop-app:\(secret)".utf8).base64EncodedString()])
        #expect(malformed.status == 400 && json(malformed)["error"] as? String == "invalid_request")
    }

    /// RFC 9449 §10.1: a proof at the PAR endpoint binds the code to its key as `dpop_jkt` would (with the server
    /// nonce), and a `dpop_jkt` naming another key is refused.
    @Test func aProofAtThePushBindsTheCode() throws {
        var browser = TestBrowser(responder: app.responder())
        let parURL = "https://app.localhost/api/oauth/par"
        let basic = ["HTTP_AUTHORIZATION": "Basic " + Data("dpop-app:\(secret)".utf8).base64EncodedString()]
        let fields = [
            ("response_type", "code"), ("client_id", "dpop-app"), ("redirect_uri", redirect), ("scope", "openid"),
            ("code_challenge", PKCE.s256Challenge(verifier: verifier)), ("code_challenge_method", "S256"),
        ]
        let noNonce = browser.send("POST", "/api/oauth/par", form: fields, headers: basic.merging(["HTTP_DPOP": proof("POST", parURL)]) { $1 })
        #expect(noNonce.status == 400 && json(noNonce)["error"] as? String == "use_dpop_nonce" && noNonce.headers["DPoP-Nonce"] == nonce)
        let mismatch = browser.send(
            "POST", "/api/oauth/par", form: fields + [("dpop_jkt", String(repeating: "A", count: 43))],
            headers: basic.merging(["HTTP_DPOP": proof("POST", parURL, nonce: nonce)]) { $1 })
        #expect(mismatch.status == 400 && json(mismatch)["error"] as? String == "invalid_dpop_proof")
        let code = try boundCode(&browser, jkt: nil, pushProof: proof("POST", parURL, nonce: nonce))
        let otherKey = exchange(code, &browser, proof: proof("POST", Self.tokenURL, nonce: nonce, signer: P256.Signing.PrivateKey()))
        #expect(otherKey.status == 400 && json(otherKey)["error"] as? String == "invalid_grant")
    }
}
