import Foundation

/// Our side of one school's SAML provider: the entity id, the assertion consumer service and the metadata we
/// publish, and the `AuthnRequest` we send (saml-core §3.4.1, saml-profiles §4.1.4.1). Every URL derives from the
/// app URL and the provider's slug, so they stay put as long as those do:
/// - entity id and metadata: `<app>/login/saml/<slug>/metadata`
/// - assertion consumer service (HTTP-POST): `<app>/login/saml/<slug>/acs`
/// - where a sign-in starts (as for OpenID providers): `<app>/login/upstream/<slug>`
public struct SAMLServiceProvider: Sendable, Equatable {
    public let entityID: String
    public let assertionConsumerURL: String

    public init(appURL: String, slug: String) {
        let base = appURL.hasSuffix("/") ? String(appURL.dropLast()) : appURL
        entityID = base + Self.metadataPath(slug)
        assertionConsumerURL = base + Self.acsPath(slug)
    }

    public static func metadataPath(_ slug: String) -> String { "/login/saml/\(slug)/metadata" }
    public static func acsPath(_ slug: String) -> String { "/login/saml/\(slug)/acs" }

    /// The `ID` of the request a sign-in ticket stands for: an NCName made of the ticket's random `state`.
    public static func requestID(state: String) -> String { "_cw" + state }

    /// Our metadata (saml-metadata §2.4.4): an SP that wants signed assertions, posts them to one ACS, and
    /// publishes one certificate, for encryption (assertions may be encrypted to it) and as its signing key of record.
    public func metadata(certificate base64: String, nameIDFormat: String?, organization: String) -> String {
        let formats = (nameIDFormat.map { [$0] } ?? []).map { "    <md:NameIDFormat>\(Self.escape($0))</md:NameIDFormat>\n" }.joined()
        let key = { (use: String) in
            """
                <md:KeyDescriptor use="\(use)"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(base64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\(use == "encryption" ? "<md:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/><md:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes256-cbc\"/><md:EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p\"/>" : "")</md:KeyDescriptor>

            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <md:EntityDescriptor xmlns:md="\(SAMLNamespace.metadata)" xmlns:ds="\(SAMLNamespace.signature)" entityID="\(Self.escape(entityID))">
              <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="\(SAMLNamespace.samlProtocol)">
            \(key("signing"))\(key("encryption"))\(formats)    <md:AssertionConsumerService Binding="\(SAMLNamespace.httpPostBinding)" Location="\(Self.escape(assertionConsumerURL))" index="0" isDefault="true"/>
              </md:SPSSODescriptor>
              <md:Organization><md:OrganizationName xml:lang="en">\(Self.escape(organization))</md:OrganizationName><md:OrganizationDisplayName xml:lang="en">\(Self.escape(organization))</md:OrganizationDisplayName><md:OrganizationURL xml:lang="en">\(Self.escape(entityID))</md:OrganizationURL></md:Organization>
            </md:EntityDescriptor>

            """
    }

    /// The `AuthnRequest` for the HTTP-Redirect binding: unsigned (the binding's query signature is optional and
    /// our ACS is fixed in the IdP's copy of our metadata anyway), asking for an HTTP-POST answer at our ACS.
    public func authnRequest(id: String, destination: String, issueInstant: Date, nameIDFormat: String?) -> String {
        let policy = nameIDFormat.map { "<samlp:NameIDPolicy Format=\"\(Self.escape($0))\" AllowCreate=\"true\"/>" } ?? ""
        return """
            <samlp:AuthnRequest xmlns:samlp="\(SAMLNamespace.samlProtocol)" xmlns:saml="\(SAMLNamespace.assertion)" ID="\(Self.escape(id))" \
            Version="2.0" IssueInstant="\(SAMLTime.format(issueInstant))" Destination="\(Self.escape(destination))" \
            ProtocolBinding="\(SAMLNamespace.httpPostBinding)" AssertionConsumerServiceURL="\(Self.escape(assertionConsumerURL))">\
            <saml:Issuer>\(Self.escape(entityID))</saml:Issuer>\(policy)</samlp:AuthnRequest>
            """
    }

    /// The redirect to the IdP (saml-bindings §3.4.4.1): `SAMLRequest` is base64 of the raw-DEFLATEd request.
    public static func redirectURL(singleSignOnURL: String, deflatedRequest: [UInt8]) -> String {
        let separator = singleSignOnURL.contains("?") ? "&" : "?"
        return singleSignOnURL + separator + "SAMLRequest=" + FormCodec.encode(Data(deflatedRequest).base64EncodedString())
    }

    /// Text for XML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
