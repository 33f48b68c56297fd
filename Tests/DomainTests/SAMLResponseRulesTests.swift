import Foundation
import Testing

@testable import Domain

/// The SAML response rules on value trees (no XML, no database): what a verified response must say, in order,
/// and the algorithm allow-list; the metadata rules; the times.
@Suite struct SAMLResponseRulesTests {
    static let now = Date(timeIntervalSince1970: 1_900_000_000)
    static let acs = "https://app.example/login/saml/school/acs"
    static let sp = "https://app.example/login/saml/school/metadata"
    static let idp = "https://idp.example/metadata"
    static let facts = SAMLSignatureFacts(
        referencedID: "A1", signatureMethod: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        canonicalization: "http://www.w3.org/2001/10/xml-exc-c14n#", digestMethods: ["http://www.w3.org/2001/04/xmlenc#sha256"],
        transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"])

    static func time(_ offset: TimeInterval) -> String { SAMLTime.format(now.addingTimeInterval(offset)) }

    static func a(_ name: String, _ attributes: [String: String] = [:], _ children: [SAMLElement] = [], text: String = "", comment: Bool = false)
        -> SAMLElement
    {
        SAMLElement(
            namespace: SAMLNamespace.assertion, name: name, attributes: attributes, children: children, text: text, hasCommentOrInstruction: comment)
    }

    /// A well-formed assertion, each part replaceable.
    static func assertion(
        nameID: SAMLElement = a("NameID", ["Format": SAMLNamespace.nameIDEmail], text: "ada@school.example"),
        recipient: String = acs, inResponseTo: String = "_req", confirmedUntil: TimeInterval = 300, notBefore: TimeInterval = -10,
        notOnOrAfter: TimeInterval = 300, audiences: [[String]] = [[sp]], issuer: String = idp, attributes: [SAMLElement] = []
    ) -> SAMLElement {
        a(
            "Assertion", ["ID": "A1", "Version": "2.0", "IssueInstant": time(0)],
            [
                a("Issuer", text: issuer),
                a(
                    "Subject", [:],
                    [
                        nameID,
                        a(
                            "SubjectConfirmation", ["Method": SAMLNamespace.bearer],
                            [
                                a(
                                    "SubjectConfirmationData",
                                    ["Recipient": recipient, "InResponseTo": inResponseTo, "NotOnOrAfter": time(confirmedUntil)])
                            ]),
                    ]),
                a(
                    "Conditions", ["NotBefore": time(notBefore), "NotOnOrAfter": time(notOnOrAfter)],
                    audiences.map { list in a("AudienceRestriction", [:], list.map { a("Audience", text: $0) }) }),
                a("AuthnStatement", ["AuthnInstant": time(0)]),
            ] + (attributes.isEmpty ? [] : [a("AttributeStatement", [:], attributes)]))
    }

    static func response(status: String = SAMLNamespace.statusSuccess, destination: String? = acs, inResponseTo: String? = "_req") -> SAMLElement {
        var attributes = ["ID": "R1", "Version": "2.0"]
        attributes["Destination"] = destination
        attributes["InResponseTo"] = inResponseTo
        return SAMLElement(
            namespace: SAMLNamespace.samlProtocol, name: "Response", attributes: attributes,
            children: [
                SAMLElement(
                    namespace: SAMLNamespace.samlProtocol, name: "Status",
                    children: [SAMLElement(namespace: SAMLNamespace.samlProtocol, name: "StatusCode", attributes: ["Value": status])])
            ])
    }

    static func check(
        response: SAMLElement = response(), assertion: SAMLElement? = assertion(), responseSigned: Bool = false, assertionSigned: Bool = true,
        signing: SAMLSigningRequirement = .either, facts: SAMLSignatureFacts = facts, now: Date = now
    ) -> Result<SAMLAssertedIdentity, SAMLRefusal> {
        SAMLResponseRules.check(
            SAMLVerifiedResponse(
                response: response, responseSignature: responseSigned ? facts : nil, assertion: assertion,
                assertionSignature: assertionSigned ? facts : nil,
                assertionWasEncrypted: false),
            expecting: SAMLResponseExpectations(
                serviceProviderEntityID: sp, assertionConsumerURL: acs, identityProviderEntityID: idp, requestID: "_req", signing: signing, now: now))
    }

    static func reason(_ result: Result<SAMLAssertedIdentity, SAMLRefusal>) -> String? {
        if case .failure(let refusal) = result { return refusal.logReason }
        return nil
    }

    @Test func aGoodResponseGivesTheNameIDAsSubjectAndItsEmail() throws {
        let identity = try Self.check().get()
        #expect(identity.identity.subject == "ada@school.example")
        #expect(identity.identity.email == "ada@school.example" && identity.identity.emailVerified)
        #expect(identity.assertionID == "A1")
        #expect(identity.presentableUntil == Self.now.addingTimeInterval(300 + 120))
    }

    @Test(arguments: [
        (SAMLSigningRequirement.either, false, false, false), (.either, true, false, true), (.either, false, true, true),
        (.assertion, true, false, false), (.assertion, false, true, true), (.response, false, true, false), (.response, true, false, true),
        (.both, true, false, false), (.both, false, true, false), (.both, true, true, true),
    ])
    func theSigningRequirementDecidesWhichSignaturesSuffice(requirement: SAMLSigningRequirement, response: Bool, assertion: Bool, accepted: Bool) {
        let result = Self.check(responseSigned: response, assertionSigned: assertion, signing: requirement)
        #expect(
            (Self.reason(result) == nil) == accepted, "\(requirement) response:\(response) assertion:\(assertion) → \(Self.reason(result) ?? "ok")")
    }

