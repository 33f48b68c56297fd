import Crypto
import Foundation
import _CryptoExtras

/// A passkey's public key read from its COSE_Key (RFC 9052 §7), as far as WebAuthn needs: EC2 on P-256 with
/// ES256 (alg -7, RFC 9053 §2.1 and §7.1.1) and RSA with RS256 (alg -257, RFC 8812 §2, RFC 8230 §4) of 2048 to
/// 8192 bits. `alg` must be present (WebAuthn §6.5.1.1 requires it); private key members, compressed points,
/// other key types, curves and algorithms are refused with the reason.
public enum PasskeyPublicKey: Sendable {
    case es256(P256.Signing.PublicKey)
    case rs256(_RSA.Signing.PublicKey)

    /// The COSE algorithm identifiers accepted, in our order of preference: what the registration options offer
    /// as `pubKeyCredParams`.
    public static let coseAlgorithms: [Int64] = [-7, -257]

    /// Longest RSA modulus accepted: bounds the cost of a verification an outsider can ask for.
    static let maximumRSABits = 8192

    /// The COSE algorithm of this key.
    public var coseAlgorithm: Int64 {
        switch self {
        case .es256: -7
        case .rs256: -257
        }
    }

    /// Reads a COSE_Key: exactly one CBOR map (the bytes stored for a credential).
    public init(cose bytes: [UInt8]) throws(PasskeyRefusal) {
        let value: CBORValue
        do {
            value = try CBORDecoder.decode(bytes)
        } catch {
            throw .malformed("credential public key: \(error.reason)")
        }
        try self.init(cose: value)
    }

    /// Reads a decoded COSE_Key.
    init(cose key: CBORValue) throws(PasskeyRefusal) {
        guard case .map = key else { throw .malformed("credential public key is not a CBOR map") }
        guard let kty = key[1]?.intValue else { throw .unsupportedKey("no key type") }
        guard let alg = key[3]?.intValue else { throw .unsupportedKey("no algorithm") }
        switch kty {
        case 2:  // EC2, RFC 9053 §7.1: crv -1, x -2, y -3, d -4.
            guard alg == -7 else { throw .unsupportedKey("EC2 key with algorithm \(alg) (only ES256, -7)") }
            guard key[-4] == nil else { throw .unsupportedKey("a private key") }
            guard key[-1]?.intValue == 1 else { throw .unsupportedKey("EC2 key on a curve other than P-256") }
            guard let x = key[-2]?.bytesValue, let y = key[-3]?.bytesValue, x.count == 32, y.count == 32 else {
                throw .unsupportedKey("P-256 key without 32-byte x and y (compressed points are not accepted)")
            }
            do {
                self = .es256(try P256.Signing.PublicKey(x963Representation: [0x04] + x + y))
            } catch {
                throw .unsupportedKey("P-256 point not on the curve")
            }
        case 3:  // RSA, RFC 8230 §4: n -1, e -2, private members -3 and below.
            guard alg == -257 else { throw .unsupportedKey("RSA key with algorithm \(alg) (only RS256, -257)") }
            guard key[-3] == nil else { throw .unsupportedKey("a private key") }
            guard let n = key[-1]?.bytesValue, let e = key[-2]?.bytesValue, !e.isEmpty, e.count <= 8 else {
                throw .unsupportedKey("RSA key without n and e")
            }
            let modulus = Array(n.drop { $0 == 0 })
            let bits = modulus.first.map { modulus.count * 8 - $0.leadingZeroBitCount } ?? 0
            guard bits >= 2048 else { throw .unsupportedKey("RSA key of \(bits) bits (at least 2048)") }
            guard bits <= Self.maximumRSABits else { throw .unsupportedKey("RSA key of \(bits) bits (at most \(Self.maximumRSABits))") }
            do {
                self = .rs256(try _RSA.Signing.PublicKey(n: modulus, e: e))
            } catch {
                throw .unsupportedKey("RSA key refused")
            }
        case 1:
            throw .unsupportedKey("OKP key (EdDSA) with algorithm \(alg)")
        default:
            throw .unsupportedKey("key type \(kty)")
        }
    }

    /// Whether `signature` is this key's over `message` (WebAuthn §6.5.5: ES256 signatures are ASN.1 DER, RS256
    /// ones PKCS#1 v1.5 with SHA-256).
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        switch self {
        case .es256(let key):
            guard signature.count <= 72, let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case .rs256(let key):
            guard signature.count == (key.keySizeInBits + 7) / 8 else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        }
    }
}
