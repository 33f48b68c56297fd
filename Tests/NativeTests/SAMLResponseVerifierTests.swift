import Domain
import Foundation
import Testing

@testable import Native

/// The libxmlsec1 wrapper on responses signed by the xmlsec1 command with keys from openssl: what verifies, what is
/// handed over, and the documents it refuses outright (wrong key, altered content, wrapping, weak algorithms, DTDs).
@Suite(.serialized) final class SAMLResponseVerifierTests {
    let fixture: SAMLFixture

    init() throws { fixture = try SAMLFixture() }

    func verify(_ xml: String, certificates: [String]? = nil, key: String? = nil) throws(SAMLXMLError) -> SAMLVerifiedResponse {
        try SAMLResponseVerifier.verify(
            Array(xml.utf8), identityProviderCertificates: certificates ?? [fixture.idpCertificate], decryptionKey: key ?? fixture.spKey)
    }

    func refusal(_ xml: String, certificates: [String]? = nil) -> String? {
        do {
            _ = try verify(xml, certificates: certificates)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aSignedAssertionVerifiesAndIsHandedOverWithItsAlgorithms() throws {
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion()))
        let verified = try verify(signed)
        #expect(verified.responseSignature == nil)
        let facts = try #require(verified.assertionSignature)
        #expect(facts.referencedID == "A1")
        #expect(facts.signatureMethod == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        #expect(facts.digestMethods == ["http://www.w3.org/2001/04/xmlenc#sha256"])
        let nameID = verified.assertion?.child(SAMLNamespace.assertion, "Subject")?.child(SAMLNamespace.assertion, "NameID")
        #expect(nameID?.value == "ada@school.example")
        #expect(verified.assertionWasEncrypted == false)
    }

