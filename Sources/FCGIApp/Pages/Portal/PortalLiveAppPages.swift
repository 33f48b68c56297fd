import Domain
import Foundation

/// The pages of an approved app: credentials (client id and secrets), API keys, webhooks with their delivery
/// log, and analytics. Secrets and keys appear once, on the answer to the request that made them.
enum PortalLiveAppPages {
    /// The tab bar and heading every page of an approved app shares.
    private static func frame(
        session: DeveloperSignedIn, app: StoredApplication, tab: String, notice: Layout.Notice? = nil, _ content: HTML
    ) -> HTML {
        let tabs = [("credentials", "Credentials"), ("keys", "API keys"), ("webhooks", "Webhooks"), ("analytics", "Analytics")].map {
            tab == $0.0
                ? "<a aria-current=\"page\" href=\"/apps/\(app.id)/\($0.0)\">\($0.1)</a>" as HTML
                : "<a href=\"/apps/\(app.id)/\($0.0)\">\($0.1)</a>"
        }
        let name = app.review.currentContent.name
        return PortalLayout.page(
            title: "\(name) · \(tab)", session: session, notice: notice,
            """
            <p><a href="/apps/\(app.id)">← \(name)</a> \(PortalAppPages.statusBadge(app.review.status))</p>
            <nav class="tabs" aria-label="App">\(tabs)</nav>
            \(content)
            """)
    }

    /// A value shown exactly once, with the warning that goes with it.
    static func shownOnce(label: String, value: String, id: String) -> HTML {
        """
        <div class="notice ok" role="status"><p>\(label) Copy it now: it is shown only this once, and we keep only a digest.</p>
        <p><code class="secret" id="\(id)">\(value)</code></p></div>
        """
    }

