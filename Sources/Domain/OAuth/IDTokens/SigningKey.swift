import Crypto
import Foundation
import _CryptoExtras

/// A private key that signs ID tokens: RS256 (RSA 2048, PKCS#1 v1.5, RFC 7518 §3.3) or ES256 (P-256,
/// RFC 7518 §3.4). Its `kid` is the RFC 7638 thumbprint of its public JWK.
public struct SigningKey: Sendable {
    /// The JWS algorithm.
    public typealias Algorithm = SigningKeyRecord.Algorithm

    private enum Material: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
    }

    private let material: Material
    /// The public key as a JWK.
    public let publicJWK: JWK

    /// `RS256` or `ES256`.
    public var algorithm: Algorithm {
        switch material {
        case .rsa: .rs256
        case .p256: .es256
        }
    }

    /// The key id: the RFC 7638 thumbprint of ``publicJWK`` (computed once, it goes into every token header).
    public let kid: String

    /// The JWK as published, with `kid`, `alg` and `use`.
    public var publicJWKJSON: String { publicJWK.json(kid: kid, algorithm: algorithm) }

    /// Generates a new key.
    ///
    /// The one place in Domain that draws randomness itself: swift-crypto takes no random source for RSA key
    /// generation, and a signing key should come from the library's vetted CSPRNG anyway. Callers are
    /// commands (`catalystwells keys rotate`), never request handling.
    public static func generate(_ algorithm: Algorithm) throws -> SigningKey {
        switch algorithm {
        case .rs256: try SigningKey(.rsa(_RSA.Signing.PrivateKey(keySize: .bits2048)))
        case .es256: try SigningKey(.p256(P256.Signing.PrivateKey()))
        }
    }

    /// Loads a key from ``privateKeyDER``: PKCS#1 for RS256, PKCS#8 for ES256 (swift-crypto's
    /// `derRepresentation` of each).
    public init(algorithm: Algorithm, privateKeyDER: [UInt8]) throws {
        do {
            switch algorithm {
            case .rs256: try self.init(.rsa(_RSA.Signing.PrivateKey(derRepresentation: privateKeyDER)))
            case .es256: try self.init(.p256(P256.Signing.PrivateKey(derRepresentation: privateKeyDER)))
            }
        } catch let error as SigningKeyError {
            throw error
        } catch {
            throw SigningKeyError.malformedPrivateKey
        }
    }

    /// Loads a key from PEM (`RSA PRIVATE KEY`/`PRIVATE KEY` for RS256, `EC PRIVATE KEY`/`PRIVATE KEY` for ES256).
    public init(algorithm: Algorithm, privateKeyPEM: String) throws {
        do {
            switch algorithm {
            case .rs256: try self.init(.rsa(_RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)))
            case .es256: try self.init(.p256(P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)))
            }
        } catch let error as SigningKeyError {
            throw error
        } catch {
            throw SigningKeyError.malformedPrivateKey
        }
    }

    private init(_ material: Material) throws {
        self.material = material
        switch material {
        case .rsa(let key):
            guard let primitives = try? key.publicKey.getKeyPrimitives() else { throw SigningKeyError.malformedPrivateKey }
            publicJWK = .rsa(
                n: SecretToken.base64URL(Self.withoutLeadingZeros(Array(primitives.modulus))),
                e: SecretToken.base64URL(Self.withoutLeadingZeros(Array(primitives.publicExponent))))
        case .p256(let key):
            let raw = Array(key.publicKey.rawRepresentation)
            publicJWK = .p256(x: SecretToken.base64URL(Array(raw[0..<32])), y: SecretToken.base64URL(Array(raw[32..<64])))
        }
        kid = publicJWK.thumbprint
    }

    /// The private key as DER, for sealing; see ``init(algorithm:privateKeyDER:)``.
    public var privateKeyDER: [UInt8] {
        switch material {
        case .rsa(let key): Array(key.derRepresentation)
        case .p256(let key): Array(key.derRepresentation)
        }
    }

    /// The private key as PEM, for operators exporting it.
    public var privateKeyPEM: String {
        switch material {
        case .rsa(let key): key.pemRepresentation
        case .p256(let key): key.pemRepresentation
        }
    }

    /// The JWS signature of `signingInput` (RFC 7515 §5.1): RS256 is RSASSA-PKCS1-v1_5 with SHA-256
    /// (swift-crypto calls the padding `insecurePKCS1v1_5`, but RS256 is defined with it, RFC 7518 §3.3);
    /// ES256 is ECDSA P-256 SHA-256 as the 64-byte `R ‖ S`, not DER (RFC 7518 §3.4).
    public func sign(_ signingInput: [UInt8]) throws -> [UInt8] {
        do {
            switch material {
            case .rsa(let key):
                return Array(try key.signature(for: SHA256.hash(data: signingInput), padding: .insecurePKCS1v1_5).rawRepresentation)
            case .p256(let key):
                return Array(try key.signature(for: SHA256.hash(data: signingInput)).rawRepresentation)
            }
        } catch {
            throw SigningKeyError.signingFailed
        }
    }

    /// The stored form: the private key sealed with `sealingKey` (``KeySealing``, `kid` as associated data) and
    /// the public JWK.
    public func record(
        sealingWith sealingKey: SymmetricKey, createdAt: Date, using generator: inout some RandomNumberGenerator
    ) throws -> SigningKeyRecord {
        let sealed = try KeySealing.seal(privateKeyDER, key: sealingKey, associatedData: Array(kid.utf8), using: &generator)
        return SigningKeyRecord(
            kid: kid, algorithm: algorithm, sealedPrivateKey: sealed, publicJWK: publicJWKJSON, createdAt: createdAt, retiredAt: nil)
    }

    /// Opens a stored key; throws when the sealing key is wrong, the row was tampered with, or the key does not
    /// have the row's `kid`.
    public init(record: SigningKeyRecord, sealingKey: SymmetricKey) throws {
        let der = try KeySealing.open(record.sealedPrivateKey, key: sealingKey, associatedData: Array(record.kid.utf8))
        try self.init(algorithm: record.algorithm, privateKeyDER: der)
        guard kid == record.kid else { throw SigningKeyError.keyIDMismatch }
    }

    private static func withoutLeadingZeros(_ bytes: [UInt8]) -> [UInt8] {
        let trimmed = Array(bytes.drop { $0 == 0 })
        return trimmed.isEmpty ? [0] : trimmed
    }
}
