import Domain
import Foundation

/// How OneRoster 1.2 objects are written (REST binding's JSON): `sourcedId`, `status`, `dateLastModified` (ISO 8601
/// UTC with milliseconds), the fields held, and references as `{href, sourcedId, type}`.
enum OneRosterJSON {
    /// The status-info payload of a refusal (`imsx_StatusInfo`).
    static func statusInfo(_ failure: OneRosterFailure) -> JSONValue {
        .object([
            ("imsx_codeMajor", .string(failure.codeMajor)), ("imsx_severity", "error"), ("imsx_description", .string(failure.description)),
            (
                "imsx_CodeMinor",
                .object([
                    (
                        "imsx_codeMinorField",
                        .array([.object([("imsx_codeMinorFieldName", "TargetEndSystem"), ("imsx_codeMinorFieldValue", .string(failure.codeMinor))])])
                    )
                ])
            ),
        ])
    }

    /// One object, cut to `fields` when the call selected some.
    static func object(_ record: OneRosterRecord, _ entity: OneRosterEntity, fields: [String]?, base: String) -> JSONValue {
        let roster = base + OneRosterEndpoint.Service.rostering.prefix
        let gradebook = base + OneRosterEndpoint.Service.gradebook.prefix
        let values = record.values
        func ref(_ name: String, _ path: String, _ type: String) -> JSONValue? {
            values[name].map { reference($0, path, type) }
        }
        func reference(_ id: String, _ path: String, _ type: String) -> JSONValue {
            .object([("href", .string("\(path)/\(FormCodec.encode(id))")), ("sourcedId", .string(id)), ("type", .string(type))])
        }
        func text(_ name: String) -> JSONValue? { values[name].map(JSONValue.string) }
        func number(_ name: String) -> JSONValue? { values[name].flatMap(Double.init).map(JSONValue.double) }
        func flag(_ name: String) -> JSONValue? { values[name].map { .bool($0 == "true") } }
        var members: [(String, JSONValue?)] = [
            ("sourcedId", .string(record.sourcedID)), ("status", text("status")),
            ("dateLastModified", record.modified.map { .string(timestamp($0)) }),
        ]
        switch entity {
        case .org:
            members += [("name", text("name")), ("type", text("type")), ("identifier", text("identifier"))]
        case .academicSession:
            members += [
                ("title", text("title")), ("type", text("type")), ("startDate", text("startDate")), ("endDate", text("endDate")),
                ("schoolYear", text("schoolYear")), ("org", ref("org", roster + "/orgs", "org")),
            ]
        case .course:
            members += [("title", text("title")), ("courseCode", text("courseCode")), ("org", ref("org", roster + "/orgs", "org"))]
        case .class:
            members += [
                ("title", text("title")), ("classCode", text("classCode")), ("classType", text("classType")),
                ("course", ref("course", roster + "/courses", "course")), ("school", ref("school", roster + "/schools", "org")),
                ("terms", .array((record.lists["terms"] ?? []).map { reference($0, roster + "/academicSessions", "academicSession") })),
            ]
        case .user:
            let org = ref("primaryOrg", roster + "/orgs", "org")
            members += [
                ("enabledUser", flag("enabledUser")), ("username", text("username")), ("givenName", text("givenName")),
                ("familyName", text("familyName")), ("email", text("email")),
                ("roles", .array([.object([("roleType", "primary"), ("role", text("role") ?? .null), ("org", org ?? .null)])])),
                ("primaryOrg", org), ("agents", .array((record.lists["agents"] ?? []).map { reference($0, roster + "/users", "user") })),
                ("grades", values["grades"].map { .array([.string($0)]) } ?? .array([])), ("userIds", .array([])),
            ]
        case .enrollment:
            members += [
                ("role", text("role")), ("primary", flag("primary")), ("user", ref("user", roster + "/users", "user")),
                ("class", ref("class", roster + "/classes", "class")), ("school", ref("school", roster + "/schools", "org")),
            ]
        case .lineItem:
            members += [
                ("title", text("title")), ("assignDate", text("assignDate")), ("dueDate", text("dueDate")),
                ("resultValueMin", number("resultValueMin")), ("resultValueMax", number("resultValueMax")),
                ("class", ref("class", roster + "/classes", "class")), ("school", ref("school", roster + "/schools", "org")),
            ]
        case .result:
            members += [
                ("score", number("score")), ("scoreStatus", text("scoreStatus")), ("scoreDate", text("scoreDate")), ("comment", text("comment")),
                ("lineItem", ref("lineItem", gradebook + "/lineItems", "lineItem")), ("student", ref("student", roster + "/users", "user")),
                ("class", ref("class", roster + "/classes", "class")),
            ]
        }
        let wanted = fields.map(Set.init)
        return .object(
            members.compactMap { name, value in
                guard let value, wanted?.contains(name) ?? true else { return nil }
                return (name, value)
            })
    }

    /// ISO 8601 in UTC with milliseconds, as the specification's examples write `dateLastModified`.
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = millis / 1000
        let rest = Int(((seconds % 86_400) + 86_400) % 86_400)
        let day = CalendarDate(Date(timeIntervalSince1970: TimeInterval(seconds)))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = Int(((millis % 1000) + 1000) % 1000)
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(day.description)T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)).\(msText)Z"
    }
}
