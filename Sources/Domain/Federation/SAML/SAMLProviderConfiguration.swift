import Crypto
import Foundation

/// A SAML provider's settings beyond the common ones of ``UpstreamProvider`` (whose `authority` is the identity
/// provider's entity id): where to send people, which keys sign its answers, our key pair, and what we ask for.
public struct SAMLProviderConfiguration: Sendable, Equatable {
    public let provider: UpstreamProviderID
    /// The identity provider's single sign-on URL (HTTP-Redirect binding).
    public let singleSignOnURL: String
    /// Its signing certificates, base64 DER: an answer signed by the key of any of them verifies (for rollover).
    public let identityProviderCertificates: [String]
    /// Where its metadata was imported from (`nil`: a file).
    public let metadataURL: String?
    public let signing: SAMLSigningRequirement
    /// The NameID format we ask for (`NameIDPolicy`), `nil` for the provider's default.
    public let nameIDFormat: String?
    /// Our private key, PEM, sealed (``SAMLServiceProviderKey``).
    public let sealedServiceProviderKey: [UInt8]
    /// Our certificate, base64 DER.
    public let serviceProviderCertificate: String

    public init(
        provider: UpstreamProviderID, singleSignOnURL: String, identityProviderCertificates: [String], metadataURL: String?,
        signing: SAMLSigningRequirement, nameIDFormat: String?, sealedServiceProviderKey: [UInt8], serviceProviderCertificate: String
    ) {
        self.provider = provider
        self.singleSignOnURL = singleSignOnURL
        self.identityProviderCertificates = identityProviderCertificates
        self.metadataURL = metadataURL
        self.signing = signing
        self.nameIDFormat = nameIDFormat
        self.sealedServiceProviderKey = sealedServiceProviderKey
        self.serviceProviderCertificate = serviceProviderCertificate
    }

    /// The NameID formats an admin may ask for, by their short names.
    public static let nameIDFormats: [(name: String, uri: String)] = [
        ("persistent", SAMLNamespace.nameIDPersistent), ("email", SAMLNamespace.nameIDEmail), ("unspecified", SAMLNamespace.nameIDUnspecified),
    ]
}

/// A SAML provider as an admin enters it (the school's sign-in page, `catalystwells upstream add-saml`), checked
/// before anything is stored. The metadata itself is fetched or read by the caller and parsed into
/// ``SAMLIdentityProviderMetadata`` first.
public struct SAMLProviderSettings: Sendable {
    public var slug = ""
    public var name = ""
    /// `either`, `assertion`, `response` or `both`.
    public var signing = "either"
    /// `persistent`, `email`, `unspecified` or empty (the provider's default).
    public var nameIDFormat = ""
    /// `email`, `sourced-id` or `username`; `link_claim` is the attribute compared (or `NameID`).
    public var linkRule = "email"
    public var linkAttribute = ""
    public var jitStudents = false
    public var enabled = true

    public init() {}

    /// The attribute a sourced-id or username rule compares when none is named: the NameID itself.
    public static let defaultLinkAttribute = "NameID"

    /// The checked common settings and the SAML ones.
    public func validated(school: SchoolID?) throws(UpstreamProviderSettings.Problem) -> (
        rule: UpstreamLinkRule, signing: SAMLSigningRequirement, nameIDFormat: String?
    ) {
        typealias Problem = UpstreamProviderSettings.Problem
        guard UpstreamProvider.isValidSlug(slug), slug != "callback" else {
            throw Problem("slug", Message("saml.problem.slug", "use 1 to 40 lower-case letters, digits and hyphens (not \"callback\")"))
        }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.count), !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw Problem("name", Message("saml.problem.name", "give a name of 1 to 80 characters, shown as \"Continue with <name>\""))
        }
        guard let signing = SAMLSigningRequirement(rawValue: signing) else {
            throw Problem("signing", Message("saml.problem.signing", "choose either, assertion, response or both"))
        }
        let format: String?
        if nameIDFormat.isEmpty {
            format = nil
        } else if let known = SAMLProviderConfiguration.nameIDFormats.first(where: { $0.name == nameIDFormat }) {
            format = known.uri
        } else {
            throw Problem("name_id_format", Message("saml.problem.name_id_format", "choose persistent, email or unspecified"))
        }
        let attribute = linkAttribute.trimmingCharacters(in: .whitespaces)
        guard attribute.utf8.count <= 64, attribute.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Problem("link_attribute", Message("saml.problem.link_attribute", "an attribute name is up to 64 printable characters"))
        }
        guard
            let rule = UpstreamLinkRule(
                storedName: linkRule.replacingOccurrences(of: "-", with: "_"), claim: attribute.isEmpty ? Self.defaultLinkAttribute : attribute)
        else { throw Problem("link_rule", Message("saml.problem.link_rule", "choose email, sourced-id or username")) }
        guard !jitStudents || school != nil else {
            throw Problem("jit_students", Message("saml.problem.jit_students", "only a school's provider can create its students"))
        }
        return (rule, signing, format)
    }

    /// The provider row to store (``UpstreamProviderKind/saml``; the entity id as its authority, no client).
    public func provider(school: SchoolID?, metadata: SAMLIdentityProviderMetadata, rule: UpstreamLinkRule) -> NewUpstreamProvider {
        NewUpstreamProvider(
            slug: slug, schoolID: school, name: name.trimmingCharacters(in: .whitespacesAndNewlines), kind: .saml, authority: metadata.entityID,
            clientID: "", sealedSecret: [], linkRule: rule, jitStudents: jitStudents, enabled: enabled)
    }
}
