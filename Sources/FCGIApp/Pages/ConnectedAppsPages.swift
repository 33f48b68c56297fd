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
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let items = entries.map { entry -> HTML in
            let name = entry.client?.name ?? entry.consent.clientID.rawValue
            let developer: HTML =
                entry.client.map { "<small>by \($0.developerName)\($0.verified ? HTML(unsafeRaw: " · <b>verified</b>") : "")</small>" } ?? ""
            let scopes = entry.scopeDescriptions.map { "<li>\($0)</li>" as HTML }
            let lastUsed = entry.consent.lastUsedAt.map { formatter.string(from: $0) } ?? "never"
            return """
                <li data-client-id="\(entry.consent.clientID.rawValue)"><b>\(name)</b><br>\(developer)
                <ul>\(scopes)</ul>
                <small>Connected \(formatter.string(from: entry.consent.firstGrantedAt)) · last used \(lastUsed)</small>
                <form method="post" action="/account/apps/\(FormCodec.encode(entry.consent.clientID.rawValue))/revoke">\(Layout.csrfField(session.csrf))
                <button class="secondary" type="submit">Disconnect</button></form></li>
                """
        }
        let list: HTML =
            entries.isEmpty
            ? "<p class=\"muted\" id=\"connected-apps\">You have not connected any apps.</p>"
            : "<ul class=\"cards\" id=\"connected-apps\">\(items)</ul>"
        return Layout.page(
            title: "Connected apps", session: session, notice: notice,
            """
            <h1>Connected apps</h1>
            <p>These apps may use your school data as listed. Disconnecting one stops every token it holds at once;
            it will have to ask you again.</p>
            \(list)
            """)
    }
}
