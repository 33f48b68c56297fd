import Domain
import Foundation
import Testing

@testable import MariaStore

/// Resets by the people responsible, the must-change flag and the schools' rule (0023, 0024) against a real MariaDB.
@Suite(.serialized) struct PasswordResetStoreTests {
    let db: TestDatabase
    let resets: MariaPasswordResetStore
    let accounts: MariaAccountStore
    let sessions: MariaSessionStore
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws {
        db = try TestDatabase()
        resets = MariaPasswordResetStore(database: db.database)
        accounts = MariaAccountStore(database: db.database)
        sessions = MariaSessionStore(database: db.database)
        try db.insertTwoSchools(now: now)
    }

    func student(_ key: String, grade: String? = nil, school: Int64 = 1) throws -> UserID {
        let id = try db.insertUser(key, role: "student", school: school, now: now)
        try db.database.execute("UPDATE users SET password_hash = 'old', grade_level = \(grade) WHERE id = \(id)")
        return UserID(id)
    }

    func signIn(_ user: UserID, _ byte: UInt8) throws {
        try sessions.createSession(
            digest: Array(repeating: byte, count: 32), user: user, methods: [.password], now: now, expiresAt: now.addingTimeInterval(3600),
            clientAddress: "127.0.0.1", userAgent: "test")
    }

    func hash(of user: UserID) throws -> String? { try accounts.activeUser(user)?.passwordHash }

    @Test func aSchoolWantsTemporaryPasswordsChangedUntilItSaysOtherwise() throws {
        #expect(try resets.temporaryPasswordsMustChange(in: SchoolID(1)))
        try resets.setTemporaryPasswordsMustChange(false, in: SchoolID(1), now: now)
        #expect(try resets.temporaryPasswordsMustChange(in: SchoolID(1)) == false)
        #expect(try resets.temporaryPasswordsMustChange(in: SchoolID(2)))
        try resets.setTemporaryPasswordsMustChange(true, in: SchoolID(1), now: now)
        #expect(try resets.temporaryPasswordsMustChange(in: SchoolID(1)))
    }

    @Test func aBulkResetSetsHashesAndFlagsEndsSessionsAndVoidsLinksOfActivePeopleOnly() throws {
        let ada = try student("ada")
        let bo = try student("bo")
        let gone = try student("gone")
        try db.database.execute("UPDATE users SET active = FALSE WHERE id = \(gone.rawValue)")
        try signIn(ada, 1)
        try signIn(bo, 2)
        try accounts.createPasswordLink(
            digest: Array(repeating: 9, count: 32), user: ada, purpose: .reset, now: now, expiresAt: now.addingTimeInterval(3600))

        let revoked = try resets.resetPasswords(
            [
                PasswordReset(user: ada, hash: "temp-ada", mustChange: true), PasswordReset(user: bo, hash: "set-bo", mustChange: false),
                PasswordReset(user: gone, hash: "nope", mustChange: true),
            ], now: now)
        #expect(Set(revoked.keys) == [ada, bo])
        #expect(try hash(of: ada) == "temp-ada")
        #expect(try hash(of: bo) == "set-bo")
        #expect(try resets.mustChangePassword(ada))
        #expect(try resets.mustChangePassword(bo) == false)
        #expect(try resets.mustChangePassword(gone) == false)
        #expect(try sessions.sessions(of: ada, current: nil).isEmpty)
        #expect(try sessions.sessions(of: bo, current: nil).isEmpty)
        #expect(try accounts.validPasswordLink(digest: Array(repeating: 9, count: 32), now: now) == nil)
        let untouched = try db.database.query("SELECT password_hash FROM users WHERE id = \(gone.rawValue)").first?.string("password_hash")
        #expect(untouched == "old")
        #expect(try resets.resetPasswords([], now: now).isEmpty)
    }

    @Test func theTemporaryPasswordIsReplacedOnceAndOnlyWhileItIsStillTheStoredOne() throws {
        let ada = try student("ada")
        _ = try resets.resetPasswords([PasswordReset(user: ada, hash: "temp", mustChange: true)], now: now)
        try signIn(ada, 3)
        #expect(try resets.replaceTemporaryPassword(of: ada, expected: "other", with: "mine", now: now) == false)
        #expect(try resets.replaceTemporaryPassword(of: ada, expected: "temp", with: "mine", now: now))
        #expect(try hash(of: ada) == "mine")
        #expect(try resets.mustChangePassword(ada) == false)
        #expect(try sessions.sessions(of: ada, current: nil).isEmpty)
        #expect(try resets.replaceTemporaryPassword(of: ada, expected: "mine", with: "again", now: now) == false)
        #expect(try hash(of: ada) == "mine")
    }

    @Test func everyOtherWayOfSettingAPasswordClearsTheFlag() throws {
        let ada = try student("ada")
        let bo = try student("bo")
        _ = try resets.resetPasswords(
            [PasswordReset(user: ada, hash: "t1", mustChange: true), PasswordReset(user: bo, hash: "t2", mustChange: true)], now: now)
        _ = try accounts.changePassword("changed", for: ada, keepingSession: Array(repeating: 0, count: 32), now: now)
        #expect(try resets.mustChangePassword(ada) == false)
        let digest: [UInt8] = Array(repeating: 7, count: 32)
        try accounts.createPasswordLink(digest: digest, user: bo, purpose: .reset, now: now, expiresAt: now.addingTimeInterval(3600))
        #expect(try accounts.consumePasswordLink(digest: digest, newHash: "linked", now: now) == bo)
        #expect(try resets.mustChangePassword(bo) == false)
        // A re-hash with stronger parameters is the same password: the flag stays.
        _ = try resets.resetPasswords([PasswordReset(user: bo, hash: "t3", mustChange: true)], now: now)
        try accounts.setPasswordHash("t3-rehashed", for: bo, now: now)
        #expect(try resets.mustChangePassword(bo))
    }

    @Test func gradeLevelsAndTheirStudentsAreOfOneSchoolActiveAndSorted() throws {
        let zed = try student("zed", grade: "7")
        try db.database.execute("UPDATE users SET family_name = 'Z' WHERE id = \(zed.rawValue)")
        let amy = try student("amy", grade: "7")
        try db.database.execute("UPDATE users SET family_name = 'A' WHERE id = \(amy.rawValue)")
        _ = try student("eve", grade: "8")
        _ = try student("none")
        let away = try student("away", grade: "7")
        try db.database.execute("UPDATE users SET active = FALSE WHERE id = \(away.rawValue)")
        _ = try student("other", grade: "9", school: 2)
        #expect(try resets.gradeLevels(of: SchoolID(1)) == ["7", "8"])
        #expect(try resets.students(of: SchoolID(1), gradeLevel: "7").map(\.id) == [amy, zed])
        #expect(try resets.students(of: SchoolID(2), gradeLevel: "7").isEmpty)
    }
}
