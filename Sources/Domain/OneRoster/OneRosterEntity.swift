/// The kinds of OneRoster 1.2 objects CatalystWells serves, with the fields each has as we hold them.
///
/// Fields the specification defines that we do not hold (`middleName`, `sms`, `phone`, `grades` of classes,
/// `subjects`, `location`, `periods`, `resources`, demographics) are left out of the answers rather than sent
/// empty, except where the specification requires them (`classType`, `primary`).
public enum OneRosterEntity: String, Sendable, CaseIterable {
    case org, academicSession, course, `class`, user, enrollment, lineItem, result

    /// The key of a collection answer (`{"users": [...]}`).
    public var collection: String {
        switch self {
        case .org: "orgs"
        case .academicSession: "academicSessions"
        case .course: "courses"
        case .class: "classes"
        case .user: "users"
        case .enrollment: "enrollments"
        case .lineItem: "lineItems"
        case .result: "results"
        }
    }

    /// The key of a single-object answer (`{"user": {...}}`).
    public var single: String { rawValue }

    private static let status = OneRosterField("status", .word(["active", "tobedeleted"]))
    private static let modified = OneRosterField("dateLastModified", .dateTime)

    /// The fields, in the order answers list them.
    public var fields: [OneRosterField] {
        let common = [OneRosterField("sourcedId"), Self.status, Self.modified]
        switch self {
        case .org:
            return common + [
                OneRosterField("name"), OneRosterField("type", .word(["school"])), OneRosterField("identifier"),
                OneRosterField("parent", filterable: false), OneRosterField("children", filterable: false),
            ]
        case .academicSession:
            return common + [
                OneRosterField("title"), OneRosterField("type", .word(["gradingPeriod", "semester", "schoolYear", "term"])),
                OneRosterField("startDate", .date), OneRosterField("endDate", .date), OneRosterField("schoolYear"),
                OneRosterField("parent", filterable: false), OneRosterField("children", filterable: false),
                OneRosterField("org", filterable: false),
            ]
        case .course:
            return common + [OneRosterField("title"), OneRosterField("courseCode"), OneRosterField("org", filterable: false)]
        case .class:
            return common + [
                OneRosterField("title"), OneRosterField("classCode"), OneRosterField("classType", .word(["homeroom", "scheduled"])),
                OneRosterField("course", filterable: false), OneRosterField("school", filterable: false),
                OneRosterField("terms", filterable: false),
            ]
        case .user:
            return common + [
                OneRosterField("enabledUser", .word(["true", "false"])), OneRosterField("username"), OneRosterField("givenName"),
                OneRosterField("familyName"), OneRosterField("email"),
                OneRosterField("role", .word(["student", "teacher", "parent", "administrator"])),
                OneRosterField("roles", filterable: false), OneRosterField("primaryOrg", filterable: false),
                OneRosterField("agents", filterable: false), OneRosterField("grades"), OneRosterField("userIds", filterable: false),
            ]
        case .enrollment:
            return common + [
                OneRosterField("role", .word(["student", "teacher"])), OneRosterField("primary", .word(["true", "false"])),
                OneRosterField("user", filterable: false), OneRosterField("class", filterable: false),
                OneRosterField("school", filterable: false),
            ]
        case .lineItem:
            return common + [
                OneRosterField("title"), OneRosterField("description"), OneRosterField("assignDate", .date), OneRosterField("dueDate", .date),
                OneRosterField("resultValueMin", filterable: false), OneRosterField("resultValueMax", filterable: false),
                OneRosterField("class", filterable: false),
                OneRosterField("school", filterable: false),
            ]
        case .result:
            return common + [
                OneRosterField("score", filterable: false),
                OneRosterField("scoreStatus", .word(["exempt", "fully graded", "not submitted", "partially graded", "submitted"])),
                OneRosterField("scoreDate", .date), OneRosterField("comment"), OneRosterField("lineItem", filterable: false),
                OneRosterField("student", filterable: false), OneRosterField("class", filterable: false),
            ]
        }
    }

    /// The field of this name, if any.
    public func field(named name: String) -> OneRosterField? { fields.first { $0.name == name } }
}
