import Crypto
import Foundation
import _CryptoExtras

/// A DPoP proof (RFC 9449 §4) that passed every check of ``DPoPProof/verify(_:method:uri:accessToken:nonce:now:)``:
/// what the server keeps of it is the key's thumbprint (to bind or match tokens) and the replay digest.
public struct DPoPProof: Sendable, Equatable {
    /// The JWK SHA-256 thumbprint of the proof's public key (RFC 7638), base64url: the `cnf.jkt` of the tokens it
    /// binds (RFC 9449 §6.1).
    public let thumbprint: String
    /// What the replay cache stores: SHA-256 of the thumbprint and the `jti`, so one key's `jti` can never block
    /// another key's (RFC 9449 §11.1).
    public let replayDigest: [UInt8]
    /// Until when the replay entry must be kept: after that the `iat` check refuses the proof anyway.
    public let replayExpiresAt: Date

    /// JWS algorithms accepted in proofs (`dpop_signing_alg_values_supported`, RFC 9449 §5.1): asymmetric only.
    /// `Ed25519` is RFC 9864's fully-specified name of EdDSA over Ed25519; the polymorphic `EdDSA` it deprecates is
    /// still accepted for the same keys (the only EdDSA curve accepted here), so clients of either age work.
    public static let algorithms = ["ES256", "RS256", "EdDSA", "Ed25519"]
    /// How old a proof's `iat` may be (RFC 9449 §11.1: "a relatively brief period").
    public static let maximumAge: TimeInterval = 60
    /// How far in the future a proof's `iat` may be (clock skew of the client).
    public static let maximumSkew: TimeInterval = 10
    /// Longest `jti` accepted.
    public static let maximumIdentifierLength = 256
    /// Longest proof accepted, in bytes.
    public static let maximumLength = 8192

    /// Why a proof was refused: `invalid_dpop_proof`, or `use_dpop_nonce` when only the server nonce was missing
    /// or stale (RFC 9449 §8). The description is ours, safe to send.
    public enum Failure: Error, Sendable, Equatable {
        case invalid(String)
        case useNonce

        /// The wire error (RFC 9449 §12.2 registers both codes).
        public var oauthError: OAuthError {
            switch self {
            case .invalid(let reason): OAuthError(.invalidDPoPProof, reason)
            case .useNonce: OAuthError(.useDPoPNonce, "Resend the request with the DPoP-Nonce the server sent.")
            }
        }
    }

    /// What the server's nonce rule asks of a proof.
    public enum NonceRule {
        /// No nonce needed (resources when `oauth.dpop_resource_nonce` is off).
        case none
        /// The proof must carry a nonce the check accepts (the token endpoint; resources, RFC 9449 §9, by default).
        case required((String) -> Bool)
    }

