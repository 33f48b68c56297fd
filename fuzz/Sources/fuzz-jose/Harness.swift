import Crypto
import Foundation
import FuzzSupport

@testable import Domain
@testable import FCGIApp

/// What the OAuth endpoints read of the compact, signed and encoded strings a client sends, and the JWS they
/// sign around a client's `nonce`.
///
/// Nothing in the product parses a JWT from outside today: request objects are refused
/// (`request_not_supported`), there is no `id_token_hint` and no `private_key_jwt` client authentication
/// (`client_assertion` is only checked for repetition). So this harness fuzzes the neighbours:
/// - `Authorization` and the form body through ``TokenRequest/parse(form:authorization:registry:)`` (HTTP Basic's
///   base64 and form-decoding, token shapes, PKCE verifier, scopes) via ``OAuthHTTP/form(_:)``, and through
///   ``OAuthHTTP/requireBearerToken(_:)`` (RFC 6750 header or form);
/// - a `nonce` (as the authorization endpoint accepts it) signed into an ID token with
///   ``IDTokenClaims/signed(with:)``, then read back as a relying party would: three base64url parts, the
///   header and claims as JSON, the nonce unchanged and no claim added, the ES256 signature valid under the
///   public JWK;
/// - a `cw_signed_in` marker through ``SignInDetourMarker/showsSignIn(_:binding:authTime:now:key:)``, which must
///   refuse anything but a marker it made;
/// - a `DPoP` proof through ``DPoPProof/verify(_:method:uri:accessToken:nonce:now:keys:)``, whose answer must be the
///   same with the worker's header cache (``DPoPKeyCache``, holding the harness key's header) as without; a
///   proof starting with `~` has the harness key's header part put in its place, so the fuzzer reaches the claims
///   and the signature under a cached header.
///
/// Input: `Authorization \0 form body \0 nonce \0 marker \0 DPoP proof`.
let key = try! SigningKey.generate(.es256)
let markerKey = SymmetricKey(data: [UInt8](repeating: 9, count: 32))
let now = Date(timeIntervalSince1970: 1_795_000_000)
let dpopKey = try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
let dpopURI = "https://app.localhost/api/oauth/userinfo"
let dpopKeys = DPoPKeyCache()
let dpopHeaderPart: String = {
    let raw = Array(dpopKey.publicKey.rawRepresentation)
    let jwk: JSONValue = .object([
        ("kty", "EC"), ("crv", "P-256"), ("x", .string(SecretToken.base64URL(Array(raw[0..<32])))),
        ("y", .string(SecretToken.base64URL(Array(raw[32...])))),
    ])
    let header = SecretToken.base64URL(JSONValue.object([("typ", "dpop+jwt"), ("alg", "ES256"), ("jwk", jwk)]).serialized())
    let claims: JSONValue = .object([("jti", "seed"), ("htm", "GET"), ("htu", .string(dpopURI)), ("iat", .int(Int(now.timeIntervalSince1970)))])
    let input = header + "." + SecretToken.base64URL(claims.serialized())
    let signed = input + "." + SecretToken.base64URL(Array(try! dpopKey.signature(for: Array(input.utf8)).rawRepresentation))
    let accepted = DPoPProof.verify(signed, method: "GET", uri: dpopURI, accessToken: nil, nonce: .none, now: now, keys: dpopKeys)
    precondition((try? accepted.get()) != nil && dpopKeys.count == 1, "the harness's own proof is refused")
    return header
}()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let fields = FuzzInput.fields(FuzzInput.bytes(data, size), count: 5)
    let authorization = FuzzInput.text(fields[0])
    let request = HTTPRequest(
        method: "POST", path: "/api/oauth/token",
        headers: [("Content-Type", "application/x-www-form-urlencoded")] + (authorization.map { [("Authorization", $0)] } ?? []),
        body: fields[1])
    if let form = try? OAuthHTTP.form(request) {
        if case .success(let parsed) = TokenRequest.parse(form: form, authorization: request.headers["authorization"]) {
            fuzzRequire(ClientAuthentication.isAcceptable(parsed.client.clientID.rawValue), "an unacceptable client_id accepted")
        }
    }
    if let token = try? OAuthHTTP.requireBearerToken(request) { fuzzRequire(!token.value.isEmpty, "an empty bearer token") }

    if let nonce = FuzzInput.text(fields[2]), nonce.utf8.count <= AuthorizationChecks.maximumNonceLength {
        checkIDToken(nonce: nonce)
    }
    if let marker = FuzzInput.text(fields[3]) {
        let binding = "8:client-126:https://client.example/callback5:state5:nonce"
        let made = SignInDetourMarker.make(at: now, binding: binding, key: markerKey)
        let shown = SignInDetourMarker.showsSignIn(marker, binding: binding, authTime: now, now: now, key: markerKey)
        // Accepted only with our MAC over our time (`+0…` spellings of the same number are the same marker).
        let parts = marker.split(separator: ".", maxSplits: 1)
        let ours = parts.count == 2 && parts[1] == made.split(separator: ".")[1] && Int64(parts[0]) == Int64(now.timeIntervalSince1970)
        fuzzRequire(!shown || ours, "a forged marker \(marker.debugDescription) accepted")
    }
    if let proof = FuzzInput.text(fields[4]) { checkDPoPProof(proof.hasPrefix("~") ? dpopHeaderPart + proof.dropFirst() : proof) }
    return 0
}

