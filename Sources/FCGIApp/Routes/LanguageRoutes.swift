import Domain

/// `POST /language` on both sites: the language switcher at the foot of every page.
///
/// Signed in, the choice is saved with the person's account after the session's CSRF check (on the app site
/// `users.preferred_language`, on the portal `developers.preferred_language`, developers 0023), and follows them to
/// every browser and into their mail. Everyone also gets the `__Host-cw_lang` cookie, so a signed-out visitor
/// keeps the language in this browser. A signed-out post has no session token to check; changing a cookie that only picks the language
/// is what a cross-site post could do at worst, and the browser's `Sec-Fetch-Site` and `Origin` still have to say
/// this site. The answer is a 303 back to the page (`next`, a path on this site only).
enum LanguageRoutes {
    static let path = "/language"
    /// A year: the choice outlives sessions.
    static let cookieLifetime = 365 * 86400

    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", path) { request, _, context in
            let session = context.site == .app ? try context.signedIn(request) : nil
            let developer = context.site == .developers ? try context.developerSignedIn(request) : nil
            let form: Parameters
            if session != nil || developer != nil {
                form = try context.verifiedForm(request, signedIn: true)
            } else {
                try checkBrowserSignals(request, context: context)
                do {
                    form = try request.formParameters()
                } catch let error as HTTPRequest.Rejection {
                    throw HTTPError(status: 400, code: "invalid_request", error.message)
                }
            }
            guard let language = PageLanguage.current, let asked = form["language"],
                let tag = language.translations.negotiation.match(asked), language.translations.languages.contains(tag)
            else { throw HTTPError(status: 400, code: "invalid_request", L("language.unknown")) }
            if let session { try context.services.people.languages.setLanguage(tag, of: session.user.id) }
            if let developer { try context.services.portal.accounts.setPreferredLanguage(tag, of: developer.account.id, now: context.now) }
            language.choose(tag)
            var response = HTTPResponse.seeOther(localPath(form["next"]) ?? "/")
            response.headers.add("Set-Cookie", "\(SessionCookie.language)=\(tag); Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=\(cookieLifetime)")
            return response
        }
    }

    /// A path on this site (``SignInRoutes/safeNext(_:)``, which also allows the sign-in page itself).
    private static func localPath(_ value: String?) -> String? {
        value == "/login" ? value : SignInRoutes.safeNext(value)
    }

    /// `Sec-Fetch-Site` must say `same-origin` when sent, and `Origin` name this site when it names one.
    private static func checkBrowserSignals(_ request: HTTPRequest, context: RequestContext) throws {
        if let site = request.headers["sec-fetch-site"], site != "same-origin" {
            throw HTTPError.staleForm(detail: "sec-fetch-site is \(site)")
        }
        let expected = context.services.configuration.origin(of: context.site)
        if let origin = request.headers["origin"], origin != "null", origin != expected {
            throw HTTPError.staleForm(detail: "origin \(origin) is not \(expected)")
        }
    }

    /// The switcher: a small form (no script: the CSP allows none inline) listing each language in its own name.
    /// `csrf` is the session's token when signed in.
    static func switcher(csrf: String?) -> HTML {
        guard let language = PageLanguage.current, language.translations.languages.count > 1 else { return "" }
        let current = language.tag
        let options = language.translations.languages.map { tag -> HTML in
            "<option value=\"\(tag)\" lang=\"\(tag)\"\(tag == current ? HTML(unsafeRaw: " selected") : "")>\(language.translations.name(of: tag))</option>"
        }
        return """
            <form class="language-switcher" id="language-switcher" method="post" action="\(path)">\(csrf.map(Layout.csrfField) ?? "")\
            <input type="hidden" name="next" value="\(localPath(language.returnPath) ?? "/")">\
            <label for="language-select">\(L("language.label"))</label> <select id="language-select" name="language">\(options)</select> \
            <button class="secondary" type="submit" id="language-apply">\(L("language.apply"))</button></form>
            """
    }
}
