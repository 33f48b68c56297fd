import Domain

/// The frame of the developer portal's pages: the same document and stylesheet as the app site, with the
/// portal's own top bar.
enum PortalLayout {
    /// A full page. `session` is `nil` on signed-out pages; an unverified developer gets no navigation.
    static func page(
        title: String, session: DeveloperSignedIn?, notice: Layout.Notice? = nil, narrow: Bool = false, _ content: HTML
    ) -> HTML {
        Layout.document(
            title: title, header: topBar(session), footer: Layout.footer(idleMinutes: session.map { $0.idleMinutes }, csrf: session?.csrf),
            notice: notice, narrow: narrow, content)
    }

    private static func topBar(_ session: DeveloperSignedIn?) -> HTML {
        let brand: HTML = "<a class=\"brand\" href=\"/\">\(L("portal.brand"))</a>"
        guard let session else {
            return """
                <header class="top"><div class="bar">\(brand)
                <nav aria-label="\(L("nav.main"))"><a href="/docs">\(L("portal.nav.docs"))</a><a href="/login">\(L("portal.nav.sign_in"))</a><a href="/signup">\(L("portal.nav.sign_up"))</a></nav>
                </div></header>
                """
        }
        let links: HTML =
            session.account.state == .active
            ? "<nav aria-label=\"\(L("nav.main"))\"><a href=\"/apps\">\(L("portal.nav.apps"))</a><a href=\"/organisations\">\(L("portal.nav.teams"))</a><a href=\"/docs\">\(L("portal.nav.docs"))</a><a href=\"/support\">\(L("portal.nav.support"))</a><a href=\"/account\">\(L("nav.account"))</a></nav>"
            : "<nav aria-label=\"\(L("nav.main"))\"><a href=\"/docs\">\(L("portal.nav.docs"))</a></nav>"
        return """
            <header class="top"><div class="bar">\(brand)
            \(links)
            <span class="who" id="signed-in-as">\(session.account.name)</span>
            <form class="inline" id="signout" method="post" action="/logout">\(Layout.csrfField(session.csrf))<button class="link" type="submit">\(L("nav.sign_out"))</button></form>
            </div></header>
            """
    }

    /// A labelled text input with its error underneath, keeping what was typed.
    static func field(
        _ label: String, name: String, value: String, error: Message?, type: String = "text", maxLength: Int = 200,
        required: Bool = false, autocomplete: String? = nil, hint: String? = nil
    ) -> HTML {
        field(
            label, name: name, value: value, error: error.map { L($0) }, type: type, maxLength: maxLength, required: required,
            autocomplete: autocomplete,
            hint: hint)
    }

    /// ``field(_:name:value:error:type:maxLength:required:autocomplete:hint:)`` with an error already in the page's language.
    static func field(
        _ label: String, name: String, value: String, error: String?, type: String = "text", maxLength: Int = 200,
        required: Bool = false, autocomplete: String? = nil, hint: String? = nil
    ) -> HTML {
        let errorID = "\(name)-error"
        let extra = (required ? " required" : "") + (autocomplete.map { " autocomplete=\"\($0)\"" } ?? "")
        return """
            <label>\(label)<input name="\(name)" type="\(type)" maxlength="\(maxLength)" value="\(value)"\(HTML(unsafeRaw: extra)) aria-describedby="\(errorID)"\(Layout.invalidFlag(error))>
            \(hint.map { "<small class=\"muted\">\($0)</small>" as HTML } ?? "")\(Layout.fieldError(error, id: errorID))</label>
            """
    }
}
