import Domain
import Foundation

/// The pages of sign-in with the school's own accounts: what failed, the admin's test result, a person's linked
/// sign-ins and the school admin's sign-in settings. Everything an upstream sent is escaped by ``HTML``.
enum UpstreamPages {
    /// An upstream sign-in that did not work, and why.
    static func failure(provider: String, message: String) -> HTML {
        Layout.page(
            title: "Sign-in did not work", session: nil, narrow: true,
            """
            <h1>Sign-in with \(provider) did not work</h1>
            <p class="error notice bad" id="upstream-error" role="alert">\(message)</p>
            <p><a href="/login">Back to sign-in</a></p>
            """)
    }

    /// The result of a school admin's "test this provider": the claims received and who would sign in.
    static func testResult(
        session: SignedIn, provider: UpstreamProvider, identity: UpstreamIdentity, outcome: UpstreamLinking.Outcome,
        checked: String = "The provider answered and its ID token passed every check."
    ) -> HTML {
        let verdict: HTML =
            switch outcome {
            case .person(let user, let newLink):
                "Would sign in as \(user.displayName) (\(user.role.label))\(newLink ? " and link this account to them" : "")."
            case .newStudent: "No roster person matches; a new student would be created (just-in-time students are on)."
            case .noSuchPerson: "No roster person matches: this account would be refused."
            case .inactive(let user): "Matches \(user.displayName), who is deactivated: this account would be refused."
            }
        let rows = claimRows(identity.claims)
        return Layout.page(
            title: "Test of \(provider.name)", session: session,
            """
            <h1>Test of \(provider.name)</h1>
            <p class="notice ok" id="test-ok" role="status">\(checked)</p>
            <p id="test-outcome">\(verdict)</p>
            <p>Stable account key: <code>\(identity.subject)</code>\(identity.emailVerified ? " · verified email" : "")</p>
            <table class="claims" id="claims"><thead><tr><th scope="col">Claim</th><th scope="col">Value</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <p><a href="/school/sign-in">Back to sign-in settings</a></p>
            """)
    }

    /// One row per claim, values as compact JSON (strings bare), each cut at 500 characters.
    private static func claimRows(_ claims: JSONValue) -> [HTML] {
        guard case .object(let members) = claims else { return [] }
        return members.map { name, value -> HTML in
            let text: String =
                if case .string(let string) = value { string } else { String(decoding: value.serialized(), as: UTF8.self) }
            return "<tr><th scope=\"row\">\(String(name.prefix(100)))</th><td>\(String(text.prefix(500)))</td></tr>"
        }
    }

    /// A person's account page: their linked sign-ins, with a way to remove each.
    static func account(session: SignedIn, links: [UpstreamLink], hasPassword: Bool, notice: Layout.Notice?, status: String?) -> HTML {
        let rows = links.map { link -> HTML in
            """
            <tr><td>\(link.providerName)</td><td>\(link.label)</td><td>\(Display.date(link.lastUsedAt))</td>
            <td><form class="inline" method="post" action="/account/linked/\(link.id.description)/remove">\(Layout.csrfField(session.csrf))
            <button type="submit" class="link">Remove</button></form></td></tr>
            """
        }
        let table: HTML =
            links.isEmpty
            ? "<p class=\"muted\" id=\"no-links\">No school accounts are linked. Use \"Continue with …\" on the sign-in page to link one.</p>"
            : """
            <table id="linked-sign-ins"><thead><tr><th scope="col">Provider</th><th scope="col">Account</th><th scope="col">Last used</th>
            <th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return Layout.page(
            title: "Your account", session: session, notice: notice,
            """
            <h1>Your account</h1>
            <p>\(session.user.displayName)\(session.user.email.map { " · \($0)" as HTML } ?? "")</p>
            \(status.map { "<p class=\"notice bad\" id=\"account-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <section aria-labelledby="links-title"><h2 id="links-title">Linked sign-ins</h2>\(table)</section>
            <section aria-labelledby="password-title"><h2 id="password-title">Password</h2>
            <p>\(hasPassword ? "You can also sign in with your password." : "You have no password you can sign in with.")
            \(hasPassword ? "<a href=\"/account/password\">Change your password</a>" as HTML : "")</p></section>
            <p><a href="/account/two-step">Two-step sign-in</a> · <a href="/account/passkeys">Passkeys</a> ·
            <a href="/account/sessions">Where you are signed in</a> · <a href="/account/apps">Connected apps</a></p>
            """)
    }

    /// Where the person is signed in.
    static func sessions(session: SignedIn, list: [SessionSummary], notice: Layout.Notice?) -> HTML {
        let rows = list.map { entry -> HTML in
            let methods = entry.methods.map { method -> String in
                switch method {
                case .password: "password"
                case .federated: "school account"
                case .oneTimePassword: "one-time code"
                case .hardwareKey: "passkey"
                default: method.rawValue
                }
            }.joined(separator: " + ")
            let action: HTML =
                entry.isCurrent
                ? "<strong>This browser</strong>"
                : """
                <form class="inline" method="post" action="/account/sessions/\(String(entry.number))/revoke">\(Layout.csrfField(session.csrf))
                <button type="submit" class="link">Sign out</button></form>
                """
            return """
                <tr><td>\(String(entry.userAgent.prefix(120)))</td><td>\(entry.clientAddress)</td><td>\(methods)</td>
                <td>\(Display.dateTime(entry.createdAt))</td><td>\(Display.dateTime(entry.lastSeenAt))</td><td>\(action)</td></tr>
                """
        }
        return Layout.page(
            title: "Where you are signed in", session: session, notice: notice,
            """
            <h1>Where you are signed in</h1>
            <table id="sessions"><thead><tr><th scope="col">Browser</th><th scope="col">Address</th><th scope="col">Signed in with</th>
            <th scope="col">Since</th><th scope="col">Last active</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <form method="post" id="revoke-others" action="/account/sessions/revoke-others">\(Layout.csrfField(session.csrf))
            <button type="submit" class="secondary">Sign out everywhere else</button></form>
            \(LogoutPages.deviceSignOut(csrf: session.csrf))
            <p><a href="/account">Back to your account</a></p>
            """)
    }
}
