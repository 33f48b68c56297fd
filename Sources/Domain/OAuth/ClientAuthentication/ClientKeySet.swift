import Crypto
import Foundation
import _CryptoExtras

/// A client's public keys for `private_key_jwt` (RFC 7523, OIDC Core §9): its registered JWK Set (RFC 7517 §5) or the
/// document at its `jwks_uri`. Only what assertion checking needs is kept: RSA keys of at least 2048 bits (RS256 and
/// PS256) and P-256 keys (ES256). Keys with `use` other than `sig`, other types and curves are left out; a document
/// publishing a private key (`d`) is refused whole, since the client has shown its private key to the world.
public struct ClientKeySet: Sendable {
    /// One usable verification key, with the `alg` it declared (`nil`: any algorithm of its type).
    public struct Key: Sendable {
        enum Material: Sendable {
            case rsa(_RSA.Signing.PublicKey)
            case p256(P256.Signing.PublicKey)
        }
        let material: Material
        /// The key's declared `alg`, if any.
        public let declaredAlgorithm: String?

        /// Whether this key may verify a signature of `algorithm`.
        public func accepts(_ algorithm: String) -> Bool {
            if let declaredAlgorithm, declaredAlgorithm != algorithm { return false }
            switch material {
            case .rsa: return algorithm == "RS256" || algorithm == "PS256"
            case .p256: return algorithm == "ES256"
            }
        }

        /// Whether `signature` over `input` verifies under `algorithm` (which the key must accept).
        public func verifies(_ signature: [UInt8], over input: [UInt8], algorithm: String) -> Bool {
            guard accepts(algorithm) else { return false }
            switch material {
            case .rsa(let key):
                let parsed = _RSA.Signing.RSASignature(rawRepresentation: signature)
                return key.isValidSignature(parsed, for: input, padding: algorithm == "PS256" ? .PSS : .insecurePKCS1v1_5)
            case .p256(let key):
                guard signature.count == 64, let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
                return key.isValidSignature(parsed, for: input)
            }
        }
    }

