import Domain

/// The data-access log's pages: `/account/access-log` for students (their own entries) and
/// parents (their children's), `/school/access-log` and its CSV for school admins (their school's).
enum AccessLogRoutes {
    /// Entries shown on a page (and in one export).
    static let pageLimit = 500
    /// Rows in one CSV export.
    static let exportLimit = 50_000

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account/access-log") { request, _, context in
            let session = try context.requireSignIn(request, Role.student, .parent)
            let services = context.services
            // Filtered in SQL by the subjects this user may see: themself, or their linked children.
            guard session.user.role == .parent else {
                return .page(
                    AccessLogPages.student(
                        session: session, records: try services.api.accessLog.entries(aboutAnyOf: [session.user.id], limit: pageLimit)))
            }
            let children = try services.schoolwork.students.children(ofParent: session.user.id)
            let records = try services.api.accessLog.entries(aboutAnyOf: children.map(\.id), limit: pageLimit)
            return .page(AccessLogPages.parent(session: session, children: children, records: records))
        }

        router.add("GET", "/school/access-log") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            return .page(
                AccessLogPages.school(session: session, records: try context.services.api.accessLog.entries(ofSchool: school, limit: pageLimit)))
        }

        router.add("GET", "/school/access-log.csv") { request, _, context in
            let (_, school) = try SchoolAdminRoutes.authorize(request, context)
            var response = HTTPResponse(
                status: 200, body: Array(AccessLogPages.csv(try context.services.api.accessLog.entries(ofSchool: school, limit: exportLimit)).utf8))
            response.headers.set("Content-Type", AnalyticsCSV.contentType)
            response.headers.set("Content-Disposition", "attachment; filename=\"data-access-log.csv\"")
            return response
        }
    }
}
