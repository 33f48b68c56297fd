import Crypto
import Foundation
import _CryptoExtras

/// Our key pair for one SAML provider: an RSA key whose certificate our metadata publishes, so the provider can
/// encrypt assertions to us. The private key is stored sealed, exactly as an OpenID provider's client secret is
/// (AES-256-GCM under ``OAuthKeyMaterial/upstreamSecretKey``, the slug in the associated data, so a sealed key moved
/// to another provider's row does not open); the certificate is public.
public enum SAMLServiceProviderKey {
    /// Seals the PEM private key for provider `slug`.
    public static func seal(_ pem: String, slug: String, key: SymmetricKey, using generator: inout some RandomNumberGenerator) throws -> [UInt8] {
        try KeySealing.seal(Array(pem.utf8), key: key, associatedData: associatedData(slug), using: &generator)
    }

    /// The PEM private key of provider `slug`.
    public static func open(_ sealed: [UInt8], slug: String, key: SymmetricKey) throws -> String {
        String(decoding: try KeySealing.open(sealed, key: key, associatedData: associatedData(slug)), as: UTF8.self)
    }

    private static func associatedData(_ slug: String) -> [UInt8] { Array("catalystwells saml sp key v1 \(slug)".utf8) }

    /// A self-signed X.509 v3 certificate (RFC 5280 §4.1) for `key`, signed sha256WithRSAEncryption, as DER.
    /// Nobody validates it as a chain: it is a container for the public key that SAML metadata expects.
    public static func selfSignedCertificate(
        key: _RSA.Signing.PrivateKey, commonName: String, serial: [UInt8], notBefore: Date, notAfter: Date
    ) throws -> [UInt8] {
        let sha256WithRSA = DER.sequence([DER.oid([1, 2, 840, 113549, 1, 1, 11]), DER.null])
        let name = DER.sequence([DER.set([DER.sequence([DER.oid([2, 5, 4, 3]), DER.utf8String(String(commonName.prefix(64)))])])])
        let positiveSerial = (serial.first ?? 0) & 0x80 != 0 ? [0] + serial : serial
        let tbs = DER.sequence([
            DER.tagged(0, [DER.integer([2])]), DER.integer(positiveSerial.isEmpty ? [1] : positiveSerial), sha256WithRSA, name,
            DER.sequence([DER.generalizedTime(notBefore), DER.generalizedTime(notAfter)]), name, key.publicKey.derRepresentation.bytes,
        ])
        let signature = try key.signature(for: SHA256.hash(data: tbs), padding: .insecurePKCS1v1_5)
        return DER.sequence([tbs, sha256WithRSA, DER.bitString(Array(signature.rawRepresentation))])
    }

    /// The little DER the certificate needs (X.690 §8).
    enum DER {
        static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
            var length: [UInt8]
            if content.count < 0x80 {
                length = [UInt8(content.count)]
            } else {
                var bytes: [UInt8] = []
                var count = content.count
                while count > 0 {
                    bytes.insert(UInt8(count & 0xFF), at: 0)
                    count >>= 8
                }
                length = [0x80 | UInt8(bytes.count)] + bytes
            }
            return [tag] + length + content
        }
        static func sequence(_ items: [[UInt8]]) -> [UInt8] { element(0x30, items.flatMap { $0 }) }
        static func set(_ items: [[UInt8]]) -> [UInt8] { element(0x31, items.flatMap { $0 }) }
        static func tagged(_ number: UInt8, _ items: [[UInt8]]) -> [UInt8] { element(0xA0 | number, items.flatMap { $0 }) }
        static func integer(_ bytes: [UInt8]) -> [UInt8] { element(0x02, bytes) }
        static let null: [UInt8] = [0x05, 0x00]
        static func utf8String(_ text: String) -> [UInt8] { element(0x0C, Array(text.utf8)) }
        static func bitString(_ bytes: [UInt8]) -> [UInt8] { element(0x03, [0] + bytes) }
        static func generalizedTime(_ date: Date) -> [UInt8] {
            let text = SAMLTime.format(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "T", with: "")
                .replacingOccurrences(of: ":", with: "")
            return element(0x18, Array(text.utf8))
        }
        static func oid(_ arcs: [UInt]) -> [UInt8] {
            var out: [UInt8] = [UInt8(arcs[0] * 40 + arcs[1])]
            for arc in arcs.dropFirst(2) {
                var chunk: [UInt8] = [UInt8(arc & 0x7F)]
                var rest = arc >> 7
                while rest > 0 {
                    chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
                    rest >>= 7
                }
                out += chunk
            }
            return element(0x06, out)
        }
    }
}

extension Data {
    fileprivate var bytes: [UInt8] { Array(self) }
}
