import Domain
import Foundation

/// Forgotten passwords (a single-use mailed link) and password changes on the developer portal.
enum PortalPasswordRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/password/forgot") { request, _, context in
            let form = context.signedOutFormToken(request)
            return .page(PortalAccountPages.forgot(csrf: form.csrf, sent: false, minutes: 0)).setting(cookie: form.setCookie)
        }

        router.add("POST", "/password/forgot") { request, _, context in
            let form = try context.verifiedForm(request, signedIn: false)
            let services = context.services
            let email = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            // The same answer whatever the address: only its owner learns, by mail, that it has an account.
            if DeveloperSignUpForm.isPlausibleEmail(email), let found = try services.portal.accounts.developer(email: email),
                found.account.state != .suspended
            {
                let now = context.now
                let language = MailLanguage.ofRequest
                context.afterSending("portal mail") {
                    // One reset mail per cool-down, however often (or at once) the form is sent for the address.
                    guard
                        try MailCooldown.claim(
                            services.portal.throttle, kind: "reset", person: "developer:\(found.account.id)",
                            cooldown: services.configuration.portal.resendCooldown, now: now)
                    else { return }
                    try PortalMail.sendLink(.resetPassword, to: found.account, services: services, now: now, language: language)
                }
            }
            let minutes = Int(services.configuration.signIn.resetLinkLifetime / 60)
            return .page(PortalAccountPages.forgot(csrf: context.signedOutFormToken(request).csrf, sent: true, minutes: minutes))
        }

        router.add("GET", "/password/reset") { request, _, context in
            let token = request.query["token"] ?? ""
            let status = try PortalSignUpRoutes.linkStatus(token, context: context)
            guard case .valid(_, .resetPassword) = status else {
                return .page(PortalAccountPages.linkProblem(status, purpose: .resetPassword), status: 410)
            }
            let form = context.signedOutFormToken(request)
            return .page(PortalAccountPages.reset(csrf: form.csrf, token: token, error: nil)).setting(cookie: form.setCookie)
        }

        router.add("POST", "/password/reset") { request, _, context in
            let form = try context.verifiedForm(request, signedIn: false)
            let services = context.services
            let token = form["token"] ?? ""
            let csrf = context.signedOutFormToken(request).csrf
            let status = try PortalSignUpRoutes.linkStatus(token, context: context)
            guard case .valid(let id, .resetPassword) = status, let found = try services.portal.accounts.developer(id) else {
                return .page(PortalAccountPages.linkProblem(status, purpose: .resetPassword), status: 410)
            }
            let password = form["password"] ?? ""
            if let problem = PasswordRules.problem(
                with: password, confirmation: form["confirmation"] ?? "", identifiers: [found.account.email])
            {
                return .page(PortalAccountPages.reset(csrf: csrf, token: token, error: problem), status: 422)
            }
            // The link is checked again, and used, in the store's one transaction: of two racing posts one wins.
            let consumed = try services.portal.links.consumeResetLink(
                digest: SecretToken.digest(token), newHash: try services.people.hasher.hash(password), now: context.now)
            guard case .valid = consumed else { return .page(PortalAccountPages.linkProblem(consumed, purpose: .resetPassword), status: 410) }
            try services.portal.throttle.clearThrottle(key: SignInThrottlePolicy.key(.account, found.account.email))
            context.logger.info("developer password reset", metadata: ["developer.id": "\(id)"])
            return .seeOther("/login?reset=1")
        }

        router.add("POST", "/account/password") { request, _, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            let services = context.services
            let current = form["current"] ?? ""
            let password = form["password"] ?? ""
            func page(currentError: String?, newError: String?) throws -> HTTPResponse {
                let left = try services.portal.accounts.unusedRecoveryCodeDigests(of: session.account.id).count
                return .page(
                    PortalSecurityPages.account(
                        session: session, recoveryCodesLeft: left, currentError: currentError, newError: newError, notice: nil),
                    status: 422)
            }
            // The same per-account throttle as the portal's other password checks: a stolen session cannot guess.
            let throttleKey = SignInThrottlePolicy.key(.account, session.account.email)
            if let wait = try context.portalRetryAfter([throttleKey]) {
                var response = try page(
                    currentError: L("portal.msg.throttled.passwords", ["wait": SignInRoutes.describe(seconds: wait)]), newError: nil)
                response.status = 429
                response.headers.set("Retry-After", String(wait))
                return response
            }
            guard let found = try services.portal.accounts.developer(session.account.id), current.utf8.count <= PasswordRules.maximumBytes,
                try services.people.hasher.verify(current, against: found.passwordHash)
            else {
                try context.recordPortalFailure(throttleKey)
                return try page(currentError: L("portal.msg.not_current_password"), newError: nil)
            }
            if let problem = PasswordRules.problem(with: password, confirmation: form["confirmation"] ?? "", identifiers: [session.account.email]) {
                return try page(currentError: nil, newError: problem)
            }
            try services.portal.accounts.changePassword(
                try services.people.hasher.hash(password), for: session.account.id, keepingSession: session.digest, now: context.now)
            try services.portal.throttle.clearThrottle(key: throttleKey)
            context.logger.info("developer password changed", metadata: ["developer.id": "\(session.account.id)"])
            return .seeOther("/account?done=password")
        }
    }
}
