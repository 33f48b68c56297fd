import Foundation
import Testing

@testable import Domain
@testable import MariaStore

/// `MariaPasskeyStore` over both owners' tables: school users' in main and developers' in the developers database.
/// The same cases run on each: a handle made once, registration unique by credential id across owners, the lookup
/// by credential with its handle and owner, the counter that only moves forward, removal only by the owner, and
/// challenges answered once and purged after expiry.
@Suite(.serialized) struct PasskeyStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func passkey(_ byte: UInt8) -> RegisteredPasskey {
        RegisteredPasskey(
            credentialID: [UInt8](repeating: byte, count: 20), publicKey: [0xA5, byte], coseAlgorithm: -7, signCount: 3, backupEligible: false,
            backedUp: false, userVerified: true, aaguid: [UInt8](repeating: 0, count: 16), attestationFormat: "none")
    }

    /// Runs the cases for two owners `a` and `b` of one kind.
    func check<Owner: PasskeyOwnerKind>(_ store: MariaPasskeyStore<Owner>, _ a: RecordID<Owner>, _ b: RecordID<Owner>) throws {
        let handle = try store.userHandle(of: a) { [UInt8](repeating: 7, count: 32) }
        #expect(handle == [UInt8](repeating: 7, count: 32))
        #expect(try store.userHandle(of: a) { [UInt8](repeating: 8, count: 32) } == handle, "made once")

        #expect(try store.addPasskey(passkey(1), owner: a, name: "Laptop", now: now))
        #expect(try !store.addPasskey(passkey(1), owner: b, name: "Copy", now: now), "a credential id belongs to one owner")
        #expect(try store.credentialIDs(of: a) == [passkey(1).credentialID])
        #expect(try store.credentialIDs(of: b).isEmpty)

        let found = try #require(try store.passkey(credentialID: passkey(1).credentialID))
        #expect(found.owner == a)
        #expect(found.stored.owner == Owner.passkeyAccount(a) && found.stored.userHandle == handle && found.stored.signCount == 3)
        #expect(try store.passkey(credentialID: passkey(2).credentialID) == nil)

        #expect(try store.recordUse(of: found.id, signCount: 5, backedUp: true, now: now))
        #expect(try !store.recordUse(of: found.id, signCount: 5, backedUp: true, now: now), "the counter must move forward")
        #expect(try !store.recordUse(of: found.id, signCount: 4, backedUp: true, now: now))
        let listed = try store.passkeys(of: a)
        #expect(listed.map(\.name) == ["Laptop"] && listed[0].backedUp && listed[0].lastUsedAt == now)

        #expect(try !store.removePasskey(found.id, of: b), "only its owner removes it")
        #expect(try store.removePasskey(found.id, of: a))
        #expect(try store.passkeys(of: a).isEmpty)

        let key = [UInt8](repeating: 9, count: 32)
        #expect(try store.consumeChallenge(key, expiresAt: now))
        #expect(try !store.consumeChallenge(key, expiresAt: now), "answered once")
        #expect(try store.purgeAnsweredChallenges(before: now) == 0)
        #expect(try store.purgeAnsweredChallenges(before: now.addingTimeInterval(1)) == 1)
    }

    @Test func schoolUsersPasskeysLiveInMain() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let ada = UserID(try db.insertUser("ada", role: "teacher", school: 1, now: now))
        let bo = UserID(try db.insertUser("bo", role: "student", school: 1, now: now))
        try check(MariaPasskeyStore<UserRecord>(database: db.database, tables: .users), ada, bo)
    }

    @Test func developersPasskeysLiveInTheDevelopersDatabase() throws {
        let db = try TestDatabase(schema: "developers")
        let accounts = MariaDeveloperAccountStore(database: db.database)
        let grace = try accounts.createDeveloper(NewDeveloper(email: "grace@example.org", name: "Grace", company: nil, passwordHash: "$x"), now: now)
        let alan = try accounts.createDeveloper(NewDeveloper(email: "alan@example.org", name: "Alan", company: nil, passwordHash: "$x"), now: now)
        let store = MariaPasskeyStore<DeveloperRecord>(database: db.database, tables: .developers)
        try check(store, grace, alan)
        // A developer's passkeys go with the account.
        #expect(try store.addPasskey(passkey(3), owner: alan, name: "Key", now: now))
        try db.database.execute("DELETE FROM developers WHERE id = \(alan.rawValue)")
        #expect(try store.passkey(credentialID: passkey(3).credentialID) == nil)
    }
}