    @Test(arguments: [
        ("http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2001/04/xmlenc#sha256", "signature method"),
        ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2000/09/xmldsig#sha1", "digest method"),
        ("http://www.w3.org/2001/04/xmldsig-more#rsa-md5", "http://www.w3.org/2001/04/xmlenc#sha256", "signature method"),
        ("http://www.w3.org/2000/09/xmldsig#hmac-sha1", "http://www.w3.org/2001/04/xmlenc#sha256", "signature method"),
    ])
    func weakAlgorithmsAreRefused(method: String, digest: String, expected: String) {
        let weak = SAMLSignatureFacts(
            referencedID: "A1", signatureMethod: method, canonicalization: Self.facts.canonicalization, digestMethods: [digest],
            transforms: Self.facts.transforms)
        #expect(Self.reason(Self.check(facts: weak))?.contains(expected) == true)
    }

    @Test func anXSLTOrXPathTransformIsRefused() {
        let xslt = SAMLSignatureFacts(
            referencedID: "A1", signatureMethod: Self.facts.signatureMethod, canonicalization: Self.facts.canonicalization,
            digestMethods: Self.facts.digestMethods, transforms: ["http://www.w3.org/TR/1999/REC-xslt-19991116"])
        #expect(Self.reason(Self.check(facts: xslt))?.contains("transform") == true)
    }

