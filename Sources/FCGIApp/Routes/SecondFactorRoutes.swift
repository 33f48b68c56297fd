import Crypto
import Domain
import Foundation

/// Second factors of school users (issue 16, items 4 and 5):
/// - the code step of sign-in: a person with TOTP on gets no session from the first factor alone, only a sealed
///   pending cookie; `/login/two-step` takes a current code (or a recovery code), throttled per person, and then
///   completes the sign-in with `amr` ending in "otp";
/// - `/account/two-step`: enrolment (QR code, key, a first code to confirm, recovery codes shown once), new
///   recovery codes, turning it off (a current code; not when the school requires it);
/// - the schools' rule of who must have one (``SecondFactorPolicy``): a person who must and has none is sent to
///   enrol before any other page (``RequestContext/requireSignIn(_:_:)``);
/// - a school admin resets a person's second factors (logged, mailed).
enum SecondFactorRoutes {
    /// The cookie between the first factor and the code.
    static let pendingCookie = "__Host-cw_2fa"
    /// Where enrolment lives; pages under it stay reachable to a person who must enrol.
    static let enrolPath = "/account/two-step"
    /// Where a person sent to enrol was going (an app's authorization request): set when they are sent, read by the
    /// pages that finish an enrolment (recovery codes, a passkey added) for their "Continue" link, for 30 minutes.
    static let resumeCookie = "__Host-cw_resume"

    /// The redirect to enrolment of a person who must have a second factor, remembering `next` (a path of this
    /// site) to come back to.
    static func sendToEnrol(next: String?) -> HTTPResponse {
        var response = HTTPResponse.seeOther(enrolPath + "?required=1")
        if let next = SignInRoutes.safeNext(next) {
            response.headers.add("Set-Cookie", SessionCookie.set(resumeCookie, FormCodec.encode(next), maxAge: 1800))
        }
        return response
    }

