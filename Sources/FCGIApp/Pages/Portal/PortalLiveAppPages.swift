import Domain
import Foundation

/// The pages of an approved app: credentials (client id and secrets), API keys, webhooks with their delivery
/// log, and analytics. Secrets and keys appear once, on the answer to the request that made them.
enum PortalLiveAppPages {
    /// The tab bar and heading every page of an approved app shares.
    private static func frame(
        session: DeveloperSignedIn, app: StoredApplication, tab: String, notice: Layout.Notice? = nil, _ content: HTML
    ) -> HTML {
        let tabs = [
            ("credentials", L("portal.tab.credentials")), ("keys", L("portal.tab.keys")), ("webhooks", L("portal.tab.webhooks")),
            ("analytics", L("portal.tab.analytics")),
        ].map {
            tab == $0.0
                ? "<a aria-current=\"page\" href=\"/apps/\(app.id)/\($0.0)\">\($0.1)</a>" as HTML
                : "<a href=\"/apps/\(app.id)/\($0.0)\">\($0.1)</a>"
        }
        let name = app.review.currentContent.name
        return PortalLayout.page(
            title: "\(name) · \(tab)", session: session, notice: notice,
            """
            <p><a href="/apps/\(app.id)">← \(name)</a> \(PortalAppPages.statusBadge(app.review.status))</p>
            <nav class="tabs" aria-label="\(L("portal.support.app"))">\(tabs)</nav>
            \(content)
            """)
    }