    @Test func aSignedResponseVerifiesWithItsOneAssertionInside() throws {
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion(signed: false), signed: true))
        let verified = try verify(signed)
        #expect(verified.responseSignature?.referencedID == "R1")
        #expect(verified.assertionSignature == nil)
        #expect(verified.assertion?.attributes["ID"] == "A1")
    }

    @Test func anUnsignedResponseIsHandedOverWithoutSignatures() throws {
        let verified = try verify(SAMLFixture.response(inner: SAMLFixture.assertion(signed: false)))
        #expect(verified.responseSignature == nil && verified.assertionSignature == nil)
    }

    @Test func aSignatureByAnotherKeyIsRefused() throws {
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion()), key: "attacker")
        #expect(refusal(signed)?.contains("did not verify") == true)
        // …and verifies when that key is configured: the refusal was the key, not the document.
        #expect(refusal(signed, certificates: [fixture.attackerCertificate]) == nil)
    }

    @Test func anyKeyOfSeveralConfiguredMayHaveSigned() throws {
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion()))
        #expect(refusal(signed, certificates: [fixture.attackerCertificate, fixture.idpCertificate]) == nil)
    }

    @Test func anAlteredNameIDBreaksTheSignature() throws {
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion()))
        #expect(refusal(signed.replacingOccurrences(of: "ada@school.example", with: "eve@school.example")) != nil)
    }

    @Test func aCommentInsideTheNameIDKeepsTheSignatureButMarksTheValue() throws {
        // Exclusive canonicalisation drops comments, so the signature still verifies (the classic truncation attack);
        // the value tree says a comment split the NameID, and the rules never read a split value.
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion(nameID: "ada@school.example.evil")))
        let verified = try verify(signed.replacingOccurrences(of: "ada@school.example.evil", with: "ada@school.example<!---->.evil"))
        let nameID = try #require(verified.assertion?.child(SAMLNamespace.assertion, "Subject")?.child(SAMLNamespace.assertion, "NameID"))
        #expect(nameID.hasCommentOrInstruction)
        #expect(nameID.value == nil)
        #expect(nameID.text == "ada@school.example.evil")
    }

    @Test func aSHA1SignatureIsRefused() throws {
        let template = SAMLFixture.response(
            inner: SAMLFixture.assertion(method: "http://www.w3.org/2000/09/xmldsig#rsa-sha1", digest: "http://www.w3.org/2000/09/xmldsig#sha1"))
        #expect(refusal(try fixture.sign(template)) != nil)
        let digestOnly = SAMLFixture.response(inner: SAMLFixture.assertion(digest: "http://www.w3.org/2000/09/xmldsig#sha1"))
        #expect(refusal(try fixture.sign(digestOnly)) != nil)
    }

    // MARK: Wrapping (Somorovsky et al., "On Breaking SAML", 2012: XSW1–8)

    /// The signed original, and an evil assertion for someone else with the same or another ID.
    func wrapped() throws -> (signed: String, assertion: String, evil: String) {
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion()))
        let start = try #require(signed.range(of: "<saml:Assertion "))
        let end = try #require(signed.range(of: "</saml:Assertion>"))
        let assertion = String(signed[start.lowerBound..<end.upperBound])
        let evil = SAMLFixture.assertion(id: "EVIL", nameID: "admin@school.example", signed: false)
        return (signed, assertion, evil)
    }

    @Test func xswEvilAssertionBesideTheSignedOneIsRefused() throws {
        let (signed, assertion, evil) = try wrapped()
        // XSW3/XSW4 style: a second assertion next to (before or after) the signed one.
        #expect(refusal(signed.replacingOccurrences(of: assertion, with: evil + assertion)) != nil)
        #expect(refusal(signed.replacingOccurrences(of: assertion, with: assertion + evil)) != nil)
        // The same with the evil copy under the signed one's ID.
        let sameID = evil.replacingOccurrences(of: "ID=\"EVIL\"", with: "ID=\"A1\"")
        #expect(refusal(signed.replacingOccurrences(of: assertion, with: sameID + assertion)) != nil)
        #expect(
            refusal(signed.replacingOccurrences(of: "</samlp:Status>", with: "</samlp:Status><samlp:Extensions>\(sameID)</samlp:Extensions>")) != nil)
    }

    @Test func xswSignedAssertionHiddenInExtensionsOrObjectIsRefused() throws {
        let (signed, assertion, evil) = try wrapped()
        // XSW1/XSW2 (response level) and XSW7 (assertion moved into Extensions), XSW8 (into the evil signature's Object).
        let extensions = "<samlp:Extensions>\(assertion)</samlp:Extensions>\(evil)"
        #expect(refusal(signed.replacingOccurrences(of: assertion, with: extensions)) != nil)
        let object = evil.replacingOccurrences(
            of: "</saml:Issuer>",
            with: "</saml:Issuer><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:Object>\(assertion)</ds:Object></ds:Signature>")
        #expect(refusal(signed.replacingOccurrences(of: assertion, with: object)) != nil)
    }

    @Test func xswSignedAssertionInsideTheEvilOnesAdviceIsRefused() throws {
        let (signed, assertion, evil) = try wrapped()
        // XSW5/XSW6: the evil assertion carries the signed one (or its signature) inside.
        let advice = evil.replacingOccurrences(of: "</saml:Conditions>", with: "</saml:Conditions><saml:Advice>\(assertion)</saml:Advice>")
        #expect(refusal(signed.replacingOccurrences(of: assertion, with: advice)) != nil)
        let start = try #require(assertion.range(of: "<ds:Signature"))
        let end = try #require(assertion.range(of: "</ds:Signature>"))
        let signature = String(assertion[start.lowerBound..<end.upperBound])
        let stolen = evil.replacingOccurrences(of: "</saml:Issuer>", with: "</saml:Issuer>" + signature)
        #expect(refusal(signed.replacingOccurrences(of: assertion, with: stolen)) != nil)
    }

    @Test func aSignatureReferencingAnotherElementIsRefused() throws {
        // A response-level signature that references the assertion instead of the response it sits in.
        let template = SAMLFixture.response(inner: SAMLFixture.assertion(signed: false), signed: true).replacingOccurrences(
            of: "<ds:Reference URI=\"#R1\">", with: "<ds:Reference URI=\"#A1\">")
        let signed = try fixture.sign(template)
        #expect(refusal(signed)?.contains("reference") == true)
    }

    // MARK: Encryption

    @Test func anEncryptedSignedAssertionIsDecryptedThenVerified() throws {
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion()))
        let encrypted = try fixture.encryptAssertion(signed)
        #expect(encrypted.contains("EncryptedData") && !encrypted.contains("ada@school.example"))
        let verified = try verify(encrypted)
        #expect(verified.assertionWasEncrypted)
        #expect(verified.assertionSignature?.referencedID == "A1")
        #expect(
            verified.assertion?.child(SAMLNamespace.assertion, "Subject")?.child(SAMLNamespace.assertion, "NameID")?.value == "ada@school.example")
    }

    @Test func rsaPKCS1KeyTransportIsRefused() throws {
        let signed = try fixture.sign(SAMLFixture.response(inner: SAMLFixture.assertion()))
        let encrypted = try fixture.encryptAssertion(signed, keyTransport: "http://www.w3.org/2001/04/xmlenc#rsa-1_5")
        #expect(refusal(encrypted)?.contains("not allowed") == true)
    }

    // MARK: Parsing

    @Test func doctypesExternalEntitiesAndEntityExpansionAreRefusedBeforeParsing() throws {
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>
            """
        #expect(refusal(xxe)?.contains("DOCTYPE") == true)
        let laughs = "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><l>&b;</l>"
        #expect(refusal(laughs)?.contains("DOCTYPE") == true)
        #expect(refusal("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&undefined;</samlp:Response>") != nil)
        #expect(refusal("not xml at all") != nil)
        #expect(refusal("<x>\u{0}</x>") != nil)
        #expect(refusal(String(repeating: "<a>", count: 300_000)) != nil)
        #expect(refusal("<Response/>")?.contains("samlp:Response") == true)
    }

    @Test func deepNestingIsRefused() throws {
        let deep = String(repeating: "<x>", count: 200) + String(repeating: "</x>", count: 200)
        let xml = SAMLFixture.response(inner: "<samlp:Extensions>\(deep)</samlp:Extensions>")
        #expect(refusal(xml) != nil)
    }

    @Test func metadataParsesToATree() throws {
        let tree = try SAMLXML.parse(
            Array("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"/>".utf8), sizeLimit: 1000)
        #expect(tree.is(SAMLNamespace.metadata, "EntityDescriptor") && tree.attributes["entityID"] == "x")
        #expect(throws: SAMLXMLError.self) { try SAMLXML.parse(Array("<!DOCTYPE x><x/>".utf8), sizeLimit: 1000) }
    }

    @Test func theAuthnRequestDeflatesToRawDeflate() throws {
        let text = String(repeating: "<samlp:AuthnRequest/>", count: 20)
        let deflated = try #require(SAMLRequestDeflater.deflate(Array(text.utf8)))
        #expect(deflated.count < text.utf8.count)
        // zlib's own raw inflate (the zip reader's) gives the text back.
        guard case .inflated(let bytes) = try RawInflater().inflate(deflated[...], expectedSize: text.utf8.count) else {
            Issue.record("did not inflate")
            return
        }
        #expect(bytes == Array(text.utf8))
    }
}
