import Foundation

/// Fault points for the end-to-end tests, registered only when `general.environment = test`.
///
/// `GET /internal/test/sleep?ms=N` (or `POST`) holds a worker thread for up to 10 s, so tests can prove that
/// stopping or reloading a pool lets in-flight requests finish, and which requests nginx repeats after a killed
/// worker. `GET /internal/test/header?value=…` answers with the value
/// in a header, so tests can prove a header that would split the header block is refused rather than written.
/// Under `/internal/`, nginx serves them to loopback only.
enum TestRoutes {
    static func register(in router: inout Router<RequestContext>) {
        // POST too: nginx must never send a POST twice, and the fault tests prove it with this one.
        for method in ["GET", "POST"] {
            router.add(method, "/internal/test/sleep") { request, _, context in
                guard let text = request.query["ms"], let milliseconds = Int(text), (0...10_000).contains(milliseconds) else {
                    throw HTTPError(status: 400, code: "invalid_request", "ms must be a whole number from 0 to 10000")
                }
                usleep(useconds_t(milliseconds) * 1000)
                return .json(["slept_ms": .int(milliseconds), "pid": .int(Int(getpid())), "method": .string(request.method)])
            }
        }
        router.add("GET", "/internal/test/header") { request, _, _ in
            var response = HTTPResponse.json(["pid": .int(Int(getpid()))])
            response.headers.set("X-Test-Echo", request.query["value"] ?? "")
            return response
        }
    }
}
