import Domain
import Foundation
import Testing

@testable import MariaStore

/// `MariaBadgeStore`: one badge per person found by its digest, rotation that ends the old digest in the same
/// statement, revocation, the cascade when a person is deleted, and the schools' policies with their networks.
@Suite(.serialized) struct BadgeStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func aBadgeIsIssuedOnceRotatedRevokedAndFoundOnlyByItsCurrentDigest() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let ada = UserID(try db.insertUser("ada", role: "student", school: 1, now: now))
        let bo = UserID(try db.insertUser("bo", role: "student", school: 1, now: now))
        let store = MariaBadgeStore(database: db.database)
        let first = [UInt8](repeating: 1, count: 32)
        let second = [UInt8](repeating: 2, count: 32)
        #expect(try store.badgeHolder(digest: first) == nil)
        #expect(try store.badgeDates(of: [ada, bo]).isEmpty)

        #expect(try store.issueBadge(digest: first, to: ada, replacing: false, now: now))
        #expect(try !store.issueBadge(digest: second, to: ada, replacing: false, now: now), "an existing badge is kept")
        #expect(try store.badgeHolder(digest: first) == ada)
        #expect(try store.badgeHolder(digest: second) == nil)
        #expect(try store.badgeDates(of: [ada, bo]) == [ada: now])

        let later = now.addingTimeInterval(60)
        #expect(try store.issueBadge(digest: second, to: ada, replacing: true, now: later))
        #expect(try store.badgeHolder(digest: first) == nil, "the old badge stops working at once")
        #expect(try store.badgeHolder(digest: second) == ada)
        #expect(try store.badgeDates(of: [ada]) == [ada: later])
        try store.recordBadgeUse(of: ada, now: later)
        #expect(try db.database.query("SELECT last_used_at FROM user_badges WHERE user_id = \(ada.rawValue)").first?.date("last_used_at") == later)

        // A digest is unique over everyone: a second person can never share one.
        #expect(throws: StoreError.self) { try store.issueBadge(digest: second, to: bo, replacing: true, now: later) }
        #expect(throws: StoreError.self) { try store.issueBadge(digest: second, to: bo, replacing: false, now: later) }
        #expect(try store.badgeDates(of: [bo]).isEmpty && store.badgeHolder(digest: second) == ada)

        #expect(try store.revokeBadge(of: ada))
        #expect(try !store.revokeBadge(of: ada))
        #expect(try store.badgeHolder(digest: second) == nil)

        #expect(try store.issueBadge(digest: first, to: bo, replacing: false, now: now))
        try db.database.execute("DELETE FROM users WHERE id = \(bo.rawValue)")
        #expect(try store.badgeHolder(digest: first) == nil, "a deleted person's badge goes with them")
    }

    @Test func aSchoolsPolicyDefaultsToStudentsAnywhereAndKeepsItsRolesAndNetworks() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let store = MariaBadgeStore(database: db.database)
        #expect(try store.badgePolicy(of: SchoolID(1)) == .standard)
        let networks = try BadgePolicy.networks(from: "192.0.2.0/24 2001:db8:42::/48 10.1.2.3/8")
        let policy = BadgePolicy(roles: [.student, .teacher], networks: networks)
        try store.setBadgePolicy(policy, of: SchoolID(1), now: now)
        #expect(try store.badgePolicy(of: SchoolID(1)) == policy)
        #expect(try store.badgePolicy(of: SchoolID(1)).networks.map(\.description) == ["192.0.2.0/24", "2001:db8:42::/48", "10.0.0.0/8"])
        #expect(try store.badgePolicy(of: SchoolID(2)) == .standard)
        try store.setBadgePolicy(BadgePolicy(roles: [], networks: []), of: SchoolID(1), now: now)
        #expect(try store.badgePolicy(of: SchoolID(1)) == BadgePolicy(roles: [], networks: []))
    }
}
