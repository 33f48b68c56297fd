import Domain
import Foundation

/// ``SAMLStore`` over main's `saml_providers` and `saml_assertion_uses` (and `upstream_providers`, which a SAML
/// provider shares with the OpenID ones).
public struct MariaSAMLStore: SAMLStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func samlConfiguration(of provider: UpstreamProviderID) throws -> SAMLProviderConfiguration? {
        guard
            let row = try database.query(
                """
                SELECT provider_id, sso_url, idp_certificates, metadata_url, signing, name_id_format, sp_key_sealed, sp_certificate
                FROM saml_providers WHERE provider_id = \(provider.rawValue)
                """
            ).first,
            let id = row.id("provider_id", as: UpstreamProviderRecord.self),
            let signing = SAMLSigningRequirement(rawValue: row.string("signing") ?? "")
        else { return nil }
        return SAMLProviderConfiguration(
            provider: id, singleSignOnURL: row.string("sso_url") ?? "",
            identityProviderCertificates: (row.string("idp_certificates") ?? "").split(separator: " ").map(String.init),
            metadataURL: row.string("metadata_url"), signing: signing, nameIDFormat: row.string("name_id_format"),
            sealedServiceProviderKey: row.bytes("sp_key_sealed") ?? [], serviceProviderCertificate: row.string("sp_certificate") ?? "")
    }

    public func saveSAMLProvider(_ provider: NewUpstreamProvider, configuration: SAMLProviderConfiguration, now: Date) throws -> UpstreamProviderID {
        try database.transaction { tx in
            let id = try MariaUpstreamStore.upsertProvider(provider, now: now, in: tx)
            try tx.execute(
                """
                INSERT INTO saml_providers (provider_id, sso_url, idp_certificates, metadata_url, signing, name_id_format, sp_key_sealed,
                                            sp_certificate, updated_at)
                VALUES (\(id.rawValue), \(configuration.singleSignOnURL), \(configuration.identityProviderCertificates.joined(separator: " ")),
                        \(configuration.metadataURL), \(configuration.signing.rawValue), \(configuration.nameIDFormat),
                        \(configuration.sealedServiceProviderKey), \(configuration.serviceProviderCertificate), \(now))
                ON DUPLICATE KEY UPDATE sso_url = VALUES(sso_url), idp_certificates = VALUES(idp_certificates),
                    metadata_url = VALUES(metadata_url), signing = VALUES(signing), name_id_format = VALUES(name_id_format),
                    sp_key_sealed = VALUES(sp_key_sealed), sp_certificate = VALUES(sp_certificate), updated_at = VALUES(updated_at)
                """)
            return id
        }
    }

    public func consumeAssertion(digest: [UInt8], expiresAt: Date) throws -> Bool {
        try database.execute(
            "INSERT IGNORE INTO saml_assertion_uses (assertion_digest, expires_at) VALUES (\(digest), \(expiresAt))"
        ).affectedRows == 1
    }

    public func purgeUsedAssertions(before: Date) throws -> Int {
        try database.execute("DELETE FROM saml_assertion_uses WHERE expires_at < \(before)").affectedRows
    }
}
