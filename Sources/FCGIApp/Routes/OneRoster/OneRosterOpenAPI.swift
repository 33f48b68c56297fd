import Domain

/// The OpenAPI 3.1 documents of the OneRoster services (one per service, at `<prefix>/openapi.json`), generated from
/// ``OneRosterAPI/endpoints`` and ``OneRosterEntity/fields`` so they describe exactly what the router serves.
enum OneRosterOpenAPI {
    static func document(serverURL: String, service: OneRosterEndpoint.Service) -> JSONValue {
        var paths: [(String, JSONValue)] = [
            (
                service.prefix + "/openapi.json",
                .object([
                    (
                        "get",
                        .object([
                            ("operationId", "getOpenAPIDocument"), ("summary", "This OpenAPI document."), ("security", []),
                            ("responses", .object([("200", response("The document.", ["type": "object"]))])),
                        ])
                    )
                ])
            )
        ]
        var methods: [(String, [(String, JSONValue)])] = []
        for endpoint in OneRosterAPI.endpoints where endpoint.service == service {
            let entry = (endpoint.method.lowercased(), operation(endpoint))
            if let index = methods.firstIndex(where: { $0.0 == endpoint.fullPath }) {
                methods[index].1.append(entry)
            } else {
                methods.append((endpoint.fullPath, [entry]))
            }
        }
        paths += methods.map { ($0.0, .object($0.1)) }
        let entities = OneRosterEntity.allCases.filter { entity in OneRosterAPI.endpoints.contains { $0.service == service && $0.entity == entity } }
        var schemas: [(String, JSONValue)] = [("StatusInfo", statusInfo), ("Ref", refSchema)]
        for entity in entities { schemas.append((entity.rawValue, schema(entity))) }
        return .object([
            ("openapi", "3.1.0"),
            (
                "info",
                .object([
                    ("title", .string("CatalystWells OneRoster 1.2 \(service.rawValue)")), ("version", "1.2"),
                    (
                        "description",
                        .string(
                            "OneRoster 1.2 REST, \(service.rawValue) service, read-only. An app's own OAuth 2.0 access token (client_credentials "
                                + "at /api/oauth/token) with one of the scopes \(service.scopes.joined(separator: ", ")). Only schools that allow the app "
                                + "(and, if they limit its scopes, allow that scope) are visible. Collections take limit (default 100, at most 1000), "
                                + "offset, sort, orderBy, filter (one logical operator at most) and fields, and answer X-Total-Count and Link.")
                    ),
                ])
            ),
            ("servers", [.object([("url", .string(serverURL))])]),
            ("paths", .object(paths)),
            (
                "components",
                .object([
                    ("schemas", .object(schemas)),
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
                                                "clientCredentials",
                                                .object([
                                                    ("tokenUrl", .string(serverURL + "/api/oauth/token")),
                                                    (
                                                        "scopes",
                                                        .object(
                                                            ScopeRegistry.standard.definitions.filter {
                                                                $0.name.hasPrefix(OneRosterAccess.scopePrefix)
                                                            }
                                                            .map { ($0.name, .string($0.description)) })
                                                    ),
                                                ])
                                            )
                                        ])
                                    ),
                                ])
                            )
                        ])
                    ),
                ])
            ),
        ])
    }

    private static func operation(_ endpoint: OneRosterEndpoint) -> JSONValue {
        var parameters: [JSONValue] = []
        if endpoint.path.contains("{id}") {
            parameters.append(parameter("id", in: "path", required: true, ["type": "string"], "The sourcedId."))
        }
        let sortable = JSONValue.array(endpoint.entity.fields.filter(\.filterable).map { .string($0.name) })
        if !endpoint.isObject {
            parameters += [
                parameter(
                    "limit", in: "query", required: false,
                    [
                        "type": "integer", "minimum": 1, "maximum": .int(OneRosterListQuery.maximumLimit),
                        "default": .int(OneRosterListQuery.defaultLimit),
                    ],
                    "Objects per page."),
                parameter("offset", in: "query", required: false, ["type": "integer", "minimum": 0, "default": 0], "Objects to skip."),
                parameter("sort", in: "query", required: false, .object([("type", "string"), ("enum", sortable)]), "The field to sort by."),
                parameter("orderBy", in: "query", required: false, ["type": "string", "enum": ["asc", "desc"]], "Sort order."),
                parameter(
                    "filter", in: "query", required: false, ["type": "string"],
                    "field predicate 'value' (= != > >= < <= ~), optionally joined by one ' AND ' or ' OR '."),
            ]
        }
        if endpoint.method == "PUT" { return put(endpoint, parameters) }
        parameters.append(parameter("fields", in: "query", required: false, ["type": "string"], "Comma-separated fields to return."))
        let item: JSONValue = ["$ref": .string("#/components/schemas/\(endpoint.entity.rawValue)")]
        let body: JSONValue =
            endpoint.isObject
            ? .object([
                ("type", "object"), ("required", [.string(endpoint.entity.single)]), ("properties", .object([(endpoint.entity.single, item)])),
            ])
            : .object([
                ("type", "object"), ("required", [.string(endpoint.entity.collection)]),
                ("properties", .object([(endpoint.entity.collection, .object([("type", "array"), ("items", item)]))])),
            ])
        var responses: [(String, JSONValue)] = [("200", response("Success.", body))]
        for (status, text) in [
            ("400", "A bad parameter (filter, sort, fields, limit, offset, orderBy)."), ("401", "No valid access token."),
            ("403", "The token lacks the service's scopes."), ("404", "No such object, or one this app may not see."),
            ("429", "The app's rate limit is used up; retry after Retry-After seconds."),
        ] {
            responses.append((status, response(text, ["$ref": "#/components/schemas/StatusInfo"])))
        }
        return .object([
            ("operationId", .string(endpoint.operationID)), ("parameters", .array(parameters)),
            ("security", .array(endpoint.scopes.map { .object([("oauth2", [.string($0)])]) })), ("responses", .object(responses)),
        ])
    }

    private static func put(_ endpoint: OneRosterEndpoint, _ parameters: [JSONValue]) -> JSONValue {
        let sourced: JSONValue = ["type": "object", "required": ["sourcedId"], "properties": ["sourcedId": ["type": "string", "minLength": 1]]]
        let inner: JSONValue =
            endpoint.entity == .lineItem
            ? .object([
                ("type", "object"), ("required", ["title", "class", "resultValueMax"]),
                (
                    "properties",
                    .object([
                        ("sourcedId", ["type": "string"]), ("title", ["type": "string", "minLength": 1, "maxLength": 200]), ("class", sourced),
                        ("dueDate", ["type": "string"]), ("resultValueMin", ["type": "number"]),
                        ("resultValueMax", ["type": "number", "exclusiveMinimum": 0, "maximum": .double(99_999.99)]),
                    ])
                ),
            ])
            : .object([
                ("type", "object"), ("required", ["lineItem", "student", "score"]),
                (
                    "properties",
                    .object([
                        ("sourcedId", ["type": "string"]), ("lineItem", sourced), ("student", sourced),
                        ("score", ["type": "number", "minimum": 0, "maximum": .double(99_999.99)]),
                        ("scoreStatus", ["type": "string", "enum": ["fully graded", "partially graded", "submitted"]]),
                        ("comment", ["type": "string", "maxLength": 500]),
                    ])
                ),
            ])
        let body: JSONValue = .object([
            ("type", "object"), ("required", [.string(endpoint.entity.single)]), ("properties", .object([(endpoint.entity.single, inner)])),
        ])
        let pairs: JSONValue = [
            "type": "object", "required": ["sourcedIdPairs"],
            "properties": ["sourcedIdPairs": ["type": "object", "required": ["suppliedSourcedId", "allocatedSourcedId"]]],
        ]
        var responses: [(String, JSONValue)] = [("200", response("Replaced.", pairs)), ("201", response("Created.", pairs))]
        for (status, text) in [
            ("400", "A bad body, or one that contradicts what is held."), ("401", "No valid access token."),
            ("403", "The token lacks gradebook.createput."), ("404", "Unknown class, line item or student, or a student not in the class."),
            ("413", "The body is too large."), ("415", "The body is not application/json."),
            ("429", "The app's rate limit is used up; retry after Retry-After seconds."),
        ] {
            responses.append((status, response(text, ["$ref": "#/components/schemas/StatusInfo"])))
        }
        return .object([
            ("operationId", .string(endpoint.operationID)), ("parameters", .array(parameters)),
            ("requestBody", .object([("required", .bool(true)), ("content", .object([("application/json", .object([("schema", body)]))]))])),
            ("security", .array(endpoint.scopes.map { .object([("oauth2", [.string($0)])]) })), ("responses", .object(responses)),
        ])
    }

    private static let refSchema: JSONValue = .object([
        ("type", "object"), ("required", ["href", "sourcedId", "type"]),
        ("properties", .object([("href", ["type": "string"]), ("sourcedId", ["type": "string"]), ("type", ["type": "string"])])),
    ])

    private static let statusInfo: JSONValue = .object([
        ("type", "object"), ("required", ["imsx_codeMajor", "imsx_severity", "imsx_CodeMinor"]),
        (
            "properties",
            .object([
                ("imsx_codeMajor", ["type": "string", "enum": ["success", "processing", "failure", "unsupported"]]),
                ("imsx_severity", ["type": "string", "enum": ["status", "warning", "error"]]), ("imsx_description", ["type": "string"]),
                ("imsx_CodeMinor", ["type": "object"]),
            ])
        ),
    ])

    /// An object's schema: every field optional (a `fields` selection may leave any out), typed.
    private static func schema(_ entity: OneRosterEntity) -> JSONValue {
        let ref: JSONValue = ["$ref": "#/components/schemas/Ref"]
        let properties: [(String, JSONValue)] = entity.fields.map { field in
            let type: JSONValue
            switch field.name {
            case "org", "course", "school", "primaryOrg", "user", "class", "lineItem", "student", "parent": type = ref
            case "terms", "agents", "children": type = .object([("type", "array"), ("items", ref)])
            case "roles": type = ["type": "array", "items": ["type": "object"]]
            case "grades", "userIds": type = ["type": "array"]
            case "enabledUser", "primary": type = ["type": "boolean"]
            case "score", "resultValueMin", "resultValueMax": type = ["type": "number"]
            case "dateLastModified": type = ["type": "string", "format": "date-time"]
            default:
                if case .date = field.kind { type = ["type": "string", "format": "date"] } else { type = ["type": "string"] }
            }
            return (field.name, type)
        }
        return .object([("type", "object"), ("properties", .object(properties))])
    }

    private static func parameter(_ name: String, in location: String, required: Bool, _ schema: JSONValue, _ description: String) -> JSONValue {
        .object([
            ("name", .string(name)), ("in", .string(location)), ("required", .bool(required)), ("description", .string(description)),
            ("schema", schema),
        ])
    }

    private static func response(_ description: String, _ schema: JSONValue) -> JSONValue {
        .object([("description", .string(description)), ("content", .object([("application/json", .object([("schema", schema)]))]))])
    }
}
