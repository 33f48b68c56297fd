import Domain

/// The end-session endpoint's pages (``LogoutRoutes``) and the "sign out of this device" form.
enum LogoutPages {
    /// "Sign out?": shown when an app asks to end the session without an `id_token_hint` naming exactly it. The form
    /// carries the request again, so the confirmation is checked by the same rules.
    static func confirm(session: SignedIn, request: EndSessionRequest, clientName: String?) -> HTML {
        let hidden: [(String, String?)] = [
            ("id_token_hint", request.idTokenHint), ("client_id", request.clientID?.rawValue),
            ("post_logout_redirect_uri", request.postLogoutRedirectURI), ("state", request.state),
        ]
        let fields = hidden.compactMap { name, value -> HTML? in
            value.map { "<input type=\"hidden\" name=\"\(name)\" value=\"\($0)\">" }
        }
        let asker: HTML = clientName.map { LH("logout.app_asks", ["app": "<strong>\($0)</strong>"]) } ?? "\(L("logout.an_app_asks"))"
        return Layout.page(
            title: L("logout.title"), session: session, narrow: true,
            """
            <h1>\(L("logout.title"))</h1>
            <p>\(asker) \(L("logout.explain", ["name": "\(session.user.givenName) \(session.user.familyName)"]))</p>
            <form method="post" id="confirm-logout" action="\(LogoutRoutes.confirmPath)">\(Layout.csrfField(session.csrf))\(fields)
            <button type="submit">\(L("nav.sign_out"))</button></form>
            <p><a href="/">\(L("logout.stay"))</a></p>
            """)
    }

    /// The end of a logout that named no registered place to return to.
    static func signedOut() -> HTML {
        Layout.page(
            title: L("logout.signed_out.title"), session: nil, narrow: true,
            """
            <h1 id="signed-out">\(L("logout.signed_out.heading"))</h1>
            <p>\(LH("logout.signed_out.text", ["link": "<a href=\"/login\">\(L("logout.sign_in_again"))</a>"]))</p>
            """)
    }

    /// The button for shared classroom devices: ends this session and revokes what apps got through it.
    static func deviceSignOut(csrf: String) -> HTML {
        """
        <form method="post" id="sign-out-device" action="\(LogoutRoutes.devicePath)">\(Layout.csrfField(csrf))
        <button type="submit" class="secondary">\(L("logout.device"))</button>
        <small>\(L("logout.device_note"))</small></form>
        """
    }
}
