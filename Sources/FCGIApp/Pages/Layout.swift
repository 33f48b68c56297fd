import Domain

/// The frame around every page of the app site: head, top bar with the role's navigation and sign-out, and
/// an optional notice.
enum Layout {
    /// A notice shown above the content.
    struct Notice {
        enum Kind: String { case ok, bad }
        let kind: Kind
        let text: String
    }

    /// A full page. `session` is `nil` on signed-out pages.
    static func page(title: String, session: SignedIn?, notice: Notice? = nil, narrow: Bool = false, _ content: HTML) -> HTML {
        document(
            title: title, header: topBar(session), footer: footer(idleMinutes: session.map { $0.idleMinutes }), notice: notice,
            narrow: narrow, content)
    }

    /// The document around a page of either site: head, a skip link to `main`, the site's top bar, an optional
    /// notice (or the error summary of a page showing field errors), the content, and `footer`.
    static func document(title: String, header: HTML, footer: HTML, notice: Notice?, narrow: Bool, _ content: HTML) -> HTML {
        // A problem notice is the page's error summary: it takes the focus when the page opens (WCAG 3.3.1),
        // without a script (the CSP allows none inline), so a keyboard or screen reader user starts there.
        // With field errors, the summary lists each as a link to its field, under the problem notice's words
        // when the page has one.
        let noticeHTML: HTML
        var content = content
        if let summary = ErrorSummary.render(content, heading: notice.flatMap { $0.kind == .bad ? "\($0.text)" : nil }) {
            content = summary.content
            noticeHTML =
                notice.map { $0.kind == .ok ? "<p class=\"notice ok\" role=\"status\">\($0.text)</p>\(summary.summary)" : summary.summary }
                ?? summary.summary
        } else {
            noticeHTML =
                notice.map {
                    $0.kind == .bad
                        ? "<p class=\"notice bad\" id=\"error-summary\" role=\"status\" tabindex=\"-1\" autofocus>\($0.text)</p>"
                        : "<p class=\"notice ok\" role=\"status\">\($0.text)</p>"
                } ?? ""
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · CatalystWells</title><link rel="stylesheet" href="/assets/catalyst.css"></head>
            <body><a class="skip-link" href="#main">Skip to main content</a>\(header)
            <main id="main" tabindex="-1"\(narrow ? HTML(unsafeRaw: " class=\"narrow\"") : "")>\(noticeHTML)\(content)</main>\(footer)</body></html>
            """
    }

    /// The site footer. Signed in, it states the session's time limit (WCAG 2.2.1): nothing is typed into a
    /// page for longer than that without warning.
    static func footer(idleMinutes: Int?) -> HTML {
        let limit: HTML =
            idleMinutes.map {
                "<p id=\"session-time-limit\">For your security you are signed out after \($0) minutes without activity; a form sent after that asks you to sign in again and is not saved.</p>"
            } ?? ""
        return "<footer class=\"site\">\(limit)<p>CatalystWells</p></footer>"
    }

    private static func topBar(_ session: SignedIn?) -> HTML {
        guard let session else {
            return "<header class=\"top\"><div class=\"bar\"><a class=\"brand\" href=\"/\">CatalystWells</a></div></header>"
        }
        let links = navigation(for: session.user.role).map { item -> HTML in "<a href=\"\(item.0)\">\(item.1)</a>" }
        return """
            <header class="top"><div class="bar"><a class="brand" href="/">CatalystWells</a>
            <nav aria-label="Main">\(links)<a href="/account/apps">Connected apps</a><a href="/account">Account</a><a href="/account/password">Password</a></nav>
            <span class="who" id="signed-in-as">\(session.user.displayName) · \(session.user.role.label)</span>
            <form class="inline" id="signout" method="post" action="/logout">\(csrfField(session.csrf))<button class="link" type="submit">Sign out</button></form>
            </div></header>
            """
    }

    /// The top links of each role.
    static func navigation(for role: Role) -> [(String, String)] {
        switch role {
        case .student: [("/student", "My classes and grades"), ("/account/access-log", "App activity"), ("/account/export", "My data")]
        case .parent: [("/parent", "My children"), ("/account/access-log", "App activity"), ("/account/export", "My data")]
        case .teacher: [("/teacher", "My classes"), ("/account/export", "My data")]
        case .schoolAdmin:
            [
                ("/school", "School"), ("/school/users", "Users"), ("/school/classes", "Classes"), ("/school/roster", "Roster import"),
                ("/school/passwords", "Passwords"),
                ("/school/apps", "Apps"), ("/school/sign-in", "Sign-in"), ("/school/access-log", "Data access"),
                ("/school/security-log", "Security log"), ("/school/export", "Export"), ("/school/erasures", "Erasures"),
            ]
        case .platformAdmin: [("/platform", "Platform"), ("/platform/security-log", "Security log")]
        }
    }

    /// The hidden CSRF field every form carries.
    static func csrfField(_ token: String) -> HTML { "<input type=\"hidden\" name=\"csrf\" value=\"\(token)\">" }

    /// An error message placed under a form field, or nothing.
    static func fieldError(_ message: String?, id: String) -> HTML {
        guard let message else { return "" }
        return "<span class=\"field-error\" id=\"\(id)\">\(message)</span>"
    }

    /// The attributes that tie a field to its error message (``fieldError(_:id:)`` with the same `id`), or
    /// nothing when the field is fine.
    static func errorAttributes(_ message: String?, id: String) -> HTML {
        message == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(id)\""
    }

    /// `aria-invalid` for a field that already names its error message in `aria-describedby`.
    static func invalidFlag(_ message: String?) -> HTML { message == nil ? "" : " aria-invalid=\"true\"" }

    /// A complete error page: a heading, the message, and the request id to quote to support.
    static func errorPage(status: Int, title: String, message: String, requestID: String) -> HTML {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · CatalystWells</title>
        <link rel="stylesheet" href="/assets/catalyst.css"></head>
        <body><header class="top"><div class="bar"><a class="brand" href="/">CatalystWells</a></div></header>
        <main class="narrow" id="main"><h1>\(title)</h1><p>\(message)</p>
        <p><small>Error \(status) · request \(requestID)</small></p></main></body></html>
        """
    }
}

extension HTTPResponse {
    /// A page built from a template.
    static func page(_ html: HTML, status: Int = 200) -> HTTPResponse { .html(html.rendered, status: status) }
}
