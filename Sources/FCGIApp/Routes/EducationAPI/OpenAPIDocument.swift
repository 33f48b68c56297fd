import Domain

/// The OpenAPI 3.1 document of the education API, generated from ``EducationAPI/endpoints`` and the scope
/// registry, so the docs cannot describe an endpoint or a scope rule the server does not have.
enum OpenAPIDocument {
    /// The document for an installation whose app site is `serverURL`.
    static func document(serverURL: String) -> JSONValue {
        var paths: [(String, [(String, JSONValue)])] = []
        for endpoint in EducationAPI.endpoints {
            if let index = paths.firstIndex(where: { $0.0 == endpoint.path }) {
                paths[index].1.append((endpoint.method.lowercased(), operation(endpoint)))
            } else {
                paths.append((endpoint.path, [(endpoint.method.lowercased(), operation(endpoint))]))
            }
        }
        return .object([
            ("openapi", "3.1.0"),
            (
                "info",
                .object([
                    ("title", "CatalystWells education API"), ("version", "1"),
                    (
                        "description",
                        .string(
                            "School data for apps a user authorized. Every call needs an OAuth 2.0 access token (Authorization: Bearer); "
                                + "the scope a call needs depends on the role of the user who granted it (x-scopes-by-role). A record outside "
                                + "the user's relationship (self, linked parent, teacher of the class, admin of the school) answers 404. "
                                + "Lists are pages: pass next_cursor as cursor. Each app has a rate limit (X-RateLimit-* headers, 429 with Retry-After)."
                        )
                    ),
                ])
            ),
            ("servers", [.object([("url", .string(serverURL))])]),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
            ("components", components(serverURL: serverURL)),
        ])
    }

    private static func operation(_ endpoint: APIEndpoint) -> JSONValue {
        var parameters: [JSONValue] = []
        if endpoint.path.contains("{id}") {
            parameters.append(parameter("id", in: "path", required: true, schema: ["type": "integer", "minimum": 1], "The record's id."))
        }
        for query in endpoint.parameters {
            var schema: [(String, JSONValue)] = [("type", .string(query.type))]
            if let format = query.format { schema.append(("format", .string(format))) }
            parameters.append(parameter(query.name, in: "query", required: false, schema: .object(schema), query.description))
        }
        if endpoint.paginated {
            parameters.append(
                parameter(
                    "limit", in: "query", required: false,
                    schema: [
                        "type": "integer", "minimum": 1, "maximum": .int(EducationAPI.maximumPageSize), "default": .int(EducationAPI.defaultPageSize),
                    ],
                    "Items per page."))
            parameters.append(parameter("cursor", in: "query", required: false, schema: ["type": "string"], "next_cursor of the previous page."))
        }
        var members: [(String, JSONValue)] = [
            ("operationId", .string(endpoint.operation.rawValue)), ("summary", .string(endpoint.summary)),
        ]
        if !parameters.isEmpty { members.append(("parameters", .array(parameters))) }
        if let body = requestBody(endpoint.operation) { members.append(("requestBody", body)) }
        if endpoint.isPublic {
            members.append(("security", []))
            members.append(("responses", .object([("200", response("The OpenAPI document.", schema: ["type": "object"]))])))
            return .object(members)
        }
        members.append(("security", .array(endpoint.allScopes.map { .object([("oauth2", [.string($0)])]) })))
        members.append(("x-scopes-by-role", .object(endpoint.scopes.map { ($0.role.rawValue, .string($0.scope)) })))
        if let app = endpoint.appScope { members.append(("x-app-scope", .string(app))) }
        if let event = endpoint.event { members.append(("x-webhook-event", .string(event))) }
        var responses: [(String, JSONValue)] = [("200", response("Success.", schema: successSchema(endpoint)))]
        let errors: [(String, String)] = [
            ("400", "Invalid id, parameter or body; `fields` names each problem. Nothing is written."),
            ("401", "No token, or invalid_token: unknown, expired or revoked."),
            ("403", "insufficient_scope: WWW-Authenticate names the scope the call needs."),
            ("404", "No such record, or outside the token user's relationship to it."),
            ("429", "The app's rate limit is used up; retry after Retry-After seconds."),
        ]
        for (status, text) in errors { responses.append((status, response(text, schema: ["$ref": "#/components/schemas/Error"]))) }
        members.append(("responses", .object(responses)))
        return .object(members)
    }

    private static func parameter(_ name: String, in location: String, required: Bool, schema: JSONValue, _ description: String) -> JSONValue {
        .object([
            ("name", .string(name)), ("in", .string(location)), ("required", .bool(required)), ("description", .string(description)),
            ("schema", schema),
        ])
    }

    private static func response(_ description: String, schema: JSONValue) -> JSONValue {
        .object([("description", .string(description)), ("content", .object([("application/json", .object([("schema", schema)]))]))])
    }

    private static func ref(_ name: String) -> JSONValue { .object([("$ref", .string("#/components/schemas/\(name)"))]) }

    private static func list(_ item: String) -> JSONValue {
        .object([
            ("type", "object"), ("required", ["data", "next_cursor"]),
            (
                "properties",
                .object([
                    ("data", .object([("type", "array"), ("items", ref(item))])),
                    ("next_cursor", .object([("type", ["string", "null"])])),
                ])
            ),
        ])
    }

    private static func successSchema(_ endpoint: APIEndpoint) -> JSONValue {
        switch endpoint.operation {
        case .me, .student, .parentChildren, .classStudents: endpoint.paginated ? list("Person") : ref("Person")
        case .studentClasses: list("Class")
        case .classDetail: ref("Class")
        case .studentGrades: list("Grade")
        case .studentAttendance: list("AttendanceMark")
        case .recordAttendance, .recordGrades, .school, .openAPI: ["type": "object"]
        }
    }

