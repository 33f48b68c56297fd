/// JWS Compact Serialization (RFC 7515 §7.1) of a JSON payload, signed by a ``SigningKey``.
public enum JWS {
    /// The protected header: `alg`, `kid`, `typ` (RFC 7515 §4.1).
    static func header(for key: SigningKey, type: String) -> JSONValue {
        .object([("alg", .string(key.algorithm.rawValue)), ("kid", .string(key.kid)), ("typ", .string(type))])
    }

    /// `BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)` over the exact payload text given (the
    /// caller supplies a JSON object; ``IDTokenClaims/signed(with:)`` is the usual caller).
    public static func compact(payload: String, key: SigningKey, type: String = "JWT") throws -> String {
        let signingInput =
            SecretToken.base64URL(Array(header(for: key, type: type).text.utf8)) + "."
            + SecretToken.base64URL(Array(payload.utf8))
        let signature = try key.sign(Array(signingInput.utf8))
        return signingInput + "." + SecretToken.base64URL(signature)
    }
}
