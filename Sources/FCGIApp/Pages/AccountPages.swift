import Domain

/// Sign-in, password change and password reset pages.
enum AccountPages {
    /// The sign-in page. `school`: the school a printable link named (its buttons are shown); `providers`: the
    /// upstream providers offered ("Continue with …"), the school's and the platform-wide ones.
    static func signIn(
        csrf: String, identifier: String, next: String?, error: String?, notice: Layout.Notice?,
        school: (sourcedID: String, name: String)? = nil, providers: [UpstreamProvider] = [], directory: String? = nil
    ) -> HTML {
        let nextField: HTML = next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" } ?? ""
        let nextQuery = next.map { "?next=" + FormCodec.encode($0) } ?? ""
        let buttons = providers.map { provider -> HTML in
            "<a class=\"button upstream\" id=\"upstream-\(provider.slug)\" href=\"/login/upstream/\(provider.slug)\(nextQuery)\">\(L("signin.continue_with", ["provider": provider.name]))</a>"
        }
        let federated: HTML =
            buttons.isEmpty
            ? ""
            : """
            <div class="stack" id="upstream-buttons">\(buttons)</div>
            <p class="muted or">\(L("signin.or_password"))</p>
            """
        return Layout.page(
            title: L("signin.title"), session: nil, notice: notice, narrow: true,
            """
            <h1>\(school.map { L("signin.heading_school", ["school": $0.name]) } ?? L("signin.title"))</h1>
            \(error.map { "<p class=\"notice bad\" id=\"signin-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            \(federated)
            \(directory.map { "<p id=\"directory-note\">\(L("signin.directory_note", ["directory": $0]))</p>" as HTML } ?? "")
            <form class="stack" id="signin" method="post" action="\(directory == nil ? "/login" : "/login/directory")">\(Layout.csrfField(csrf))
            \(nextField)\(school.map { "<input type=\"hidden\" name=\"school\" value=\"\($0.sourcedID)\">" as HTML } ?? "")
            <label>\(directory == nil ? L("signin.identifier") : L("signin.username"))<input name="identifier" autocomplete="username" required maxlength="254" value="\(identifier)" autofocus></label>
            <label>\(L("signin.password"))<input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
            <button type="submit">\(L("signin.submit"))</button>
            </form>
            \(directory == nil
                ? "<p><a href=\"/password/forgot\">\(L("signin.forgot"))</a></p>" as HTML
                : "<p class=\"muted\" id=\"directory-forgot\">\(L("signin.directory_forgot"))</p>")
            \(PasskeyPages.signInForm(csrf: csrf, next: next))
            \(school.map { "<p><a id=\"badge-link\" href=\"/login/badge?school=\(FormCodec.encode($0.sourcedID))\">\(L("signin.badge_link"))</a></p>" as HTML } ?? "")
            \(school == nil ? schoolFinder(csrf: csrf, nextField: nextField) : "")
            """)
    }

    /// "Sign in with your school account": the email box of home-realm discovery.
    private static func schoolFinder(csrf: String, nextField: HTML) -> HTML {
        """
        <section aria-labelledby="school-finder-title"><h2 id="school-finder-title">\(L("signin.school_finder.title"))</h2>
        <form class="stack" id="school-finder" method="post" action="/login/school">\(Layout.csrfField(csrf))\(nextField)
        <label>\(L("signin.school_finder.email"))<input name="email" type="email" autocomplete="email" required maxlength="254"></label>
        <button type="submit" class="secondary">\(L("signin.school_finder.submit"))</button>
        </form></section>
        """
    }

    static func forgot(csrf: String, sent: Bool, lifetimeMinutes: Int) -> HTML {
        let body: HTML =
            sent
            ? """
            <p class="notice ok" id="reset-sent" role="status">\(L("forgot.sent", count: lifetimeMinutes))</p>
            <p><a href="/login">\(L("forgot.back"))</a></p>
            """
            : """
            <p>\(L("forgot.intro"))</p>
            <form class="stack" id="forgot" method="post" action="/password/forgot">\(Layout.csrfField(csrf))
            <label>\(L("forgot.email"))<input name="email" type="email" autocomplete="email" required maxlength="254" autofocus></label>
            <button type="submit">\(L("forgot.submit"))</button>
            </form>
            """
        return Layout.page(title: L("forgot.title"), session: nil, narrow: true, "<h1>\(L("forgot.heading"))</h1>" + body)
    }

    static func reset(csrf: String, token: String, purpose: PasswordLinkPurpose, error: String?) -> HTML {
        let title = purpose == .set ? L("reset.title.set") : L("reset.title.new")
        return Layout.page(
            title: title, session: nil, narrow: true,
            """
            <h1>\(title)</h1>
            <form class="stack" id="reset" method="post" action="/password/reset">\(Layout.csrfField(csrf))
            <input type="hidden" name="token" value="\(token)">
            <label>\(L("password.new"))<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "password-error"))</label>
            <label>\(L("password.again"))<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <p class="muted">\(L("password.hint", count: PasswordRules.minimumLength))</p>
            <button type="submit">\(L("reset.submit"))</button>
            </form>
            """)
    }

    static func linkInvalid() -> HTML {
        Layout.page(
            title: L("link.expired.title"), session: nil, narrow: true,
            """
            <h1>\(L("link.expired.heading"))</h1>
            <p id="link-invalid">\(L("link.expired.text"))</p>
            <p>\(LH("link.expired.next", ["ask": "<a href=\"/password/forgot\">\(L("link.expired.ask"))</a>", "signin": "<a href=\"/login\">\(L("link.expired.sign_in"))</a>"]))</p>
            """)
    }

    static func changePassword(session: SignedIn, currentError: String?, newError: String?, changed: Bool) -> HTML {
        Layout.page(
            title: L("password.change.title"), session: session,
            notice: changed
                ? .init(
                    kind: .ok,
                    text: L("password.changed"))
                : nil,
            """
            <h1>\(L("password.change.title"))</h1>
            <form class="stack" id="change-password" method="post" action="/account/password">\(Layout.csrfField(session.csrf))
            <label>\(L("password.current"))<input name="current" type="password" autocomplete="current-password" required maxlength="1024"\(Layout.errorAttributes(currentError, id: "current-error"))>
            \(Layout.fieldError(currentError, id: "current-error"))</label>
            <label>\(L("password.new"))<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024"\(Layout.errorAttributes(newError, id: "password-error"))>
            \(Layout.fieldError(newError, id: "password-error"))</label>
            <label>\(L("password.again"))<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <button type="submit">\(L("password.change.submit"))</button>
            </form>
            """)
    }
}
