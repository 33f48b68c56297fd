import Domain
import Foundation

/// Sign-in and sign-out on the developer portal: the same throttling, enumeration resistance and session
/// rotation as the app site (``SignInRoutes``), plus the TOTP step (RFC 6238) for accounts that turned it on.
///
/// The password step of a TOTP account ends in a ``SecondFactorTicket`` cookie, not a session: the code
/// step turns it into one. Code attempts are throttled per account like passwords, and each time step is
/// accepted once (`recordTOTPStep`), so an observed code cannot be replayed.
enum PortalSignInRoutes {
    static var failedMessage: String { L("portal.msg.signin_failed") }

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/login") { request, _, context in
            let next = SignInRoutes.safeNext(request.query["next"])
            if try context.developerSignedIn(request) != nil { return .seeOther(next ?? "/apps") }
            let form = context.signedOutFormToken(request)
            let notice: Layout.Notice? =
                if request.query["signed_out"] != nil { .init(kind: .ok, text: L("portal.msg.signed_out")) } else if request.query["reset"] != nil {
                    .init(kind: .ok, text: L("portal.msg.password_saved"))
                } else if request.query["verified"] != nil { .init(kind: .ok, text: L("portal.msg.verified")) } else {
                    nil
                }
            return .page(PortalAccountPages.signIn(csrf: form.csrf, email: "", next: next, error: nil, notice: notice))
                .setting(cookie: form.setCookie)
        }

        router.add("POST", "/login") { request, _, context in
            let form = try context.verifiedForm(request, signedIn: false)
            return try passwordStep(request, form: form, context: context)
        }

        router.add("GET", "/login/code") { request, _, context in
            guard ticketHolder(request, context: context) != nil else { return .seeOther("/login") }
            let form = context.signedOutFormToken(request)
            return .page(PortalAccountPages.secondFactor(csrf: form.csrf, next: SignInRoutes.safeNext(request.query["next"]), error: nil))
                .setting(cookie: form.setCookie)
        }

        router.add("POST", "/login/code") { request, _, context in
            let form = try context.verifiedForm(request, signedIn: false)
            return try codeStep(request, form: form, context: context)
        }

        router.add("POST", "/logout") { request, _, context in
            guard let session = try context.developerSignedIn(request) else { return .seeOther("/login") }
            _ = try context.verifiedForm(request, developer: session)
            try context.services.portal.sessions.deleteSession(digest: session.digest)
            context.logger.info("developer signed out", metadata: ["developer.id": "\(session.account.id)"])
            var response = HTTPResponse.seeOther("/login?signed_out=1")
            response.headers.add("Set-Cookie", SessionCookie.clear(SessionCookie.developerSession))
            return response
        }
    }

    private static func passwordStep(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        let services = context.services
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let password = form["password"] ?? ""
        let next = SignInRoutes.safeNext(form["next"])
        let now = context.now
        let csrf = context.signedOutFormToken(request).csrf
        let accountKey = SignInThrottlePolicy.key(.account, email)
        let addressKey = SignInThrottlePolicy.key(.address, request.remoteAddress)
        func page(_ error: String, status: Int = 200) -> HTTPResponse {
            .page(PortalAccountPages.signIn(csrf: csrf, email: email, next: next, error: error, notice: nil), status: status)
        }

        if let wait = try context.portalRetryAfter([accountKey, addressKey]) {
            var response = page(L("portal.msg.throttled.signins", ["wait": SignInRoutes.describe(seconds: wait)]), status: 429)
            response.headers.set("Retry-After", String(wait))
            return response
        }
        let plausible =
            !email.isEmpty && email.utf8.count <= DeveloperSignUpForm.maximumEmailBytes
            && password.utf8.count <= PasswordRules.maximumBytes
        var account: DeveloperAccount?
        if plausible, let candidate = try services.portal.accounts.developer(email: email) {
            if try services.people.hasher.verify(password, against: candidate.passwordHash) {
                account = candidate.account
                if services.people.hasher.needsRehash(candidate.passwordHash) {
                    try services.portal.accounts.setPasswordHash(try services.people.hasher.hash(password), for: candidate.account.id, now: now)
                }
            }
        } else {
            try services.people.timingDecoy.verify(password)
        }
        guard let account else {
            try context.recordPortalFailure(accountKey, scope: .account)
            try context.recordPortalFailure(addressKey, scope: .address)
            context.logger.info("developer sign-in failed", metadata: ["client.address": "\(request.remoteAddress)"])
            return page(failedMessage)
        }
        try services.portal.throttle.clearThrottle(key: accountKey)
        // Only someone who knows the password learns that the account is suspended.
        if account.state == .suspended {
            return page(L("portal.msg.suspended"), status: 403)
        }
        if account.totpEnabled {
            guard let keys = services.portal.keys else { throw HTTPError.unavailable() }
            let ticket = SecondFactorTicket.issue(for: account.id, now: Int64(now.timeIntervalSince1970), key: keys.secondFactorTicketKey)
            var response = HTTPResponse.seeOther("/login/code" + (next.map { "?next=" + FormCodec.encode($0) } ?? ""))
            response.headers.add(
                "Set-Cookie", SessionCookie.set(SessionCookie.developerSecondFactor, ticket, maxAge: Int(SecondFactorTicket.lifetime)))
            return response
        }
        return try startSession(for: account, request: request, next: next, context: context)
    }

    private static func codeStep(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        guard let id = ticketHolder(request, context: context), let keys = context.services.portal.keys else {
            return .seeOther("/login")
        }
        let services = context.services
        let now = context.now
        let next = SignInRoutes.safeNext(form["next"])
        let csrf = context.signedOutFormToken(request).csrf
        let key = RequestContext.totpThrottleKey(id)
        func page(_ error: String, status: Int = 200) -> HTTPResponse {
            .page(PortalAccountPages.secondFactor(csrf: csrf, next: next, error: error), status: status)
        }
        if let wait = try context.portalRetryAfter([key]) {
            var response = page(L("portal.msg.throttled.codes", ["wait": SignInRoutes.describe(seconds: wait)]), status: 429)
            response.headers.set("Retry-After", String(wait))
            return response
        }
        guard let found = try services.portal.accounts.developer(id), found.account.state != .suspended,
            let totp = try services.portal.accounts.totp(of: id), totp.enabledAt != nil
        else { return .seeOther("/login") }

        var accepted = false
        if let recovery = form["recovery_code"], !recovery.isEmpty {
            let unused = try services.portal.accounts.unusedRecoveryCodeDigests(of: id)
            if let index = RecoveryCodes.match(recovery, unusedDigests: unused, key: keys.recoveryCodeKey) {
                accepted = try services.portal.accounts.consumeRecoveryCode(digest: unused[index], for: id, now: now)
                if accepted { context.logger.notice("developer signed in with a recovery code", metadata: ["developer.id": "\(id)"]) }
            }
        } else {
            accepted = try context.acceptTOTPCode(form["code"] ?? "", of: id, totp: totp, keys: keys)
        }
        guard accepted else {
            try context.recordPortalFailure(key)
            return page(L("portal.msg.code_wrong_next"))
        }
        try services.portal.throttle.clearThrottle(key: key)
        var response = try startSession(for: found.account, request: request, next: next, context: context)
        response.headers.add("Set-Cookie", SessionCookie.clear(SessionCookie.developerSecondFactor))
        return response
    }

    /// The developer named by a valid second-factor ticket cookie.
    private static func ticketHolder(_ request: HTTPRequest, context: RequestContext) -> DeveloperID? {
        guard let ticket = request.cookies[SessionCookie.developerSecondFactor], let keys = context.services.portal.keys else { return nil }
        return SecondFactorTicket.verify(ticket, now: Int64(context.now.timeIntervalSince1970), key: keys.secondFactorTicketKey)
    }

    /// A new session (the browser's earlier one is deleted: rotation) and the redirect to where the
    /// developer was going.
    static func startSession(
        for account: DeveloperAccount, request: HTTPRequest, next: String?, context: RequestContext
    ) throws -> HTTPResponse {
        let services = context.services
        let now = context.now
        let cookie = SessionCookie.session(of: .developers)
        if let old = request.cookies[cookie.name] {
            try services.portal.sessions.deleteSession(digest: SecretToken.digest(old))
        }
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: cookie.prefix, using: &generator)
        let policy = services.configuration.signIn.sessionPolicy
        try services.portal.sessions.createSession(
            digest: SecretToken.digest(token), developer: account.id, now: now, expiresAt: policy.absoluteExpiry(createdAt: now),
            clientAddress: request.remoteAddress, userAgent: request.headers["user-agent"] ?? "")
        context.logger.info("developer signed in", metadata: ["developer.id": "\(account.id)"])
        let target = account.state == .unverified ? "/verify-email" : (next ?? "/apps")
        var response = HTTPResponse.seeOther(target)
        response.headers.add("Set-Cookie", SessionCookie.set(cookie.name, token, maxAge: Int(policy.absoluteLifetime)))
        return response
    }
}