    /// Checks the `DPoP` header value of a request, in RFC 9449 §4.3's order:
    /// 1. one well-formed compact JWS (`typ` `dpop+jwt`, `alg` one of ``algorithms``, `jwk` a public key of that
    ///    algorithm and no private members);
    /// 2. the signature verifies with that key;
    /// 3. `jti` present (at most ``maximumIdentifierLength``), `htm` equal to `method`, `htu` equal to `uri`
    ///    ignoring query and fragment (scheme and host compared case-insensitively, a default port ignored);
    /// 4. `iat` within ``maximumAge`` in the past and ``maximumSkew`` in the future;
    /// 5. with an access token (resources), `ath` is the base64url SHA-256 of it (§4.3 step 11);
    /// 6. the nonce, when ``NonceRule/required(_:)``.
    /// The replay of `jti` is the caller's (a store): the result's ``replayDigest``.
    ///
    /// With `keys`, a header part read before (byte for byte) is not read again: its checked `alg` and key come
    /// from the cache, and the other two parts get the same compact-JWS checks (``CompactJWS``), so the answer
    /// is the one an empty cache gives.
    public static func verify(
        _ header: String, method: String, uri: String, accessToken: String?, nonce: NonceRule, now: Date, keys: DPoPKeyCache? = nil
    ) -> Result<DPoPProof, Failure> {
        let notCompact = Failure.invalid("The DPoP proof is not a compact JWS.")
        guard header.utf8.count <= maximumLength else { return .failure(notCompact) }
        let bytes = Array(header.utf8)
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return .failure(notCompact) }
        let headerPart = Array(bytes[..<firstDot])
        let key: DPoPPublicKey
        let claims: JSONValue
        let signature: [UInt8]
        let signingInput: [UInt8]
        if let known = keys?.entry(for: headerPart) {
            // The header part is a checked one, so it is strict base64url of a JSON object: what CompactJWS would
            // still refuse is in the payload or the signature part.
            let rest = bytes[(firstDot + 1)...]
            guard let secondDot = rest.firstIndex(of: UInt8(ascii: ".")),
                !bytes[(secondDot + 1)...].contains(UInt8(ascii: ".")),
                let payloadBytes = Base64URL.decode(bytes[(firstDot + 1)..<secondDot]),
                let signatureBytes = Base64URL.decode(bytes[(secondDot + 1)...]),
                let payload = try? JSONParser.parse(payloadBytes), case .object = payload
            else { return .failure(notCompact) }
            (key, claims, signature) = (known, payload, signatureBytes)
            signingInput = Array(bytes[..<secondDot])
        } else {
            guard let jws = try? CompactJWS(header) else { return .failure(notCompact) }
            switch checkedHeader(jws.header) {
            case .failure(let failure): return .failure(failure)
            case .success(let checked):
                keys?.remember(checked, for: headerPart)
                (key, claims, signature, signingInput) = (checked, jws.payload, jws.signature, jws.signingInput)
            }
        }
        guard key.isValidSignature(signature, over: signingInput) else {
            return .failure(.invalid("The DPoP proof's signature does not verify."))
        }
        guard let jti = claims[member: "jti"]?.stringValue, !jti.isEmpty, jti.utf8.count <= maximumIdentifierLength else {
            return .failure(.invalid("The DPoP proof needs a jti."))
        }
        guard claims[member: "htm"]?.stringValue == method else { return .failure(.invalid("The DPoP proof's htm does not match the request.")) }
        guard let htu = claims[member: "htu"]?.stringValue, normalizedURI(htu) == normalizedURI(uri) else {
            return .failure(.invalid("The DPoP proof's htu does not match the request."))
        }
        guard let iat = claims[member: "iat"]?.intValue else { return .failure(.invalid("The DPoP proof needs an integer iat.")) }
        let issuedAt = Date(timeIntervalSince1970: TimeInterval(iat))
        guard issuedAt >= now.addingTimeInterval(-maximumAge), issuedAt <= now.addingTimeInterval(maximumSkew) else {
            return .failure(.invalid("The DPoP proof's iat is outside the accepted window."))
        }
        if let accessToken {
            guard let ath = claims[member: "ath"]?.stringValue, ath == accessTokenHash(accessToken) else {
                return .failure(.invalid("The DPoP proof's ath does not match the access token."))
            }
        }
        if case .required(let accepts) = nonce {
            guard let value = claims[member: "nonce"]?.stringValue, accepts(value) else { return .failure(.useNonce) }
        }
        let thumbprint = key.thumbprint
        var digestInput = Array(thumbprint.utf8)
        digestInput.append(0)
        digestInput.append(contentsOf: jti.utf8)
        return .success(
            DPoPProof(
                thumbprint: thumbprint, replayDigest: digestInput.withUnsafeBytes { Array(SHA256.hash(data: $0)) },
                replayExpiresAt: issuedAt.addingTimeInterval(maximumAge + maximumSkew)))
    }

    /// RFC 9449 §4.3 steps 4–7 on the protected header: `typ`, `alg` and `jwk`, in that order.
    static func checkedHeader(_ header: JSONValue) -> Result<DPoPPublicKey, Failure> {
        guard header[member: "typ"]?.stringValue == "dpop+jwt" else { return .failure(.invalid("The DPoP proof's typ must be dpop+jwt.")) }
        guard let algorithm = header[member: "alg"]?.stringValue, algorithms.contains(algorithm) else {
            return .failure(.invalid("The DPoP proof's alg is not one of \(algorithms.joined(separator: ", "))."))
        }
        guard let jwk = header[member: "jwk"], let key = DPoPPublicKey(jwk: jwk), key.verifies(algorithm) else {
            return .failure(.invalid("The DPoP proof's jwk is not a public key for its alg."))
        }
        return .success(key)
    }

    /// The RFC 7638 SHA-256 thumbprint of a public JWK of a type proofs may use (P-256, RSA, Ed25519), or `nil`.
    public static func thumbprint(ofPublicJWK jwk: JSONValue) -> String? { DPoPPublicKey(jwk: jwk)?.thumbprint }

    /// `ath` (RFC 9449 §4.2): base64url of the SHA-256 of the access token's ASCII bytes.
    public static func accessTokenHash(_ token: String) -> String {
        SecretToken.base64URL(Array(SHA256.hash(data: Array(token.utf8))))
    }

    /// `uri` without query and fragment, its scheme and host lowercased and a default port removed (RFC 9449 §4.3
    /// step 9, with RFC 3986 §6.2.2–6.2.3 normalisation), as UTF-8 bytes: compared byte for byte, and read a byte
    /// at a time (the `Character` walk it replaced cost a tenth of a proof's check besides the signature). Case
    /// is folded for ASCII letters only, as RFC 3986 §6.2.2.1 asks (a URI's scheme and host are ASCII).
    static func normalizedURI(_ uri: String) -> [UInt8] {
        let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")
        var text = Array(uri.utf8)
        if let cut = text.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { text.removeSubrange(cut...) }
        // The first "://".
        guard
            let schemeEnd = text.indices.first(where: { $0 + 2 < text.count && text[$0] == colon && text[$0 + 1] == slash && text[$0 + 2] == slash })
        else { return text }
        let rest = schemeEnd + 3
        let pathStart = text[rest...].firstIndex(of: slash) ?? text.endIndex
        var result: [UInt8] = []
        result.reserveCapacity(text.count + 1)
        result.append(contentsOf: text[..<schemeEnd].lazy.map(asciiLowercased))
        let scheme = result
        result.append(contentsOf: [colon, slash, slash])
        var authority = text[rest..<pathStart].map(asciiLowercased)
        if scheme.elementsEqual("https".utf8), authority.count >= 4, authority.suffix(4).elementsEqual(":443".utf8) { authority.removeLast(4) }
        if scheme.elementsEqual("http".utf8), authority.count >= 3, authority.suffix(3).elementsEqual(":80".utf8) { authority.removeLast(3) }
        result.append(contentsOf: authority)
        if pathStart == text.endIndex { result.append(slash) } else { result.append(contentsOf: text[pathStart...]) }
        return result
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}

