import Foundation

/// Fault points for the end-to-end tests, registered only when `general.environment = test`.
///
/// `GET /internal/test/sleep?ms=N` holds a worker thread for up to 10 s, so tests can prove that stopping or
/// reloading a pool lets in-flight requests finish. Under `/internal/`, nginx serves it to loopback only.
enum TestRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/internal/test/sleep") { request, _, context in
            guard let text = request.query["ms"], let milliseconds = Int(text), (0...10_000).contains(milliseconds) else {
                throw HTTPError(status: 400, code: "invalid_request", "ms must be a whole number from 0 to 10000")
            }
            usleep(useconds_t(milliseconds) * 1000)
            return .json(["slept_ms": .int(milliseconds), "pid": .int(Int(getpid()))])
        }
    }
}