    /// Why a document is not a usable key set, in words for the developer (`app.error.jwks.*`; its JOSE names and
    /// the skipped keys' details stay as written).
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let problem: Message
        init(_ problem: Message) { self.problem = problem }
        /// The reason in English (the command line, the log, a fetched key set's refusal).
        public var reason: String { problem.english }
        public var description: String { reason }
    }

    /// The signing algorithms assertions may use (never `none` or HMAC: RFC 7523 §3 item 9, RFC 8725 §3.1).
    public static let algorithms = ["RS256", "PS256", "ES256"]
    /// The largest document read (a set of a few RSA keys is 2–5 KiB).
    public static let maximumDocumentLength = 16_384
    /// The most keys used from one document.
    public static let maximumKeys = 10

    /// The usable keys with their `kid` (`""` for a key without one).
    public let keys: [(kid: String, key: Key)]

    /// Reads a JWK Set document: at least one usable key, no private key, at most ``maximumDocumentLength`` bytes.
    public init(document bytes: [UInt8]) throws(Invalid) {
        guard bytes.count <= Self.maximumDocumentLength else {
            throw Invalid(
                Message(
                    "app.error.jwks.too_long", "The key set is longer than \(Self.maximumDocumentLength) bytes.",
                    ["max": "\(Self.maximumDocumentLength)"]))
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw Invalid(Message("app.error.jwks.not_json", "The key set is not valid JSON (\(error)).", ["detail": "\(error)"]))
        }
        guard let entries = document[member: "keys"]?.arrayValue else {
            throw Invalid(Message("app.error.jwks.no_keys_array", "The key set must be a JSON object with a \"keys\" array (RFC 7517 §5)."))
        }
        var keys: [(kid: String, key: Key)] = []
        var skipped: [String] = []
        for entry in entries {
            if entry[member: "d"] != nil || entry[member: "p"] != nil || entry[member: "k"] != nil {
                throw Invalid(Message("app.error.jwks.private_key", "The key set contains a private or symmetric key; publish only public keys."))
            }
            let kid = entry[member: "kid"]?.stringValue ?? ""
            if let key = Self.key(entry, skipped: &skipped) {
                if keys.contains(where: { $0.kid == kid }) {
                    throw Invalid(Message("app.error.jwks.duplicate_kid", "Two keys have the kid \"\(kid)\".", ["kid": kid]))
                }
                keys.append((kid, key))
            }
        }
        guard !keys.isEmpty else {
            guard skipped.isEmpty else {
                // Which keys were left out and why is a JOSE detail (kid, kty, alg), kept as written.
                let why = skipped.prefix(3).joined(separator: "; ")
                throw Invalid(
                    Message(
                        "app.error.jwks.no_usable_key_detail",
                        "The key set has no usable signing key: use RSA keys of 2048 bits or more or P-256 keys (\(why)).", ["detail": why]))
            }
            throw Invalid(
                Message("app.error.jwks.no_usable_key", "The key set has no usable signing key: use RSA keys of 2048 bits or more or P-256 keys."))
        }
        guard keys.count <= Self.maximumKeys else {
            throw Invalid(Message("app.error.jwks.too_many", "The key set has more than \(Self.maximumKeys) keys.", ["max": "\(Self.maximumKeys)"]))
        }
        self.keys = keys
    }

    /// Reads a document given as text.
    public init(document text: String) throws(Invalid) { try self.init(document: Array(text.utf8)) }

    /// The keys a JWS header's `kid` and `alg` select: the one with that `kid`, or when there is no `kid` every key
    /// that accepts `alg`.
    public func candidates(kid: String?, algorithm: String) -> [Key] {
        if let kid { return keys.filter { $0.kid == kid && $0.key.accepts(algorithm) }.map(\.key) }
        return keys.filter { $0.key.accepts(algorithm) }.map(\.key)
    }

    /// Whether a key has this `kid`.
    public func contains(kid: String) -> Bool { keys.contains { $0.kid == kid } }

    private static func key(_ entry: JSONValue, skipped: inout [String]) -> Key? {
        let kid = entry[member: "kid"]?.stringValue ?? ""
        if let use = entry[member: "use"]?.stringValue, use != "sig" {
            skipped.append("\(kid): use is \(use)")
            return nil
        }
        let declared = entry[member: "alg"]?.stringValue
        if let declared, !algorithms.contains(declared) {
            skipped.append("\(kid): alg \(declared) is not accepted")
            return nil
        }
        switch entry[member: "kty"]?.stringValue {
        case "RSA":
            guard let n = entry[member: "n"]?.stringValue.flatMap(Base64URL.decode),
                let e = entry[member: "e"]?.stringValue.flatMap(Base64URL.decode)
            else {
                skipped.append("\(kid): RSA key without n and e")
                return nil
            }
            let modulus = Array(n.drop { $0 == 0 })
            guard modulus.count >= 256 else {
                skipped.append("\(kid): RSA key shorter than 2048 bits")
                return nil
            }
            guard let key = try? _RSA.Signing.PublicKey(n: modulus, e: e) else {
                skipped.append("\(kid): RSA key refused")
                return nil
            }
            guard declared == nil || declared == "RS256" || declared == "PS256" else { return nil }
            return Key(material: .rsa(key), declaredAlgorithm: declared)
        case "EC":
            guard entry[member: "crv"]?.stringValue == "P-256", declared == nil || declared == "ES256" else {
                skipped.append("\(kid): not a P-256 key for ES256")
                return nil
            }
            guard let x = entry[member: "x"]?.stringValue.flatMap(Base64URL.decode),
                let y = entry[member: "y"]?.stringValue.flatMap(Base64URL.decode), x.count == 32, y.count == 32,
                let key = try? P256.Signing.PublicKey(rawRepresentation: x + y)
            else {
                skipped.append("\(kid): P-256 key refused")
                return nil
            }
            return Key(material: .p256(key), declaredAlgorithm: declared)
        case let other:
            skipped.append("\(kid): key type \(other ?? "missing") is not used")
            return nil
        }
    }
}
