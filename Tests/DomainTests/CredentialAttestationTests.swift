import Domain
import Foundation
import Testing

/// Which credentials sync may add to main: only those an admin confirmed, for that app, and for a key with
/// that id and those scopes (issue 13, item 7).
@Suite struct CredentialAttestationTests {
    static let app = ApplicationID(7)
    static let digest: [UInt8] = Array(0..<32)

    static func key(id: Int64 = 5, digest: [UInt8] = digest, scopes: [String] = ["school.read", "admin.school.read"]) -> SyncedAPIKey {
        SyncedAPIKey(sourceID: id, digest: digest, scopes: scopes, createdAt: Date(timeIntervalSince1970: 0), revokedAt: nil)
    }

    static let secret = CredentialAttestation(application: app, kind: .clientSecret, sourceID: 3, digest: digest, scopes: [])
    static let apiKey = CredentialAttestation(
        application: app, kind: .apiKey, sourceID: 5, digest: digest, scopes: ["admin.school.read", "school.read"])

    @Test func aConfirmedSecretIsAdmittedForItsOwnAppOnly() {
        #expect(Self.secret.admitsSecret(Self.digest, of: Self.app))
        #expect(!Self.secret.admitsSecret(Self.digest, of: ApplicationID(8)))
        #expect(!Self.secret.admitsSecret(Array(1...32), of: Self.app))
        // A key's confirmation is no secret's, and the other way round.
        #expect(!Self.apiKey.admitsSecret(Self.digest, of: Self.app))
        #expect(!Self.secret.admitsKey(Self.key(id: 3), of: Self.app))
    }

    @Test(arguments: [
        ("the same key, scopes in another order", key(scopes: ["school.read", "admin.school.read"]), true),
        ("another id", key(id: 6), false),
        ("another digest", key(digest: Array(repeating: 0, count: 32)), false),
        ("a scope more", key(scopes: ["school.read", "admin.school.read", "admin.users.read"]), false),
        ("a scope less", key(scopes: ["school.read"]), false),
    ])
    func aKeyIsAdmittedOnlyAsConfirmed(_ label: String, _ key: SyncedAPIKey, _ admitted: Bool) {
        #expect(Self.apiKey.admitsKey(key, of: Self.app) == admitted, "\(label)")
        #expect(!Self.apiKey.admitsKey(key, of: ApplicationID(8)))
    }

    @Test func thePanelsFormCarriesTheDigestInHexAndOnlyA32ByteOneReadsBack() {
        let pending = PendingCredential(
            application: Self.app, applicationName: "A", clientID: ClientID("cw_app_a"), developerName: "D", developerEmail: "d@example.test",
            kind: .apiKey, sourceID: 5, digest: Self.digest, label: "k", scopes: ["school.read"], createdAt: Date(timeIntervalSince1970: 0))
        #expect(pending.digestHex == "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
        #expect(pending.fingerprint == "0001020304050607")
        #expect(PendingCredential.digest(hex: pending.digestHex) == Self.digest)
        #expect(PendingCredential.digest(hex: pending.digestHex.uppercased()) == Self.digest)
        for bad in ["", "00", String(pending.digestHex.dropLast()), String(pending.digestHex.dropLast()) + "g", pending.digestHex + "00"] {
            #expect(PendingCredential.digest(hex: bad) == nil, "\(bad)")
        }
        #expect(
            pending.attestation
                == CredentialAttestation(application: Self.app, kind: .apiKey, sourceID: 5, digest: Self.digest, scopes: ["school.read"]))
    }
}
