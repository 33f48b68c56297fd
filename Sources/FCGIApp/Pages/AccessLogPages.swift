import Domain
import Foundation

/// The data-access log as people read it: "Study Buddy read Ana's grades on 3 March 2026".
enum AccessLogPages {
    /// The day of an entry, as pages show it (UTC, like the rest of the site).
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy, HH:mm"
        return formatter.string(from: date)
    }

    /// "Study Buddy read Ana's grades" in the page's language.
    static func sentence(_ record: DataAccessRecord) -> String {
        let endpoint = EducationAPI.endpoints.first { $0.operation.rawValue == record.entry.operation }
        let what = endpoint.map { dataName($0.operation) } ?? L("accesslog.data.data")
        let app = record.appName
        guard let person = record.subjectName else {
            if record.entry.status >= 400 { return L("accesslog.refused", ["app": app, "what": what]) }
            return endpoint?.writes == true ? L("accesslog.wrote", ["app": app, "what": what]) : L("accesslog.read", ["app": app, "what": what])
        }
        if record.entry.status >= 400 { return L("accesslog.refused_about", ["app": app, "what": what, "person": person]) }
        return endpoint?.writes == true
            ? L("accesslog.wrote_about", ["app": app, "what": what, "person": person])
            : L("accesslog.read_about", ["app": app, "what": what, "person": person])
    }

    /// What an education API operation reads or writes, as the log's sentences name it.
    private static func dataName(_ operation: APIEndpoint.Operation) -> String {
        switch operation {
        case .me, .student: L("accesslog.data.profile")
        case .studentClasses: L("accesslog.data.classes")
        case .studentGrades, .recordGrades: L("accesslog.data.grades")
        case .studentAttendance, .recordAttendance: L("accesslog.data.attendance")
        case .parentChildren: L("accesslog.data.children")
        case .classDetail: L("accesslog.data.class")
        case .classStudents: L("accesslog.data.class_roster")
        case .school: L("accesslog.data.school")
        case .openAPI: L("accesslog.data.documentation")
        }
    }

    /// A student's page: the entries about them.
    static func student(session: SignedIn, records: [DataAccessRecord]) -> HTML {
        personal(
            session: session,
            intro: "<p>\(L("accesslog.student.intro"))</p>", list(records))
    }

    /// A parent's page: the entries about each of their children, child by child.
    static func parent(session: SignedIn, children: [PersonSummary], records: [DataAccessRecord]) -> HTML {
        let sections = children.map { child -> HTML in
            """
            <section class="child-log" data-child-id="\(child.id)"><h2>\(child.displayName)</h2>
            \(list(records.filter { $0.entry.subjectID == child.id }))</section>
            """
        }
        return personal(
            session: session,
            intro: "<p>\(L("accesslog.parent.intro"))</p>",
            HTML(sections))
    }

    private static func personal(session: SignedIn, intro: HTML, _ content: HTML) -> HTML {
        Layout.page(
            title: L("nav.app_activity"), session: session,
            """
            <h1>\(L("nav.app_activity"))</h1>
            \(intro)
            \(content)
            <p class="muted"><small>\(LH("accesslog.disconnect", ["link": "<a href=\"/account/apps\">\(L("nav.connected_apps"))</a>"]))</small></p>
            """)
    }

    /// The school admin's page, with the CSV export.
    static func school(session: SignedIn, records: [DataAccessRecord]) -> HTML {
        Layout.page(
            title: L("nav.school.access_log"), session: session,
            """
            <h1>\(L("nav.school.access_log"))</h1>
            <p>\(L("accesslog.school.intro"))
            <a href="/school/access-log.csv" id="access-log-csv">\(L("log.download_csv"))</a></p>
            \(list(records))
            """)
    }

    private static func list(_ records: [DataAccessRecord]) -> HTML {
        guard !records.isEmpty else { return "<p class=\"muted access-log\">\(L("accesslog.none"))</p>" }
        let items = records.map { record -> HTML in
            "<li data-status=\"\(record.entry.status)\">\(sentence(record)) <small class=\"muted\">\(L("accesslog.on", ["when": Display.localDateTime(record.entry.occurredAt)]))</small></li>"
        }
        return "<ul class=\"access-log\">\(items)</ul>"
    }

    /// The school's log as CSV (``AnalyticsCSV``: cells that a spreadsheet would run as formulas are defused).
    static func csv(_ records: [DataAccessRecord]) -> String {
        let formatter = ISO8601DateFormatter()
        return AnalyticsCSV.document(
            header: ["time", "app", "client_id", "user_id", "subject_id", "subject", "operation", "request", "status"],
            rows: records.map { record in
                let entry = record.entry
                return [
                    formatter.string(from: entry.occurredAt), record.appName, entry.clientID.rawValue, entry.actorID?.description ?? "",
                    entry.subjectID?.description ?? "", record.subjectName ?? "", entry.operation, entry.request, String(entry.status),
                ]
            })
    }
}
