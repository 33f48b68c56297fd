/// One operation of the education API (`/api/v1`), as the router registers it, the OpenAPI document describes
/// it and the access log names it.
///
/// Which scope a call needs depends on who granted the token: a parent reads a child's grades with
/// `parent.grades.read`, the student themself with `student.grades.read`. ``scopes`` lists, per role of the
/// token's user, the scope that opens the endpoint; a role that is not listed has no relationship the
/// endpoint could ever serve, so its calls are answered like a record outside the relationship (404).
public struct APIEndpoint: Sendable {
    /// The operations, one per handler; an exhaustive switch over them is how the router proves each has one.
    public enum Operation: String, Sendable, CaseIterable {
        case me = "getMe"
        case student = "getStudent"
        case studentClasses = "listStudentClasses"
        case studentGrades = "listStudentGrades"
        case studentAttendance = "listStudentAttendance"
        case parentChildren = "listMyChildren"
        case classDetail = "getClass"
        case classStudents = "listClassStudents"
        case recordAttendance = "recordClassAttendance"
        case recordGrades = "recordAssessmentGrades"
        case school = "getSchool"
        case openAPI = "getOpenAPIDocument"
    }

    /// A query parameter an endpoint reads.
    public struct QueryParameter: Sendable {
        /// The parameter name.
        public let name: String
        /// What it does, for the docs.
        public let description: String
        /// `string`, `integer`; with a `format` such as `date`.
        public let type: String
        /// JSON Schema format (`date`), if any.
        public let format: String?
    }

    /// The operation.
    public let operation: Operation
    /// `GET` or `POST`.
    public let method: String
    /// The route pattern, `{id}` marking a captured segment.
    public let path: String
    /// One line for the docs.
    public let summary: String
    /// What the access log says was touched, as in "Study Buddy read Ana's **grades**".
    public let dataLabel: String
    /// The scope that opens the endpoint, by role of the token's user, in the order the docs list them.
    public let scopes: [(role: Role, scope: String)]
    /// The app-level scope that opens it for a token without a user (client_credentials), if any.
    public let appScope: String?
    /// Whether the response is a page of a list (`limit`, `cursor`, `next_cursor`).
    public let paginated: Bool
    /// Other query parameters.
    public let parameters: [QueryParameter]
    /// Whether the call changes data.
    public let writes: Bool
    /// The webhook event type a successful call records in the outbox, if any.
    public let event: String?
    /// Whether the endpoint needs no token at all (the OpenAPI document).
    public let isPublic: Bool

    /// The scope a user of `role` needs, or `nil` when the role cannot use the endpoint.
    public func scope(for role: Role) -> String? { scopes.first { $0.role == role }?.scope }

    /// Every scope that opens the endpoint for someone.
    public var allScopes: [String] {
        var seen: Set<String> = []
        return (scopes.map(\.scope) + (appScope.map { [$0] } ?? [])).filter { seen.insert($0).inserted }
    }

    init(
        _ operation: Operation, _ method: String, _ path: String, summary: String, data: String,
        scopes: [(role: Role, scope: String)], appScope: String? = nil, paginated: Bool = false,
        parameters: [QueryParameter] = [], event: String? = nil, isPublic: Bool = false
    ) {
        self.operation = operation
        self.method = method
        self.path = path
        self.summary = summary
        self.dataLabel = data
        self.scopes = scopes
        self.appScope = appScope
        self.paginated = paginated
        self.parameters = parameters
        self.writes = method != "GET"
        self.event = event
        self.isPublic = isPublic
    }
}
