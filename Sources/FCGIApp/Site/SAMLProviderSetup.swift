import Crypto
import Domain
import Foundation
import Native
import _CryptoExtras

/// Adding or replacing a school's SAML provider, shared by `/school/sign-in` and `catalystwells upstream add-saml`:
/// the settings checked, the identity provider's metadata fetched (the SSRF-guarded client) or taken from a file
/// and parsed (no DTD, bounded), our key pair made (or kept, when the provider is re-imported, so the copy of our
/// metadata at the IdP stays right), everything stored in one transaction.
enum SAMLProviderSetup {
    /// Where the identity provider's metadata comes from.
    enum MetadataSource {
        case url(String)
        case document([UInt8])
    }

    /// What was stored.
    struct Saved {
        let provider: NewUpstreamProvider
        let metadata: SAMLIdentityProviderMetadata
        let serviceProvider: SAMLServiceProvider
        let replaced: Bool
    }

    /// Saves the provider; a ``UpstreamProviderSettings/Problem`` names the field at fault.
    static func save(
        _ settings: SAMLProviderSettings, school: SchoolID?, source: MetadataSource, entityID: String?, services: UpstreamServices,
        keys: OAuthKeyMaterial, appURL: String, now: Date
    ) throws -> Result<Saved, UpstreamProviderSettings.Problem> {
        typealias Problem = UpstreamProviderSettings.Problem
        guard let samlStore = services.saml else {
            return .failure(Problem("kind", Message("saml.problem.unavailable", "SAML is not available here")))
        }
        let checked: (rule: UpstreamLinkRule, signing: SAMLSigningRequirement, nameIDFormat: String?)
        do {
            checked = try settings.validated(school: school)
        } catch {
            return .failure(error)
        }
        let existing = try services.store.upstreamProvider(slug: settings.slug)
        if let existing, existing.schoolID != school || existing.kind != .saml {
            return .failure(
                Problem("slug", Message("saml.problem.slug_taken", "\(settings.slug) is taken; choose another", ["slug": settings.slug])))
        }
        let bytes: [UInt8]
        var metadataURL: String?
        switch source {
        case .url(let text):
            let url = text.trimmingCharacters(in: .whitespaces)
            guard url.hasPrefix("https://"), OpenIDProviderMetadata.isAcceptable(url, allowLoopbackHTTP: false) else {
                return .failure(Problem("metadata_url", Message("saml.problem.metadata_url", "enter the https URL of the provider's SAML metadata")))
            }
            guard let transport = services.metadataTransport else {
                return .failure(Problem("metadata_url", Message("saml.problem.fetch_unavailable", "fetching is not available here")))
            }
            do {
                let answer = try transport.get(url)
                guard answer.status == 200 else {
                    return .failure(
                        Problem(
                            "metadata_url",
                            Message("saml.problem.metadata_status", "the metadata URL answered HTTP \(answer.status)", ["status": "\(answer.status)"])
                        ))
                }
                bytes = answer.body
            } catch {
                return .failure(
                    Problem(
                        "metadata_url",
                        Message("saml.problem.metadata_fetch", "the metadata could not be fetched (\(error.reason))", ["detail": error.reason])))
            }
            metadataURL = url
        case .document(let document):
            bytes = document
        }
        let metadata: SAMLIdentityProviderMetadata
        do {
            let tree = try SAMLXML.parse(bytes, sizeLimit: SAMLIdentityProviderMetadata.sizeLimit)
            switch SAMLIdentityProviderMetadata.parse(tree, entityID: entityID, now: now, allowLoopbackHTTP: false) {
            case .success(let parsed): metadata = parsed
            case .failure(let problem):
                return .failure(
                    Problem(
                        "metadata",
                        Message(
                            "saml.problem.metadata_unusable", "the metadata is not usable: \(problem.reason)", nested: ["reason": problem.problem])))
            }
        } catch {
            // The XML reader's own words (a line, a construct) are a detail of the document, kept as they are.
            return .failure(
                Problem("metadata", Message("saml.problem.metadata_xml", "the metadata is not usable: \(error.reason)", ["detail": error.reason])))
        }
        var sealedKey: [UInt8]
        var certificate: String
        if let existing, let previous = try samlStore.samlConfiguration(of: existing.id),
            (try? SAMLServiceProviderKey.open(previous.sealedServiceProviderKey, slug: settings.slug, key: keys.upstreamSecretKey)) != nil
        {
            sealedKey = previous.sealedServiceProviderKey
            certificate = previous.serviceProviderCertificate
        } else {
            (sealedKey, certificate) = try newKeyPair(slug: settings.slug, appURL: appURL, keys: keys, now: now)
        }
        let provider = settings.provider(school: school, metadata: metadata, rule: checked.rule)
        let configuration = SAMLProviderConfiguration(
            provider: UpstreamProviderID(0), singleSignOnURL: metadata.singleSignOnURL, identityProviderCertificates: metadata.signingCertificates,
            metadataURL: metadataURL, signing: checked.signing, nameIDFormat: checked.nameIDFormat, sealedServiceProviderKey: sealedKey,
            serviceProviderCertificate: certificate)
        _ = try samlStore.saveSAMLProvider(provider, configuration: configuration, now: now)
        return .success(
            Saved(
                provider: provider, metadata: metadata, serviceProvider: SAMLServiceProvider(appURL: appURL, slug: settings.slug),
                replaced: existing != nil))
    }

    /// A new RSA-2048 key (sealed) and its self-signed certificate (base64 DER), valid ten years.
    static func newKeyPair(slug: String, appURL: String, keys: OAuthKeyMaterial, now: Date) throws -> ([UInt8], String) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        var generator = SystemRandomNumberGenerator()
        let serial = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let der = try SAMLServiceProviderKey.selfSignedCertificate(
            key: key, commonName: "CatalystWells SAML \(slug)", serial: serial, notBefore: now.addingTimeInterval(-3600),
            notAfter: now.addingTimeInterval(10 * 365 * 86400))
        let sealed = try SAMLServiceProviderKey.seal(key.pemRepresentation, slug: slug, key: keys.upstreamSecretKey, using: &generator)
        return (sealed, Data(der).base64EncodedString())
    }
}
