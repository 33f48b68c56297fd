import Domain

/// `/school/apps`: every approved app, its developer and scopes, and the school's decision about it.
enum SchoolAppsPages {
    static func list(session: SignedIn, entries: [SchoolAppEntry], notice: Layout.Notice?) -> HTML {
        let rows = entries.map { entry -> HTML in
            let client = entry.client
            let id = client.clientID.rawValue
            let offered = ScopeRegistry.standard.definitions(of: client.allowedScopes)
            let decision: HTML =
                switch entry.policy?.status {
                case .blocked: "<b class=\"bad\">Blocked</b>"
                case .allowed: entry.policy?.scopeLimit == nil ? "Allowed" : "Allowed (limited)"
                case nil: "Allowed <small class=\"muted\">(default)</small>"
                }
            let limit = entry.policy?.scopeLimit
            let boxes = offered.map { scope -> HTML in
                let checked = limit.map { $0.contains(scope.name) } ?? true
                return """
                    <label class="scope"><input type="checkbox" name="scope" value="\(scope.name)"\(checked ? HTML(unsafeRaw: " checked") : "")> \
                    \(scope.description) <small class="muted">(\(scope.name))</small></label>
                    """
            }
            let blocked = entry.policy?.status == .blocked
            let pending: HTML =
                entry.pendingRequests > 0
                ? "<br><small>\(entry.pendingRequests) request\(entry.pendingRequests == 1 ? "" : "s") to allow it</small>" : ""
            return """
                <tr data-client-id="\(id)" data-status="\(entry.policy?.status.rawValue ?? "default")" data-pending="\(entry.pendingRequests)"><td><b>\(client.name)</b><br><small>by \(client.developerName)\
                \(client.verified ? HTML(unsafeRaw: " · verified") : "")</small></td>
                <td>\(decision)\(pending)</td>
                <td><form method="post" action="/school/apps/\(FormCodec.encode(id))">\(Layout.csrfField(session.csrf))
                <fieldset><legend>Scopes your school's users may grant it</legend>\(boxes)</fieldset>
                <label><input type="radio" name="status" value="allowed"\(blocked ? "" : HTML(unsafeRaw: " checked"))> Allowed</label>
                <label><input type="radio" name="status" value="blocked"\(blocked ? HTML(unsafeRaw: " checked") : "")> Blocked</label>
                <button type="submit">Save</button></form></td></tr>
                """
        }
        return Layout.page(
            title: "Apps", session: session, notice: notice,
            """
            <h1>Apps</h1>
            <p>Apps the platform has approved. Your school's students, parents and teachers can connect an allowed app,
            and only with the scopes you leave ticked. Blocking an app ends every connection of your school's users to it
            at once; unticking scopes applies to new connections.</p>
            <table id="school-apps"><thead><tr><th>App</th><th>Your school's decision</th><th>Change</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """)
    }
}