    private static func requestBody(_ operation: APIEndpoint.Operation) -> JSONValue? {
        let schema: JSONValue
        switch operation {
        case .recordAttendance:
            schema = object(
                required: ["marks"],
                [
                    ("date", .object([("type", "string"), ("format", "date"), ("description", "Defaults to today; not after today.")])),
                    (
                        "marks",
                        .object([
                            ("type", "array"), ("minItems", 1), ("maxItems", .int(APIRequestBody.maximumRows)),
                            (
                                "items",
                                object(
                                    required: ["student_id", "status"],
                                    [
                                        ("student_id", ["type": "integer"]),
                                        ("status", .object([("enum", .array(AttendanceStatus.allCases.map { .string($0.rawValue) }))])),
                                        ("note", .object([("type", "string"), ("maxLength", .int(SchoolworkForms.maxNoteLength))])),
                                    ])
                            ),
                        ])
                    ),
                ])
        case .recordGrades:
            schema = object(
                required: ["grades"],
                [
                    (
                        "grades",
                        .object([
                            ("type", "array"), ("minItems", 1), ("maxItems", .int(APIRequestBody.maximumRows)),
                            (
                                "items",
                                object(
                                    required: ["student_id", "score"],
                                    [
                                        ("student_id", ["type": "integer"]),
                                        (
                                            "score",
                                            .object([
                                                ("type", ["number", "string"]),
                                                ("description", "0 to the assessment's max_score, at most two decimals."),
                                            ])
                                        ),
                                        ("comment", .object([("type", "string"), ("maxLength", .int(SchoolworkForms.maxNoteLength))])),
                                    ])
                            ),
                        ])
                    ),
                    ("publish", .object([("type", "boolean"), ("description", "Publish the assessment so students and parents see the grades.")])),
                ])
        default:
            return nil
        }
        return .object([("required", true), ("content", .object([("application/json", .object([("schema", schema)]))]))])
    }

    private static func object(required: [String], _ properties: [(String, JSONValue)]) -> JSONValue {
        .object([("type", "object"), ("required", .array(required.map(JSONValue.string))), ("properties", .object(properties))])
    }

    private static func components(serverURL: String) -> JSONValue {
        let registry = ScopeRegistry.standard
        let nullableString: JSONValue = ["type": ["string", "null"]]
        let nullableNumber: JSONValue = ["type": ["number", "null"]]
        return .object([
            (
                "securitySchemes",
                .object([
                    (
                        "oauth2",
                        .object([
                            ("type", "oauth2"),
                            (
                                "flows",
                                .object([
                                    (
                                        "authorizationCode",
                                        .object([
                                            ("authorizationUrl", .string(serverURL + DiscoveryDocument.Path.authorization)),
                                            ("tokenUrl", .string(serverURL + DiscoveryDocument.Path.token)),
                                            ("scopes", .object(registry.definitions.map { ($0.name, .string($0.description)) })),
                                        ])
                                    ),
                                    (
                                        "clientCredentials",
                                        .object([
                                            ("tokenUrl", .string(serverURL + DiscoveryDocument.Path.token)),
                                            ("scopes", .object(registry.definitions.filter(\.isAppLevel).map { ($0.name, .string($0.description)) })),
                                        ])
                                    ),
                                ])
                            ),
                        ])
                    )
                ])
            ),
            (
                "schemas",
                .object([
                    (
                        "Error",
                        object(
                            required: ["error", "error_description"],
                            [
                                ("error", ["type": "string"]), ("error_description", ["type": "string"]),
                                ("fields", .object([("type", "object"), ("additionalProperties", ["type": "string"])])),
                            ])
                    ),
                    (
                        "Person",
                        object(
                            required: ["id", "role", "given_name", "family_name"],
                            [
                                ("id", ["type": "integer"]), ("role", ["type": "string"]), ("given_name", ["type": "string"]),
                                ("family_name", ["type": "string"]), ("grade_level", nullableString), ("username", nullableString),
                                ("school_id", .object([("type", ["integer", "null"]), ("description", "GET /me only.")])),
                                ("email", .object([("type", ["string", "null"]), ("description", "Only with profile.email (GET /me).")])),
                            ])
                    ),
                    (
                        "Class",
                        object(
                            required: ["id", "title"],
                            [
                                ("id", ["type": "integer"]), ("title", ["type": "string"]), ("course", ["type": "string"]),
                                ("term", ["type": "string"]),
                                ("class_code", nullableString), ("teachers", .object([("type", "array"), ("items", ["type": "string"])])),
                                ("student_count", ["type": "integer"]),
                            ])
                    ),
                    (
                        "Grade",
                        object(
                            required: ["assessment_id", "class_id", "score", "max_score"],
                            [
                                ("assessment_id", ["type": "integer"]), ("assessment_title", ["type": "string"]), ("class_id", ["type": "integer"]),
                                ("class_title", ["type": "string"]), ("due_date", .object([("type", ["string", "null"]), ("format", "date")])),
                                ("score", ["type": "number"]), ("max_score", ["type": "number"]), ("class_average", nullableNumber),
                                ("comment", nullableString),
                            ])
                    ),
                    (
                        "AttendanceMark",
                        object(
                            required: ["date", "class_id", "status"],
                            [
                                ("date", .object([("type", "string"), ("format", "date")])), ("class_id", ["type": "integer"]),
                                ("class_title", ["type": "string"]),
                                ("status", .object([("enum", .array(AttendanceStatus.allCases.map { .string($0.rawValue) }))])),
                                ("note", nullableString),
                            ])
                    ),
                ])
            ),
        ])
    }
}
