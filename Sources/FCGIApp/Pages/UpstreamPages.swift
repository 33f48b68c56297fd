import Domain
import Foundation

/// The pages of sign-in with the school's own accounts: what failed, the admin's test result, a person's linked
/// sign-ins and the school admin's sign-in settings. Everything an upstream sent is escaped by ``HTML``.
enum UpstreamPages {
    /// An upstream sign-in that did not work, and why.
    static func failure(provider: String, message: String) -> HTML {
        Layout.page(
            title: L("upstream.failed.title"), session: nil, narrow: true,
            """
            <h1>\(L("upstream.failed.heading", ["provider": provider]))</h1>
            <p class="error notice bad" id="upstream-error" role="alert">\(message)</p>
            <p><a href="/login">\(L("forgot.back"))</a></p>
            """)
    }

    /// The result of a school admin's "test this provider": the claims received and who would sign in.
    static func testResult(
        session: SignedIn, provider: UpstreamProvider, identity: UpstreamIdentity, outcome: UpstreamLinking.Outcome,
        checked: String? = nil
    ) -> HTML {
        let verdict: HTML =
            switch outcome {
            case .person(let user, let newLink):
                "\(newLink ? L("upstream.test.would_link", ["name": user.displayName, "role": roleLabel(user.role)]) : L("upstream.test.would_sign_in", ["name": user.displayName, "role": roleLabel(user.role)]))"
            case .newStudent: "\(L("upstream.test.new_student"))"
            case .noSuchPerson: "\(L("upstream.test.no_person"))"
            case .inactive(let user): "\(L("upstream.test.inactive", ["name": user.displayName]))"
            }
        let rows = claimRows(identity.claims)
        return Layout.page(
            title: L("upstream.test.title", ["provider": provider.name]), session: session,
            """
            <h1>\(L("upstream.test.title", ["provider": provider.name]))</h1>
            <p class="notice ok" id="test-ok" role="status">\(checked ?? L("upstream.test.checked"))</p>
            <p id="test-outcome">\(verdict)</p>
            <p>\(LH("upstream.test.key", ["key": "<code>\(identity.subject)</code>"]))\(identity.emailVerified ? " · " + L("upstream.test.verified_email") : "")</p>
            <table class="claims" id="claims"><thead><tr><th scope="col">\(L("upstream.test.claim"))</th><th scope="col">\(L("upstream.test.value"))</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <p><a href="/school/sign-in">\(L("upstream.test.back"))</a></p>
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
            <tr><td>\(link.providerName)</td><td>\(link.label)</td><td>\(Display.localDate(link.lastUsedAt))</td>
            <td><form class="inline" method="post" action="/account/linked/\(link.id.description)/remove">\(Layout.csrfField(session.csrf))
            <button type="submit" class="link">\(L("passkeys.remove"))</button></form></td></tr>
            """
        }
        let table: HTML =
            links.isEmpty
            ? "<p class=\"muted\" id=\"no-links\">\(L("account.no_links"))</p>"
            : """
            <table id="linked-sign-ins"><thead><tr><th scope="col">\(L("account.provider"))</th><th scope="col">\(L("account.account"))</th><th scope="col">\(L("passkeys.last_used"))</th>
            <th scope="col"><span class="visually-hidden">\(L("passkeys.remove"))</span></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return Layout.page(
            title: L("account.title"), session: session, notice: notice,
            """
            <h1>\(L("account.title"))</h1>
            <p>\(session.user.displayName)\(session.user.email.map { " · \($0)" as HTML } ?? "")</p>
            \(status.map { "<p class=\"notice bad\" id=\"account-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <section aria-labelledby="links-title"><h2 id="links-title">\(L("account.linked"))</h2>\(table)</section>
            <section aria-labelledby="password-title"><h2 id="password-title">\(L("nav.password"))</h2>
            <p>\(hasPassword ? L("account.has_password") : L("account.no_password"))
            \(hasPassword ? "<a href=\"/account/password\">\(L("password.change.title"))</a>" as HTML : "")</p></section>
            <p><a href="/account/two-step">\(L("twostep.title"))</a> · <a href="/account/passkeys">\(L("passkeys.title"))</a> ·
            <a href="/account/sessions">\(L("sessions.title"))</a> · <a href="/account/apps">\(L("nav.connected_apps"))</a></p>
            """)
    }

    /// Where the person is signed in.
    static func sessions(session: SignedIn, list: [SessionSummary], notice: Layout.Notice?) -> HTML {
        let rows = list.map { entry -> HTML in
            let methods = entry.methods.map { method -> String in
                switch method {
                case .password: L("sessions.method.password")
                case .federated: L("sessions.method.school_account")
                case .oneTimePassword: L("sessions.method.code")
                case .hardwareKey: L("sessions.method.passkey")
                default: method.rawValue
                }
            }.joined(separator: " + ")
            let action: HTML =
                entry.isCurrent
                ? "<strong>\(L("sessions.this_browser"))</strong>"
                : """
                <form class="inline" method="post" action="/account/sessions/\(String(entry.number))/revoke">\(Layout.csrfField(session.csrf))
                <button type="submit" class="link">\(L("nav.sign_out"))</button></form>
                """
            return """
                <tr><td>\(String(entry.userAgent.prefix(120)))</td><td>\(entry.clientAddress)</td><td>\(methods)</td>
                <td>\(Display.localDateTime(entry.createdAt))</td><td>\(Display.localDateTime(entry.lastSeenAt))</td><td>\(action)</td></tr>
                """
        }
        return Layout.page(
            title: L("sessions.title"), session: session, notice: notice,
            """
            <h1>\(L("sessions.title"))</h1>
            <table id="sessions"><thead><tr><th scope="col">\(L("sessions.browser"))</th><th scope="col">\(L("log.address"))</th><th scope="col">\(L("sessions.signed_in_with"))</th>
            <th scope="col">\(L("sessions.since"))</th><th scope="col">\(L("sessions.last_active"))</th><th scope="col"><span class="visually-hidden">\(L("sessions.action"))</span></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <form method="post" id="revoke-others" action="/account/sessions/revoke-others">\(Layout.csrfField(session.csrf))
            <button type="submit" class="secondary">\(L("sessions.others"))</button></form>
            \(LogoutPages.deviceSignOut(csrf: session.csrf))
            <p><a href="/account">\(L("account.back"))</a></p>
            """)
    }
}
