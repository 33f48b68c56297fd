import Domain
import Foundation
import Testing

@testable import MariaStore

/// `MariaLanguagePreferenceStore` (main 0049): a person's saved language and their school's default.
@Suite(.serialized) struct LanguagePreferenceStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func aPersonsLanguageIsSavedClearedAndReadWithTheSchoolsDefault() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let ada = UserID(try db.insertUser("ada", role: "student", school: 1, now: now))
        let store = MariaLanguagePreferenceStore(database: db.database)
        #expect(try store.languages(of: ada) == (nil, nil))
        #expect(try store.languages(of: UserID(999_999)) == (nil, nil))
        try store.setLanguage("ar", of: ada)
        try db.database.execute("UPDATE schools SET default_language = 'es' WHERE id = 1")
        #expect(try store.languages(of: ada) == ("ar", "es"))
        try store.setLanguage(nil, of: ada)
        #expect(try store.languages(of: ada) == (nil, "es"))
    }

    @Test func theSessionRowCarriesThePersonsAndTheSchoolsLanguage() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let ada = UserID(try db.insertUser("ada", role: "student", school: 1, now: now))
        let sessions = MariaSessionStore(database: db.database)
        let digest = Array(repeating: UInt8(7), count: 32)
        try sessions.createSession(
            digest: digest, user: ada, methods: [.password], now: now, expiresAt: now + 3600, clientAddress: "127.0.0.1", userAgent: "test")
        let before = try #require(try sessions.session(digest: digest)).languages
        #expect(before.person == nil && before.school == nil)
        let store = MariaLanguagePreferenceStore(database: db.database)
        try store.setLanguage("fr", of: ada)
        try store.setSchoolLanguage("ar", of: SchoolID(1))
        let after = try #require(try sessions.session(digest: digest)).languages
        #expect(after.person == "fr" && after.school == "ar")
    }

    @Test func aSchoolsDefaultIsSavedClearedAndReachesItsPeopleOnly() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let ada = UserID(try db.insertUser("ada", role: "parent", school: 1, now: now))
        let bob = UserID(try db.insertUser("bob", role: "parent", school: 2, now: now))
        let store = MariaLanguagePreferenceStore(database: db.database)
        #expect(try store.schoolLanguage(of: SchoolID(1)) == nil)
        try store.setSchoolLanguage("es", of: SchoolID(1))
        #expect(try store.schoolLanguage(of: SchoolID(1)) == "es")
        #expect(try store.languages(of: ada) == (nil, "es"))
        #expect(try store.languages(of: bob) == (nil, nil))
        try store.setSchoolLanguage(nil, of: SchoolID(1))
        #expect(try store.schoolLanguage(of: SchoolID(1)) == nil && store.schoolLanguage(of: SchoolID(999_999)) == nil)
    }
}
