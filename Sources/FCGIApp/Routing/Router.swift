/// Maps a method and path to a handler. Patterns are literal segments and `{name}` captures.
///
/// A path that matches no pattern is 404; a path that matches with another method is 405 with `Allow`.
/// `HEAD` is served by the `GET` handler (the responder drops the body).
struct Router<Context>: Sendable {
    typealias Handler = @Sendable (HTTPRequest, RouteParameters, Context) throws -> HTTPResponse

    private struct Route: Sendable {
        let method: String
        let segments: [Segment]
        let headers: [(String, String)]
        let handler: Handler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case capture(String)
    }

    private var routes: [Route] = []
    /// Indices into `routes` by segment count, in registration order: a path is only compared with the patterns
    /// of its length (scanning every route was most of routing's cost with a few hundred routes).
    private var byLength: [Int: [Int]] = [:]

    init() {}

    /// Adds a route; patterns look like `/api/v1/students/{id}/grades`. `headers` go on every answer of the
    /// route, errors thrown by its handler included (CORS on the endpoints browsers may call from any origin).
    mutating func add(_ method: String, _ pattern: String, headers: [(String, String)] = [], _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/").map { piece -> Segment in
            piece.hasPrefix("{") && piece.hasSuffix("}")
                ? .capture(String(piece.dropFirst().dropLast())) : .literal(String(piece))
        }
        byLength[segments.count, default: []].append(routes.count)
        routes.append(Route(method: method, segments: segments, headers: headers, handler: handler))
    }

    /// Every registered method and pattern, in registration order (for the route table tests and docs).
    var patterns: [(method: String, pattern: String)] {
        routes.map { ($0.method, Self.pattern($0.segments)) }
    }

    private static func pattern(_ segments: [Segment]) -> String {
        let path = segments.map { segment -> String in
            switch segment {
            case .literal(let text): text
            case .capture(let name): "{\(name)}"
            }
        }
        return "/" + path.joined(separator: "/")
    }

    /// Finds the handler for a request with the route's headers and pattern (the metrics' `route` label, which never
    /// carries an identifier), or throws the 404/405 ``HTTPError``.
    func match(_ request: HTTPRequest) throws -> (
        handler: Handler, parameters: RouteParameters, headers: [(String, String)], pattern: String
    ) {
        // One spelling per resource: `/api/oauth/token/` or `//api/oauth/token` is not the token endpoint (nginx
        // applies its limits by the exact path).
        let path = request.path
        if path != "/" && (path.utf8.last == UInt8(ascii: "/") || Self.hasEmptySegment(path)) { throw HTTPError.notFound() }
        // Cut on the bytes ("/" is ASCII, so every cut is on a character boundary).
        let pieces = path.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
        let method = request.method == "HEAD" ? "GET" : request.method
        var allowed: [String] = []
        for index in byLength[pieces.count] ?? [] {
            let route = routes[index]
            guard let parameters = Self.bind(route.segments, pieces) else { continue }
            if route.method == method { return (route.handler, parameters, route.headers, Self.pattern(route.segments)) }
            allowed.append(route.method)
        }
        if allowed.isEmpty { throw HTTPError.notFound() }
        if allowed.contains("GET") { allowed.append("HEAD") }
        throw HTTPError.methodNotAllowed(allowed)
    }

    /// Whether the path has `//` somewhere.
    private static func hasEmptySegment(_ path: String) -> Bool {
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") && previous == byte { return true }
            previous = byte
        }
        return false
    }

    private static func bind(_ segments: [Segment], _ pieces: [Substring]) -> RouteParameters? {
        guard segments.count == pieces.count else { return nil }
        var values: [String: String] = [:]
        for (segment, piece) in zip(segments, pieces) {
            switch segment {
            case .literal(let text): if text != piece { return nil }
            case .capture(let name): values[name] = String(piece)
            }
        }
        return RouteParameters(values: values)
    }
}

/// Values captured from `{name}` segments.
struct RouteParameters: Sendable {
    let values: [String: String]
    subscript(_ name: String) -> String? { values[name] }
}
