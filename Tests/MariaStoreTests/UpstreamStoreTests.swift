import Domain
import Foundation
import Testing

@testable import MariaStore

/// `MariaUpstreamStore` against MariaDB: providers saved and replaced by slug, links unique per upstream account,
/// candidates scoped to the provider's school, policies and claimed domains.
@Suite(.serialized) struct UpstreamStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func newProvider(_ slug: String, school: SchoolID?, kind: UpstreamProviderKind = .generic, name: String = "OP") -> NewUpstreamProvider {
        NewUpstreamProvider(
            slug: slug, schoolID: school, name: name, kind: kind, authority: "https://op.example/\(slug)", clientID: "cw",
            sealedSecret: [1, 2, 3], linkRule: .sourcedID(claim: "employee_id"), jitStudents: false, enabled: true)
    }

    @Test func providersAreSavedReplacedBySlugAndRemovedWithTheirLinks() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let store = MariaUpstreamStore(database: db.database)
        let id = try store.saveUpstreamProvider(
            newProvider("one", school: SchoolID(1), kind: .google(domains: ["a.example", "b.example"])), now: now)
        _ = try store.saveUpstreamProvider(newProvider("platform", school: nil), now: now)
        _ = try store.saveUpstreamProvider(newProvider("two", school: SchoolID(2)), now: now)
        let one = try #require(try store.upstreamProvider(slug: "one"))
        #expect(one.id == id && one.kind == .google(domains: ["a.example", "b.example"]) && one.sealedSecret == [1, 2, 3])
        #expect(one.linkRule == .sourcedID(claim: "employee_id") && one.authority == "https://op.example/one")
        #expect(try store.enabledUpstreamProviders(for: SchoolID(1)).map(\.slug).sorted() == ["one", "platform"])
        #expect(try store.enabledUpstreamProviders(for: nil).map(\.slug) == ["platform"])

        let user = UserID(try db.insertUser("ada", role: "student", school: 1, now: now))
        #expect(try store.createLink(provider: id, subject: "sub-1", user: user, label: "ada@a.example", now: now))
        #expect(try !store.createLink(provider: id, subject: "sub-1", user: user, label: "again", now: now), "(provider, subject) is unique")
        // Replacing the provider by slug keeps its id and links.
        var renamed = newProvider("one", school: SchoolID(1), name: "Renamed")
        renamed.enabled = false
        #expect(try store.saveUpstreamProvider(renamed, now: now) == id)
        #expect(try store.enabledUpstreamProviders(for: SchoolID(1)).map(\.slug) == ["platform"])
        #expect(try store.links(of: user).map(\.providerName) == ["Renamed"])
        #expect(try store.removeUpstreamProvider(slug: "one"))
        #expect(try store.links(of: user).isEmpty)
        #expect(try !store.removeUpstreamProvider(slug: "one"))
    }

    @Test func linksFindTheirPersonActiveOrNotAndArePrivateToThatPerson() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let store = MariaUpstreamStore(database: db.database)
        let id = try store.saveUpstreamProvider(newProvider("op", school: SchoolID(1)), now: now)
        let ada = UserID(try db.insertUser("ada", role: "student", school: 1, now: now))
        let bo = UserID(try db.insertUser("bo", role: "teacher", school: 2, now: now))
        #expect(try store.createLink(provider: id, subject: "s-ada", user: ada, label: "ada@x.test", now: now))
        let found = try #require(try store.linkedPerson(provider: id, subject: "s-ada"))
        #expect(found.person.user.id == ada && found.person.active)
        try store.touchLink(found.link, now: now.addingTimeInterval(60))
        #expect(try store.links(of: ada).first?.lastUsedAt == now.addingTimeInterval(60))
        #expect(try !store.removeLink(found.link, of: bo), "someone else's link is not removed")
        try db.database.execute("UPDATE users SET active = FALSE WHERE id = \(ada.rawValue)")
        #expect(try store.linkedPerson(provider: id, subject: "s-ada")?.person.active == false)
        #expect(try store.removeLink(found.link, of: ada))
        #expect(try store.linkedPerson(provider: id, subject: "s-ada") == nil)

        // Candidates: by email over the installation or one school, by sourcedId within the school.
        #expect(try store.linkCandidates(email: "BO@x.test", school: nil).map(\.user.id) == [bo])
        #expect(try store.linkCandidates(email: "bo@x.test", school: SchoolID(1)).isEmpty)
        #expect(try store.linkCandidates(sourcedID: "ada", school: SchoolID(1)).map(\.user.id) == [ada])
        #expect(try store.linkCandidates(sourcedID: "ada", school: SchoolID(2)).isEmpty)
    }

    @Test func policiesAndClaimedDomains() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let store = MariaUpstreamStore(database: db.database)
        #expect(try store.signInPolicy(of: SchoolID(1)) == .everyone)
        try store.setSignInPolicy(SchoolSignInPolicy(passwordRoles: [.teacher, .schoolAdmin]), of: SchoolID(1), now: now)
        let policy = try store.signInPolicy(of: SchoolID(1))
        #expect(policy.passwordRoles == [.teacher, .schoolAdmin] && !policy.allowsPassword(for: .student))
        try store.setSignInPolicy(SchoolSignInPolicy(passwordRoles: []), of: SchoolID(1), now: now)
        #expect(try store.signInPolicy(of: SchoolID(1)).passwordRoles.isEmpty)

        try store.setEmailDomains(["one.example", "ONE.org"], of: SchoolID(1))
        #expect(try store.emailDomains(of: SchoolID(1)) == ["one.example", "one.org"])
        #expect(try store.school(claimingDomain: "One.Example")?.sourcedID == "s1")
        #expect(throws: StoreError.self) { try store.setEmailDomains(["one.org"], of: SchoolID(2)) }
        #expect(try store.emailDomains(of: SchoolID(2)).isEmpty, "a refused claim leaves nothing half-written")
        try store.setEmailDomains([], of: SchoolID(1))
        #expect(try store.school(claimingDomain: "one.example") == nil)
        #expect(try store.school(sourcedID: "s2")?.name == "Two" && store.schoolSourcedID(SchoolID(1)) == "s1")
    }
}