    @Test func theProvidersOwnFailureStatusIsReported() {
        let result = Self.check(response: Self.response(status: "urn:oasis:names:tc:SAML:2.0:status:Responder"), assertion: nil)
        guard case .failure(let refusal) = result else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.logReason == "status Responder")
        #expect(refusal.message == "Your school's sign-in service did not sign you in (Responder).")
        #expect(refusal.problem.key == "saml.refusal.status" && refusal.problem.arguments == ["status": "Responder"])
    }

    @Test func destinationAndInResponseToMustBeOurs() {
        #expect(Self.reason(Self.check(response: Self.response(destination: "https://evil.example/acs")))?.contains("Destination") == true)
        #expect(Self.reason(Self.check(response: Self.response(destination: nil)))?.contains("no Destination") == true)
        #expect(Self.reason(Self.check(response: Self.response(inResponseTo: nil)))?.contains("unsolicited") == true)
        #expect(Self.reason(Self.check(response: Self.response(inResponseTo: "_other")))?.contains("InResponseTo") == true)
    }

    @Test func theSubjectConfirmationMustNameOurACSAndRequestAndBeCurrent() {
        #expect(Self.reason(Self.check(assertion: Self.assertion(recipient: "https://evil.example/acs")))?.contains("Recipient") == true)
        #expect(Self.reason(Self.check(assertion: Self.assertion(inResponseTo: "_other")))?.contains("InResponseTo") == true)
        #expect(Self.reason(Self.check(assertion: Self.assertion(confirmedUntil: -121))) == "subject confirmation expired")
        // Within the skew it still counts.
        #expect(Self.reason(Self.check(assertion: Self.assertion(confirmedUntil: -119))) == nil)
    }

    @Test func conditionsBoundTheTimeWithTheSkew() {
        #expect(Self.reason(Self.check(assertion: Self.assertion(notBefore: 121))) == "the assertion is not valid yet")
        #expect(Self.reason(Self.check(assertion: Self.assertion(notBefore: 119))) == nil)
        #expect(Self.reason(Self.check(assertion: Self.assertion(notOnOrAfter: -120))) == "the assertion has expired")
        #expect(Self.reason(Self.check(assertion: Self.assertion(notOnOrAfter: -119))) == nil)
    }

    @Test func everyAudienceRestrictionMustNameUs() {
        #expect(Self.reason(Self.check(assertion: Self.assertion(audiences: [["https://other.example"]])))?.contains("another audience") == true)
        #expect(
            Self.reason(Self.check(assertion: Self.assertion(audiences: [[Self.sp], ["https://other.example"]])))?.contains("another audience")
                == true)
        #expect(Self.reason(Self.check(assertion: Self.assertion(audiences: [["https://other.example", Self.sp]]))) == nil)
        #expect(Self.reason(Self.check(assertion: Self.assertion(audiences: [])))?.contains("no AudienceRestriction") == true)
    }

    @Test func theIssuerMustBeTheProvider() {
        #expect(Self.reason(Self.check(assertion: Self.assertion(issuer: "https://evil.example")))?.contains("Issuer") == true)
    }

    @Test func aNameIDSplitByACommentOrTransientOrNonASCIIIsRefused() {
        let split = Self.a("NameID", ["Format": SAMLNamespace.nameIDEmail], text: "ada@school.example.evil", comment: true)
        #expect(Self.reason(Self.check(assertion: Self.assertion(nameID: split))) == "the NameID is split by a comment or markup")
        let transient = Self.a("NameID", ["Format": SAMLNamespace.nameIDTransient], text: "_abc")
        #expect(Self.reason(Self.check(assertion: Self.assertion(nameID: transient))) == "transient NameID")
        let unicode = Self.a("NameID", ["Format": SAMLNamespace.nameIDPersistent], text: "adá")
        #expect(Self.reason(Self.check(assertion: Self.assertion(nameID: unicode)))?.contains("ASCII") == true)
    }

    @Test func attributesBecomeClaimsAndAPersistentNameIDTakesTheMailAttribute() throws {
        let persistent = Self.a("NameID", ["Format": SAMLNamespace.nameIDPersistent], text: "8f2c1e")
        let attributes = [
            Self.a(
                "Attribute", ["Name": "urn:oid:0.9.2342.19200300.100.1.3", "FriendlyName": "mail"],
                [Self.a("AttributeValue", text: "Ada@School.example")]),
            Self.a("Attribute", ["Name": "groups"], [Self.a("AttributeValue", text: "a"), Self.a("AttributeValue", text: "b")]),
            Self.a("Attribute", ["Name": "uid"], [Self.a("AttributeValue", text: "ada", comment: true)]),
        ]
        let identity = try Self.check(assertion: Self.assertion(nameID: persistent, attributes: attributes)).get().identity
        #expect(identity.subject == "8f2c1e")
        #expect(identity.email == "ada@school.example")
        #expect(identity.claims[member: "mail"]?.stringValue == "Ada@School.example")
        #expect(identity.claims[member: "groups"] == .array(["a", "b"]))
        // A value split by a comment is left out, never read as half a value.
        #expect(identity.claims[member: "uid"] == nil)
        #expect(identity.claims[member: "NameID"]?.stringValue == "8f2c1e")
    }

    // MARK: Times

    @Test func samlTimesAreUTCDateTimes() {
        #expect(SAMLTime.parse("2030-01-01T00:00:00Z") == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(SAMLTime.parse("2030-01-01T00:00:00.250Z") == Date(timeIntervalSince1970: 1_893_456_000.25))
        for bad in ["2030-01-01T00:00:00", "2030-01-01T00:00:00+01:00", "2030-13-01T00:00:00Z", "yesterday", "2030-01-01T00:00:00.Z"] {
            #expect(SAMLTime.parse(bad) == nil, "\(bad)")
        }
        #expect(SAMLTime.format(Date(timeIntervalSince1970: 1_893_456_000)) == "2030-01-01T00:00:00Z")
    }
}

/// Which parts of an identity provider's metadata are taken, and when it is refused.
@Suite struct SAMLMetadataTests {
    static let certificate = Data(repeating: 7, count: 300).base64EncodedString()

    static func md(_ name: String, _ attributes: [String: String] = [:], _ children: [SAMLElement] = []) -> SAMLElement {
        SAMLElement(namespace: SAMLNamespace.metadata, name: name, attributes: attributes, children: children)
    }

