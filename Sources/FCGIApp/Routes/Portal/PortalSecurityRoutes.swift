import Domain
import Foundation

/// The account page, TOTP enrolment (RFC 6238) with recovery codes, and the sessions list of the portal.
///
/// Enrolment is two steps so a mistyped scan cannot lock anyone out: a pending seed is stored (sealed with
/// AES-256-GCM under the portal key), and only a correct code from it turns two-step sign-in on. Recovery
/// codes are generated then and shown once; only their digests are kept.
enum PortalSecurityRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account") { request, _, context in
            let session = try context.requireDeveloper(request)
            let left = try context.services.portal.accounts.unusedRecoveryCodeDigests(of: session.account.id).count
            let notice: Layout.Notice? =
                request.query["done"] == "password"
                ? .init(kind: .ok, text: L("portal.msg.password_changed")) : nil
            return .page(PortalSecurityPages.account(session: session, recoveryCodesLeft: left, currentError: nil, newError: nil, notice: notice))
        }

        router.add("GET", "/account/2fa") { request, _, context in
            let session = try context.requireDeveloper(request)
            let left = try context.services.portal.accounts.unusedRecoveryCodeDigests(of: session.account.id).count
            let notice: Layout.Notice? =
                request.query["done"] == "off" ? .init(kind: .ok, text: L("portal.msg.two_step_off")) : nil
            return .page(PortalSecurityPages.twoFactor(session: session, recoveryCodesLeft: left, error: nil, notice: notice))
        }

        router.add("POST", "/account/2fa/start") { request, _, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            let keys = try portalKeys(context)
            var generator = SystemRandomNumberGenerator()
            let secret = TOTP.makeSecret(using: &generator)
            let sealed = try KeySealing.seal(
                secret, key: keys.totpSealingKey, associatedData: DeveloperKeyMaterial.totpAssociatedData(session.account.id),
                using: &generator)
            guard try context.services.portal.accounts.setPendingTOTPSecret(sealed, for: session.account.id, now: context.now) else {
                return .seeOther("/account/2fa")
            }
            return .seeOther("/account/2fa/setup")
        }

        router.add("GET", "/account/2fa/setup") { request, _, context in
            let session = try context.requireDeveloper(request)
            guard let secret = try pendingSecret(of: session, context: context) else { return .seeOther("/account/2fa") }
            return .page(enrolPage(session, secret: secret.secret, error: nil))
        }

        router.add("POST", "/account/2fa/confirm") { request, _, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            guard let pending = try pendingSecret(of: session, context: context) else { return .seeOther("/account/2fa") }
            let now = context.now
            guard let step = TOTP.verify(code: form["code"] ?? "", secret: pending.secret, at: now, lastUsedStep: nil) else {
                return .page(
                    enrolPage(
                        session, secret: pending.secret, error: L("portal.msg.code_mismatch")),
                    status: 422)
            }
            var generator = SystemRandomNumberGenerator()
            let codes = RecoveryCodes.generate(using: &generator)
            let keys = try portalKeys(context)
            guard
                try context.services.portal.accounts.enableTOTP(
                    for: session.account.id, sealedSecret: pending.sealed, step: step,
                    recoveryCodeDigests: codes.compactMap { RecoveryCodes.digest($0, key: keys.recoveryCodeKey) },
                    now: now)
            else {
                // Another tab started a new enrolment or finished this one meanwhile.
                return .seeOther("/account/2fa")
            }
            context.logger.info("developer turned on two-step sign-in", metadata: ["developer.id": "\(session.account.id)"])
            return .page(PortalSecurityPages.recoveryCodes(session: session.withTOTP(true), codes: codes, justEnabled: true))
        }

        router.add("POST", "/account/2fa/recovery-codes") { request, _, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            let services = context.services
            let keys = try portalKeys(context)
            let id = session.account.id
            // The same per-account code throttle as the sign-in's code step: a stolen session cannot guess codes.
            let throttleKey = RequestContext.totpThrottleKey(id)
            if let refusal = try throttled(throttleKey, session: session, context: context) { return refusal }
            var accepted = false
            if let totp = try services.portal.accounts.totp(of: id), totp.enabledAt != nil {
                accepted = try context.acceptTOTPCode(form["code"] ?? "", of: id, totp: totp, keys: keys)
            }
            guard accepted else {
                try context.recordPortalFailure(throttleKey)
                let left = try services.portal.accounts.unusedRecoveryCodeDigests(of: id).count
                return .page(
                    PortalSecurityPages.twoFactor(
                        session: session, recoveryCodesLeft: left, error: L("portal.msg.code_wrong"), notice: nil),
                    status: 422)
            }
            var generator = SystemRandomNumberGenerator()
            let codes = RecoveryCodes.generate(using: &generator)
            guard
                try services.portal.accounts.replaceRecoveryCodes(
                    codes.compactMap { RecoveryCodes.digest($0, key: keys.recoveryCodeKey) }, for: id, now: context.now)
            else {
                return .seeOther("/account/2fa")
            }
            return .page(PortalSecurityPages.recoveryCodes(session: session, codes: codes, justEnabled: false))
        }

        router.add("POST", "/account/2fa/disable") { request, _, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            let services = context.services
            let password = form["password"] ?? ""
            // Password guesses here count against the account like failed sign-ins.
            let throttleKey = SignInThrottlePolicy.key(.account, session.account.email)
            if let refusal = try throttled(throttleKey, session: session, context: context) { return refusal }
            guard let found = try services.portal.accounts.developer(session.account.id), password.utf8.count <= PasswordRules.maximumBytes,
                try services.people.hasher.verify(password, against: found.passwordHash)
            else {
                try context.recordPortalFailure(throttleKey)
                let left = try services.portal.accounts.unusedRecoveryCodeDigests(of: session.account.id).count
                return .page(
                    PortalSecurityPages.twoFactor(session: session, recoveryCodesLeft: left, error: L("portal.msg.not_password"), notice: nil),
                    status: 422)
            }
            try services.portal.accounts.disableTOTP(for: session.account.id, now: context.now)
            context.logger.notice("developer turned off two-step sign-in", metadata: ["developer.id": "\(session.account.id)"])
            return .seeOther("/account/2fa?done=off")
        }

        router.add("GET", "/account/sessions") { request, _, context in
            let session = try context.requireDeveloper(request)
            let policy = context.services.configuration.signIn.sessionPolicy
            let now = context.now
            let list = try context.services.portal.sessions.sessions(of: session.account.id, current: session.digest).filter {
                if case .valid = policy.evaluate(createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt, now: now) { return true }
                return false
            }
            return .page(PortalSecurityPages.sessions(session: session, list: list, now: now))
        }

        router.add("POST", "/account/sessions/{id}/revoke") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            guard let id = parameters["id"].flatMap(DeveloperSessionID.init),
                try context.services.portal.sessions.deleteSession(id, of: session.account.id)
            else { throw HTTPError.notFound() }
            return .seeOther("/account/sessions")
        }

        router.add("POST", "/account/sessions/revoke-others") { request, _, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            try context.services.portal.sessions.deleteSessions(of: session.account.id, keeping: session.digest)
            return .seeOther("/account/sessions")
        }
    }

    /// The 429 page when `key` is locked out, else `nil`.
    private static func throttled(_ key: [UInt8], session: DeveloperSignedIn, context: RequestContext) throws -> HTTPResponse? {
        guard let wait = try context.portalRetryAfter([key]) else { return nil }
        let left = try context.services.portal.accounts.unusedRecoveryCodeDigests(of: session.account.id).count
        var response = HTTPResponse.page(
            PortalSecurityPages.twoFactor(
                session: session, recoveryCodesLeft: left,
                error: L("portal.msg.throttled.attempts", ["wait": SignInRoutes.describe(seconds: wait)]), notice: nil),
            status: 429)
        response.headers.set("Retry-After", String(wait))
        return response
    }

    private static func portalKeys(_ context: RequestContext) throws -> DeveloperKeyMaterial {
        guard let keys = context.services.portal.keys else {
            throw HTTPError(status: 503, code: "unavailable", "Two-step sign-in is not available right now.", logDetail: "portal key not loaded")
        }
        return keys
    }

    /// The seed of an enrolment that is still waiting for its confirmation code, opened.
    private static func pendingSecret(of session: DeveloperSignedIn, context: RequestContext) throws -> (secret: [UInt8], sealed: [UInt8])? {
        guard let totp = try context.services.portal.accounts.totp(of: session.account.id), totp.enabledAt == nil else { return nil }
        let keys = try portalKeys(context)
        let secret = try KeySealing.open(
            totp.sealedSecret, key: keys.totpSealingKey, associatedData: DeveloperKeyMaterial.totpAssociatedData(session.account.id))
        return (secret, totp.sealedSecret)
    }

    private static func enrolPage(_ session: DeveloperSignedIn, secret: [UInt8], error: String?) -> HTML {
        let uri = TOTP.provisioningURI(secret: secret, issuer: "CatalystWells Developers", account: session.account.email)
        return PortalSecurityPages.enrol(session: session, secret: secret, uri: uri, error: error)
    }
}

extension DeveloperSignedIn {
    /// The same session with the account's TOTP flag changed (for the page rendered right after a change).
    func withTOTP(_ enabled: Bool) -> DeveloperSignedIn {
        let a = account
        return DeveloperSignedIn(
            account: DeveloperAccount(id: a.id, email: a.email, name: a.name, company: a.company, state: a.state, totpEnabled: enabled),
            digest: digest, csrf: csrf, idleMinutes: idleMinutes)
    }
}
