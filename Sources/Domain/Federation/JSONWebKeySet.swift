import Crypto
import Foundation
import _CryptoExtras

/// The signing keys of an upstream provider (its `jwks_uri`, RFC 7517), as far as ID-token checking needs them:
/// RSA keys of at least 2048 bits for RS256 and P-256 keys for ES256. Keys of other types, curves or uses
/// (`use` other than `sig`), and private keys, are left out.
public struct JSONWebKeySet: Sendable {
    /// One usable verification key.
    public enum Key: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)

        /// The JWS algorithm this key verifies.
        public var algorithm: String {
            switch self {
            case .rsa: "RS256"
            case .p256: "ES256"
            }
        }
    }

    /// The usable keys by `kid` (a key without one is kept under the empty string).
    public let keys: [String: Key]
    /// Keys the document had but that are not usable, with why (for the admin's "test this provider").
    public let skipped: [String]

    /// Reads a JWKS document.
    public init(document bytes: [UInt8]) throws(JSONParser.Failure) {
        let document = try JSONParser.parse(bytes)
        var keys: [String: Key] = [:]
        var skipped: [String] = []
        for entry in document[member: "keys"]?.arrayValue ?? [] {
            let kid = entry[member: "kid"]?.stringValue ?? ""
            switch Self.key(entry) {
            case .success(let key):
                if keys[kid] != nil { skipped.append("\(kid): a second key with this kid") } else { keys[kid] = key }
            case .failure(let reason): skipped.append("\(kid): \(reason.text)")
            }
        }
        self.keys = keys
        self.skipped = skipped
    }

    /// A set of keys (tests, and a cache's merge).
    public init(keys: [String: Key]) {
        self.keys = keys
        skipped = []
    }

    private struct Reason: Error { let text: String }

    private static func key(_ entry: JSONValue) -> Result<Key, Reason> {
        if let use = entry[member: "use"]?.stringValue, use != "sig" { return .failure(Reason(text: "use is \(use)")) }
        if entry[member: "d"] != nil { return .failure(Reason(text: "a private key is published")) }
        let declared = entry[member: "alg"]?.stringValue
        switch entry[member: "kty"]?.stringValue {
        case "RSA":
            guard declared == nil || declared == "RS256" else { return .failure(Reason(text: "alg \(declared ?? "")")) }
            guard let n = entry[member: "n"]?.stringValue.flatMap(Base64URL.decode),
                let e = entry[member: "e"]?.stringValue.flatMap(Base64URL.decode)
            else { return .failure(Reason(text: "RSA key without n and e")) }
            let modulus = n.drop { $0 == 0 }
            guard modulus.count >= 256 else { return .failure(Reason(text: "RSA key shorter than 2048 bits")) }
            guard let key = try? _RSA.Signing.PublicKey(n: Array(modulus), e: e) else { return .failure(Reason(text: "RSA key refused")) }
            return .success(.rsa(key))
        case "EC":
            guard entry[member: "crv"]?.stringValue == "P-256" else { return .failure(Reason(text: "curve is not P-256")) }
            guard declared == nil || declared == "ES256" else { return .failure(Reason(text: "alg \(declared ?? "")")) }
            guard let x = entry[member: "x"]?.stringValue.flatMap(Base64URL.decode),
                let y = entry[member: "y"]?.stringValue.flatMap(Base64URL.decode), x.count == 32, y.count == 32,
                let key = try? P256.Signing.PublicKey(rawRepresentation: x + y)
            else { return .failure(Reason(text: "P-256 key refused")) }
            return .success(.p256(key))
        case let other:
            return .failure(Reason(text: "key type \(other ?? "missing") is not used"))
        }
    }

    /// Whether `signature` over `input` verifies with `key` under `algorithm` (which must be the key's own).
    public static func verify(_ signature: [UInt8], over input: [UInt8], key: Key, algorithm: String) -> Bool {
        guard algorithm == key.algorithm else { return false }
        switch key {
        case .rsa(let rsa):
            return rsa.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5)
        case .p256(let ec):
            guard signature.count == 64, let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return ec.isValidSignature(parsed, for: input)
        }
    }
}
