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
            title: title, header: topBar(session), footer: footer(idleMinutes: session.map { $0.idleMinutes }, csrf: session?.csrf),
            notice: notice, narrow: narrow, content)
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
            <html \(languageAttributes)><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · CatalystWells</title><link rel="stylesheet" href="/assets/catalyst.css"></head>
            <body><a class="skip-link" href="#main">\(L("layout.skip_link"))</a>\(header)
            <main id="main" tabindex="-1"\(narrow ? HTML(unsafeRaw: " class=\"narrow\"") : "")>\(noticeHTML)\(content)</main>\(footer)</body></html>
            """
    }

    /// The site footer. Signed in, it states the session's time limit (WCAG 2.2.1): nothing is typed into a
    /// page for longer than that without warning.
    /// It ends with the language switcher (`csrf`: the session's token when signed in).
    static func footer(idleMinutes: Int?, csrf: String?) -> HTML {
        let limit: HTML =
            idleMinutes.map {
                "<p id=\"session-time-limit\">\(L("layout.session_limit", count: $0))</p>"
            } ?? ""
        return "<footer class=\"site\">\(limit)\(LanguageRoutes.switcher(csrf: csrf))<p>CatalystWells</p></footer>"
    }

    /// `lang` and `dir` of the page's `<html>` element, from the page's language.
    static var languageAttributes: HTML {
        let language = PageLanguage.current
        return "lang=\"\(language?.tag ?? Translations.source)\" dir=\"\(language?.isRightToLeft == true ? "rtl" : "ltr")\""
    }

    private static func topBar(_ session: SignedIn?) -> HTML {
        guard let session else {
            return "<header class=\"top\"><div class=\"bar\"><a class=\"brand\" href=\"/\">CatalystWells</a></div></header>"
        }
        let links = navigation(for: session.user.role).map { item -> HTML in "<a href=\"\(item.0)\">\(item.1)</a>" }
        return """
            <header class="top"><div class="bar"><a class="brand" href="/">CatalystWells</a>
            <nav aria-label="\(L("nav.main"))">\(links)<a href="/account/apps">\(L("nav.connected_apps"))</a><a href="/account">\(L("nav.account"))</a><a href="/account/password">\(L("nav.password"))</a></nav>
            <span class="who" id="signed-in-as">\(session.user.displayName) · \(roleLabel(session.user.role))</span>
            <form class="inline" id="signout" method="post" action="/logout">\(csrfField(session.csrf))<button class="link" type="submit">\(L("nav.sign_out"))</button></form>
            </div></header>
            """
    }

    /// The top links of each role.
    static func navigation(for role: Role) -> [(String, String)] {
        switch role {
        case .student:
            [("/student", L("nav.student.home")), ("/account/access-log", L("nav.app_activity")), ("/account/export", L("nav.my_data"))]
        case .parent: [("/parent", L("nav.parent.home")), ("/account/access-log", L("nav.app_activity")), ("/account/export", L("nav.my_data"))]
        case .teacher: [("/teacher", L("nav.teacher.home")), ("/account/export", L("nav.my_data"))]
        case .schoolAdmin:
            [
                ("/school", L("nav.school.home")), ("/school/users", L("nav.school.users")), ("/school/classes", L("nav.school.classes")),
                ("/school/roster", L("nav.school.roster")), ("/school/passwords", L("nav.school.passwords")),
                ("/school/apps", L("nav.school.apps")), ("/school/sign-in", L("nav.school.sign_in")),
                ("/school/access-log", L("nav.school.access_log")), ("/school/security-log", L("nav.security_log")),
                ("/school/export", L("nav.school.export")), ("/school/erasures", L("nav.school.erasures")),
            ]
        case .platformAdmin: [("/platform", L("nav.platform.home")), ("/platform/security-log", L("nav.security_log"))]
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

    /// A rule's problem (``Message``) under a form field, in the page's language, or nothing.
    static func fieldError(_ message: Message?, id: String) -> HTML { fieldError(message.map { L($0) }, id: id) }

    /// ``errorAttributes(_:id:)`` for a rule's problem.
    static func errorAttributes(_ message: Message?, id: String) -> HTML { errorAttributes(message?.english, id: id) }

    /// ``invalidFlag(_:)`` for a rule's problem.
    static func invalidFlag(_ message: Message?) -> HTML { invalidFlag(message?.english) }

    /// A complete error page: a heading, the message, an optional `detail` under it, and the request id to quote to
    /// support.
    static func errorPage(status: Int, title: String, message: String, detail: HTML = "", requestID: String) -> HTML {
        """
        <!doctype html>
        <html \(languageAttributes)><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · CatalystWells</title>
        <link rel="stylesheet" href="/assets/catalyst.css"></head>
        <body><header class="top"><div class="bar"><a class="brand" href="/">CatalystWells</a></div></header>
        <main class="narrow" id="main"><h1>\(title)</h1><p>\(message)</p>\(detail)
        <p><small>\(L("error.footer", ["status": String(status), "request": requestID]))</small></p></main>\(footer(idleMinutes: nil, csrf: nil))</body></html>
        """
    }
}

extension HTTPResponse {
    /// A page built from a template.
    static func page(_ html: HTML, status: Int = 200) -> HTTPResponse { .html(html.rendered, status: status) }
}
