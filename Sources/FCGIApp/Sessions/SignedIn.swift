import Domain
import Foundation

/// A request's signed-in user, found through the session cookie.
struct SignedIn {
    let user: UserAccount
    /// The digest of the session cookie, the session's key in the store.
    let digest: [UInt8]
    /// The CSRF token this session's forms carry.
    let csrf: String
    /// When the user signed in (OIDC `auth_time`): the session's creation.
    let authTime: Date
    /// How the user signed in, in the order used (OIDC `amr`), as the session recorded it.
    let methods: [AuthenticationMethod]
    /// Whether the user's role must have a second factor and they have none on (read with the session).
    let mustEnrolSecondFactor: Bool
    /// The session's idle time limit in minutes, announced on every page (WCAG 2.2.1).
    let idleMinutes: Int
}

/// The cookies of both sites. `__Host-` means: Secure, Path=/, no Domain — a sibling subdomain cannot set or
/// shadow them (RFC 6265bis §4.1.3.2). Each site has its own names and value prefixes, so neither site's
/// session is ever looked up on the other.
enum SessionCookie {
    /// The session: HttpOnly so scripts never see it, SameSite=Lax so cross-site posts arrive without it.
    static let session = "__Host-cw_session"
    /// A random value held by signed-out browsers, from which the sign-in and reset forms' CSRF token derives.
    static let form = "__Host-cw_form"
    /// The browser's trusted-device entries (``TrustedDevice``): HttpOnly, kept for ``TrustedDevice/lifetime``.
    static let device = "__Host-cw_device"
    /// The language a browser chose with the switcher (``LanguageRoutes``): a language tag, nothing secret.
    static let language = "__Host-cw_lang"
    /// The developer portal's session.
    static let developerSession = "__Host-cwd_session"
    /// The developer portal's signed-out form cookie.
    static let developerForm = "__Host-cwd_form"
    /// Between the password and the code step of a developer's sign-in (``SecondFactorTicket``).
    static let developerSecondFactor = "__Host-cwd_2fa"

    /// The session cookie's name and value prefix on a site.
    static func session(of site: Site) -> (name: String, prefix: String) {
        site == .app ? (session, TokenPrefix.session) : (developerSession, TokenPrefix.developerSession)
    }

    /// The signed-out form cookie's name and value prefix on a site.
    static func form(of site: Site) -> (name: String, prefix: String) {
        site == .app ? (form, TokenPrefix.formCookie) : (developerForm, TokenPrefix.developerFormCookie)
    }

    /// A `Set-Cookie` value.
    static func set(_ name: String, _ value: String, maxAge: Int?) -> String {
        var cookie = "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Lax"
        if let maxAge { cookie += "; Max-Age=\(maxAge)" }
        return cookie
    }

    /// A `Set-Cookie` value that removes the cookie.
    static func clear(_ name: String) -> String { "\(name)=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0" }
}

extension RequestContext {
    /// The signed-in user of a request, or `nil`. An expired session is deleted here.
    func signedIn(_ request: HTTPRequest) throws -> SignedIn? {
        guard let token = request.cookies[SessionCookie.session], SecretToken.isWellFormed(token, prefix: TokenPrefix.session)
        else { return nil }
        let digest = SecretToken.digest(token)
        guard let found = try services.people.sessions.session(digest: digest) else { return nil }
        let now = self.now
        switch services.configuration.signIn.sessionPolicy.evaluate(createdAt: found.createdAt, lastSeenAt: found.lastSeenAt, now: now) {
        case .expired:
            try endExpiredSession(digest: digest)
            return nil
        case .valid(let touch):
            if touch { try services.people.sessions.touchSession(digest: digest, now: now) }
            subject.userID = "\(found.user.id)"
            PageLanguage.current?.signedIn(found.user.id, languages: found.languages)
            return SignedIn(
                user: found.user, digest: digest, csrf: CSRFToken.derive(fromCookie: token), authTime: found.createdAt, methods: found.methods,
                mustEnrolSecondFactor: found.secondFactor.mustEnrol(found.user.role),
                idleMinutes: Int(services.configuration.signIn.sessionPolicy.idleTimeout / 60))
        }
    }