/// The public key of a DPoP proof's `jwk` header (RFC 7517), with its RFC 7638 thumbprint.
struct DPoPPublicKey: Sendable {
    enum Key: Sendable {
        case p256(P256.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    let key: Key
    let thumbprint: String

    /// Whether this key verifies the JWS algorithm `algorithm`: an Ed25519 key both RFC 9864's `Ed25519` and the
    /// deprecated polymorphic `EdDSA` (RFC 8037).
    func verifies(_ algorithm: String) -> Bool {
        switch key {
        case .p256: algorithm == "ES256"
        case .rsa: algorithm == "RS256"
        case .ed25519: algorithm == "Ed25519" || algorithm == "EdDSA"
        }
    }

    /// Members that only a private or symmetric key has: a proof carrying one is refused (RFC 9449 §4.2: "MUST
    /// NOT contain a private key").
    static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// A P-256, RSA (2048 bits or more) or Ed25519 public key; `nil` for anything else.
    init?(jwk: JSONValue) {
        guard case .object = jwk, !Self.privateMembers.contains(where: { jwk[member: $0] != nil }) else { return nil }
        switch jwk[member: "kty"]?.stringValue {
        case "EC":
            guard jwk[member: "crv"]?.stringValue == "P-256", let x = jwk[member: "x"]?.stringValue,
                let y = jwk[member: "y"]?.stringValue, let xBytes = Base64URL.decode(x), let yBytes = Base64URL.decode(y),
                xBytes.count == 32, yBytes.count == 32, let key = try? P256.Signing.PublicKey(rawRepresentation: xBytes + yBytes)
            else { return nil }
            self.key = .p256(key)
            thumbprint = Self.thumbprint(#"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#)
        case "RSA":
            guard let n = jwk[member: "n"]?.stringValue, let e = jwk[member: "e"]?.stringValue,
                let modulus = Base64URL.decode(n), let exponent = Base64URL.decode(e),
                modulus.drop(while: { $0 == 0 }).count >= 256,
                let key = try? _RSA.Signing.PublicKey(n: Array(modulus.drop(while: { $0 == 0 })), e: exponent)
            else { return nil }
            self.key = .rsa(key)
            thumbprint = Self.thumbprint(#"{"e":"\#(e)","kty":"RSA","n":"\#(n)"}"#)
        case "OKP":
            guard jwk[member: "crv"]?.stringValue == "Ed25519", let x = jwk[member: "x"]?.stringValue,
                let bytes = Base64URL.decode(x), bytes.count == 32, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
            else { return nil }
            self.key = .ed25519(key)
            thumbprint = Self.thumbprint(#"{"crv":"Ed25519","kty":"OKP","x":"\#(x)"}"#)
        default:
            return nil
        }
    }

    /// RFC 7638 §3: SHA-256 of the required members in lexicographic order, no whitespace. The member values are
    /// strict base64url (``Base64URL`` refuses anything else), so they need no escaping.
    private static func thumbprint(_ canonical: String) -> String {
        SecretToken.base64URL(Array(SHA256.hash(data: Array(canonical.utf8))))
    }

    func isValidSignature(_ signature: [UInt8], over input: [UInt8]) -> Bool {
        switch key {
        case .p256(let key):
            guard signature.count == 64, let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            // The digest of one contiguous buffer (the Array overload went through the generic regions walk).
            return key.isValidSignature(parsed, for: input.withUnsafeBytes { SHA256.hash(data: $0) })
        case .rsa(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: input)
        }
    }
}
