import Domain
import Foundation

/// `/account/apps`: the apps a user has connected, what each may read, and a way to cut it off.
enum ConnectedAppsPages {
    /// One connected app as the page shows it.
    struct Entry {
        let consent: Consent
        let client: OAuthClient?
        /// Human descriptions of the granted scopes, in registry order.
        let scopeDescriptions: [String]
    }

    static func list(session: SignedIn, entries: [Entry], notice: Layout.Notice?) -> HTML {
        let items = entries.map { entry -> HTML in
            let name = entry.client?.name ?? entry.consent.clientID.rawValue
            let developer: HTML =
                entry.client.map {
                    "<small>\(L("apps.by", ["developer": $0.developerName]))\($0.verified ? HTML(unsafeRaw: " · <b>\(HTML.escape(L("apps.verified")))</b>") : "")</small>"
                } ?? ""
            let scopes = entry.scopeDescriptions.map { "<li>\($0)</li>" as HTML }
            let lastUsed = entry.consent.lastUsedAt.map { Display.localDate($0) } ?? L("apps.never")
            return """
                <li data-client-id="\(entry.consent.clientID.rawValue)"><b>\(name)</b><br>\(developer)
                <ul>\(scopes)</ul>
                <small>\(L("apps.connected_used", ["connected": Display.localDate(entry.consent.firstGrantedAt), "used": lastUsed]))</small>
                <form method="post" action="/account/apps/\(FormCodec.encode(entry.consent.clientID.rawValue))/revoke">\(Layout.csrfField(session.csrf))
                <button class="secondary" type="submit">\(L("apps.disconnect"))</button></form></li>
                """
        }
        let list: HTML =
            entries.isEmpty
            ? "<p class=\"muted\" id=\"connected-apps\">\(L("apps.none"))</p>"
            : "<ul class=\"cards\" id=\"connected-apps\">\(items)</ul>"
        return Layout.page(
            title: L("nav.connected_apps"), session: session, notice: notice,
            """
            <h1>\(L("nav.connected_apps"))</h1>
            <p>\(L("apps.intro"))</p>
            \(list)
            """)
    }
}
