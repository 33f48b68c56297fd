import Domain

/// The pages of school users' two-step sign-in.
enum SecondFactorPages {
    /// The code step of sign-in.
    static func codeStep(csrf: String, error: String?) -> HTML {
        Layout.page(
            title: "Two-step sign-in", session: nil, narrow: true,
            """
            <h1>Enter your code</h1>
            \(error.map { "<p class=\"notice bad\" id=\"code-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <form class="stack" id="two-step" method="post" action="/login/two-step">\(Layout.csrfField(csrf))
            <label>The 6-digit code of your authenticator app, or a recovery code
            <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus\(Layout.errorAttributes(error, id: "code-error"))></label>
            <button type="submit">Continue</button>
            </form>
            <p class="muted" id="code-time-limit">This step stays open for \(Int(PendingSecondFactor.lifetime / 60)) minutes; after that, sign in again.</p>
            <p class="muted">Lost your phone? Use one of your recovery codes, or ask your school to reset your two-step sign-in.</p>
            """)
    }

    /// Two-step sign-in on the account: on or off, and what can be done.
    static func status(
        session: SignedIn, enabled: Bool, required: Bool, recoveryCodesLeft: Int, notice: Layout.Notice?, error: String?
    ) -> HTML {
        let body: HTML =
            enabled
            ? """
            <p id="two-step-on">Two-step sign-in is <strong>on</strong>: after your password or school account, you enter a code from your
            authenticator app. Recovery codes left: \(String(recoveryCodesLeft)).</p>
            <form class="stack" id="new-recovery-codes" method="post" action="/account/two-step/recovery-codes">\(Layout.csrfField(session.csrf))
            <label>Current code<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required></label>
            <button type="submit" class="secondary">Make new recovery codes</button></form>
            \(required ? "<p class=\"muted\">Your school requires it for your role.</p>" as HTML : """
                <form class="stack" id="disable-two-step" method="post" action="/account/two-step/disable">\(Layout.csrfField(session.csrf))
                <label>Current code<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required></label>
                <button type="submit" class="link">Turn two-step sign-in off</button></form>
                """)
            """
            : """
            <p id="two-step-off">Two-step sign-in is <strong>off</strong>.\(required ? " Your school requires it for your role." : "")</p>
            <form method="post" id="start-two-step" action="/account/two-step/start">\(Layout.csrfField(session.csrf))
            <button type="submit">Set up two-step sign-in</button></form>
            <p>Or <a href="/account/passkeys">add a passkey</a>: your device's screen lock counts as the second step.</p>
            """
        return Layout.page(
            title: "Two-step sign-in", session: session, notice: notice,
            """
            <h1>Two-step sign-in</h1>
            \(error.map { "<p class=\"notice bad\" id=\"two-step-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            \(body)
            <p><a href="/account">Back to your account</a></p>
            """)
    }

    /// Enrolment: the QR code and key, and the first code.
    static func enrol(session: SignedIn, secret: [UInt8], uri: String, error: String?) -> HTML {
        let grouped = Base32.encode(secret).enumerated().map { index, character in
            (index > 0 && index % 4 == 0 ? " " : "") + String(character)
        }.joined()
        return Layout.page(
            title: "Set up two-step sign-in", session: session, narrow: true,
            """
            <h1>Set up two-step sign-in</h1>
            <ol>
            <li>Scan this code with your authenticator app.<figure class="qr">\(PortalSecurityPages.qrSVG(uri))</figure></li>
            <li>Or type this key into the app (time-based, 6 digits, every 30 seconds): <code id="totp-secret">\(grouped)</code></li>
            <li>Enter the code the app shows now.</li>
            </ol>
            <form class="stack" id="confirm-two-step" method="post" action="/account/two-step/confirm">\(Layout.csrfField(session.csrf))
            <label>Code<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus aria-describedby="code-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "code-error"))</label>
            <button type="submit">Turn on two-step sign-in</button>
            </form>
            """)
    }

    /// Recovery codes, shown once.
    /// `continueTo`: where the person was going when they were sent to enrol (an app's request), offered first.
    static func recoveryCodes(session: SignedIn, codes: [String], justEnabled: Bool, continueTo: String? = nil) -> HTML {
        let items = codes.map { code -> HTML in "<li><code>\(code)</code></li>" }
        return Layout.page(
            title: "Your recovery codes", session: session, notice: justEnabled ? .init(kind: .ok, text: "Two-step sign-in is on.") : nil,
            narrow: true,
            """
            <h1>Save your recovery codes</h1>
            <p>Each code signs you in once if you cannot use your authenticator app. They are shown only now: print them or keep them
            somewhere safe.</p>
            <ul class="codes" id="recovery-codes">\(items)</ul>
            \(continueTo.map { "<p><a class=\"button\" id=\"continue\" href=\"\($0)\">I have saved them: continue</a></p>" as HTML } ?? "<p><a href=\"/account/two-step\">Done</a></p>")
            """)
    }
}
