import Domain
import Foundation

/// The security audit log's pages: `/school/security-log` for school admins (their school's entries only, the
/// filter set in the query cannot widen that) and `/platform/security-log` for platform admins (everything), each
/// with filters (event, person, from, until) and a CSV export of the same selection.
enum SecurityLogRoutes {
    /// Entries on a page.
    static let pageLimit = 500
    /// Rows in one export.
    static let exportLimit = 50_000

    static func register(in router: inout Router<RequestContext>) {
        for (base, role) in [("/school/security-log", Role.schoolAdmin), ("/platform/security-log", Role.platformAdmin)] {
            router.add("GET", base) { request, _, context in
                let (session, filter) = try selection(request, role, context)
                let records = try context.services.audit.entries(filter, limit: pageLimit)
                return .page(SecurityLogPages.log(session: session, base: base, records: records, query: request.query, limit: pageLimit))
            }
            router.add("GET", base + ".csv") { request, _, context in
                let (_, filter) = try selection(request, role, context)
                var response = HTTPResponse(
                    status: 200, body: Array(SecurityLogPages.csv(try context.services.audit.entries(filter, limit: exportLimit)).utf8))
                response.headers.set("Content-Type", AnalyticsCSV.contentType)
                response.headers.set("Content-Disposition", "attachment; filename=\"security-log.csv\"")
                return response
            }
        }
    }

    /// The reader and what they asked for; a school admin's selection is always their school.
    private static func selection(_ request: HTTPRequest, _ role: Role, _ context: RequestContext) throws -> (SignedIn, SecurityAuditFilter) {
        let session: SignedIn
        var filter = SecurityAuditFilter()
        if role == .schoolAdmin {
            let (admin, school) = try SchoolAdminRoutes.authorize(request, context)
            session = admin
            filter.school = school
        } else {
            session = try context.requireSignIn(request, .platformAdmin)
        }
        let query = request.query
        if let event = query["event"], !event.isEmpty {
            guard let known = SecurityEvent(rawValue: event) else {
                throw HTTPError(status: 400, code: "invalid_request", L("log.no_such_event", ["event": String(event.prefix(40))]))
            }
            filter.event = known
        }
        if let person = query["person"], !person.isEmpty {
            guard let id = UserID(person) else { throw HTTPError(status: 400, code: "invalid_request", L("log.person_by_number")) }
            filter.person = id
        }
        filter.from = try day(query["from"], "from")
        filter.until = try day(query["until"], "until").map { $0.addingTimeInterval(86400) }
        return (session, filter)
    }

    /// A `YYYY-MM-DD` day (UTC), or `nil` when not given.
    private static func day(_ text: String?, _ name: String) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard text.utf8.count == 10, parts.count == 3, (2000...2100).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]),
            let date = DateComponents(
                calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: parts[0],
                month: parts[1], day: parts[2]
            ).date
        else { throw HTTPError(status: 400, code: "invalid_request", "\(name) must be a day like 2026-12-06.") }
        return date
    }
}
