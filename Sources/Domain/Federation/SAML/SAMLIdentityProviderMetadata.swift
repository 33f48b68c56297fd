import Foundation

/// What we take from an identity provider's SAML metadata (saml-metadata-2.0-os §2.4.3): its entity id, its
/// single sign-on URL for the HTTP-Redirect binding, and its signing certificates. Nothing else in the document is
/// trusted or stored. Metadata is imported once, by an admin, from a URL over TLS or from a file; it is not
/// re-fetched behind the admin's back, so a certificate change at the provider is an explicit re-import.
public struct SAMLIdentityProviderMetadata: Sendable, Equatable {
    public let entityID: String
    public let singleSignOnURL: String
    /// The signing certificates, as base64 DER (the text of `ds:X509Certificate`, whitespace removed).
    public let signingCertificates: [String]

    public init(entityID: String, singleSignOnURL: String, signingCertificates: [String]) {
        self.entityID = entityID
        self.singleSignOnURL = singleSignOnURL
        self.signingCertificates = signingCertificates
    }

    /// At most this many bytes of metadata are read (one provider's document is a few KiB; a federation's
    /// aggregate of thousands of entities is not what a school imports).
    public static let sizeLimit = 1 << 20

    /// The provider described by `root` (an `EntityDescriptor`, or an `EntitiesDescriptor` holding it).
    /// `entityID`: which one, when the document describes several identity providers. `allowLoopbackHTTP`: a
    /// single sign-on URL may be `http://127.0.0.1…` (test stacks).
    public static func parse(_ root: SAMLElement, entityID wanted: String?, now: Date, allowLoopbackHTTP: Bool) -> Result<Self, SAMLMetadataProblem> {
        var entities: [SAMLElement] = []
        func collect(_ element: SAMLElement, depth: Int) throws(SAMLMetadataProblem) {
            if let until = element.attributes["validUntil"] {
                guard let date = SAMLTime.parse(until) else {
                    throw SAMLMetadataProblem(Message("saml.problem.metadata.valid_until", "its validUntil is not a date"))
                }
                guard date > now else {
                    throw SAMLMetadataProblem(Message("saml.problem.metadata.expired", "it expired (validUntil \(until))", ["until": until]))
                }
            }
            if element.is(SAMLNamespace.metadata, "EntityDescriptor") {
                entities.append(element)
            } else if element.is(SAMLNamespace.metadata, "EntitiesDescriptor"), depth < 4 {
                for child in element.children(SAMLNamespace.metadata, "EntitiesDescriptor")
                    + element.children(SAMLNamespace.metadata, "EntityDescriptor")
                {
                    try collect(child, depth: depth + 1)
                }
            } else if depth == 0 {
                throw SAMLMetadataProblem(Message("saml.problem.metadata.not_metadata", "it is not SAML metadata (no md:EntityDescriptor)"))
            }
        }
        do throws(SAMLMetadataProblem) {
            try collect(root, depth: 0)
            let providers = entities.filter { idpDescriptor(of: $0) != nil }
            let entity: SAMLElement
            if let wanted, !wanted.isEmpty {
                guard let found = providers.first(where: { $0.attributes["entityID"] == wanted }) else {
                    throw SAMLMetadataProblem(
                        Message(
                            "saml.problem.metadata.no_such_entity", "it describes no identity provider \(wanted.prefix(200))",
                            ["entity_id": String(wanted.prefix(200))]))
                }
                entity = found
            } else {
                guard providers.count == 1 else {
                    throw SAMLMetadataProblem(
                        providers.isEmpty
                            ? Self.noIdentityProvider
                            : Message(
                                "saml.problem.metadata.several", "it describes \(providers.count) identity providers: name the entity id",
                                ["number": "\(providers.count)"]))
                }
                entity = providers[0]
            }
            return .success(try provider(entity, allowLoopbackHTTP: allowLoopbackHTTP))
        } catch {
            return .failure(error)
        }
    }

