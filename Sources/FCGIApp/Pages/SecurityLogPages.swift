import Domain
import Foundation

/// The security audit log's page and CSV.
enum SecurityLogPages {
    static func log(session: SignedIn, base: String, records: [SecurityAuditRecord], query: Parameters, limit: Int) -> HTML {
        let options = SecurityEvent.allCases.map { event -> HTML in
            "<option value=\"\(event.rawValue)\"\(query["event"] == event.rawValue ? HTML(unsafeRaw: " selected") : "")>\(eventLabel(event))</option>"
        }
        let rows = records.map { record -> HTML in
            let entry = record.entry
            return """
                <tr><td>\(Display.localDateTime(entry.occurredAt))</td><td>\(eventLabel(entry.event))</td>
                <td>\(person(record.actorName, entry.actor))</td><td>\(person(record.subjectName, entry.subject))</td>
                <td>\(entry.method)</td><td>\(entry.clientAddress)</td><td>\(entry.detail)</td></tr>
                """
        }
        let exportQuery = ["event", "person", "from", "until"].compactMap { name in
            query[name].flatMap { $0.isEmpty ? nil : "\(name)=\(FormCodec.encode($0))" }
        }.joined(separator: "&")
        let table: HTML =
            records.isEmpty
            ? "<p class=\"muted\" id=\"no-entries\">\(L("log.no_entries"))</p>"
            : """
            <table id="security-log"><thead><tr><th scope="col">\(L("log.time"))</th><th scope="col">\(L("log.event"))</th><th scope="col">\(L("roster.by"))</th>
            <th scope="col">\(L("log.concerning"))</th><th scope="col">\(L("log.method"))</th><th scope="col">\(L("log.address"))</th><th scope="col">\(L("log.detail"))</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(records.count == limit ? "<p class=\"muted\">\(L("log.newest", count: limit))</p>" as HTML : "")
            """
        return Layout.page(
            title: L("nav.security_log"), session: session,
            """
            <h1>\(L("nav.security_log"))</h1>
            <form class="filters" id="security-filter" method="get" action="\(base)">
            <label>\(L("log.event"))<select name="event"><option value="">\(L("log.any"))</option>\(options)</select></label>
            <label>\(L("log.person_number"))<input name="person" inputmode="numeric" maxlength="19" value="\(query["person"] ?? "")"></label>
            <label>\(L("log.from"))<input name="from" type="date" value="\(query["from"] ?? "")"></label>
            <label>\(L("log.until"))<input name="until" type="date" value="\(query["until"] ?? "")"></label>
            <button type="submit">\(L("log.filter"))</button>
            </form>
            <p><a id="security-log-csv" href="\(base).csv\(exportQuery.isEmpty ? "" : "?" + exportQuery)">\(L("log.download_csv"))</a></p>
            \(table)
            """)
    }

    private static func person(_ name: String?, _ id: UserID?) -> String {
        guard let id else { return "—" }
        return "\(name ?? L("log.person")) (\(id))"
    }

    /// How the page names an event, in the page's language (the CSV keeps the stable names).
    static func eventLabel(_ event: SecurityEvent) -> String {
        switch event {
        case .signIn: L("event.sign_in")
        case .signInFailed: L("event.sign_in_failed")
        case .signOut: L("event.sign_out")
        case .passwordChanged: L("event.password_changed")
        case .passwordReset: L("event.password_reset")
        case .secondFactorChanged: L("event.second_factor_changed")
        case .upstreamLinked: L("event.upstream_linked")
        case .upstreamUnlinked: L("event.upstream_unlinked")
        case .upstreamProviderChanged: L("event.upstream_provider_changed")
        case .signInPolicyChanged: L("event.sign_in_policy_changed")
        case .emailDomainsChanged: L("event.email_domains_changed")
        case .appDecision: L("event.app_decision")
        case .reviewDecision: L("event.review_decision")
        case .rosterImported: L("event.roster_imported")
        case .badgeChanged: L("event.badge_changed")
        case .agreementChanged: L("event.agreement_changed")
        case .gradebookSettingChanged: L("event.gradebook_setting_changed")
        case .schoolLanguageChanged: L("event.school_language_changed")
        case .appBlockedByPolicy: L("event.app_blocked_by_policy")
        case .exportRequested: L("event.export_requested")
        case .exportDownloaded: L("event.export_downloaded")
        case .erasureRequested: L("event.erasure_requested")
        case .erasureConfirmed: L("event.erasure_confirmed")
        case .erasureCancelled: L("event.erasure_cancelled")
        case .erasureCompleted: L("event.erasure_completed")
        }
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
