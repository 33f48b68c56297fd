import Domain
import Foundation
import Native

/// The portal's account and security pages: profile, password change, TOTP two-step sign-in with recovery
/// codes, and the list of signed-in sessions.
enum PortalSecurityPages {
    /// The account overview with the password change form.
    static func account(
        session: DeveloperSignedIn, recoveryCodesLeft: Int, currentError: String?, newError: String?, notice: Layout.Notice?
    ) -> HTML {
        let account = session.account
        let (currentError, newError) = (PortalErrors.text(currentError), PortalErrors.text(newError))
        let twoStep: HTML =
            account.totpEnabled
            ? "<p id=\"totp-status\">\(onStatus) \(L("portal.security.codes_left", count: recoveryCodesLeft))</p>"
            : "<p id=\"totp-status\">\(offStatus) \(L("portal.security.turn_on_hint"))</p>"
        return PortalLayout.page(
            title: L("portal.account.title"), session: session, notice: notice,
            """
            <h1>\(L("portal.account.title"))</h1>
            <dl class="facts"><dt>\(L("portal.teams.name"))</dt><dd>\(account.name)</dd><dt>\(L("portal.teams.email"))</dt><dd id="account-email">\(account.email)</dd>
            <dt>\(L("portal.account.company"))</dt><dd>\(account.company ?? "—")</dd></dl>
            <section><h2>\(L("portal.code.title"))</h2>\(twoStep)<p><a href="/account/2fa">\(L("portal.account.manage_two_step"))</a></p></section>
            <section><h2>\(L("portal.account.passkeys"))</h2><p>\(L("portal.account.passkeys_intro"))</p>
            <p><a href="/account/passkeys" id="manage-passkeys">\(L("portal.account.manage_passkeys"))</a></p></section>
            <section><h2>\(L("portal.sessions.title"))</h2><p><a href="/account/sessions">\(L("portal.account.see_sessions"))</a></p></section>
            <section><h2>\(L("portal.account.change_password"))</h2>
            <form class="stack" id="change-password" method="post" action="/account/password">\(Layout.csrfField(session.csrf))
            <label>\(L("portal.account.current_password"))<input name="current" type="password" autocomplete="current-password" required maxlength="1024" aria-describedby="current-error"\(Layout.invalidFlag(currentError))>
            \(Layout.fieldError(currentError, id: "current-error"))</label>
            <label>\(L("portal.reset.new"))<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(newError))>
            \(Layout.fieldError(newError, id: "password-error"))</label>
            <label>\(L("portal.reset.again"))<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <p class="muted">\(L("portal.account.change_note"))</p>
            <button type="submit">\(L("portal.account.change_submit"))</button>
            </form></section>
            """)
    }

    /// Two-step sign-in: off (a button to start), on (recovery codes, turn off).
    static func twoFactor(session: DeveloperSignedIn, recoveryCodesLeft: Int, error: String?, notice: Layout.Notice?) -> HTML {
        let body: HTML =
            session.account.totpEnabled
            ? """
            <p id="totp-status">\(onStatus) \(L("portal.security.on_detail"))</p>
            <section><h2>\(L("portal.security.recovery_codes"))</h2><p id="recovery-left">\(L("portal.security.recovery_left", count: recoveryCodesLeft, ["total": PortalFormat.number(RecoveryCodes.count)]))</p>
            <form class="stack" id="regenerate-codes" method="post" action="/account/2fa/recovery-codes">\(Layout.csrfField(session.csrf))
            <label>\(L("portal.security.current_code"))<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required></label>
            <button type="submit">\(L("portal.security.new_codes"))</button></form></section>
            <section><h2>\(L("portal.security.turn_off_title"))</h2>
            <form class="stack" id="disable-totp" method="post" action="/account/2fa/disable">\(Layout.csrfField(session.csrf))
            <label>\(L("portal.security.your_password"))<input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
            <button class="danger" type="submit">\(L("portal.security.turn_off"))</button></form></section>
            """
            : """
            <p id="totp-status">\(offStatus)</p>
            <p>\(L("portal.security.off_detail"))</p>
            <form class="stack" id="start-totp" method="post" action="/account/2fa/start">\(Layout.csrfField(session.csrf))
            <button type="submit">\(L("portal.security.set_up"))</button></form>
            """
        return PortalLayout.page(
            title: L("portal.code.title"), session: session, notice: notice, narrow: true,
            """
            <h1>\(L("portal.code.title"))</h1>
            \(error.map { "<p class=\"notice bad\" id=\"totp-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            \(body)
            <p><a href="/account">\(L("portal.security.back"))</a></p>
            """)
    }

