import Domain
import Foundation

/// The "Activity" tables: who did what, when, newest first (issue 20 item 6). The app's page shows its members'
/// actions and the platform review's decisions, the organisation's page its member changes; both
/// ``ActivityDetail/pageLimit`` rows a page with links to older and newer pages (keyset: ``ActivityCursor``).
enum PortalActivity {
    /// One page of the app's log; `path` is the app's page, which the links come back to.
    static func application(_ page: ActivityPage<ApplicationActivity>, path: String) -> HTML {
        let rows = page.entries.map { entry in
            let detail = entry.detail.map { ActivityDetail.message($0, of: entry.action).map(L) ?? $0 }
            return (entry.actorName, L(entry.action.label), detail, entry.at, entry.action.isReviewDecision)
        }
        return table(id: "activity", rows, paging: paging(page, id: "activity", path: path))
    }

    /// One page of the organisation's log; `path` is the organisation's page.
    static func organisation(_ page: ActivityPage<OrganisationActivity>, path: String) -> HTML {
        table(
            id: "organisation-activity",
            page.entries.map { entry in
                let what = entry.subjectName.map { "\(L(entry.action.label)) \($0)" } ?? L(entry.action.label)
                // Role names and changes in the page's language; other details are data, shown as stored.
                let detail = entry.detail.map { ActivityDetail.message($0, of: entry.action).map(L) ?? $0 }
                return (entry.actorName, what, detail, entry.at, false)
            },
            paging: paging(page, id: "organisation-activity", path: path))
    }

    /// The older/newer links of a page (`id` the table's), in a navigation landmark with its own name; each link says
    /// in words which way it goes and comes back to the table's heading.
    private static func paging<Action>(_ page: ActivityPage<Action>, id: String, path: String) -> HTML {
        guard page.newer != nil || page.older != nil else { return "" }
        let newer: HTML =
            page.newer.map {
                "<a id=\"\(id)-newer\" rel=\"prev\" href=\"\(path)?after=\($0.token)#\(id)-title\">\(L("portal.activity.newer"))</a>"
            }
            ?? ""
        let older: HTML =
            page.older.map {
                "<a id=\"\(id)-older\" rel=\"next\" href=\"\(path)?before=\($0.token)#\(id)-title\">\(L("portal.activity.older"))</a>"
            }
            ?? ""
        // The newest page of a longer log says what it holds.
        let caption: HTML =
            page.newer == nil ? "<p class=\"muted\">\(L("portal.activity.limit", count: ActivityDetail.pageLimit))</p>" : ""
        return "\(caption)<nav class=\"pager\" id=\"\(id)-pages\" aria-label=\"\(L("portal.activity.pages"))\">\(newer) \(older)</nav>"
    }

    private static func table(
        id: String, _ rows: [(who: String, what: String, detail: String?, at: Date, review: Bool)], paging: HTML
    ) -> HTML {
        guard !rows.isEmpty else {
            return
                "<h2 id=\"\(id)-title\">\(L("portal.activity.title"))</h2><p class=\"muted\" id=\"\(id)-empty\">\(L("portal.activity.none"))</p>\(paging)"
        }
        let body = rows.map { row -> HTML in
            "<tr\(row.review ? HTML(unsafeRaw: " class=\"review\"") : "")><td class=\"who\">\(row.who)</td><td class=\"what\">\(row.what)</td><td class=\"detail\">\(row.detail ?? "")</td><td>\(PortalFormat.dateTime(row.at))</td></tr>"
        }
        return """
            <h2 id="\(id)-title">\(L("portal.activity.title"))</h2>
            <table id="\(id)"><thead><tr><th scope="col">\(L("portal.activity.who"))</th><th scope="col">\(L("portal.activity.what"))</th><th scope="col">\(L("portal.activity.detail"))</th><th scope="col">\(L("portal.activity.when"))</th></tr></thead>
            <tbody>\(body)</tbody></table>
            \(paging)
            """
    }
}
