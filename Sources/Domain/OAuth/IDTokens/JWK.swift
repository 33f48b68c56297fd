import Crypto

/// The public half of a signing key as a JSON Web Key (RFC 7517 §4, RFC 7518 §6.2–6.3).
public enum JWK: Sendable, Equatable {
    /// RSA: base64url modulus `n` and exponent `e`, big-endian without leading zero octets (RFC 7518 §6.3.1).
    case rsa(n: String, e: String)
    /// EC P-256: base64url 32-byte coordinates `x` and `y` (RFC 7518 §6.2.1).
    case p256(x: String, y: String)

    /// The RFC 7638 §3.2 input: the required members only, in lexicographic order, no whitespace.
    public var thumbprintInput: String {
        switch self {
        case .rsa(let n, let e):
            JSONValue.object([("e", .string(e)), ("kty", .string("RSA")), ("n", .string(n))]).text
        case .p256(let x, let y):
            JSONValue.object([("crv", .string("P-256")), ("kty", .string("EC")), ("x", .string(x)), ("y", .string(y))]).text
        }
    }

    /// The RFC 7638 JWK SHA-256 thumbprint, base64url: used as the key's `kid`, so the id follows from the
    /// key itself and two keys never share one.
    public var thumbprint: String {
        SecretToken.base64URL(Array(SHA256.hash(data: Array(thumbprintInput.utf8))))
    }

    /// The JWK as published in the JWKS: `kty`, `use=sig`, `alg`, `kid`, then the key members.
    public func json(kid: String, algorithm: SigningKeyRecord.Algorithm) -> String {
        object(kid: kid, algorithm: algorithm).text
    }

    func object(kid: String, algorithm: SigningKeyRecord.Algorithm) -> JSONValue {
        switch self {
        case .rsa(let n, let e):
            .object([
                ("kty", .string("RSA")), ("use", .string("sig")), ("alg", .string(algorithm.rawValue)),
                ("kid", .string(kid)), ("n", .string(n)), ("e", .string(e)),
            ])
        case .p256(let x, let y):
            .object([
                ("kty", .string("EC")), ("use", .string("sig")), ("alg", .string(algorithm.rawValue)),
                ("kid", .string(kid)), ("crv", .string("P-256")), ("x", .string(x)), ("y", .string(y)),
            ])
        }
    }
}