    /// A value shown exactly once, with the warning that goes with it.
    static func shownOnce(label: String, value: String, id: String) -> HTML {
        """
        <div class="notice ok" role="status"><p>\(label) \(L("portal.live.shown_once"))</p>
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
                ? "<form class=\"inline\" method=\"post\" action=\"/apps/\(app.id)/secrets/\(secret.id)/revoke\">\(csrf)<button class=\"link danger\" type=\"submit\">\(L("portal.live.revoke"))</button></form>"
                : "\(L("portal.live.revoked_on", ["when": PortalFormat.dateTime(secret.revokedAt ?? secret.createdAt)]))"
            if secret.isActive && !manages { revoke = "" }
            return """
                <tr data-secret-id="\(secret.id)" class="\(secret.isActive ? "active" : "revoked")"><td>\(PortalFormat.dateTime(secret.createdAt))</td>
                <td>\(secret.lastUsedAt.map(PortalFormat.dateTime) ?? L("portal.live.never"))</td><td>\(confirmation(secret.isActive, secret.attestedAt))</td>
                <td class="created-by">\(secret.createdBy ?? "—")</td><td>\(revoke)</td></tr>
                """
        }
        let active = secrets.filter(\.isActive).count
        let secretSection: HTML =
            confidential
            ? """
            <h2>\(L("portal.live.secrets"))</h2>
            \(newSecret.map { shownOnce(label: L("portal.live.new_secret"), value: $0, id: "new-secret") } ?? "")
            \(error.map { "<p class=\"notice bad\" id=\"secret-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <p>\(L("portal.live.secrets_intro", count: ClientSecretSummary.maximumActive))</p>
            \(secrets.isEmpty ? "<p id=\"no-secrets\">\(L("portal.live.no_secrets"))</p>" as HTML : "<table id=\"secrets\"><thead><tr><th scope=\"col\">\(L("portal.live.created"))</th><th scope=\"col\">\(L("portal.live.last_used"))</th><th scope=\"col\">\(L("portal.support.status"))</th><th scope=\"col\">\(L("portal.live.created_by"))</th><th scope=\"col\"><span class=\"visually-hidden\">\(L("portal.actions"))</span></th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            \(manages && active < ClientSecretSummary.maximumActive && app.review.status == .approved ? "<form id=\"new-secret-form\" method=\"post\" action=\"/apps/\(app.id)/secrets\">\(csrf)<button type=\"submit\">\(L("portal.live.generate_secret"))</button></form>" as HTML : "")
            """
            : "<p>\(L("portal.live.public_app"))</p>"
        return frame(
            session: session, app: app, tab: "credentials",
            """
            <h1>\(L("portal.tab.credentials"))</h1>
            <dl class="facts"><dt>client_id</dt><dd><code id="client-id">\(app.clientID.rawValue)</code></dd>
            <dt>\(L("portal.app.client_type"))</dt><dd>\(app.review.currentContent.clientType.rawValue)</dd>
            \(PortalAppPages.clientAuthenticationFacts(app.review.currentContent.clientAuthentication))
            \(PortalAppPages.openIDSettingsContent(app.review.currentContent.openID))
            \(PortalAppPages.ltiContent(app.review.currentContent.lti))</dl>
            \(secretSection)
            \(PortalAppPages.backchannelDeliveries(logouts, registered: app.review.currentContent.openID.logout.backchannelLogoutURI != nil))
            <p class="muted">\(L("portal.live.sync_note")) \(confirmationNote)</p>
            """)
    }

    /// Why a new secret or key does not work at once: the sign-in server accepts only credentials a platform
    /// admin confirmed (``CredentialAttestation``), so that nobody who gets into this portal can make working
    /// credentials for an app.
    static var confirmationNote: HTML { "\(L("portal.live.confirmation_note"))" }

    /// The status cell of a secret or key.
    static func confirmation(_ active: Bool, _ attestedAt: Date?) -> HTML {
        guard active else { return "\(L("portal.live.revoked"))" }
        return attestedAt == nil ? "<span class=\"badge waiting\">\(L("portal.live.waiting"))</span>" : "\(L("portal.live.in_force"))"
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
                ? "<form class=\"inline\" method=\"post\" action=\"/apps/\(app.id)/keys/\(key.id)/revoke\">\(csrf)<button class=\"link danger\" type=\"submit\">\(L("portal.live.revoke"))</button></form>"
                : "\(L("portal.live.revoked"))"
            if key.isActive && !manages { revoke = "" }
            return """
                <tr data-key-id="\(key.id)"><td>\(key.name)</td><td><code>\(key.visiblePrefix)…</code></td><td>\(key.scopes.joined(separator: " "))</td>
                <td>\(PortalFormat.dateTime(key.createdAt))</td><td class="created-by">\(key.createdBy ?? "—")</td>
                <td>\(key.lastUsedAt.map(PortalFormat.dateTime) ?? L("portal.live.never"))</td><td>\(PortalFormat.number(Int(key.requestCount)))</td><td>\(confirmation(key.isActive, key.attestedAt))</td><td>\(revoke)</td></tr>
                """
        }
        let boxes = allowedScopes.map { scope -> HTML in
            "<label class=\"check\"><input type=\"checkbox\" name=\"scopes\" value=\"\(scope)\" checked> <code>\(scope)</code></label>"
        }
        let form: HTML =
            allowedScopes.isEmpty
            ? "<p id=\"no-key-scopes\">\(LH("portal.live.no_key_scopes", ["example": "<code>school.read</code>"]))</p>"
            : app.review.status == .approved && manages
                ? """
                <form class="stack" id="new-key-form" method="post" action="/apps/\(app.id)/keys">\(csrf)
                \(PortalLayout.field(L("portal.teams.name"), name: "name", value: name, error: errors["name"], maxLength: APIKey.maximumNameLength, required: true, hint: L("portal.live.key_name_hint")))
                <fieldset\(Layout.errorAttributes(errors["scopes"], id: "scopes-error"))><legend>\(L("portal.app.scopes"))</legend>\(boxes)\(Layout.fieldError(errors["scopes"], id: "scopes-error"))</fieldset>
                <button type="submit">\(L("portal.live.create_key"))</button></form>
                """ : ""
        return frame(
            session: session, app: app, tab: "keys",
            """
            <h1>\(L("portal.tab.keys"))</h1>
            \(newKey.map { shownOnce(label: L("portal.live.new_key"), value: $0, id: "new-key") } ?? "")
            <p>\(LH("portal.live.keys_intro", ["header": "<code>Authorization: Bearer cw_key_…</code>"])) \(confirmationNote)</p>
            \(keys.isEmpty ? "<p id=\"no-keys\">\(L("portal.live.no_keys"))</p>" as HTML : "<table id=\"keys\"><thead><tr><th scope=\"col\">\(L("portal.teams.name"))</th><th scope=\"col\">\(L("portal.live.key"))</th><th scope=\"col\">\(L("portal.app.scopes"))</th><th scope=\"col\">\(L("portal.live.created"))</th><th scope=\"col\">\(L("portal.live.created_by"))</th><th scope=\"col\">\(L("portal.live.last_used"))</th><th scope=\"col\">\(L("portal.live.requests"))</th><th scope=\"col\">\(L("portal.support.status"))</th><th scope=\"col\"><span class=\"visually-hidden\">\(L("portal.actions"))</span></th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
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
            <td>\(endpoint.events.map(\.rawValue).joined(separator: " "))</td><td>\(endpoint.enabled ? L("portal.live.enabled") : L("portal.live.disabled"))</td></tr>
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
            <h1>\(L("portal.tab.webhooks"))</h1>
            \(newSecret.map { shownOnce(label: L("portal.live.webhook_secret"), value: $0, id: "new-webhook-secret") } ?? "")
            <p>\(LH("portal.live.webhooks_intro", ["docs": "<a href=\"/docs/webhooks\">\(L("portal.live.webhook_docs"))</a>"]))</p>
            \(endpoints.isEmpty ? "<p id=\"no-endpoints\">\(L("portal.live.no_endpoints"))</p>" as HTML : "<table id=\"endpoints\"><thead><tr><th scope=\"col\">URL</th><th scope=\"col\">\(L("portal.live.events"))</th><th scope=\"col\">\(L("portal.live.state"))</th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            \(app.review.status == .approved ? HTML("""
            <h2>\(L("portal.live.add_endpoint"))</h2>
            <form class="stack" id="new-endpoint-form" method="post" action="/apps/\(app.id)/webhooks">\(Layout.csrfField(session.csrf))
            \(PortalLayout.field(L("portal.live.https_url"), name: "url", value: url, error: errors["url"], type: "url", maxLength: HTTPSURLRule.maximumLength, required: true))
            <fieldset\(Layout.errorAttributes(errors["events"], id: "events-error"))><legend>\(L("portal.live.events"))</legend>\(boxes)\(Layout.fieldError(errors["events"], id: "events-error"))</fieldset>
            <button type="submit">\(L("portal.live.add_endpoint_submit"))</button></form>
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
                    "<li class=\"attempt\">\(PortalFormat.dateTime(attempt.attemptedAt)): \(attempt.responseStatus.map { "HTTP \($0)" } ?? L("portal.live.no_answer")) · \(attempt.latencyMilliseconds) ms\(attempt.error.map { " — \($0)" } ?? "")\(excerpt)</li>"
            }
            // The delivery's next attempt, with its Unix time for scripts (the tests read it).
            let next =
                delivery.nextAttemptAt.map { next -> HTML in
                    "<br><span class=\"next-attempt\" data-next-attempt=\"\(Int64(next.timeIntervalSince1970))\">\(L("portal.live.next_attempt", ["when": PortalFormat.dateTime(next)]))</span>"
                } ?? ""
            return """
                <tr data-delivery-id="\(delivery.id)"><td>\(PortalFormat.dateTime(delivery.createdAt))</td><td><code>\(delivery.eventType)</code></td>
                <td class="delivery-status">\(delivery.status.rawValue)\(delivery.lastResponseStatus.map { " (HTTP \($0))" } ?? "")\(next)</td>
                <td>\(delivery.latencyMilliseconds.map { "\($0) ms" } ?? "—")</td><td>\(delivery.attempts)\(attempts.isEmpty ? "" : HTML("<ul>\(attempts)</ul>"))</td>
                <td><form class="inline" method="post" action="\(base)/deliveries/\(delivery.id)/redeliver">\(csrf)<button class="link" type="submit">\(L("portal.live.redeliver"))</button></form></td></tr>
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
            <h1>\(L("portal.live.endpoint"))</h1>
            <dl class="facts"><dt>URL</dt><dd><code id="endpoint-url">\(endpoint.url)</code></dd>
            <dt>\(L("portal.live.state"))</dt><dd id="endpoint-state">\(endpoint.enabled ? L("portal.live.enabled") : L("portal.live.disabled"))\(endpoint.disabledReason.map { " — \($0)" } ?? "")</dd></dl>
            <form class="inline" id="ping-form" method="post" action="\(base)/test">\(csrf)<button type="submit">\(L("portal.live.ping"))</button></form>
            <h2>\(L("portal.live.deliveries"))</h2>
            \(deliveries.isEmpty ? "<p id=\"no-deliveries\">\(L("portal.live.no_deliveries"))</p>" as HTML : "<table id=\"deliveries\"><thead><tr><th scope=\"col\">\(L("portal.live.queued"))</th><th scope=\"col\">\(L("portal.live.event"))</th><th scope=\"col\">\(L("portal.support.status"))</th><th scope=\"col\">\(L("portal.live.latency"))</th><th scope=\"col\">\(L("portal.live.attempts"))</th><th scope=\"col\"><span class=\"visually-hidden\">\(L("portal.actions"))</span></th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            <h2>\(L("portal.live.settings"))</h2>
            <form class="stack" id="endpoint-settings" method="post" action="\(base)/settings">\(csrf)
            <fieldset><legend>\(L("portal.live.events"))</legend>\(boxes)</fieldset>
            <label class="check"><input type="checkbox" name="enabled" value="1"\(endpoint.enabled ? HTML(unsafeRaw: " checked") : "")> \(L("portal.live.enabled_label"))</label>
            <button type="submit">\(L("portal.save"))</button></form>
            <form class="inline" id="delete-endpoint" method="post" action="\(base)/delete">\(csrf)<button class="danger" type="submit">\(L("portal.live.delete_endpoint"))</button></form>
            """)
    }

    /// The metrics of the analytics page: column title and value.
    static var metrics: [(title: String, value: @Sendable (DailyAppStats) -> Int64)] {
        [
            (L("portal.metric.api_requests"), { $0.apiRequests }), (L("portal.metric.authorizations"), { $0.authorizations }),
            (L("portal.metric.active_users"), { $0.activeUsers }), (L("portal.metric.new_users"), { $0.newUsers }),
            (L("portal.metric.errors"), { $0.errors }),
        ]
    }

    static func analytics(session: DeveloperSignedIn, app: StoredApplication, days: [CalendarDate], rows: [DailyAppStats]) -> HTML {
        let byDay = Dictionary(rows.map { ($0.day, $0) }, uniquingKeysWith: { first, _ in first })
        let content: HTML
        if rows.isEmpty {
            content = """
                <p id="no-analytics">\(L("portal.live.no_analytics"))</p>
                """
        } else {
            let charts = metrics.enumerated().map { index, metric -> HTML in
                let values = days.map { byDay[$0].map(metric.value) ?? 0 }
                let table = zip(days, values).map { "<tr><th scope=\"row\">\($0.0)</th><td>\(PortalFormat.number(Int($0.1)))</td></tr>" as HTML }
                let id = "metric-\(index)"
                return """
                    <section class="metric" aria-labelledby="\(id)-heading"><h2 id="\(id)-heading">\(metric.title)</h2><div class="chart-row">\(chart(values, days: days, title: metric.title, id: id))
                    <table class="numbers" id="\(id)-table" tabindex="0"><caption>\(L("portal.metric.caption", ["metric": metric.title]))</caption><thead><tr><th scope="col">\(L("portal.metric.day"))</th><th scope="col">\(metric.title)</th></tr></thead><tbody>\(table)</tbody></table></div></section>
                    """
            }
            content = HTML(charts)
        }
        return frame(
            session: session, app: app, tab: "analytics",
            """
            <h1>\(L("portal.tab.analytics"))</h1>
            <p>\(L("portal.live.analytics_days", count: days.count)) <a id="analytics-csv" href="/apps/\(app.id)/analytics.csv">\(L("portal.live.csv"))</a></p>
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
                <svg class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="\(id)-chart-title" aria-describedby="\(id)-table"><title id="\(id)-chart-title">\(HTML.escape(L("portal.metric.chart", count: values.count, ["metric": title, "peak": PortalFormat.number(Int(peak))])))</title><text x="0" y="11" font-size="11">\(HTML.escape(L("portal.metric.max", ["peak": PortalFormat.number(Int(peak))])))</text><line x1="0" y1="\(height)" x2="\(width)" y2="\(height)" stroke="currentColor"/>\(bars)</svg>
                """)
    }
}
