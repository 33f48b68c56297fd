import Domain
import Foundation

/// The portal's account pages: sign-up, email verification, sign-in with the optional second factor, and
/// password reset. Every form keeps what was typed (never passwords or codes) and puts errors by the field.
enum PortalAccountPages {
    /// What the sign-up form shows again after a problem.
    struct SignUpValues {
        var name = ""
        var email = ""
        var company = ""
        var acceptedTerms = false
    }

    static func signUp(csrf: String, values: SignUpValues, errors: SchoolworkForms.FieldErrors) -> HTML {
        let errors = PortalErrors.localised(errors)
        return PortalLayout.page(
            title: L("portal.signup.title"), session: nil, narrow: true,
            """
            <h1>\(L("portal.signup.title"))</h1>
            <p>\(L("portal.signup.intro"))</p>
            <form class="stack" id="signup" method="post" action="/signup">\(Layout.csrfField(csrf))
            \(PortalLayout.field(L("portal.signup.name"), name: "name", value: values.name, error: errors["name"], maxLength: DeveloperSignUpForm.maximumNameLength, required: true, autocomplete: "name"))
            \(PortalLayout.field(L("portal.field.email"), name: "email", value: values.email, error: errors["email"], type: "email", maxLength: DeveloperSignUpForm.maximumEmailBytes, required: true, autocomplete: "email", hint: L("portal.signup.email_hint")))
            \(PortalLayout.field(L("portal.signup.company"), name: "company", value: values.company, error: errors["company"], maxLength: DeveloperSignUpForm.maximumNameLength, autocomplete: "organization"))
            <label>\(L("portal.field.password"))<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(errors["password"]))>
            <small class="muted">\(L("portal.signup.password_hint", count: PasswordRules.minimumLength))</small>\(Layout.fieldError(errors["password"], id: "password-error"))</label>
            <label>\(L("portal.field.password_again"))<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <label class="check"><input type="checkbox" name="terms" value="1"\(values.acceptedTerms ? HTML(unsafeRaw: " checked") : "") aria-describedby="terms-error"\(Layout.invalidFlag(errors["terms"]))>
            \(LH("portal.signup.terms", ["terms": "<a href=\"/docs/terms\">\(L("portal.signup.terms_link"))</a>"]))\(Layout.fieldError(errors["terms"], id: "terms-error"))</label>
            <button type="submit">\(L("portal.signup.submit"))</button>
            </form>
            <p>\(L("portal.signup.already")) <a href="/login">\(L("portal.nav.sign_in"))</a></p>
            """)
    }

    /// After sign-up, whether or not the address already had an account (the page must not tell).
    static func checkMail(email: String, hours: Int) -> HTML {
        PortalLayout.page(
            title: L("portal.check_mail.title"), session: nil, narrow: true,
            """
            <h1>\(L("portal.check_mail.title"))</h1>
            <p class="notice ok" id="signup-done" role="status">\(L("portal.check_mail.sent", count: hours, ["email": email]))</p>
            <p><a href="/login">\(L("portal.nav.sign_in"))</a></p>
            """)
    }

    /// The only page an unverified developer reaches.
    static func verifyEmail(session: DeveloperSignedIn, notice: Layout.Notice?) -> HTML {
        PortalLayout.page(
            title: L("portal.verify.title"), session: session, notice: notice, narrow: true,
            """
            <h1>\(L("portal.verify.heading"))</h1>
            <p id="verify-needed">\(LH("portal.verify.needed", ["email": "<strong>\(session.account.email)</strong>"]))</p>
            <form class="stack" id="resend" method="post" action="/verify-email/resend">\(Layout.csrfField(session.csrf))
            <button type="submit">\(L("portal.verify.resend"))</button>
            </form>
            """)
    }

    /// The confirmation button behind a mailed verification link: opening a link must not change anything,
    /// because mail scanners open links too.
    static func confirmEmail(csrf: String, token: String) -> HTML {
        PortalLayout.page(
            title: L("portal.verify.title"), session: nil, narrow: true,
            """
            <h1>\(L("portal.verify.heading"))</h1>
            <form class="stack" id="confirm-email" method="post" action="/verify">\(Layout.csrfField(csrf))
            <input type="hidden" name="token" value="\(token)">
            <button type="submit">\(L("portal.verify.confirm"))</button>
            </form>
            """)
    }

