import Domain

/// The pages of school users' two-step sign-in.
enum SecondFactorPages {
    /// The code step of sign-in.
    static func codeStep(csrf: String, error: String?) -> HTML {
        Layout.page(
            title: L("twostep.title"), session: nil, narrow: true,
            """
            <h1>\(L("twostep.enter_code"))</h1>
            \(error.map { "<p class=\"notice bad\" id=\"code-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <form class="stack" id="two-step" method="post" action="/login/two-step">\(Layout.csrfField(csrf))
            <label>\(L("twostep.code_label"))
            <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus\(Layout.errorAttributes(error, id: "code-error"))></label>
            <button type="submit">\(L("twostep.continue"))</button>
            </form>
            <p class="muted" id="code-time-limit">\(L("twostep.time_limit", count: Int(PendingSecondFactor.lifetime / 60)))</p>
            <p class="muted">\(L("twostep.lost_phone"))</p>
            """)
    }

    /// Two-step sign-in on the account: on or off, and what can be done.
    static func status(
        session: SignedIn, enabled: Bool, required: Bool, recoveryCodesLeft: Int, notice: Layout.Notice?, error: String?
    ) -> HTML {
        let body: HTML =
            enabled
            ? """
            <p id="two-step-on">\(LH("twostep.is_on", ["on": "<strong>\(L("twostep.on"))</strong>"])) \(L("twostep.codes_left", ["count": SchoolAdminPages.number(recoveryCodesLeft)]))</p>
            <form class="stack" id="new-recovery-codes" method="post" action="/account/two-step/recovery-codes">\(Layout.csrfField(session.csrf))
            <label>\(L("twostep.current_code"))<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required></label>
            <button type="submit" class="secondary">\(L("twostep.new_codes"))</button></form>
            \(required ? "<p class=\"muted\">\(L("twostep.required"))</p>" as HTML : """
                <form class="stack" id="disable-two-step" method="post" action="/account/two-step/disable">\(Layout.csrfField(session.csrf))
                <label>\(L("twostep.current_code"))<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required></label>
                <button type="submit" class="link">\(L("twostep.turn_off"))</button></form>
                """)
            """
            : """
            <p id="two-step-off">\(LH("twostep.is_off", ["off": "<strong>\(L("twostep.off"))</strong>"]))\(required ? " " + L("twostep.required") : "")</p>
            <form method="post" id="start-two-step" action="/account/two-step/start">\(Layout.csrfField(session.csrf))
            <button type="submit">\(L("twostep.set_up"))</button></form>
            <p>\(LH("twostep.or_passkey", ["link": "<a href=\"/account/passkeys\">\(L("twostep.add_passkey"))</a>"]))</p>
            """
        return Layout.page(
            title: L("twostep.title"), session: session, notice: notice,
            """
            <h1>\(L("twostep.title"))</h1>
            \(error.map { "<p class=\"notice bad\" id=\"two-step-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            \(body)
            <p><a href="/account">\(L("account.back"))</a></p>
            """)
    }

    /// Enrolment: the QR code and key, and the first code.
    static func enrol(session: SignedIn, secret: [UInt8], uri: String, error: String?) -> HTML {
        let grouped = Base32.encode(secret).enumerated().map { index, character in
            (index > 0 && index % 4 == 0 ? " " : "") + String(character)
        }.joined()
        return Layout.page(
            title: L("twostep.set_up"), session: session, narrow: true,
            """
            <h1>\(L("twostep.set_up"))</h1>
            <ol>
            <li>\(L("twostep.scan"))<figure class="qr">\(PortalSecurityPages.qrSVG(uri))</figure></li>
            <li>\(LH("twostep.type_key", ["key": "<code id=\"totp-secret\">\(grouped)</code>"]))</li>
            <li>\(L("twostep.enter_now"))</li>
            </ol>
            <form class="stack" id="confirm-two-step" method="post" action="/account/two-step/confirm">\(Layout.csrfField(session.csrf))
            <label>\(L("twostep.code"))<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" required autofocus aria-describedby="code-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "code-error"))</label>
            <button type="submit">\(L("twostep.turn_on"))</button>
            </form>
            """)
    }

    /// Recovery codes, shown once.
    /// `continueTo`: where the person was going when they were sent to enrol (an app's request), offered first.
    static func recoveryCodes(session: SignedIn, codes: [String], justEnabled: Bool, continueTo: String? = nil) -> HTML {
        let items = codes.map { code -> HTML in "<li><code>\(code)</code></li>" }
        return Layout.page(
            title: L("twostep.codes.title"), session: session, notice: justEnabled ? .init(kind: .ok, text: L("twostep.now_on")) : nil,
            narrow: true,
            """
            <h1>\(L("twostep.codes.heading"))</h1>
            <p>\(L("twostep.codes.intro"))</p>
            <ul class="codes" id="recovery-codes">\(items)</ul>
            \(continueTo.map { "<p><a class=\"button\" id=\"continue\" href=\"\($0)\">\(L("twostep.codes.continue"))</a></p>" as HTML } ?? "<p><a href=\"/account/two-step\">\(L("twostep.codes.done"))</a></p>")
            """)
    }
}
