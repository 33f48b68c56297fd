import Domain
import Foundation
import Testing

@testable import MariaStore

/// `MariaSAMLStore` against MariaDB: a SAML provider saved with its settings in one go (an upstream provider of kind
/// saml), replaced by slug with its links kept, removed with its settings; the one-time assertion cache.
@Suite(.serialized) struct SAMLStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func provider(_ slug: String, name: String = "School IdP") -> NewUpstreamProvider {
        NewUpstreamProvider(
            slug: slug, schoolID: SchoolID(1), name: name, kind: .saml, authority: "https://idp.example/\(slug)", clientID: "", sealedSecret: [],
            linkRule: .username(claim: "uid"), jitStudents: false, enabled: true)
    }

    func configuration(sso: String = "https://idp.example/sso", certificates: [String] = ["QUJD", "REVG"]) -> SAMLProviderConfiguration {
        SAMLProviderConfiguration(
            provider: UpstreamProviderID(0), singleSignOnURL: sso, identityProviderCertificates: certificates, metadataURL: "https://idp.example/md",
            signing: .assertion, nameIDFormat: SAMLNamespace.nameIDEmail, sealedServiceProviderKey: [9, 8, 7], serviceProviderCertificate: "Q0VSVA==")
    }

    @Test func aSAMLProviderIsSavedWithItsSettingsAndReplacedBySlug() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let saml = MariaSAMLStore(database: db.database)
        let upstream = MariaUpstreamStore(database: db.database)
        let id = try saml.saveSAMLProvider(provider("school-idp"), configuration: configuration(), now: now)
        let stored = try #require(try upstream.upstreamProvider(slug: "school-idp"))
        #expect(stored.id == id && stored.kind == .saml && stored.authority == "https://idp.example/school-idp")
        #expect(stored.linkRule == .username(claim: "uid"))
        let settings = try #require(try saml.samlConfiguration(of: id))
        #expect(settings.identityProviderCertificates == ["QUJD", "REVG"] && settings.signing == .assertion)
        #expect(settings.sealedServiceProviderKey == [9, 8, 7] && settings.nameIDFormat == SAMLNamespace.nameIDEmail)
        #expect(settings.metadataURL == "https://idp.example/md" && settings.serviceProviderCertificate == "Q0VSVA==")

        let user = UserID(try db.insertUser("ada", role: "student", school: 1, now: now))
        #expect(try upstream.createLink(provider: id, subject: "ada@school.example", user: user, label: "ada", now: now))
        #expect(
            try saml.saveSAMLProvider(provider("school-idp", name: "Renamed"), configuration: configuration(sso: "https://idp.example/new"), now: now)
                == id)
        #expect(try saml.samlConfiguration(of: id)?.singleSignOnURL == "https://idp.example/new")
        #expect(try upstream.links(of: user).map(\.providerName) == ["Renamed"])

        #expect(try upstream.removeUpstreamProvider(slug: "school-idp"))
        #expect(try saml.samlConfiguration(of: id) == nil)
        #expect(try upstream.links(of: user).isEmpty)
    }

    @Test func anOpenIDProviderHasNoSAMLSettings() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        var oidc = provider("oidc")
        oidc.kind = .generic
        let id = try MariaUpstreamStore(database: db.database).saveUpstreamProvider(oidc, now: now)
        #expect(try MariaSAMLStore(database: db.database).samlConfiguration(of: id) == nil)
    }

    @Test func anAssertionIsAcceptedOnceUntilItIsPurged() throws {
        let db = try TestDatabase()
        let store = MariaSAMLStore(database: db.database)
        let digest = [UInt8](repeating: 0xAB, count: 32)
        #expect(try store.consumeAssertion(digest: digest, expiresAt: now.addingTimeInterval(300)))
        #expect(try !store.consumeAssertion(digest: digest, expiresAt: now.addingTimeInterval(300)), "a replay")
        #expect(try store.consumeAssertion(digest: [UInt8](repeating: 0xCD, count: 32), expiresAt: now.addingTimeInterval(600)))
        #expect(try store.purgeUsedAssertions(before: now.addingTimeInterval(400)) == 1)
        #expect(try store.consumeAssertion(digest: digest, expiresAt: now.addingTimeInterval(900)), "forgotten once expired")
    }
}
