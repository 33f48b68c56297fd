/// The education API's one table (DESIGN §6): endpoints, the scopes that open them for each role, and the
/// events writes record. The router, the OpenAPI document, the access log and the docs all read it, so an
/// endpoint exists exactly when it is listed here.
///
/// Scope choice per role follows the registry's descriptions: a student reads their own records with the
/// `student.*` scopes, a parent their children's with `parent.*`, a teacher their classes' with `teacher.*`,
/// a school admin their school's with `admin.*` (`admin.users.read` for people, `admin.school.read` for
/// classes). Who may read *which* record is decided afterwards by ``SchoolAccess``.
public enum EducationAPI {
    /// The path prefix of every endpoint.
    public static let prefix = "/api/v1"
    /// Largest page a list returns.
    public static let maximumPageSize = 100
    /// Page size when `limit` is absent.
    public static let defaultPageSize = 50

    /// Webhook event: grades of a published assessment were recorded.
    public static let gradePublished = "grade.published"
    /// Webhook event: attendance was recorded for a class.
    public static let attendanceRecorded = "attendance.recorded"

    private static let dateRange: [APIEndpoint.QueryParameter] = [
        .init(name: "from", description: "First day, inclusive (YYYY-MM-DD).", type: "string", format: "date"),
        .init(name: "to", description: "Last day, inclusive (YYYY-MM-DD).", type: "string", format: "date"),
    ]

    /// Every endpoint, in the order the docs list them.
    public static let endpoints: [APIEndpoint] = [
        APIEndpoint(
            .me, "GET", "\(prefix)/me", summary: "The user who granted the token (email only with profile.email).",
            data: "profile",
            scopes: Role.allCases.map { ($0, "profile.read") }),
        APIEndpoint(
            .student, "GET", "\(prefix)/students/{id}", summary: "A student's profile.", data: "profile",
            scopes: [
                (.student, "profile.read"), (.parent, "parent.children.read"), (.teacher, "teacher.students.read"),
                (.schoolAdmin, "admin.users.read"),
            ]),
        APIEndpoint(
            .studentClasses, "GET", "\(prefix)/students/{id}/classes", summary: "The active classes of a student.",
            data: "classes",
            scopes: [
                (.student, "student.classes.read"), (.parent, "parent.children.read"), (.teacher, "teacher.students.read"),
                (.schoolAdmin, "admin.users.read"),
            ],
            paginated: true),
        APIEndpoint(
            .studentGrades, "GET", "\(prefix)/students/{id}/grades", summary: "A student's grades of published assessments.",
            data: "grades",
            scopes: [
                (.student, "student.grades.read"), (.parent, "parent.grades.read"), (.teacher, "teacher.grades.read"),
                (.schoolAdmin, "admin.users.read"),
            ],
            paginated: true),
        APIEndpoint(
            .studentAttendance, "GET", "\(prefix)/students/{id}/attendance", summary: "A student's attendance marks, newest first.",
            data: "attendance",
            scopes: [
                (.student, "student.attendance.read"), (.parent, "parent.attendance.read"),
                (.teacher, "teacher.attendance.read"), (.schoolAdmin, "admin.users.read"),
            ],
            paginated: true, parameters: dateRange),
        APIEndpoint(
            .parentChildren, "GET", "\(prefix)/parents/me/children", summary: "The students linked to the parent who granted the token.",
            data: "children", scopes: [(.parent, "parent.children.read")], paginated: true),
        APIEndpoint(
            .classDetail, "GET", "\(prefix)/classes/{id}", summary: "A class the teacher teaches (or of the admin's school).",
            data: "class", scopes: [(.teacher, "teacher.students.read"), (.schoolAdmin, "admin.school.read")]),
        APIEndpoint(
            .classStudents, "GET", "\(prefix)/classes/{id}/students", summary: "The students enrolled in a class.",
            data: "class roster", scopes: [(.teacher, "teacher.students.read"), (.schoolAdmin, "admin.school.read")],
            paginated: true),
        APIEndpoint(
            .recordAttendance, "POST", "\(prefix)/classes/{id}/attendance",
            summary: "Records a day's attendance in a class the teacher teaches.", data: "attendance",
            scopes: [(.teacher, "teacher.attendance.write")], event: attendanceRecorded),
        APIEndpoint(
            .recordGrades, "POST", "\(prefix)/assessments/{id}/grades",
            summary: "Records grades of an assessment in a class the teacher teaches.", data: "grades",
            scopes: [(.teacher, "teacher.grades.write")], event: gradePublished),
        APIEndpoint(
            .school, "GET", "\(prefix)/schools/{id}", summary: "Public information about the user's own school.",
            data: "school", scopes: Role.allCases.filter { $0 != .platformAdmin }.map { ($0, "school.read") },
            appScope: "school.read"),
        APIEndpoint(
            .openAPI, "GET", "\(prefix)/openapi.json", summary: "This API's OpenAPI 3.1 document.", data: "documentation",
            scopes: [], isPublic: true),
    ]

    /// The endpoint of an operation.
    public static func endpoint(_ operation: APIEndpoint.Operation) -> APIEndpoint {
        guard let found = endpoints.first(where: { $0.operation == operation }) else {
            preconditionFailure("EducationAPI.endpoints lists no \(operation)")
        }
        return found
    }
}
