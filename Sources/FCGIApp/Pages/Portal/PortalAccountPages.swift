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
        PortalLayout.page(
            title: "Create a developer account", session: nil, narrow: true,
            """
            <h1>Create a developer account</h1>
            <p>Register your education app, get it reviewed, and let school users sign in to it with their CatalystWells account.</p>
            <form class="stack" id="signup" method="post" action="/signup">\(Layout.csrfField(csrf))
            \(PortalLayout.field("Your name", name: "name", value: values.name, error: errors["name"], maxLength: DeveloperSignUpForm.maximumNameLength, required: true, autocomplete: "name"))
            \(PortalLayout.field("Email address", name: "email", value: values.email, error: errors["email"], type: "email", maxLength: DeveloperSignUpForm.maximumEmailBytes, required: true, autocomplete: "email", hint: "We send a link to confirm it."))
            \(PortalLayout.field("Company or organisation (optional)", name: "company", value: values.company, error: errors["company"], maxLength: DeveloperSignUpForm.maximumNameLength, autocomplete: "organization"))
            <label>Password<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(errors["password"]))>
            <small class="muted">At least \(PasswordRules.minimumLength) characters.</small>\(Layout.fieldError(errors["password"], id: "password-error"))</label>
            <label>Password again<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <label class="check"><input type="checkbox" name="terms" value="1"\(values.acceptedTerms ? HTML(unsafeRaw: " checked") : "") aria-describedby="terms-error"\(Layout.invalidFlag(errors["terms"]))>
            I accept the <a href="/docs/terms">developer terms</a>: apps use pupils' data only for the purpose schools approved.\(Layout.fieldError(errors["terms"], id: "terms-error"))</label>
            <button type="submit">Create the account</button>
            </form>
            <p>Already registered? <a href="/login">Sign in</a>.</p>
            """)
    }

    /// After sign-up, whether or not the address already had an account (the page must not tell).
    static func checkMail(email: String, hours: Int) -> HTML {
        PortalLayout.page(
            title: "Check your mail", session: nil, narrow: true,
            """
            <h1>Check your mail</h1>
            <p class="notice ok" id="signup-done" role="status">We have sent a message to \(email). Open the link in it within \(hours) hours to confirm the address, then sign in.</p>
            <p><a href="/login">Sign in</a></p>
            """)
    }

    /// The only page an unverified developer reaches.
    static func verifyEmail(session: DeveloperSignedIn, notice: Layout.Notice?) -> HTML {
        PortalLayout.page(
            title: "Confirm your email", session: session, notice: notice, narrow: true,
            """
            <h1>Confirm your email address</h1>
            <p id="verify-needed">Before you can register apps, open the link we sent to <strong>\(session.account.email)</strong>.</p>
            <form class="stack" id="resend" method="post" action="/verify-email/resend">\(Layout.csrfField(session.csrf))
            <button type="submit">Send the link again</button>
            </form>
            """)
    }

    /// The confirmation button behind a mailed verification link: opening a link must not change anything,
    /// because mail scanners open links too.
    static func confirmEmail(csrf: String, token: String) -> HTML {
        PortalLayout.page(
            title: "Confirm your email", session: nil, narrow: true,
            """
            <h1>Confirm your email address</h1>
            <form class="stack" id="confirm-email" method="post" action="/verify">\(Layout.csrfField(csrf))
            <input type="hidden" name="token" value="\(token)">
            <button type="submit">Confirm my email address</button>
            </form>
            """)
    }

    /// Why a mailed link does not work.
    static func linkProblem(_ status: DeveloperLinkStatus, purpose: DeveloperLinkPurpose) -> HTML {
        let reason: String =
            switch status {
            case .used: "This link has already been used. Each link works once."
            case .expired: "This link has expired."
            case .invalid, .valid: "This link is not valid. Check that you copied all of it."
            }
        let next: HTML =
            purpose == .verifyEmail
            ? "<p>Sign in to ask for a new confirmation link, or <a href=\"/login\">sign in</a> if you already confirmed your address.</p>"
            : "<p><a href=\"/password/forgot\">Ask for a new link</a> or <a href=\"/login\">sign in</a>.</p>"
        return PortalLayout.page(
            title: "Link cannot be used", session: nil, narrow: true,
            """
            <h1>This link cannot be used</h1>
            <p class="notice bad" id="link-problem" role="alert">\(reason)</p>
            \(next)
            """)
    }

    static func signIn(csrf: String, email: String, next: String?, error: String?, notice: Layout.Notice?) -> HTML {
        PortalLayout.page(
            title: "Sign in", session: nil, notice: notice, narrow: true,
            """
            <h1>Sign in to the developer portal</h1>
            \(error.map { "<p class=\"notice bad\" id=\"signin-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <form class="stack" id="signin" method="post" action="/login">\(Layout.csrfField(csrf))
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
            <label>Email address<input name="email" type="email" autocomplete="username" required maxlength="254" value="\(email)" autofocus></label>
            <label>Password<input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
            <button type="submit">Sign in</button>
            </form>
            <p><a href="/password/forgot">Forgot your password?</a> · <a href="/signup">Create an account</a></p>
            \(PasskeyPages.signInForm(csrf: csrf, next: next))
            """)
    }

    /// The code step of a sign-in with TOTP turned on.
    static func secondFactor(csrf: String, next: String?, error: String?) -> HTML {
        PortalLayout.page(
            title: "Two-step sign-in", session: nil, narrow: true,
            """
            <h1>Enter your sign-in code</h1>
            <p>Open your authenticator app and enter the 6-digit code for CatalystWells Developers.</p>
            \(error.map { "<p class=\"notice bad\" id=\"code-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <form class="stack" id="second-factor" method="post" action="/login/code">\(Layout.csrfField(csrf))
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
            <label>Code<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="32" autofocus></label>
            <button type="submit">Sign in</button>
            </form>
            <details><summary>Lost your phone?</summary>
            <form class="stack" id="recovery" method="post" action="/login/code">\(Layout.csrfField(csrf))
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
            <label>One of your recovery codes<input name="recovery_code" autocomplete="off" maxlength="32"></label>
            <button type="submit">Sign in with a recovery code</button>
            </form></details>
            """)
    }

    static func forgot(csrf: String, sent: Bool, minutes: Int) -> HTML {
        let body: HTML =
            sent
            ? """
            <p class="notice ok" id="reset-sent" role="status">If a developer account uses that address, we have sent it a link.
            The link works once, within \(minutes) minutes.</p>
            <p><a href="/login">Back to sign-in</a></p>
            """
            : """
            <p>Enter the email address of your developer account. We will send you a link to choose a new password.</p>
            <form class="stack" id="forgot" method="post" action="/password/forgot">\(Layout.csrfField(csrf))
            <label>Email address<input name="email" type="email" autocomplete="email" required maxlength="254" autofocus></label>
            <button type="submit">Send the link</button>
            </form>
            """
        return PortalLayout.page(title: "Forgot your password", session: nil, narrow: true, "<h1>Forgot your password?</h1>" + body)
    }

    static func reset(csrf: String, token: String, error: String?) -> HTML {
        PortalLayout.page(
            title: "Choose a new password", session: nil, narrow: true,
            """
            <h1>Choose a new password</h1>
            <form class="stack" id="reset" method="post" action="/password/reset">\(Layout.csrfField(csrf))
            <input type="hidden" name="token" value="\(token)">
            <label>New password<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "password-error"))</label>
            <label>New password again<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <p class="muted">Saving it signs out every session of the account.</p>
            <button type="submit">Save the password</button>
            </form>
            """)
    }
}
