import Domain
import Foundation

/// The in-memory twin of ``SAMLStore`` for route tests: the providers themselves are a ``MemoryUpstreamStore``'s,
/// their SAML settings and the used assertions are kept here.
final class MemorySAMLStore: SAMLStore, @unchecked Sendable {
    private let lock = NSLock()
    private let upstream: MemoryUpstreamStore
    private var configurations: [UpstreamProviderID: SAMLProviderConfiguration] = [:]
    private var usedAssertions: [[UInt8]: Date] = [:]

    init(upstream: MemoryUpstreamStore) { self.upstream = upstream }

    func samlConfiguration(of provider: UpstreamProviderID) throws -> SAMLProviderConfiguration? {
        lock.withLock { configurations[provider] }
    }

    func saveSAMLProvider(_ provider: NewUpstreamProvider, configuration: SAMLProviderConfiguration, now: Date) throws -> UpstreamProviderID {
        let id = try upstream.saveUpstreamProvider(provider, now: now)
        lock.withLock {
            configurations[id] = SAMLProviderConfiguration(
                provider: id, singleSignOnURL: configuration.singleSignOnURL,
                identityProviderCertificates: configuration.identityProviderCertificates, metadataURL: configuration.metadataURL,
                signing: configuration.signing, nameIDFormat: configuration.nameIDFormat,
                sealedServiceProviderKey: configuration.sealedServiceProviderKey,
                serviceProviderCertificate: configuration.serviceProviderCertificate)
        }
        return id
    }

    func consumeAssertion(digest: [UInt8], expiresAt: Date) throws -> Bool {
        lock.withLock {
            guard usedAssertions[digest] == nil else { return false }
            usedAssertions[digest] = expiresAt
            return true
        }
    }

    func purgeUsedAssertions(before: Date) throws -> Int {
        lock.withLock {
            let expired = usedAssertions.filter { $0.value < before }.map(\.key)
            for digest in expired { usedAssertions[digest] = nil }
            return expired.count
        }
    }
}