    /// The entity's SAML 2.0 `IDPSSODescriptor`, if it has one.
    static func idpDescriptor(of entity: SAMLElement) -> SAMLElement? {
        entity.children(SAMLNamespace.metadata, "IDPSSODescriptor").first {
            ($0.attributes["protocolSupportEnumeration"] ?? "").split(separator: " ").contains { $0 == Substring(SAMLNamespace.samlProtocol) }
        }
    }

    static func provider(_ entity: SAMLElement, allowLoopbackHTTP: Bool) throws(SAMLMetadataProblem) -> Self {
        guard let entityID = entity.attributes["entityID"], isEntityID(entityID) else {
            throw SAMLMetadataProblem(Message("saml.problem.metadata.entity_id", "its entityID is missing or unusable"))
        }
        guard let descriptor = idpDescriptor(of: entity) else { throw SAMLMetadataProblem(noIdentityProvider) }
        guard
            let location = descriptor.children(SAMLNamespace.metadata, "SingleSignOnService").first(where: {
                $0.attributes["Binding"] == SAMLNamespace.httpRedirectBinding
            })?.attributes["Location"]
        else {
            throw SAMLMetadataProblem(
                Message("saml.problem.metadata.no_redirect", "it offers no single sign-on service with the HTTP-Redirect binding"))
        }
        guard OpenIDProviderMetadata.isAcceptable(location, allowLoopbackHTTP: allowLoopbackHTTP), !location.contains("#") else {
            throw SAMLMetadataProblem(Message("saml.problem.metadata.sso_url", "its single sign-on URL is not an https URL"))
        }
        var certificates: [String] = []
        for key in descriptor.children(SAMLNamespace.metadata, "KeyDescriptor") where key.attributes["use"] ?? "signing" == "signing" {
            for data in key.children(SAMLNamespace.signature, "KeyInfo").flatMap({ $0.children(SAMLNamespace.signature, "X509Data") }) {
                for certificate in data.children(SAMLNamespace.signature, "X509Certificate") {
                    guard let text = certificate.value else {
                        throw SAMLMetadataProblem(Message("saml.problem.metadata.split_certificate", "a certificate is split by a comment"))
                    }
                    let compact = String(text.unicodeScalars.filter { !$0.properties.isWhitespace })
                    guard compact.utf8.count <= 16384, let der = Data(base64Encoded: compact), der.count > 100 else {
                        throw SAMLMetadataProblem(Message("saml.problem.metadata.certificate_der", "a signing certificate is not base64 DER"))
                    }
                    if !certificates.contains(compact) { certificates.append(compact) }
                }
            }
        }
        guard !certificates.isEmpty else {
            throw SAMLMetadataProblem(Message("saml.problem.metadata.no_certificate", "it names no signing certificate"))
        }
        guard certificates.count <= 8 else {
            throw SAMLMetadataProblem(Message("saml.problem.metadata.certificates", "it names more than 8 signing certificates", ["max": "8"]))
        }
        return Self(entityID: entityID, singleSignOnURL: location, signingCertificates: certificates)
    }

    static let noIdentityProvider = Message("saml.problem.metadata.no_identity_provider", "it describes no SAML 2.0 identity provider")

    /// An entity id: 1 to 512 printable ASCII characters (saml-core §8.3.6 allows 1024; ours are URLs).
    public static func isEntityID(_ text: String) -> Bool {
        (1...512).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// A base64 DER certificate as PEM.
    public static func pem(certificate base64: String) -> String {
        var lines: [Substring] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN CERTIFICATE-----\n" + lines.joined(separator: "\n") + "\n-----END CERTIFICATE-----\n"
    }
}

/// Why metadata was not imported (`saml.problem.metadata.*`).
public struct SAMLMetadataProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let problem: Message
    public init(_ problem: Message) { self.problem = problem }
    /// The problem in English (the command line, the log).
    public var reason: String { problem.english }
    public var description: String { reason }
}
