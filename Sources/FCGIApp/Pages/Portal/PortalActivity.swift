import Domain
import Foundation

/// The "Activity" tables: who did what, when, newest first (issue 20 item 6). The app's page shows its members'
/// actions; the organisation's page its member changes. Both are limited to the last ``ActivityDetail/pageLimit``.
enum PortalActivity {
    static func application(_ entries: [ActivityEntry<ApplicationActivity>]) -> HTML {
        table(id: "activity", entries.map { entry in (entry.actorName, entry.action.label, entry.detail, entry.at) })
    }

    static func organisation(_ entries: [ActivityEntry<OrganisationActivity>]) -> HTML {
        table(
            id: "organisation-activity",
            entries.map { entry in
                let what = entry.subjectName.map { "\(entry.action.label) \($0)" } ?? entry.action.label
                return (entry.actorName, what, entry.detail, entry.at)
            })
    }

    private static func table(id: String, _ rows: [(who: String, what: String, detail: String?, at: Date)]) -> HTML {
        guard !rows.isEmpty else {
            return "<h2>\(L("portal.activity.title"))</h2><p class=\"muted\" id=\"\(id)-empty\">\(L("portal.activity.none"))</p>"
        }
        let body = rows.map { row -> HTML in
            "<tr><td class=\"who\">\(row.who)</td><td class=\"what\">\(row.what)</td><td class=\"detail\">\(row.detail ?? "")</td><td>\(PortalFormat.dateTime(row.at))</td></tr>"
        }
        return """
            <h2>\(L("portal.activity.title"))</h2>
            <table id="\(id)"><thead><tr><th scope="col">\(L("portal.activity.who"))</th><th scope="col">\(L("portal.activity.what"))</th><th scope="col">\(L("portal.activity.detail"))</th><th scope="col">\(L("portal.activity.when"))</th></tr></thead>
            <tbody>\(body)</tbody></table>
            <p class="muted">\(L("portal.activity.limit", count: ActivityDetail.pageLimit))</p>
            """
    }
}
