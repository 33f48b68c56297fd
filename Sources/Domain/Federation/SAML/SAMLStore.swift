import Foundation

/// The SAML providers' own settings and the one-time assertion cache (main database). The providers themselves
/// (slug, school, name, linking) are ``UpstreamStore``'s, with ``UpstreamProviderKind/saml``.
public protocol SAMLStore {
    /// A SAML provider's settings; `nil` when the provider has none (not a SAML provider).
    func samlConfiguration(of provider: UpstreamProviderID) throws -> SAMLProviderConfiguration?
    /// Adds or replaces (by slug) the provider and its SAML settings in one transaction; returns its id. The
    /// `provider` field of `configuration` is ignored.
    func saveSAMLProvider(_ provider: NewUpstreamProvider, configuration: SAMLProviderConfiguration, now: Date) throws -> UpstreamProviderID
    /// Records an assertion as used (by the SHA-256 of its provider's entity id and its `ID`) until `expiresAt`;
    /// `false` when it already was: a replay.
    func consumeAssertion(digest: [UInt8], expiresAt: Date) throws -> Bool
    /// Forgets used assertions that expired before `before`; returns how many.
    func purgeUsedAssertions(before: Date) throws -> Int
}
