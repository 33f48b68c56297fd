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

    /// A student's page: the entries about them.
    static func student(session: SignedIn, records: [DataAccessRecord]) -> HTML {
        personal(
            session: session,
            intro: "<p>Every time an app you connected read or changed your school data, it is listed here.</p>", list(records))
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
            intro: "<p>Every time an app read or changed your children's school data, it is listed here, child by child.</p>",
            HTML(sections))
    }

    private static func personal(session: SignedIn, intro: HTML, _ content: HTML) -> HTML {
        Layout.page(
            title: "App activity", session: session,
            """
            <h1>App activity</h1>
            \(intro)
            \(content)
            <p class="muted"><small>Disconnect an app under <a href="/account/apps">Connected apps</a>.</small></p>
            """)
    }

    /// The school admin's page, with the CSV export.
    static func school(session: SignedIn, records: [DataAccessRecord]) -> HTML {
        Layout.page(
            title: "Data access", session: session,
            """
            <h1>Data access</h1>
            <p>Every call apps made to your school's data through the education API, newest first.
            <a href="/school/access-log.csv" id="access-log-csv">Download as CSV</a></p>
            \(list(records))
            """)
    }

    private static func list(_ records: [DataAccessRecord]) -> HTML {
        guard !records.isEmpty else { return "<p class=\"muted access-log\">No app has used this data yet.</p>" }
        let items = records.map { record -> HTML in
            "<li data-status=\"\(record.entry.status)\">\(record.sentence) <small class=\"muted\">on \(day(record.entry.occurredAt))</small></li>"
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
