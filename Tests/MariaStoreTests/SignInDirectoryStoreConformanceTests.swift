import Crypto
import Domain
import Foundation
import Testing

@testable import MariaStore
@testable import StoreTwins

/// The schools' directories' contract (issue 15), on the twin and on main's `school_directories`: one per school,
/// saved whole and replaced whole, the sealed service password kept byte for byte, removed with the school.
@Suite(.serialized) struct SignInDirectoryStoreConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case memory, main
        var testDescription: String { rawValue }
    }

    /// Keep it alive for the whole case: its throw-away database is dropped when it goes.
    final class Fixture {
        let store: any SignInDirectoryStore
        let database: TestDatabase?

        init(_ backend: Backend, now: Date) throws {
            switch backend {
            case .memory:
                database = nil
                store = MemorySignInDirectories()
            case .main:
                let db = try TestDatabase()
                try db.insertTwoSchools(now: now)
                database = db
                store = MariaSignInDirectoryStore(database: db.database)
            }
        }
    }

    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func directory(school: SchoolID, name: String = "District AD", change: (inout SignInDirectorySettings) -> Void = { _ in }) throws
        -> SignInDirectory
    {
        var settings = SignInDirectorySettings()
        settings.name = name
        settings.uris = "ldaps://dc1.school.example ldap://dc2.school.example:389"
        settings.caCertificates = SampleCertificates.schoolCA
        settings.bindDN = "CN=Reader,OU=Services,DC=school,DC=example"
        settings.bindPassword = "service password é"
        settings.baseDN = "OU=People,DC=school,DC=example"
        settings.filter = "(&(objectClass=user)(sAMAccountName={name})(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"
        settings.linkRule = "sourced-id"
        settings.linkAttribute = "employeeID"
        settings.disabledCheck = "active-directory"
        change(&settings)
        var generator = SystemRandomNumberGenerator()
        return try settings.validated(school: school, key: SymmetricKey(data: Array(repeating: 3, count: 32)), existing: nil, using: &generator)
    }

    @Test(arguments: Backend.allCases)
    func aDirectoryIsSavedReplacedAndRemovedWhole(_ backend: Backend) throws {
        let fixture = try Fixture(backend, now: now)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        #expect(try store.signInDirectory(of: SchoolID(1)) == nil)
        let first = try directory(school: SchoolID(1))
        try store.saveSignInDirectory(first, now: now)
        #expect(try store.signInDirectory(of: SchoolID(1)) == first)
        #expect(try store.signInDirectory(of: SchoolID(2)) == nil, "one school's directory is not another's")
        #expect(try store.signInDirectory(of: SchoolID(1))?.endpoints.map(\.security) == [.ldaps, .startTLS])

        let replaced = try directory(school: SchoolID(1), name: "OpenLDAP") {
            $0.uris = "ldap://127.0.0.1:389"
            $0.allowPlain = true
            $0.linkRule = "email"
            $0.linkAttribute = ""
            $0.disabledCheck = "none"
            $0.enabled = false
        }
        try store.saveSignInDirectory(replaced, now: now.addingTimeInterval(60))
        let read = try #require(try store.signInDirectory(of: SchoolID(1)))
        #expect(read == replaced && read.linkRule == .email && read.linkAttribute == "mail" && !read.enabled)
        #expect(read.endpoints.map(\.security) == [.plain] && read.sealedBindPassword == replaced.sealedBindPassword)

        try store.saveSignInDirectory(try directory(school: SchoolID(2)), now: now)
        #expect(try store.removeSignInDirectory(of: SchoolID(1)))
        #expect(try !store.removeSignInDirectory(of: SchoolID(1)))
        #expect(try store.signInDirectory(of: SchoolID(1)) == nil)
        #expect(try store.signInDirectory(of: SchoolID(2)) != nil)
    }

    @Test func aSchoolsDirectoryGoesWithTheSchoolAndARowTheRulesRefuseIsNotUsed() throws {
        let fixture = try Fixture(.main, now: now)
        let db = try #require(fixture.database)
        let store = fixture.store
        try store.saveSignInDirectory(try directory(school: SchoolID(1)), now: now)
        try store.saveSignInDirectory(try directory(school: SchoolID(2)), now: now)
        // A row edited by hand into plain LDAP to a remote server: the rules refuse it, so sign-in cannot use it.
        try db.database.execute("UPDATE school_directories SET uris = 'ldap://dc9.school.example' WHERE school_id = 2")
        #expect(try store.signInDirectory(of: SchoolID(2))?.endpoints.map(\.security) == [.startTLS])
        try db.database.execute("UPDATE school_directories SET uris = 'ldapi:///' WHERE school_id = 2")
        #expect(try store.signInDirectory(of: SchoolID(2)) == nil)
        try db.database.execute("DELETE FROM schools WHERE id = 1")
        #expect(try store.signInDirectory(of: SchoolID(1)) == nil)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM school_directories WHERE school_id = 1").first?.int("n") == 0)
    }
}
