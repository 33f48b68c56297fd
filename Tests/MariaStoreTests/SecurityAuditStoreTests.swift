import Domain
import Foundation
import Testing

@testable import MariaStore

/// The security audit log against MariaDB: entries read back by school, event, person and time; the table's
/// triggers refuse every change and the deletion of entries younger than 30 days, whoever asks (here the test
/// server's admin, who holds every privilege); the pools' account cannot drop the triggers.
@Suite(.serialized) struct SecurityAuditStoreTests {
    let now = Date()

    @Test func entriesAreFilteredAndTheLogIsAppendOnly() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let ada = UserID(try db.insertUser("ada", role: "student", school: 1, now: now))
        let admin = UserID(try db.insertUser("head", role: "school_admin", school: 1, now: now))
        let store = MariaSecurityAuditStore(database: db.database)
        let old = now.addingTimeInterval(-40 * 86400)
        try store.append(SecurityAuditEntry(occurredAt: old, event: .signIn, school: SchoolID(1), actor: ada, subject: ada, method: "pwd"))
        try store.append(
            SecurityAuditEntry(
                occurredAt: now, event: .passwordReset, school: SchoolID(1), actor: admin, subject: ada, clientAddress: "192.0.2.7",
                userAgent: String(repeating: "u", count: 400), detail: "temporary password"))
        try store.append(SecurityAuditEntry(occurredAt: now, event: .signInFailed, school: SchoolID(2), actor: nil, subject: nil, method: "fed"))
        try store.append(SecurityAuditEntry(occurredAt: now, event: .reviewDecision, school: nil, actor: nil, subject: nil, detail: "approved"))

        let school = try store.entries(SecurityAuditFilter(school: SchoolID(1)), limit: 10)
        #expect(school.map(\.entry.event) == [.passwordReset, .signIn])
        #expect(school[0].actorName == "head F" && school[0].subjectName == "ada F" && school[0].entry.userAgent.count == 255)
        #expect(try store.entries(SecurityAuditFilter(event: .reviewDecision), limit: 10).map(\.entry.detail) == ["approved"])
        #expect(try store.entries(SecurityAuditFilter(person: admin), limit: 10).count == 1)
        #expect(try store.entries(SecurityAuditFilter(from: now.addingTimeInterval(-60)), limit: 10).count == 3)
        #expect(try store.entries(SecurityAuditFilter(), limit: 2).count == 2)

        // Nothing changes an entry; nothing younger than 30 days is deleted; older entries are purged.
        #expect(throws: StoreError.self) { try db.database.execute("UPDATE security_audit_log SET detail = 'nothing happened'") }
        #expect(throws: StoreError.self) { try db.database.execute("DELETE FROM security_audit_log WHERE event = 'password_reset'") }
        #expect(try store.purge(before: now.addingTimeInterval(-35 * 86400), limit: 100) == 1)
        #expect(try store.entries(SecurityAuditFilter(), limit: 10).count == 3)
        #expect(throws: StoreError.self) { try store.purge(before: now.addingTimeInterval(1), limit: 100) }
        #expect(try store.entries(SecurityAuditFilter(), limit: 10).count == 3, "a refused purge deletes nothing")
    }

    @Test func theAppAccountCannotDropTheAuditTriggers() throws {
        MariaClient.initializeLibrary()
        let app = MariaDatabase(options: try TestServer.stackAccount("app", user: "catalyst_app", database: "catalyst_main"))
        #expect {
            try app.execute("DROP TRIGGER security_audit_log_retention")
        } throws: { error in
            (error as? StoreError)?.kind == .denied
        }
        let store = MariaSecurityAuditStore(database: app)
        try store.append(SecurityAuditEntry(occurredAt: Date(), event: .signInFailed, school: nil, actor: nil, subject: nil, detail: "grant test"))
        #expect(throws: StoreError.self) { try app.execute("UPDATE security_audit_log SET detail = '' WHERE detail = 'grant test'") }
        #expect(throws: StoreError.self) { try app.execute("DELETE FROM security_audit_log WHERE detail = 'grant test'") }
    }
}

/// A person's sessions as their sessions page lists them, and ending one by its number (never another's).
@Suite(.serialized) struct SessionListTests {
    @Test func sessionsAreListedAndEndedByNumberForTheirOwnerOnly() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let ada = UserID(try db.insertUser("ada", role: "student", school: 1, now: now))
        let bo = UserID(try db.insertUser("bo", role: "student", school: 1, now: now))
        let store = MariaSessionStore(database: db.database)
        let first = [UInt8](repeating: 1, count: 32)
        let second = [UInt8](repeating: 2, count: 32)
        try store.createSession(
            digest: first, user: ada, methods: [.password], now: now, expiresAt: now + 3600, clientAddress: "192.0.2.1", userAgent: "Firefox")
        try store.createSession(
            digest: second, user: ada, methods: [.federated], now: now + 60, expiresAt: now + 3600, clientAddress: "192.0.2.2",
            userAgent: "Chromium")
        try store.createSession(
            digest: [UInt8](repeating: 3, count: 32), user: bo, methods: [.password], now: now, expiresAt: now + 3600, clientAddress: "",
            userAgent: "")
        let list = try store.sessions(of: ada, current: second)
        #expect(list.map(\.userAgent) == ["Chromium", "Firefox"] && list[0].isCurrent && !list[1].isCurrent)
        #expect(list[0].methods == [.federated] && list[1].clientAddress == "192.0.2.1")
        let bos = try store.sessions(of: bo, current: nil)
        #expect(try !store.deleteSession(number: bos[0].number, of: ada), "someone else's session is not ended")
        #expect(try store.deleteSession(number: list[1].number, of: ada))
        #expect(try store.sessions(of: ada, current: nil).count == 1 && store.sessions(of: bo, current: nil).count == 1)
    }
}