    /// Why a mailed link does not work.
    static func linkProblem(_ status: DeveloperLinkStatus, purpose: DeveloperLinkPurpose) -> HTML {
        let reason: String =
            switch status {
            case .used: L("portal.link.used")
            case .expired: L("portal.link.expired")
            case .invalid, .valid: L("portal.link.invalid")
            }
        let next: HTML =
            purpose == .verifyEmail
            ? "<p>\(L("portal.link.verify_next")) <a href=\"/login\">\(L("portal.nav.sign_in"))</a></p>"
            : "<p><a href=\"/password/forgot\">\(L("portal.link.ask_new"))</a> · <a href=\"/login\">\(L("portal.nav.sign_in"))</a></p>"
        return PortalLayout.page(
            title: L("portal.link.title"), session: nil, narrow: true,
            """
            <h1>\(L("portal.link.title"))</h1>
            <p class="notice bad" id="link-problem" role="alert">\(reason)</p>
            \(next)
            """)
    }

    static func signIn(csrf: String, email: String, next: String?, error: String?, notice: Layout.Notice?) -> HTML {
        PortalLayout.page(
            title: L("portal.nav.sign_in"), session: nil, notice: notice, narrow: true,
            """
            <h1>\(L("portal.signin.heading"))</h1>
            \(error.map { "<p class=\"notice bad\" id=\"signin-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <form class="stack" id="signin" method="post" action="/login">\(Layout.csrfField(csrf))
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
            <label>\(L("portal.field.email"))<input name="email" type="email" autocomplete="username" required maxlength="254" value="\(email)" autofocus></label>
            <label>\(L("portal.field.password"))<input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
            <button type="submit">\(L("portal.nav.sign_in"))</button>
            </form>
            <p><a href="/password/forgot">\(L("portal.forgot.title"))</a> · <a href="/signup">\(L("portal.signin.create"))</a></p>
            \(PasskeyPages.signInForm(csrf: csrf, next: next))
            """)
    }

    /// The code step of a sign-in with TOTP turned on.
    static func secondFactor(csrf: String, next: String?, error: String?) -> HTML {
        PortalLayout.page(
            title: L("portal.code.title"), session: nil, narrow: true,
            """
            <h1>\(L("portal.code.heading"))</h1>
            <p>\(L("portal.code.intro"))</p>
            \(error.map { "<p class=\"notice bad\" id=\"code-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <form class="stack" id="second-factor" method="post" action="/login/code">\(Layout.csrfField(csrf))
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
            <label>\(L("portal.code.code"))<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" autofocus></label>
            <button type="submit">\(L("portal.nav.sign_in"))</button>
            </form>
            <details><summary>\(L("portal.code.lost"))</summary>
            <form class="stack" id="recovery" method="post" action="/login/code">\(Layout.csrfField(csrf))
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
            <label>\(L("portal.code.recovery"))<input name="recovery_code" autocomplete="off" maxlength="32"></label>
            <button type="submit">\(L("portal.code.recovery_submit"))</button>
            </form></details>
            """)
    }

    static func forgot(csrf: String, sent: Bool, minutes: Int) -> HTML {
        let body: HTML =
            sent
            ? """
            <p class="notice ok" id="reset-sent" role="status">\(L("portal.forgot.sent", count: minutes))</p>
            <p><a href="/login">\(L("portal.forgot.back"))</a></p>
            """
            : """
            <p>\(L("portal.forgot.intro"))</p>
            <form class="stack" id="forgot" method="post" action="/password/forgot">\(Layout.csrfField(csrf))
            <label>\(L("portal.field.email"))<input name="email" type="email" autocomplete="email" required maxlength="254" autofocus></label>
            <button type="submit">\(L("portal.forgot.submit"))</button>
            </form>
            """
        return PortalLayout.page(title: L("portal.forgot.title"), session: nil, narrow: true, "<h1>\(L("portal.forgot.title"))</h1>" + body)
    }

    static func reset(csrf: String, token: String, error: String?) -> HTML {
        let error = PortalErrors.text(error)
        return PortalLayout.page(
            title: L("portal.reset.title"), session: nil, narrow: true,
            """
            <h1>\(L("portal.reset.title"))</h1>
            <form class="stack" id="reset" method="post" action="/password/reset">\(Layout.csrfField(csrf))
            <input type="hidden" name="token" value="\(token)">
            <label>\(L("portal.reset.new"))<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "password-error"))</label>
            <label>\(L("portal.reset.again"))<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <p class="muted">\(L("portal.reset.note"))</p>
            <button type="submit">\(L("portal.reset.submit"))</button>
            </form>
            """)
    }
}