func checkDPoPProof(_ proof: String) {
    let plain = DPoPProof.verify(proof, method: "GET", uri: dpopURI, accessToken: nil, nonce: .none, now: now)
    // Twice: a header checked by the first call is a cached one for the second.
    for _ in 0..<2 {
        let cached = DPoPProof.verify(proof, method: "GET", uri: dpopURI, accessToken: nil, nonce: .none, now: now, keys: dpopKeys)
        fuzzRequire(cached == plain, "the header cache changed the answer to \(proof.debugDescription)")
    }
    fuzzRequire(dpopKeys.count <= DPoPKeyCache.limit, "the header cache grew past its limit")
}

func checkIDToken(nonce: String) {
    let claims = IDTokenClaims(
        issuer: "https://app.localhost", subject: "42", audience: ClientID("client-1"), issuedAt: now, lifetime: 300, authTime: now,
        nonce: nonce)
    guard let token = try? claims.signed(with: key) else { return fuzzRequire(false, "signing failed") }
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    fuzzRequire(parts.count == 3, "a compact JWS of \(parts.count) parts")
    guard let header = base64URL(parts[0]), let payload = base64URL(parts[1]), let signature = base64URL(parts[2]),
        let headerJSON = try? JSONSerialization.jsonObject(with: Data(header)) as? [String: Any],
        let claimsJSON = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any]
    else { return fuzzRequire(false, "an ID token that is not base64url JSON: \(token)") }
    fuzzRequire(headerJSON["alg"] as? String == "ES256" && headerJSON["kid"] as? String == key.kid, "a wrong JWS header")
    fuzzRequire(claimsJSON["nonce"] as? String == nonce, "the nonce changed in the ID token")
    fuzzRequire(Set(claimsJSON.keys) == ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce"], "claims added or lost")
    guard case .p256(let x, let y) = key.publicJWK, let xBytes = base64URL(x[...]), let yBytes = base64URL(y[...]),
        let publicKey = try? P256.Signing.PublicKey(rawRepresentation: xBytes + yBytes),
        let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
    else { return fuzzRequire(false, "no usable public JWK or signature") }
    fuzzRequire(publicKey.isValidSignature(ecdsa, for: Array((parts[0] + "." + parts[1]).utf8)), "an ID token signature that does not verify")
}

/// RFC 7515 §2 base64url without padding, strictly (as a relying party's library reads it).
func base64URL(_ text: Substring) -> [UInt8]? {
    guard !text.contains("="), !text.contains("+"), !text.contains("/") else { return nil }
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    return Data(base64Encoded: base64).map(Array.init)
}
