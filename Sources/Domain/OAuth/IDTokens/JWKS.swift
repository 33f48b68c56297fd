import Foundation

/// The JSON Web Key Set served at `/api/oauth/jwks` (RFC 7517 §5).
public enum JWKS {
    /// `{"keys":[…]}` from the published keys' stored JWKs, in the given order. The stored JWK strings are
    /// written by ``SigningKey/record(sealingWith:createdAt:using:)`` and embedded as they are.
    public static func document(keys: [SigningKeyRecord]) -> String {
        "{\"keys\":[" + keys.map(\.publicJWK).joined(separator: ",") + "]}"
    }

    /// The `publishedSince` for ``SigningKeyStore/publishedKeys(publishedSince:)``: a retired key stays
    /// published until every ID token it signed has expired.
    public static func publishedSince(now: Date, lifetimes: TokenLifetimes) -> Date {
        now.addingTimeInterval(-lifetimes.idToken)
    }
}
