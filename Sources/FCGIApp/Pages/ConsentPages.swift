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
            "<li data-scope=\"\(scope.name)\">\(scope.description)\(scope.access == .write ? HTML(unsafeRaw: " <small>(can make changes)</small>") : "")</li>"
        }
        let links = [("Website", client.homepageURL), ("Privacy policy", client.privacyURL), ("Terms", client.termsURL)]
            .compactMap { label, url -> HTML? in
                guard let url, url.hasPrefix("https://") || url.hasPrefix("http://") else { return nil }
                return "<a href=\"\(url)\" rel=\"noopener noreferrer\" target=\"_blank\">\(label)</a>"
            }
        let badge: HTML = client.verified ? " <span class=\"badge\" id=\"verified-badge\">Verified</span>" : ""
        return Layout.page(
            title: "Allow \(client.name)?", session: session, narrow: true,
            """
            <div class="consent" id="consent">
            \(appMark(client))
            <h1><span id="app-name">\(client.name)</span>\(badge)</h1>
            <p class="muted">by <span id="app-developer">\(client.developerName)</span>\(links.isEmpty ? "" : " · " as HTML)\(HTML(links.flatMap { [$0, " · "] }.dropLast()))</p>
            <p>\(client.name) would like to:</p>
            <ul id="requested-scopes">\(items)</ul>
            \(declarations.isEmpty ? "" : HTML("<section id=\"data-label-section\"><h2>What happens to this data</h2>\(DataLabelPages.label(DataLabel(scopes: scopes, declarations: declarations, developer: client.developerName), id: "data-label"))</section>"))
            <p class="muted">Signed in as <b id="consent-user">\(session.user.displayName)</b> (\(session.user.role.label)).</p>
            <form class="inline" method="post" action="/logout" id="not-you">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="next" value="\(returnTo)"><button class="link" type="submit">Not you?</button></form>
            <form method="post" action="/authsso" id="consent-form">\(Layout.csrfField(session.csrf))\(hidden)
            <p><button type="submit" name="decision" value="approve" id="approve">Allow</button>
            <button class="secondary" type="submit" name="decision" value="deny" id="deny">Deny</button></p>
            </form>
            <p class="muted"><small>You can disconnect this app at any time under <a href="/account/apps">Connected apps</a>.</small></p>
            </div>
            """)
    }

    /// The page shown instead of consent when the user's school blocked the app: why, and a button that puts a
    /// request in the school admins' queue.
    static func blocked(session: SignedIn, client: OAuthClient) -> HTML {
        Layout.page(
            title: "\(client.name) is not allowed at your school", session: session, narrow: true,
            """
            <div class="consent" id="app-blocked">
            <h1>Your school has not allowed <span id="app-name">\(client.name)</span></h1>
            <p>\(client.name), by \(client.developerName), is blocked for your school, so it cannot use your school account or
            your school data. Schools decide which apps their students, parents and teachers may connect.</p>
            <p>If you need this app, ask your school to allow it. Your school's administrators will see your request.</p>
            <form method="post" action="/authsso/ask-school" id="ask-school">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="client_id" value="\(client.clientID.rawValue)">
            <p><button type="submit" id="ask">Ask my school</button></p></form>
            </div>
            """)
    }

    /// The answer to "Ask my school".
    static func asked(session: SignedIn, client: OAuthClient) -> HTML {
        Layout.page(
            title: "Request sent", session: session, narrow: true,
            """
            <h1>Request sent</h1>
            <p id="asked-school">Your school's administrators will see that you asked them to allow \(client.name).
            Once they do, start again from the app.</p>
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
