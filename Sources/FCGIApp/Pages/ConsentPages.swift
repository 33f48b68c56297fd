import Domain

/// The consent page of `/authsso`: who asks, for what, on whose behalf.
enum ConsentPages {
    /// The page. `hiddenFields` carry the validated authorization request back to the POST, which validates
    /// them again; `returnTo` is where "Not you?" comes back to after signing out.
    /// `declarations` are the app's approved data declarations: with any, the page shows the data label of the
    /// scopes asked for (why, how long, who else).
    static func consent(
        session: SignedIn, client: OAuthClient, scopes: [ScopeDefinition], hiddenFields: [(String, String)], returnTo: String,
        declarations: [DataDeclaration] = []
    ) -> HTML {
        let hidden = hiddenFields.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">" as HTML }
        let items = scopes.map { scope -> HTML in
            "<li data-scope=\"\(scope.name)\">\(scopeDescription(scope))\(scope.access == .write ? " <small>\(L("consent.can_change"))</small>" as HTML : "")</li>"
        }
        let links = [
            (L("consent.website"), client.homepageURL), (L("consent.privacy_policy"), client.privacyURL), (L("consent.terms"), client.termsURL),
        ]
        .compactMap { label, url -> HTML? in
            guard let url, url.hasPrefix("https://") || url.hasPrefix("http://") else { return nil }
            return "<a href=\"\(url)\" rel=\"noopener noreferrer\" target=\"_blank\">\(label)</a>"
        }
        let badge: HTML = client.verified ? " <span class=\"badge\" id=\"verified-badge\">\(L("consent.verified"))</span>" : ""
        return Layout.page(
            title: L("consent.title", ["app": client.name]), session: session, narrow: true,
            """
            <div class="consent" id="consent">
            \(appMark(client))
            <h1><span id="app-name">\(client.name)</span>\(badge)</h1>
            <p class="muted">\(LH("consent.by", ["developer": "<span id=\"app-developer\">\(client.developerName)</span>"]))\(links.isEmpty ? "" : " · " as HTML)\(HTML(links.flatMap { [$0, " · "] }.dropLast()))</p>
            <p id="consent-intro">\(L("consent.would_like", count: scopes.count, ["app": client.name]))</p>
            <ul id="requested-scopes">\(items)</ul>
            \(declarations.isEmpty ? "" : HTML("<section id=\"data-label-section\"><h2>\(L("consent.data_label"))</h2>\(DataLabelPages.label(DataLabel(scopes: scopes, declarations: declarations, developer: client.developerName), id: "data-label"))</section>"))
            <p class="muted">\(LH("consent.signed_in_as", ["name": "<b id=\"consent-user\">\(session.user.displayName)</b>", "role": "\(roleLabel(session.user.role))"]))</p>
            <form class="inline" method="post" action="/logout" id="not-you">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="next" value="\(returnTo)"><button class="link" type="submit">\(L("consent.not_you"))</button></form>
            <form method="post" action="/authsso" id="consent-form">\(Layout.csrfField(session.csrf))\(hidden)
            <p><button type="submit" name="decision" value="approve" id="approve">\(L("consent.allow"))</button>
            <button class="secondary" type="submit" name="decision" value="deny" id="deny">\(L("consent.deny"))</button></p>
            </form>
            <p class="muted"><small>\(LH("consent.disconnect", ["link": "<a href=\"/account/apps\">\(L("nav.connected_apps"))</a>"]))</small></p>
            </div>
            """)
    }

    /// The page shown instead of consent when the user's school blocked the app: why, and a button that puts a
    /// request in the school admins' queue.
    static func blocked(session: SignedIn, client: OAuthClient) -> HTML {
        Layout.page(
            title: L("consent.blocked.title", ["app": client.name]), session: session, narrow: true,
            """
            <div class="consent" id="app-blocked">
            <h1>\(LH("consent.blocked.heading", ["app": "<span id=\"app-name\">\(client.name)</span>"]))</h1>
            <p>\(L("consent.blocked.why", ["app": client.name, "developer": client.developerName]))</p>
            <p>\(L("consent.blocked.ask_hint"))</p>
            <form method="post" action="/authsso/ask-school" id="ask-school">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="client_id" value="\(client.clientID.rawValue)">
            <p><button type="submit" id="ask">\(L("consent.blocked.ask"))</button></p></form>
            </div>
            """)
    }

    /// The answer to "Ask my school".
    static func asked(session: SignedIn, client: OAuthClient) -> HTML {
        Layout.page(
            title: L("consent.asked.title"), session: session, narrow: true,
            """
            <h1>\(L("consent.asked.title"))</h1>
            <p id="asked-school">\(L("consent.asked.text", ["app": client.name]))</p>
            """)
    }

    /// The app's reviewed logo when it is one of ours (served from this site's `/logos/`, which the CSP
    /// allows), otherwise its initial.
    static func appMark(_ client: OAuthClient) -> HTML {
        if let url = client.logoURL, let range = url.range(of: "/logos/") {
            let sha = url[range.upperBound...]
            if sha.utf8.count == 64, sha.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) {
                return "<img class=\"app-logo\" id=\"app-logo\" src=\"/logos/\(String(sha))\" alt=\"\" width=\"64\" height=\"64\">"
            }
        }
        return "<p class=\"app-mark\" aria-hidden=\"true\">\(String(client.name.prefix(1)).uppercased())</p>"
    }
}
