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
        let asker: HTML = clientName.map { "<strong>\($0)</strong> asks you to sign out." } ?? "An app asks you to sign out."
        return Layout.page(
            title: "Sign out?", session: session, narrow: true,
            """
            <h1>Sign out?</h1>
            <p>\(asker) You are signed in as \(session.user.givenName) \(session.user.familyName). Signing out here signs you out of CatalystWells \
            in this browser, and the apps you signed in to through it are told.</p>
            <form method="post" id="confirm-logout" action="\(LogoutRoutes.confirmPath)">\(Layout.csrfField(session.csrf))\(fields)
            <button type="submit">Sign out</button></form>
            <p><a href="/">Stay signed in</a></p>
            """)
    }

    /// The end of a logout that named no registered place to return to.
    static func signedOut() -> HTML {
        Layout.page(
            title: "Signed out", session: nil, narrow: true,
            """
            <h1 id="signed-out">You are signed out</h1>
            <p>You can close this window, or <a href="/login">sign in again</a>.</p>
            """)
    }

    /// The button for shared classroom devices: ends this session and revokes what apps got through it.
    static func deviceSignOut(csrf: String) -> HTML {
        """
        <form method="post" id="sign-out-device" action="\(LogoutRoutes.devicePath)">\(Layout.csrfField(csrf))
        <button type="submit" class="secondary">Sign out of this device</button>
        <small>For shared devices: also ends what apps were given through this browser.</small></form>
        """
    }
}