    /// The signed-in user, who must have one of `roles`. Signed out: a redirect to the sign-in page that comes
    /// back here. Another role: 404, as if the page did not exist.
    func requireSignIn(_ request: HTTPRequest, _ roles: Role...) throws -> SignedIn {
        guard let session = try signedIn(request) else {
            let target = request.method == "GET" ? request.path : "/"
            throw HTTPError.redirect(to: "/login?next=" + FormCodec.encode(target), message: L("signin.please_sign_in"))
        }
        guard roles.contains(session.user.role) else { throw HTTPError.notFound() }
        // A person whose role must have a second factor and who has none sets it up before anything else.
        // (A passkey counts, so its pages stay open too.)
        if !request.path.hasPrefix(SecondFactorRoutes.enrolPath), !request.path.hasPrefix("/account/passkeys"),
            session.mustEnrolSecondFactor
        {
            throw HTTPError.redirect(to: SecondFactorRoutes.enrolPath + "?required=1", message: L("twostep.set_up_to_continue"))
        }
        return session
    }

    /// The fields of a posted form after the CSRF checks: the request must come from this site (`Origin`,
    /// when the browser sends it) and carry the token of the session, or of the form cookie when signed out.
    func verifiedForm(_ request: HTTPRequest, session: SignedIn?) throws -> Parameters {
        try verifiedForm(request, signedIn: session != nil)
    }

    /// ``verifiedForm(_:session:)`` for either site: `signedIn` says whether the token derives from the site's
    /// session cookie or from its signed-out form cookie.
    func verifiedForm(_ request: HTTPRequest, signedIn: Bool) throws -> Parameters {
        let form: Parameters
        do {
            form = try request.formParameters()
        } catch {
            throw HTTPError(status: 400, code: "invalid_request", error.message)
        }
        try checkCSRF(request, submitted: form["csrf"], signedIn: signedIn)
        return form
    }

    /// The CSRF checks on their own, for bodies that are not url-encoded forms (uploads).
    ///
    /// Two browser signals back the token up. `Sec-Fetch-Site`, which pages cannot forge, must say
    /// `same-origin` when sent. `Origin` must be this site when it names one; under our
    /// `Referrer-Policy: no-referrer` browsers send `Origin: null` even for same-origin posts (Fetch
    /// standard, "serializing a request origin"), so `null` alone proves nothing either way.
    func checkCSRF(_ request: HTTPRequest, submitted: String?, signedIn: Bool) throws {
        if let site = request.headers["sec-fetch-site"], site != "same-origin" {
            throw HTTPError.staleForm(detail: "sec-fetch-site is \(site)")
        }
        let expected = services.configuration.origin(of: site)
        if let origin = request.headers["origin"], origin != "null", origin != expected {
            throw HTTPError.staleForm(detail: "origin \(origin) is not \(expected)")
        }
        let cookie = request.cookies[signedIn ? SessionCookie.session(of: site).name : SessionCookie.form(of: site).name]
        guard CSRFToken.isValid(submitted: submitted, cookie: cookie) else {
            throw HTTPError.staleForm(detail: "missing or wrong csrf token")
        }
    }

    /// The CSRF token for a signed-out form and, when the browser has no form cookie yet, the cookie to set.
    func signedOutFormToken(_ request: HTTPRequest) -> (csrf: String, setCookie: String?) {
        let cookie = SessionCookie.form(of: site)
        if let existing = request.cookies[cookie.name], SecretToken.isWellFormed(existing, prefix: cookie.prefix) {
            return (CSRFToken.derive(fromCookie: existing), nil)
        }
        var generator = SystemRandomNumberGenerator()
        let value = SecretToken.make(prefix: cookie.prefix, using: &generator)
        return (CSRFToken.derive(fromCookie: value), SessionCookie.set(cookie.name, value, maxAge: nil))
    }
}

extension HTTPError {
    /// A 303 to another page of the site.
    static func redirect(to location: String, message: String = "This page has moved.") -> HTTPError {
        HTTPError(status: 303, code: "see_other", message, headers: [("Location", location)])
    }

    /// A form that failed the CSRF checks.
    static func staleForm(detail: String) -> HTTPError {
        HTTPError(
            status: 403, code: "invalid_form",
            "This form has expired or did not come from this site. Go back, reload the page and try again.",
            logDetail: detail)
    }
}

extension HTTPResponse {
    /// A 303 See Other, the answer to a successful form post.
    static func seeOther(_ location: String) -> HTTPResponse {
        var response = HTTPResponse(status: 303)
        response.headers.set("Location", location)
        return response
    }
}