    /// The remembered destination of ``sendToEnrol(next:)``, when there is one and the person may now go there
    /// (their enrolment is done: the session is read again, since the request's copy predates the change).
    static func resumePath(_ request: HTTPRequest, context: RequestContext) throws -> String? {
        guard let value = request.cookies[resumeCookie],
            let path = try? FormCodec.percentDecode(Substring(value).utf8, plusAsSpace: false, what: "cookie"),
            let next = SignInRoutes.safeNext(path),
            let current = try context.signedIn(request), !current.mustEnrolSecondFactor
        else { return nil }
        return next
    }

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/login/two-step") { request, _, context in
            guard pending(request, context) != nil else { return .seeOther("/login") }
            return .page(SecondFactorPages.codeStep(csrf: context.signedOutFormToken(request).csrf, error: nil))
        }

        router.add("POST", "/login/two-step") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            return try codeStep(request, form: form, context: context)
        }

        router.add("GET", enrolPath) { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            return try statusPage(session, request: request, context: context)
        }

        router.add("POST", enrolPath + "/start") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            _ = try context.verifiedForm(request, session: session)
            let keys = try context.services.oauth.requireKeys()
            var generator = SystemRandomNumberGenerator()
            let sealed = try KeySealing.seal(
                TOTP.makeSecret(using: &generator), key: keys.totpSealingKey, associatedData: UserTOTP.associatedData(session.user.id),
                using: &generator)
            guard try context.services.people.secondFactors.setPendingTOTPSecret(sealed, for: session.user.id, now: context.now) else {
                return .seeOther(enrolPath)
            }
            return .seeOther(enrolPath + "/setup")
        }

        router.add("GET", enrolPath + "/setup") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            guard let pending = try pendingSeed(session, context) else { return .seeOther(enrolPath) }
            return .page(SecondFactorPages.enrol(session: session, secret: pending.secret, uri: uri(pending.secret, session), error: nil))
        }

        router.add("POST", enrolPath + "/confirm") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let form = try context.verifiedForm(request, session: session)
            guard let pending = try pendingSeed(session, context) else { return .seeOther(enrolPath) }
            guard let step = TOTP.verify(code: form["code"] ?? "", secret: pending.secret, at: context.now, lastUsedStep: nil) else {
                return .page(
                    SecondFactorPages.enrol(
                        session: session, secret: pending.secret, uri: uri(pending.secret, session),
                        error: L("twostep.no_match")),
                    status: 422)
            }
            let keys = try context.services.oauth.requireKeys()
            var generator = SystemRandomNumberGenerator()
            let codes = RecoveryCodes.generate(using: &generator)
            guard
                try context.services.people.secondFactors.enableTOTP(
                    for: session.user.id, sealedSecret: pending.sealed, step: step,
                    recoveryCodeDigests: codes.compactMap { RecoveryCodes.digest($0, key: keys.recoveryCodeKey) }, now: context.now)
            else { return .seeOther(enrolPath) }
            try context.audit(.secondFactorChanged, request, by: session, detail: "two-step sign-in turned on (authenticator app)")
            let resume = try resumePath(request, context: context)
            var response = HTTPResponse.page(
                SecondFactorPages.recoveryCodes(session: session, codes: codes, justEnabled: true, continueTo: resume))
            response.headers.set("Cache-Control", "no-store")
            if resume != nil { response.headers.add("Set-Cookie", SessionCookie.clear(resumeCookie)) }
            return response
        }

        router.add("POST", enrolPath + "/recovery-codes") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let form = try context.verifiedForm(request, session: session)
            guard try acceptCode(form["code"] ?? "", of: session.user.id, request: request, context: context, recovery: false) else {
                return try statusPage(
                    session, request: request, context: context, error: L("twostep.wrong_code"), status: 422)
            }
            let keys = try context.services.oauth.requireKeys()
            var generator = SystemRandomNumberGenerator()
            let codes = RecoveryCodes.generate(using: &generator)
            guard
                try context.services.people.secondFactors.replaceRecoveryCodes(
                    codes.compactMap { RecoveryCodes.digest($0, key: keys.recoveryCodeKey) }, for: session.user.id, now: context.now)
            else { return .seeOther(enrolPath) }
            try context.audit(.secondFactorChanged, request, by: session, detail: "new recovery codes")
            var response = HTTPResponse.page(SecondFactorPages.recoveryCodes(session: session, codes: codes, justEnabled: false))
            response.headers.set("Cache-Control", "no-store")
            return response
        }

        router.add("POST", enrolPath + "/disable") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let form = try context.verifiedForm(request, session: session)
            if try required(for: session.user, context) {
                return try statusPage(
                    session, request: request, context: context,
                    error: L("twostep.cannot_turn_off"), status: 409)
            }
            guard try acceptCode(form["code"] ?? "", of: session.user.id, request: request, context: context, recovery: false) else {
                return try statusPage(
                    session, request: request, context: context, error: L("twostep.wrong_code"), status: 422)
            }
            try context.services.people.secondFactors.disableTOTP(for: session.user.id)
            try context.audit(.secondFactorChanged, request, by: session, detail: "two-step sign-in turned off")
            return .seeOther(enrolPath + "?off=1")
        }

        router.add("POST", "/school/users/{id}/reset-two-step") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            guard let id = parameters["id"].flatMap(UserID.init), let person = try context.services.people.accounts.activeUser(id)?.user,
                person.schoolID == school, person.id != session.user.id
            else { throw HTTPError.notFound() }
            try context.services.people.secondFactors.disableTOTP(for: person.id)
            context.queueBackchannelLogouts(sessionDigests: try context.services.oauth.logout.sessionDigests(of: person.id, keeping: nil))
            try context.services.people.sessions.deleteSessions(of: person.id, keeping: nil)
            try context.audit(.secondFactorChanged, request, by: session, subject: person.id, detail: "second factors reset by a school admin")
            if let email = person.email {
                let services = context.services
                let requestLanguage = MailLanguage.ofRequest
                let admin = session.user.displayName
                context.afterSending("second-factor reset mail") {
                    let language = MailLanguage.of(user: person.id, languages: services.people.languages, fallback: requestLanguage)
                    let (subject, body) = MailLanguage.rendering(in: language) {
                        (
                            L("mail.two_step_reset.subject"),
                            L("mail.two_step_reset.body", ["name": person.givenName, "admin": admin])
                        )
                    }
                    try services.mailer.send(to: email, subject: subject, body: body)
                }
            }
            return .seeOther("/school/users?reset-two-step=\(id)")
        }
    }

    // MARK: The code step

    /// Instead of a session: the pending cookie and the way to the code step, when the person has TOTP on and this
    /// sign-in has not used it yet; `nil` otherwise.
    static func askForCode(_ person: AuthenticatedPerson, next: String?, context: RequestContext) throws -> HTTPResponse? {
        guard !person.methods.contains(.oneTimePassword), !person.multiFactor,
            let totp = try context.services.people.secondFactors.totp(of: person.user.id), totp.enabledAt != nil
        else { return nil }
        let keys = try context.services.oauth.requireKeys()
        var generator = SystemRandomNumberGenerator()
        let pending = PendingSecondFactor(user: person.user.id, methods: person.methods, next: next, startedAt: context.now)
        var response = HTTPResponse.seeOther("/login/two-step")
        response.headers.add(
            "Set-Cookie",
            SessionCookie.set(
                pendingCookie, try pending.sealed(key: keys.pendingSecondFactorKey, using: &generator), maxAge: Int(PendingSecondFactor.lifetime)))
        return response
    }

    private static func pending(_ request: HTTPRequest, _ context: RequestContext) -> PendingSecondFactor? {
        guard let key = context.services.oauth.keys?.pendingSecondFactorKey else { return nil }
        return PendingSecondFactor.open(request.cookies[pendingCookie], key: key, now: context.now)
    }

    private static func codeStep(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        let csrf = context.signedOutFormToken(request).csrf
        guard let pending = pending(request, context), let user = try context.services.people.accounts.activeUser(pending.user)?.user else {
            var response = HTTPResponse.seeOther("/login")
            response.headers.add("Set-Cookie", SessionCookie.clear(pendingCookie))
            return response
        }
        if let wait = try SignInCompletion.personWait(codeThrottleKey(user.id), context: context) {
            var response = HTTPResponse.page(
                SecondFactorPages.codeStep(csrf: csrf, error: L("twostep.too_many", ["wait": SignInRoutes.waitText(seconds: wait)])),
                status: 429)
            response.headers.set("Retry-After", String(wait))
            return response
        }
        let entered = (form["code"] ?? "").trimmingCharacters(in: .whitespaces)
        guard try acceptCode(entered, of: user.id, request: request, context: context, recovery: true) else {
            return .page(SecondFactorPages.codeStep(csrf: csrf, error: L("twostep.wrong_code")), status: 422)
        }
        var response = try SignInCompletion.complete(
            AuthenticatedPerson(user: user, methods: pending.methods + [.oneTimePassword]), next: pending.next, request: request, context: context)
        response.headers.add("Set-Cookie", SessionCookie.clear(pendingCookie))
        return response
    }

    /// The per-person counter of code attempts (sign-in and the signed-in pages alike).
    static func codeThrottleKey(_ user: UserID) -> [UInt8] { SignInThrottlePolicy.key(.person, "totp:\(user.rawValue)") }

    /// Whether `code` is a current, unused TOTP code of the person's enabled seed (or, with `recovery`, an unused
    /// recovery code); a wrong one is counted against the person and audited.
    static func acceptCode(_ code: String, of user: UserID, request: HTTPRequest, context: RequestContext, recovery: Bool) throws -> Bool {
        let store = context.services.people.secondFactors
        let keys = try context.services.oauth.requireKeys()
        var accepted = false
        if let totp = try store.totp(of: user), totp.enabledAt != nil {
            let digits = code.filter { !$0.isWhitespace }
            if digits.count == TOTP.defaultDigits, digits.allSatisfy(\.isASCII) {
                let secret = try KeySealing.open(totp.sealedSecret, key: keys.totpSealingKey, associatedData: UserTOTP.associatedData(user))
                if let step = TOTP.verify(code: digits, secret: secret, at: context.now, lastUsedStep: totp.lastUsedStep) {
                    accepted = try store.recordTOTPStep(step, for: user)
                }
            } else if recovery, let digest = RecoveryCodes.digest(code, key: keys.recoveryCodeKey) {
                accepted = try store.consumeRecoveryCode(digest: digest, for: user, now: context.now)
            }
        }
        if accepted {
            try context.services.people.throttle.clearThrottle(key: codeThrottleKey(user))
        } else {
            try SignInCompletion.recordPersonFailure(codeThrottleKey(user), context: context)
            let person = try context.services.people.accounts.activeUser(user)?.user
            try context.audit(
                .signInFailed, request, school: person?.schoolID, actor: nil, subject: user, method: AuthenticationMethod.oneTimePassword.rawValue,
                detail: "wrong or reused code")
        }
        return accepted
    }

    // MARK: Enrolment

    /// Whether `user` must have a second factor.
    static func required(for user: UserAccount, _ context: RequestContext) throws -> Bool {
        guard let school = user.schoolID else { return user.role == .platformAdmin }
        return try context.services.people.secondFactors.secondFactorPolicy(of: school).requires(user.role)
    }

    private static func pendingSeed(_ session: SignedIn, _ context: RequestContext) throws -> (secret: [UInt8], sealed: [UInt8])? {
        guard let totp = try context.services.people.secondFactors.totp(of: session.user.id), totp.enabledAt == nil else { return nil }
        let keys = try context.services.oauth.requireKeys()
        return (
            try KeySealing.open(totp.sealedSecret, key: keys.totpSealingKey, associatedData: UserTOTP.associatedData(session.user.id)),
            totp.sealedSecret
        )
    }

    private static func uri(_ secret: [UInt8], _ session: SignedIn) -> String {
        TOTP.provisioningURI(
            secret: secret, issuer: "CatalystWells", account: session.user.email ?? session.user.username ?? session.user.displayName)
    }

    private static func statusPage(
        _ session: SignedIn, request: HTTPRequest, context: RequestContext, error: String? = nil, status: Int = 200
    ) throws -> HTTPResponse {
        // The authenticator app's seed only: a passkey alone does not turn these forms on.
        let enabled = try context.services.people.secondFactors.totp(of: session.user.id)?.enabledAt != nil
        let notice: Layout.Notice? =
            if request.query["required"] != nil && !enabled {
                .init(kind: .bad, text: L("twostep.required_notice"))
            } else if request.query["off"] != nil { .init(kind: .ok, text: L("twostep.off_notice")) } else { nil }
        return .page(
            SecondFactorPages.status(
                session: session, enabled: enabled, required: try required(for: session.user, context),
                recoveryCodesLeft: try context.services.people.secondFactors.unusedRecoveryCodeCount(of: session.user.id), notice: notice,
                error: error),
            status: status)
    }
}
