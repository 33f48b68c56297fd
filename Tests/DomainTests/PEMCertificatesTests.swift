import Domain
import Foundation
import StoreTwins
import Testing

@Suite struct PEMCertificatesTests {
    static let ca = SampleCertificates.schoolCA

    @Test func aCertificateIsKeptAsCanonicalPEMAndTextAroundItIsDropped() throws {
        let pasted = "subject=CN = School test CA\r\n\n  " + Self.ca.replacingOccurrences(of: "\n", with: "\r\n") + "\n\n"
        let normalized = try PEMCertificates.normalized(pasted).get()
        #expect(normalized == Self.ca.trimmingCharacters(in: .whitespacesAndNewlines) + "\n")
        #expect(try PEMCertificates.normalized(normalized + normalized).get() == normalized + normalized, "a chain of two")
        #expect(try PEMCertificates.normalized(" \n\t").get() == "", "blank: the system's trust store")
    }

    @Test func theFileNameIsTheDigestOfTheText() throws {
        let name = PEMCertificates.fileName(for: Self.ca)
        #expect(name.count == 64 + 4 && name.hasSuffix(".pem") && name == PEMCertificates.fileName(for: Self.ca))
        #expect(name != PEMCertificates.fileName(for: Self.ca + Self.ca))
    }

    @Test(arguments: [
        ("/etc/ssl/certs/school-ca.pem", "no -----BEGIN CERTIFICATE----- block"),
        ("-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n", "line 1: a PRIVATE KEY block"),
        ("-----BEGIN CERTIFICATE-----\nMIIB\n", "has no -----END CERTIFICATE----- line"),
        ("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not valid base64 DER"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not valid base64 DER"),
        ("x\n-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN CERTIFICATE-----\n", "line 4: expected -----END CERTIFICATE-----"),
    ])
    func anythingButCertificatesIsRefusedNamingTheProblem(text: String, expected: String) {
        guard case .failure(let refusal) = PEMCertificates.normalized(text) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(refusal.message.contains(expected), "\(refusal.message)")
    }

    @Test func tooMuchIsRefused() {
        let many = String(repeating: Self.ca, count: PEMCertificates.maximumCertificates + 1)
        #expect(throws: PEMCertificates.Refusal.self) { try PEMCertificates.normalized(many).get() }
        #expect(throws: PEMCertificates.Refusal.self) {
            try PEMCertificates.normalized(String(repeating: " ", count: PEMCertificates.maximumBytes + 1)).get()
        }
    }
}
