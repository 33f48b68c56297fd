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
        document(title: title, header: topBar(session), notice: notice, narrow: narrow, content)
    }

    /// The document around a page of either site: head, the site's top bar, an optional notice, the content.
    static func document(title: String, header: HTML, notice: Notice?, narrow: Bool, _ content: HTML) -> HTML {
        let noticeHTML: HTML = notice.map { "<p class=\"notice \($0.kind.rawValue)\" role=\"status\">\($0.text)</p>" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · CatalystWells</title><link rel="stylesheet" href="/assets/catalyst.css"></head>
            <body>\(header)
            <main\(narrow ? HTML(unsafeRaw: " class=\"narrow\"") : "")>\(noticeHTML)\(content)</main></body></html>
            """
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

    /// A complete error page: a heading, the message, and the request id to quote to support.
    static func errorPage(status: Int, title: String, message: String, requestID: String) -> HTML {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · CatalystWells</title>
        <link rel="stylesheet" href="/assets/catalyst.css"></head>
        <body><main class="narrow"><h1>\(title)</h1><p>\(message)</p>
        <p><small>Error \(status) · request \(requestID)</small></p></main></body></html>
        """
    }
}

extension HTTPResponse {
    /// A page built from a template.
    static func page(_ html: HTML, status: Int = 200) -> HTTPResponse { .html(html.rendered, status: status) }
}
