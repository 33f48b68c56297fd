import Domain

/// `/livez` (the process answers) and `/healthz` (the process and its database answer).
enum HealthRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/livez") { _, _, context in
            .json(["site": .string(context.site.rawValue), "status": "ok"])
        }
        router.add("GET", "/healthz") { _, _, context in
            let (report, error) = HealthReport.check(context.services.health)
            if let error {
                context.logger.warning("health check failed", metadata: ["error.detail": "\(error.detail)"])
            }
            var members: [(String, JSONValue)] = [("database", .string(report.database.rawValue))]
            if let version = report.schemaVersion { members.append(("schema_version", .int(version))) }
            members += [("site", .string(context.site.rawValue)), ("status", report.isReady ? "ok" : "unavailable")]
            var response = HTTPResponse.json(.object(members), status: report.isReady ? 200 : 503)
            if !report.isReady { response.headers.set("Retry-After", "5") }
            return response
        }
    }
}
