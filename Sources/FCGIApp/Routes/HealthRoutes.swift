import Domain

/// `/livez` (the process answers) and `/healthz` (the process and its database answer).
enum HealthRoutes {
    struct Liveness: Encodable {
        let status: String
        let site: String
    }

    struct Readiness: Encodable {
        let status: String
        let site: String
        let database: String
        let schemaVersion: Int?

        enum CodingKeys: String, CodingKey {
            case status, site, database
            case schemaVersion = "schema_version"
        }
    }

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/livez") { _, _, context in
            .json(Liveness(status: "ok", site: context.site.rawValue))
        }
        router.add("GET", "/healthz") { _, _, context in
            let (report, error) = HealthReport.check(context.services.health)
            if let error {
                context.logger.warning("health check failed", metadata: ["error.detail": "\(error.detail)"])
            }
            var response = HTTPResponse.json(
                Readiness(
                    status: report.isReady ? "ok" : "unavailable", site: context.site.rawValue,
                    database: report.database.rawValue, schemaVersion: report.schemaVersion),
                status: report.isReady ? 200 : 503)
            if !report.isReady { response.headers.set("Retry-After", "5") }
            return response
        }
    }
}