    /// Enrolment: the QR code, the same secret as text, and the confirmation form.
    static func enrol(session: DeveloperSignedIn, secret: [UInt8], uri: String, error: String?) -> HTML {
        let grouped = Base32.encode(secret).enumerated().map { index, character in
            (index > 0 && index % 4 == 0 ? " " : "") + String(character)
        }.joined()
        return PortalLayout.page(
            title: L("portal.security.set_up"), session: session, narrow: true,
            """
            <h1>\(L("portal.security.set_up"))</h1>
            <ol>
            <li>\(L("portal.security.enrol.scan"))
            <figure class="qr">\(qrSVG(uri))</figure></li>
            <li>\(L("portal.security.enrol.type"))
            <code id="totp-secret">\(grouped)</code></li>
            <li>\(L("portal.security.enrol.enter"))</li>
            </ol>
            <form class="stack" id="confirm-totp" method="post" action="/account/2fa/confirm">\(Layout.csrfField(session.csrf))
            <label>\(L("portal.code.code"))<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus aria-describedby="code-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "code-error"))</label>
            <button type="submit">\(L("portal.security.turn_on"))</button>
            </form>
            """)
    }

    /// Recovery codes, shown once.
    static func recoveryCodes(session: DeveloperSignedIn, codes: [String], justEnabled: Bool) -> HTML {
        let items = codes.map { code -> HTML in "<li><code>\(code)</code></li>" }
        return PortalLayout.page(
            title: L("portal.security.codes_title"), session: session,
            notice: justEnabled ? .init(kind: .ok, text: L("portal.security.now_on")) : nil, narrow: true,
            """
            <h1>\(L("portal.security.save_codes"))</h1>
            <p class="notice bad" role="alert">\(L("portal.security.codes_warning"))</p>
            <ol class="codes" id="recovery-codes">\(items)</ol>
            <p><a href="/account/2fa">\(L("portal.security.done"))</a></p>
            """)
    }

    /// Signed-in sessions with a sign-out button for each.
    static func sessions(session: DeveloperSignedIn, list: [DeveloperSessionSummary], now: Date) -> HTML {
        let rows = list.map { row -> HTML in
            """
            <tr\(row.isCurrent ? HTML(unsafeRaw: " class=\"current\"") : "")><td>\(row.userAgent.isEmpty ? L("portal.sessions.unknown_browser") : row.userAgent)</td><td>\(row.clientAddress)</td>
            <td>\(PortalFormat.dateTime(row.createdAt))</td><td>\(PortalFormat.dateTime(row.lastSeenAt))</td>
            <td>\(row.isCurrent ? "\(L("portal.sessions.this_browser"))" as HTML : HTML("""
            <form class="inline" method="post" action="/account/sessions/\(row.id)/revoke">\(Layout.csrfField(session.csrf))<button class="link" type="submit">\(L("nav.sign_out"))</button></form>
            """))</td></tr>
            """
        }
        return PortalLayout.page(
            title: L("portal.sessions.title"), session: session,
            """
            <h1>\(L("portal.sessions.heading"))</h1>
            <table id="sessions"><thead><tr><th scope="col">\(L("portal.sessions.browser"))</th><th scope="col">\(L("portal.sessions.address"))</th><th scope="col">\(L("portal.sessions.signed_in"))</th><th scope="col">\(L("portal.sessions.last_active"))</th><th scope="col"><span class="visually-hidden">\(L("portal.actions"))</span></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <form class="stack" id="signout-others" method="post" action="/account/sessions/revoke-others">\(Layout.csrfField(session.csrf))
            <button type="submit">\(L("portal.sessions.others"))</button></form>
            <p><a href="/account">\(L("portal.security.back"))</a></p>
            """)
    }

    /// "Two-step sign-in is on/off." with the state in bold.
    private static var onStatus: HTML { LH("portal.security.status", ["state": "<strong>\(L("portal.security.on"))</strong>"]) }
    private static var offStatus: HTML { LH("portal.security.status", ["state": "<strong>\(L("portal.security.off"))</strong>"]) }

    /// The QR code as inline SVG: one path of unit squares with the 4-module quiet zone the standard asks
    /// for. Inline markup needs no `img-src` exception in the content security policy.
    static func qrSVG(_ text: String) -> HTML {
        guard let code = try? QRCode(encoding: text) else { return "<p>\(L("portal.security.qr_failed"))</p>" }
        let size = code.width + 8
        var path = ""
        for y in 0..<code.width {
            for x in 0..<code.width where code.isDark(x: x, y: y) { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        return HTML(
            unsafeRaw: """
                <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" width="\(size * 5)" height="\(size * 5)" role="img" aria-label="\(HTML.escape(L("portal.security.qr_label")))" shape-rendering="crispEdges" id="totp-qr"><rect width="\(size)" height="\(size)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
                """)
    }
}
