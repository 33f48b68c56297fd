import Domain
import Foundation

/// ``SigningKeyStore`` over the main database: ID token signing keys, sealed by the caller.
public struct MariaSigningKeyStore: SigningKeyStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    private static let columns = "kid, algorithm, sealed_private_key, public_jwk, created_at, retired_at, not_before"

    /// Newest first.
    public func publishedKeys(publishedSince: Date) throws -> [SigningKeyRecord] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM oauth_signing_keys
            WHERE retired_at IS NULL OR retired_at > \(publishedSince)
            ORDER BY created_at DESC, kid
            """
        ).compactMap(Self.key)
    }

    public func currentKey(_ algorithm: SigningKeyRecord.Algorithm) throws -> SigningKeyRecord? {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM oauth_signing_keys
            WHERE algorithm = \(algorithm.rawValue) AND (retired_at IS NULL OR retired_at > UTC_TIMESTAMP(6))
                AND (not_before IS NULL OR not_before <= UTC_TIMESTAMP(6))
            ORDER BY created_at DESC, kid DESC LIMIT 1
            """
        ).first.flatMap(Self.key)
    }

    /// One transaction, so there is never a moment with no current key of the algorithm. A `kid` already used is
    /// `StoreError(.duplicate)` and retires nothing.
    public func addKey(_ key: SigningKeyRecord, now: Date) throws {
        try database.transaction { tx in
            try tx.execute(
                """
                UPDATE oauth_signing_keys SET retired_at = \(key.notBefore ?? now)
                WHERE algorithm = \(key.algorithm.rawValue) AND (retired_at IS NULL OR retired_at > \(key.notBefore ?? now))
                """)
            try tx.execute(
                """
                INSERT INTO oauth_signing_keys (kid, algorithm, sealed_private_key, public_jwk, created_at, not_before, retired_at)
                VALUES (\(key.kid), \(key.algorithm.rawValue), \(key.sealedPrivateKey), \(key.publicJWK), \(key.createdAt),
                        \(key.notBefore), \(key.retiredAt))
                """)
        }
    }

    private static func key(_ row: Row) -> SigningKeyRecord? {
        guard let kid = row.string("kid"), let algorithm = SigningKeyRecord.Algorithm(rawValue: row.string("algorithm") ?? ""),
            let sealed = row.bytes("sealed_private_key"), let jwk = row.string("public_jwk"), let created = row.date("created_at")
        else { return nil }
        return SigningKeyRecord(
            kid: kid, algorithm: algorithm, sealedPrivateKey: sealed, publicJWK: jwk, createdAt: created,
            retiredAt: row.date("retired_at"), notBefore: row.date("not_before"))
    }
}
