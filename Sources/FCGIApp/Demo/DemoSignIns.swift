import Domain

/// `.run/demo.json`: every demo account with its ids, and the demo OAuth clients, for scripts and end-to-end tests.
enum DemoSignIns {
    static func document(demo: DemoSchool, ids: [String: UserID], platformEmail: String, password: String, services: SiteServices) throws -> JSONValue
    {
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
            ("platform_admin", .object([("email", .string(platformEmail)), ("password", .string(password))])),
            ("school_admin", person(demo.admin)),
            ("teachers", .array(teachers)),
            ("students", .array(students)),
            ("parents", .array(parents)),
            ("oauth_clients", DemoClients.document(appURL: services.configuration.appURL)),
        ])
    }
}
