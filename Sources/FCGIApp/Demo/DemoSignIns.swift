import Crypto
import Domain
import Foundation

/// `.run/demo.json`: every demo account with its ids, and the demo OAuth clients, for scripts and end-to-end tests.
enum DemoSignIns {
    static func document(
        demo: DemoSchool, ids: [String: UserID], platformEmail: String, password: String, seeds: [String: [UInt8]], services: SiteServices
    ) throws -> JSONValue {
        func seed(_ email: String) -> [(String, JSONValue)] { seeds[email].map { [("totp_secret", .string(Base32.encode($0)))] } ?? [] }
        func person(_ p: DemoSchool.Person, extra: [(String, JSONValue)] = []) -> JSONValue {
            .object(
                [
                    ("id", .int(Int(ids[p.sourcedID]?.rawValue ?? 0))), ("sourced_id", .string(p.sourcedID)), ("email", .string(p.email)),
                    ("username", .string(p.username)), ("name", .string("\(p.givenName) \(p.familyName)")), ("password", .string(password)),
                ] + extra)
        }
        func classList(_ classes: [ClassSummary]) -> JSONValue {
            .array(classes.map { .object([("id", .int(Int($0.id.rawValue))), ("title", .string($0.title))]) })
        }
        var teachers: [JSONValue] = []
        for teacher in demo.teachers {
            let classes = try ids[teacher.sourcedID].map { try services.schoolwork.teaching.classes(taughtBy: $0) } ?? []
            teachers.append(person(teacher, extra: [("classes", classList(classes))]))
        }
        var students: [JSONValue] = []
        for student in demo.students {
            let classes = try ids[student.sourcedID].map { try services.schoolwork.students.classes(ofStudent: $0) } ?? []
            students.append(person(student, extra: [("classes", classList(classes))]))
        }
        let parents = demo.parents.map { parent in
            person(parent, extra: [("children", .array(parent.agents.map { .int(Int(ids[$0]?.rawValue ?? 0)) }))])
        }
        return .object([
            ("app_url", .string(services.configuration.appURL)),
            ("password", .string(password)),
            ("school", .object([("sourced_id", .string(DemoSchool.schoolSourcedID)), ("name", .string(DemoSchool.schoolName))])),
            ("platform_admin", .object([("email", .string(platformEmail)), ("password", .string(password))] + seed(platformEmail))),
            ("school_admin", person(demo.admin, extra: seed(demo.admin.email))),
            ("teachers", .array(teachers)),
            ("students", .array(students)),
            ("parents", .array(parents)),
            ("oauth_clients", DemoClients.document(appURL: services.configuration.appURL)),
        ])
    }

    /// Turns on two-step sign-in for a demo admin with a seed derived from their email (the same on every
    /// `demo load`, so demo.json stays right), unless it is already on; returns the seed.
    static func enrolTOTP(_ user: UserID, email: String, services: SiteServices, now: Date) throws -> [UInt8] {
        let seed = Array(Insecure.SHA1.hash(data: Array("catalystwells demo authenticator \(email)".utf8)))
        let store = services.people.secondFactors
        if try store.totp(of: user)?.enabledAt != nil { return seed }
        let keys = try services.oauth.requireKeys()
        var generator = SystemRandomNumberGenerator()
        let sealed = try KeySealing.seal(seed, key: keys.totpSealingKey, associatedData: UserTOTP.associatedData(user), using: &generator)
        guard try store.setPendingTOTPSecret(sealed, for: user, now: now),
            try store.enableTOTP(for: user, sealedSecret: sealed, step: 0, recoveryCodeDigests: [], now: now)
        else { throw StoreError(.conflict, detail: "the demo admin's two-step sign-in changed while it was set up") }
        return seed
    }
}
