import Domain
import Foundation

/// The security audit log's page and CSV.
enum SecurityLogPages {
    static func log(session: SignedIn, base: String, records: [SecurityAuditRecord], query: Parameters, limit: Int) -> HTML {
        let options = SecurityEvent.allCases.map { event -> HTML in
            "<option value=\"\(event.rawValue)\"\(query["event"] == event.rawValue ? HTML(unsafeRaw: " selected") : "")>\(event.label)</option>"
        }
        let rows = records.map { record -> HTML in
            let entry = record.entry
            return """
                <tr><td>\(Display.dateTime(entry.occurredAt))</td><td>\(entry.event.label)</td>
                <td>\(person(record.actorName, entry.actor))</td><td>\(person(record.subjectName, entry.subject))</td>
                <td>\(entry.method)</td><td>\(entry.clientAddress)</td><td>\(entry.detail)</td></tr>
                """
        }
        let exportQuery = ["event", "person", "from", "until"].compactMap { name in
            query[name].flatMap { $0.isEmpty ? nil : "\(name)=\(FormCodec.encode($0))" }
        }.joined(separator: "&")
        let table: HTML =
            records.isEmpty
            ? "<p class=\"muted\" id=\"no-entries\">No entries match.</p>"
            : """
            <table id="security-log"><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">By</th>
            <th scope="col">Concerning</th><th scope="col">Method</th><th scope="col">Address</th><th scope="col">Detail</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(records.count == limit ? "<p class=\"muted\">The newest \(limit) entries are shown; narrow the filter or export the CSV.</p>" as HTML : "")
            """
        return Layout.page(
            title: "Security log", session: session,
            """
            <h1>Security log</h1>
            <form class="filters" id="security-filter" method="get" action="\(base)">
            <label>Event<select name="event"><option value="">Any</option>\(options)</select></label>
            <label>Person (number)<input name="person" inputmode="numeric" maxlength="19" value="\(query["person"] ?? "")"></label>
            <label>From<input name="from" type="date" value="\(query["from"] ?? "")"></label>
            <label>Until<input name="until" type="date" value="\(query["until"] ?? "")"></label>
            <button type="submit">Filter</button>
            </form>
            <p><a id="security-log-csv" href="\(base).csv\(exportQuery.isEmpty ? "" : "?" + exportQuery)">Download as CSV</a></p>
            \(table)
            """)
    }

    private static func person(_ name: String?, _ id: UserID?) -> String {
        guard let id else { return "—" }
        return "\(name ?? "Person") (\(id))"
    }

    static func csv(_ records: [SecurityAuditRecord]) -> String {
        let formatter = ISO8601DateFormatter()
        return AnalyticsCSV.document(
            header: ["time", "event", "school_id", "actor_id", "actor", "subject_id", "subject", "method", "address", "user_agent", "detail"],
            rows: records.map { record in
                let entry = record.entry
                return [
                    formatter.string(from: entry.occurredAt), entry.event.rawValue, entry.school?.description ?? "",
                    entry.actor?.description ?? "", record.actorName ?? "", entry.subject?.description ?? "", record.subjectName ?? "",
                    entry.method, entry.clientAddress, entry.userAgent, entry.detail,
                ]
            })
    }
}