    static func entity(
        _ id: String = "https://idp.example/metadata", binding: String = SAMLNamespace.httpRedirectBinding,
        location: String = "https://idp.example/sso",
        use: String? = "signing", validUntil: String? = nil
    ) -> SAMLElement {
        let keyInfo = SAMLElement(
            namespace: SAMLNamespace.signature, name: "KeyInfo",
            children: [
                SAMLElement(
                    namespace: SAMLNamespace.signature, name: "X509Data",
                    children: [SAMLElement(namespace: SAMLNamespace.signature, name: "X509Certificate", text: "\n  \(certificate)\n")])
            ])
        var keyAttributes: [String: String] = [:]
        keyAttributes["use"] = use
        var attributes = ["entityID": id]
        attributes["validUntil"] = validUntil
        return md(
            "EntityDescriptor", attributes,
            [
                md(
                    "IDPSSODescriptor", ["protocolSupportEnumeration": SAMLNamespace.samlProtocol],
                    [md("KeyDescriptor", keyAttributes, [keyInfo]), md("SingleSignOnService", ["Binding": binding, "Location": location])])
            ])
    }

    static func parse(_ root: SAMLElement, entityID: String? = nil) -> Result<SAMLIdentityProviderMetadata, SAMLMetadataProblem> {
        SAMLIdentityProviderMetadata.parse(root, entityID: entityID, now: SAMLResponseRulesTests.now, allowLoopbackHTTP: false)
    }

    @Test func anIdPsEntityIDRedirectURLAndSigningCertificateAreTaken() throws {
        let metadata = try Self.parse(Self.entity()).get()
        #expect(metadata.entityID == "https://idp.example/metadata")
        #expect(metadata.singleSignOnURL == "https://idp.example/sso")
        #expect(metadata.signingCertificates == [Self.certificate])
        #expect(try Self.parse(Self.entity(use: nil)).get().signingCertificates == [Self.certificate])
    }

    @Test func unusableMetadataIsRefusedWithItsReason() {
        func reason(_ root: SAMLElement, entityID: String? = nil) -> String? {
            if case .failure(let problem) = Self.parse(root, entityID: entityID) { return problem.reason }
            return nil
        }
        #expect(reason(Self.entity(binding: SAMLNamespace.httpPostBinding))?.contains("HTTP-Redirect") == true)
        #expect(reason(Self.entity(location: "http://idp.example/sso"))?.contains("https") == true)
        #expect(reason(Self.entity(use: "encryption"))?.contains("no signing certificate") == true)
        #expect(reason(Self.entity(validUntil: "2000-01-01T00:00:00Z"))?.contains("expired") == true)
        #expect(reason(Self.md("Other"))?.contains("not SAML metadata") == true)
        let two = Self.md("EntitiesDescriptor", [:], [Self.entity(), Self.entity("https://other.example/idp")])
        #expect(reason(two)?.contains("2 identity providers") == true)
        #expect(reason(two, entityID: "https://other.example/idp") == nil)
        #expect(reason(two, entityID: "https://third.example")?.contains("no identity provider") == true)
        // Each reason is a keyed message for the settings page; its English is the text above.
        guard case .failure(let several) = Self.parse(two) else {
            Issue.record("accepted")
            return
        }
        #expect(several.problem == Message("saml.problem.metadata.several", "it describes 2 identity providers: name the entity id", ["number": "2"]))
        guard case .failure(let post) = Self.parse(Self.entity(binding: SAMLNamespace.httpPostBinding)) else {
            Issue.record("accepted")
            return
        }
        #expect(post.problem.key == "saml.problem.metadata.no_redirect" && post.reason == post.problem.english)
    }

    @Test func ourRequestAndMetadataNameTheStablePaths() {
        let sp = SAMLServiceProvider(appURL: "https://app.example/", slug: "school")
        #expect(sp.entityID == "https://app.example/login/saml/school/metadata")
        #expect(sp.assertionConsumerURL == "https://app.example/login/saml/school/acs")
        let request = sp.authnRequest(
            id: "_cwX", destination: "https://idp.example/sso?a=1&b=2", issueInstant: SAMLResponseRulesTests.now, nameIDFormat: nil)
        #expect(request.contains("ID=\"_cwX\"") && request.contains("Destination=\"https://idp.example/sso?a=1&amp;b=2\""))
        #expect(request.contains("AssertionConsumerServiceURL=\"https://app.example/login/saml/school/acs\""))
        let metadata = sp.metadata(certificate: "QUJD", nameIDFormat: SAMLNamespace.nameIDEmail, organization: "A & B <School>")
        #expect(metadata.contains("A &amp; B &lt;School&gt;") && !metadata.contains("A & B"))
        #expect(metadata.contains("WantAssertionsSigned=\"true\""))
        #expect(
            SAMLServiceProvider.redirectURL(singleSignOnURL: "https://idp.example/sso?x=1", deflatedRequest: [0xFB, 0xFF])
                == "https://idp.example/sso?x=1&SAMLRequest=%2B/8%3D")
    }
}