    static func credentials(
        session: DeveloperSignedIn, app: StoredApplication, secrets: [ClientSecretSummary], newSecret: String?, error: String?,
        logouts: [BackchannelLogoutEntry] = []
    ) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let confidential = app.review.currentContent.clientType == .confidential
        let manages = app.role?.permits(.manageCredentials) == true
        let rows = secrets.map { secret -> HTML in
            var revoke: HTML =
                secret.isActive
                ? "<form class=\"inline\" method=\"post\" action=\"/apps/\(app.id)/secrets/\(secret.id)/revoke\">\(csrf)<button class=\"link danger\" type=\"submit\">Revoke</button></form>"
                : "revoked \(Display.dateTime(secret.revokedAt ?? secret.createdAt))"
            if secret.isActive && !manages { revoke = "" }
            return """
                <tr data-secret-id="\(secret.id)" class="\(secret.isActive ? "active" : "revoked")"><td>\(Display.dateTime(secret.createdAt))</td>
                <td>\(secret.lastUsedAt.map(Display.dateTime) ?? "never")</td><td>\(confirmation(secret.isActive, secret.attestedAt))</td>
                <td class="created-by">\(secret.createdBy ?? "—")</td><td>\(revoke)</td></tr>
                """
        }
        let active = secrets.filter(\.isActive).count
        let secretSection: HTML =
            confidential
            ? """
            <h2>Client secrets</h2>
            \(newSecret.map { shownOnce(label: "Your new client secret.", value: $0, id: "new-secret") } ?? "")
            \(error.map { "<p class=\"notice bad\" id=\"secret-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <p>At most \(ClientSecretSummary.maximumActive) secrets are active at once. To rotate without downtime: generate a second one, deploy it, then revoke the first.</p>
            \(secrets.isEmpty ? HTML("<p id=\"no-secrets\">No secrets yet.</p>") : HTML("<table id=\"secrets\"><thead><tr><th scope=\"col\">Created</th><th scope=\"col\">Last used</th><th scope=\"col\">Status</th><th scope=\"col\">Created by</th><th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table>"))
            \(manages && active < ClientSecretSummary.maximumActive && app.review.status == .approved ? HTML("<form id=\"new-secret-form\" method=\"post\" action=\"/apps/\(app.id)/secrets\">\(csrf)<button type=\"submit\">Generate a client secret</button></form>") : "")
            """
            : "<p>This is a public app: it authenticates with PKCE and has no client secret.</p>"
        return frame(
            session: session, app: app, tab: "credentials",
            """
            <h1>Credentials</h1>
            <dl class="facts"><dt>client_id</dt><dd><code id="client-id">\(app.clientID.rawValue)</code></dd>
            <dt>Client type</dt><dd>\(app.review.currentContent.clientType.rawValue)</dd>
            \(PortalAppPages.clientAuthenticationFacts(app.review.currentContent.clientAuthentication))
            \(PortalAppPages.openIDSettingsContent(app.review.currentContent.openID))
            \(PortalAppPages.ltiContent(app.review.currentContent.lti))</dl>
            \(secretSection)
            \(PortalAppPages.backchannelDeliveries(logouts, registered: app.review.currentContent.openID.logout.backchannelLogoutURI != nil))
            <p class="muted">Changes reach the sign-in server with the next sync, within a minute. \(confirmationNote)</p>
            """)
    }

    /// Why a new secret or key does not work at once: the sign-in server accepts only credentials a platform
    /// admin confirmed (``CredentialAttestation``), so that nobody who gets into this portal can make working
    /// credentials for an app.
    static let confirmationNote: HTML =
        "A new secret or key works once a platform admin has confirmed it; they may ask you to confirm that you made it. Revoking works at once."

    /// The status cell of a secret or key.
    static func confirmation(_ active: Bool, _ attestedAt: Date?) -> HTML {
        guard active else { return "revoked" }
        return attestedAt == nil ? "<span class=\"badge waiting\">waiting for confirmation</span>" : "in force"
    }

    static func apiKeys(
        session: DeveloperSignedIn, app: StoredApplication, keys: [APIKeySummary], allowedScopes: [String], newKey: String?,
        name: String, errors: SchoolworkForms.FieldErrors
    ) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let manages = app.role?.permits(.manageCredentials) == true
        let rows = keys.map { key -> HTML in
            var revoke: HTML =
                key.isActive
                ? "<form class=\"inline\" method=\"post\" action=\"/apps/\(app.id)/keys/\(key.id)/revoke\">\(csrf)<button class=\"link danger\" type=\"submit\">Revoke</button></form>"
                : "revoked"
            if key.isActive && !manages { revoke = "" }
            return """
                <tr data-key-id="\(key.id)"><td>\(key.name)</td><td><code>\(key.visiblePrefix)…</code></td><td>\(key.scopes.joined(separator: " "))</td>
                <td>\(Display.dateTime(key.createdAt))</td><td class="created-by">\(key.createdBy ?? "—")</td>
                <td>\(key.lastUsedAt.map(Display.dateTime) ?? "never")</td><td>\(key.requestCount)</td><td>\(confirmation(key.isActive, key.attestedAt))</td><td>\(revoke)</td></tr>
                """
        }
        let boxes = allowedScopes.map { scope -> HTML in
            "<label class=\"check\"><input type=\"checkbox\" name=\"scopes\" value=\"\(scope)\" checked> <code>\(scope)</code></label>"
        }
        let form: HTML =
            allowedScopes.isEmpty
            ? "<p id=\"no-key-scopes\">API keys act for the app itself, so they carry only app-level scopes (such as <code>school.read</code>). This app was not granted any.</p>"
            : app.review.status == .approved && manages
                ? """
                <form class="stack" id="new-key-form" method="post" action="/apps/\(app.id)/keys">\(csrf)
                \(PortalLayout.field("Name", name: "name", value: name, error: errors["name"], maxLength: APIKey.maximumNameLength, required: true, hint: "Where the key is used, such as “nightly sync”."))
                <fieldset\(Layout.errorAttributes(errors["scopes"], id: "scopes-error"))><legend>Scopes</legend>\(boxes)\(Layout.fieldError(errors["scopes"], id: "scopes-error"))</fieldset>
                <button type="submit">Create the key</button></form>
                """ : ""
        return frame(
            session: session, app: app, tab: "keys",
            """
            <h1>API keys</h1>
            \(newKey.map { shownOnce(label: "Your new API key.", value: $0, id: "new-key") } ?? "")
            <p>Send a key as <code>Authorization: Bearer cw_key_…</code> for app-level reads. Usage figures arrive with each sync. \(confirmationNote)</p>
            \(keys.isEmpty ? HTML("<p id=\"no-keys\">No keys yet.</p>") : HTML("<table id=\"keys\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Key</th><th scope=\"col\">Scopes</th><th scope=\"col\">Created</th><th scope=\"col\">Created by</th><th scope=\"col\">Last used</th><th scope=\"col\">Requests</th><th scope=\"col\">Status</th><th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table>"))
            \(form)
            """)
    }

    static func webhooks(
        session: DeveloperSignedIn, app: StoredApplication, endpoints: [WebhookEndpoint], newSecret: String?, url: String,
        events: [String], errors: SchoolworkForms.FieldErrors
    ) -> HTML {
        let rows = endpoints.map { endpoint -> HTML in
            """
            <tr data-endpoint-id="\(endpoint.id)"><td><a href="/apps/\(app.id)/webhooks/\(endpoint.id)">\(endpoint.url)</a></td>
            <td>\(endpoint.events.map(\.rawValue).joined(separator: " "))</td><td>\(endpoint.enabled ? "enabled" : "disabled")</td></tr>
            """
        }
        let boxes = WebhookEvent.allCases.map { event -> HTML in
            let checked = events.contains(event.rawValue) ? HTML(unsafeRaw: " checked") : ""
            return
                "<label class=\"check\"><input type=\"checkbox\" name=\"events\" value=\"\(event.rawValue)\"\(checked)> <code>\(event.rawValue)</code></label>"
        }
        return frame(
            session: session, app: app, tab: "webhooks",
            """
            <h1>Webhooks</h1>
            \(newSecret.map { shownOnce(label: "The endpoint's signing secret.", value: $0, id: "new-webhook-secret") } ?? "")
            <p>Deliveries are signed as the <a href="/docs/webhooks">webhook docs</a> describe.</p>
            \(endpoints.isEmpty ? HTML("<p id=\"no-endpoints\">No endpoints yet.</p>") : HTML("<table id=\"endpoints\"><thead><tr><th scope=\"col\">URL</th><th scope=\"col\">Events</th><th scope=\"col\">State</th></tr></thead><tbody>\(rows)</tbody></table>"))
            \(app.review.status == .approved ? HTML("""
            <h2>Add an endpoint</h2>
            <form class="stack" id="new-endpoint-form" method="post" action="/apps/\(app.id)/webhooks">\(Layout.csrfField(session.csrf))
            \(PortalLayout.field("HTTPS URL", name: "url", value: url, error: errors["url"], type: "url", maxLength: HTTPSURLRule.maximumLength, required: true))
            <fieldset\(Layout.errorAttributes(errors["events"], id: "events-error"))><legend>Events</legend>\(boxes)\(Layout.fieldError(errors["events"], id: "events-error"))</fieldset>
            <button type="submit">Add the endpoint</button></form>
            """) : "")
            """)
    }

    static func endpoint(
        session: DeveloperSignedIn, app: StoredApplication, endpoint: WebhookEndpoint, deliveries: [WebhookDelivery], notice: Layout.Notice?
    ) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let base = "/apps/\(app.id)/webhooks/\(endpoint.id)"
        let rows = deliveries.map { delivery -> HTML in
            let attempts = delivery.attemptLog.map { attempt -> HTML in
                let excerpt = attempt.responseExcerpt.map { HTML("<pre class=\"response-excerpt\">\($0)</pre>") } ?? ""
                return
                    "<li class=\"attempt\">\(Display.dateTime(attempt.attemptedAt)): \(attempt.responseStatus.map { "HTTP \($0)" } ?? "no answer") in \(attempt.latencyMilliseconds) ms\(attempt.error.map { " — \($0)" } ?? "")\(excerpt)</li>"
            }
            // The delivery's next attempt, with its Unix time for scripts (the tests read it).
            let next =
                delivery.nextAttemptAt.map { next -> HTML in
                    "<br><span class=\"next-attempt\" data-next-attempt=\"\(Int64(next.timeIntervalSince1970))\">next attempt \(Display.dateTime(next))</span>"
                } ?? ""
            return """
                <tr data-delivery-id="\(delivery.id)"><td>\(Display.dateTime(delivery.createdAt))</td><td><code>\(delivery.eventType)</code></td>
                <td class="delivery-status">\(delivery.status.rawValue)\(delivery.lastResponseStatus.map { " (HTTP \($0))" } ?? "")\(next)</td>
                <td>\(delivery.latencyMilliseconds.map { "\($0) ms" } ?? "—")</td><td>\(delivery.attempts)\(attempts.isEmpty ? "" : HTML("<ul>\(attempts)</ul>"))</td>
                <td><form class="inline" method="post" action="\(base)/deliveries/\(delivery.id)/redeliver">\(csrf)<button class="link" type="submit">Redeliver</button></form></td></tr>
                """
        }
        let boxes = WebhookEvent.allCases.map { event -> HTML in
            let checked = endpoint.events.contains(event) ? HTML(unsafeRaw: " checked") : ""
            return
                "<label class=\"check\"><input type=\"checkbox\" name=\"events\" value=\"\(event.rawValue)\"\(checked)> <code>\(event.rawValue)</code></label>"
        }
        return frame(
            session: session, app: app, tab: "webhooks", notice: notice,
            """
            <h1>Endpoint</h1>
            <dl class="facts"><dt>URL</dt><dd><code id="endpoint-url">\(endpoint.url)</code></dd>
            <dt>State</dt><dd id="endpoint-state">\(endpoint.enabled ? "enabled" : "disabled")\(endpoint.disabledReason.map { " — \($0)" } ?? "")</dd></dl>
            <form class="inline" id="ping-form" method="post" action="\(base)/test">\(csrf)<button type="submit">Send a test ping</button></form>
            <h2>Deliveries</h2>
            \(deliveries.isEmpty ? HTML("<p id=\"no-deliveries\">No deliveries yet.</p>") : HTML("<table id=\"deliveries\"><thead><tr><th scope=\"col\">Queued</th><th scope=\"col\">Event</th><th scope=\"col\">Status</th><th scope=\"col\">Latency</th><th scope=\"col\">Attempts</th><th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table>"))
            <h2>Settings</h2>
            <form class="stack" id="endpoint-settings" method="post" action="\(base)/settings">\(csrf)
            <fieldset><legend>Events</legend>\(boxes)</fieldset>
            <label class="check"><input type="checkbox" name="enabled" value="1"\(endpoint.enabled ? HTML(unsafeRaw: " checked") : "")> Enabled</label>
            <button type="submit">Save</button></form>
            <form class="inline" id="delete-endpoint" method="post" action="\(base)/delete">\(csrf)<button class="danger" type="submit">Delete the endpoint</button></form>
            """)
    }

    /// The metrics of the analytics page: column title and value.
    static let metrics: [(title: String, value: @Sendable (DailyAppStats) -> Int64)] = [
        ("API requests", { $0.apiRequests }), ("Authorizations", { $0.authorizations }), ("Active users", { $0.activeUsers }),
        ("New users", { $0.newUsers }), ("Errors", { $0.errors }),
    ]

    static func analytics(session: DeveloperSignedIn, app: StoredApplication, days: [CalendarDate], rows: [DailyAppStats]) -> HTML {
        let byDay = Dictionary(rows.map { ($0.day, $0) }, uniquingKeysWith: { first, _ in first })
        let content: HTML
        if rows.isEmpty {
            content = """
                <p id="no-analytics">No data yet. Figures appear here after users start using the app and the next sync
                (every minute) has carried them over. Nothing is estimated.</p>
                """
        } else {
            let charts = metrics.enumerated().map { index, metric -> HTML in
                let values = days.map { byDay[$0].map(metric.value) ?? 0 }
                let table = zip(days, values).map { "<tr><th scope=\"row\">\($0.0)</th><td>\($0.1)</td></tr>" as HTML }
                let id = "metric-\(index)"
                return """
                    <section class="metric" aria-labelledby="\(id)-heading"><h2 id="\(id)-heading">\(metric.title)</h2><div class="chart-row">\(chart(values, days: days, title: metric.title, id: id))
                    <table class="numbers" id="\(id)-table" tabindex="0"><caption>\(metric.title) per day (UTC)</caption><thead><tr><th scope="col">Day</th><th scope="col">\(metric.title)</th></tr></thead><tbody>\(table)</tbody></table></div></section>
                    """
            }
            content = HTML(charts)
        }
        return frame(
            session: session, app: app, tab: "analytics",
            """
            <h1>Analytics</h1>
            <p>The last \(days.count) days, in UTC. <a id="analytics-csv" href="/apps/\(app.id)/analytics.csv">Download as CSV</a></p>
            \(content)
            """)
    }

    /// A bar chart as inline SVG: one bar per day, the largest value labelled; each bar has a title.
    /// Its text alternative is the SVG `<title>` (named by `aria-labelledby`), and the table beside it (`id`-table)
    /// describes it value by value (focusable: it scrolls, so a keyboard must reach it).
    private static func chart(_ values: [Int64], days: [CalendarDate], title: String, id: String) -> HTML {
        let width = 600, height = 140, top = 16
        let peak = max(values.max() ?? 0, 1)
        let slot = Double(width) / Double(max(values.count, 1))
        var bars = ""
        for (index, value) in values.enumerated() {
            let barHeight = Double(height - top) * Double(value) / Double(peak)
            let x = Double(index) * slot + 1
            bars +=
                "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(String(format: "%.1f", Double(height) - barHeight))\" width=\"\(String(format: "%.1f", max(slot - 2, 1)))\" height=\"\(String(format: "%.1f", barHeight))\"><title>\(days[index]): \(value)</title></rect>"
        }
        return HTML(
            unsafeRaw: """
                <svg class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="\(id)-chart-title" aria-describedby="\(id)-table"><title id="\(id)-chart-title">\(HTML.escape(title)) per day, bar chart of the last \(values.count) days, highest \(peak); the table beside it has every day's number</title><text x="0" y="11" font-size="11">max \(peak)</text><line x1="0" y1="\(height)" x2="\(width)" y2="\(height)" stroke="currentColor"/>\(bars)</svg>
                """)
    }
}
