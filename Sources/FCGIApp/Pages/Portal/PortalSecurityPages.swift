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
        let twoStep: HTML =
            account.totpEnabled
            ? "<p id=\"totp-status\">Two-step sign-in is <strong>on</strong>. \(recoveryCodesLeft) recovery codes left.</p>"
            : "<p id=\"totp-status\">Two-step sign-in is <strong>off</strong>. Turn it on so a stolen password alone cannot reach your apps' credentials.</p>"
        return PortalLayout.page(
            title: "Your account", session: session, notice: notice,
            """
            <h1>Your account</h1>
            <dl class="facts"><dt>Name</dt><dd>\(account.name)</dd><dt>Email</dt><dd id="account-email">\(account.email)</dd>
            <dt>Company</dt><dd>\(account.company ?? "—")</dd></dl>
            <section><h2>Two-step sign-in</h2>\(twoStep)<p><a href="/account/2fa">Manage two-step sign-in</a></p></section>
            <section><h2>Passkeys</h2><p>Sign in with your device's screen lock instead of a password and a code.</p>
            <p><a href="/account/passkeys" id="manage-passkeys">Manage passkeys</a></p></section>
            <section><h2>Sessions</h2><p><a href="/account/sessions">See where you are signed in</a></p></section>
            <section><h2>Change your password</h2>
            <form class="stack" id="change-password" method="post" action="/account/password">\(Layout.csrfField(session.csrf))
            <label>Current password<input name="current" type="password" autocomplete="current-password" required maxlength="1024" aria-describedby="current-error"\(Layout.invalidFlag(currentError))>
            \(Layout.fieldError(currentError, id: "current-error"))</label>
            <label>New password<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(newError))>
            \(Layout.fieldError(newError, id: "password-error"))</label>
            <label>New password again<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <p class="muted">Changing it signs out your other sessions.</p>
            <button type="submit">Change the password</button>
            </form></section>
            """)
    }

    /// Two-step sign-in: off (a button to start), on (recovery codes, turn off).
    static func twoFactor(session: DeveloperSignedIn, recoveryCodesLeft: Int, error: String?, notice: Layout.Notice?) -> HTML {
        let body: HTML =
            session.account.totpEnabled
            ? """
            <p id="totp-status">Two-step sign-in is <strong>on</strong>: after your password you enter a code from your authenticator app.</p>
            <section><h2>Recovery codes</h2><p id="recovery-left">\(recoveryCodesLeft) of \(RecoveryCodes.count) recovery codes left. Each works once, if you lose your phone.</p>
            <form class="stack" id="regenerate-codes" method="post" action="/account/2fa/recovery-codes">\(Layout.csrfField(session.csrf))
            <label>Current code from your app<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required></label>
            <button type="submit">Make new recovery codes</button></form></section>
            <section><h2>Turn it off</h2>
            <form class="stack" id="disable-totp" method="post" action="/account/2fa/disable">\(Layout.csrfField(session.csrf))
            <label>Your password<input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
            <button class="danger" type="submit">Turn off two-step sign-in</button></form></section>
            """
            : """
            <p id="totp-status">Two-step sign-in is <strong>off</strong>.</p>
            <p>With it on, signing in needs your password and a code from an authenticator app (any app that supports
            TOTP, RFC 6238: for example FreeOTP, Aegis, Google Authenticator or 1Password).</p>
            <form class="stack" id="start-totp" method="post" action="/account/2fa/start">\(Layout.csrfField(session.csrf))
            <button type="submit">Set up two-step sign-in</button></form>
            """
        return PortalLayout.page(
            title: "Two-step sign-in", session: session, notice: notice, narrow: true,
            """
            <h1>Two-step sign-in</h1>
            \(error.map { "<p class=\"notice bad\" id=\"totp-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            \(body)
            <p><a href="/account">Back to your account</a></p>
            """)
    }

    /// Enrolment: the QR code, the same secret as text, and the confirmation form.
    static func enrol(session: DeveloperSignedIn, secret: [UInt8], uri: String, error: String?) -> HTML {
        let grouped = Base32.encode(secret).enumerated().map { index, character in
            (index > 0 && index % 4 == 0 ? " " : "") + String(character)
        }.joined()
        return PortalLayout.page(
            title: "Set up two-step sign-in", session: session, narrow: true,
            """
            <h1>Set up two-step sign-in</h1>
            <ol>
            <li>Scan this code with your authenticator app.
            <figure class="qr">\(qrSVG(uri))</figure></li>
            <li>Or type this key into the app (time-based, 6 digits, every 30 seconds):
            <code id="totp-secret">\(grouped)</code></li>
            <li>Enter the code the app shows now.</li>
            </ol>
            <form class="stack" id="confirm-totp" method="post" action="/account/2fa/confirm">\(Layout.csrfField(session.csrf))
            <label>Code<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus aria-describedby="code-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "code-error"))</label>
            <button type="submit">Turn on two-step sign-in</button>
            </form>
            """)
    }

    /// Recovery codes, shown once.
    static func recoveryCodes(session: DeveloperSignedIn, codes: [String], justEnabled: Bool) -> HTML {
        let items = codes.map { code -> HTML in "<li><code>\(code)</code></li>" }
        return PortalLayout.page(
            title: "Your recovery codes", session: session,
            notice: justEnabled ? .init(kind: .ok, text: "Two-step sign-in is on.") : nil, narrow: true,
            """
            <h1>Save your recovery codes</h1>
            <p class="notice bad" role="alert">This is the only time these codes are shown. Keep them somewhere safe, apart from your phone:
            each one signs you in once if you lose your authenticator. Earlier codes no longer work.</p>
            <ol class="codes" id="recovery-codes">\(items)</ol>
            <p><a href="/account/2fa">Done</a></p>
            """)
    }

    /// Signed-in sessions with a sign-out button for each.
    static func sessions(session: DeveloperSignedIn, list: [DeveloperSessionSummary], now: Date) -> HTML {
        let rows = list.map { row -> HTML in
            """
            <tr\(row.isCurrent ? HTML(unsafeRaw: " class=\"current\"") : "")><td>\(row.userAgent.isEmpty ? "Unknown browser" : row.userAgent)</td><td>\(row.clientAddress)</td>
            <td>\(Display.dateTime(row.createdAt))</td><td>\(Display.dateTime(row.lastSeenAt))</td>
            <td>\(row.isCurrent ? HTML("This browser") : HTML("""
            <form class="inline" method="post" action="/account/sessions/\(row.id)/revoke">\(Layout.csrfField(session.csrf))<button class="link" type="submit">Sign out</button></form>
            """))</td></tr>
            """
        }
        return PortalLayout.page(
            title: "Sessions", session: session,
            """
            <h1>Where you are signed in</h1>
            <table id="sessions"><thead><tr><th scope="col">Browser</th><th scope="col">Address</th><th scope="col">Signed in</th><th scope="col">Last active</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <form class="stack" id="signout-others" method="post" action="/account/sessions/revoke-others">\(Layout.csrfField(session.csrf))
            <button type="submit">Sign out everywhere else</button></form>
            <p><a href="/account">Back to your account</a></p>
            """)
    }

    /// The QR code as inline SVG: one path of unit squares with the 4-module quiet zone the standard asks
    /// for. Inline markup needs no `img-src` exception in the content security policy.
    static func qrSVG(_ text: String) -> HTML {
        guard let code = try? QRCode(encoding: text) else { return "<p>The QR code could not be drawn; type the key below.</p>" }
        let size = code.width + 8
        var path = ""
        for y in 0..<code.width {
            for x in 0..<code.width where code.isDark(x: x, y: y) { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        return HTML(
            unsafeRaw: """
                <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" width="\(size * 5)" height="\(size * 5)" role="img" aria-label="QR code of the authenticator key" shape-rendering="crispEdges" id="totp-qr"><rect width="\(size)" height="\(size)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
                """)
    }
}
