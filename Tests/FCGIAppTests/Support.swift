import Domain
import Logging

@testable import FCGIApp

/// A health store with a fixed answer, for route tests that need no database.
struct FixedHealthStore: HealthStore {
    let result: Result<Int?, StoreError>
    func schemaVersion() throws -> Int? { try result.get() }
}

/// A raw request as nginx would send it with the project's fastcgi params.
func rawRequest(
    _ method: String, _ uri: String, headers: [String: String] = [:], body: [UInt8] = [], tooLarge: Bool = false
) -> RawRequest {
    var params: [String: [UInt8]] = [
        "REQUEST_METHOD": Array(method.utf8), "REQUEST_URI": Array(uri.utf8), "REMOTE_ADDR": Array("127.0.0.1".utf8),
        "HTTPS": Array("on".utf8), "SERVER_NAME": Array("app.localhost".utf8),
        "REQUEST_ID": Array("0123456789abcdef0123456789abcdef".utf8),
    ]
    for (name, value) in headers { params[name] = Array(value.utf8) }
    return RawRequest(params: params, body: body, bodyTooLarge: tooLarge)
}

/// The responder `main` builds, over fixed stores.
func responder(site: Site = .app, health: Result<Int?, StoreError> = .success(1)) -> SiteResponder {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return SiteResponder(
        site: site, services: SiteServices(health: FixedHealthStore(result: health)), limits: RequestLimits(),
        logger: logger)
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
