import Domain
import Foundation

/// Changing a password while signed in, and resetting a forgotten one through a single-use mailed link.
enum PasswordRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account/password") { request, _, context in
            let session = try context.requireSignIn(request, Role.student, .parent, .teacher, .schoolAdmin, .platformAdmin)
            return .page(
                AccountPages.changePassword(session: session, currentError: nil, newError: nil, changed: request.query["changed"] != nil))
        }

        router.add("POST", "/account/password") { request, _, context in
            let session = try context.requireSignIn(request, Role.student, .parent, .teacher, .schoolAdmin, .platformAdmin)
            let form = try context.verifiedForm(request, session: session)
            let services = context.services
            let current = form["current"] ?? ""
            let password = form["password"] ?? ""
            // A stolen session must not become an unlimited password oracle: wrong current passwords count per
            // person, as sign-in failures do.
            if let wait = try SignInCompletion.recheckWait(of: session.user.id, context: context) {
                var response = HTTPResponse.page(
                    AccountPages.changePassword(
                        session: session, currentError: L("password.too_many", ["wait": SignInRoutes.waitText(seconds: wait)]),
                        newError: nil, changed: false),
                    status: 429)
                response.headers.set("Retry-After", String(wait))
                return response
            }
            guard let account = try services.people.accounts.activeUser(session.user.id), let hash = account.passwordHash,
                current.utf8.count <= PasswordRules.maximumBytes, try services.people.hasher.verify(current, against: hash)
            else {
                try SignInCompletion.recordRecheckFailure(of: session.user.id, context: context)
                return .page(
                    AccountPages.changePassword(session: session, currentError: L("password.current.wrong"), newError: nil, changed: false),
                    status: 422)
            }
            if let problem = PasswordRules.problem(
                with: password, confirmation: form["confirmation"] ?? "",
                identifiers: [session.user.email, session.user.username].compactMap { $0 })
            {
                return .page(AccountPages.changePassword(session: session, currentError: nil, newError: problem, changed: false), status: 422)
            }
            let revoked = try services.people.accounts.changePassword(
                try services.people.hasher.hash(password), for: session.user.id, keepingSession: session.digest, now: context.now)
            try SignInCompletion.clearRecheckFailures(of: session.user.id, context: context)
            try context.audit(.passwordChanged, request, by: session, detail: "\(revoked) app grants revoked")
            context.logger.info("password changed", metadata: ["user.id": "\(session.user.id)", "oauth.grants_revoked": "\(revoked)"])
            return .seeOther("/account/password?changed=1")
        }

        router.add("GET", "/password/forgot") { request, _, context in
            let form = context.signedOutFormToken(request)
            var response = HTTPResponse.page(AccountPages.forgot(csrf: form.csrf, sent: false, lifetimeMinutes: 0))
            if let cookie = form.setCookie { response.headers.add("Set-Cookie", cookie) }
            return response
        }

        router.add("POST", "/password/forgot") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            let services = context.services
            let email = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if email.contains("@"), email.utf8.count <= 254, let candidate = try services.people.accounts.signInCandidate(identifier: email),
                let address = candidate.user.email
            {
                // After the response, so its timing does not reveal whether the address exists; a failure is
                // only logged for the same reason.
                let now = context.now
                let logger = context.logger
                let language = MailLanguage.ofRequest  // taken now: the work after the response is outside the request
                context.afterSending("password reset mail") {
                    // One reset mail per cool-down, however often (or at once) the form is sent for the address.
                    guard
                        try MailCooldown.claim(
                            services.people.throttle, kind: "reset", person: "user:\(candidate.user.id)",
                            cooldown: services.configuration.signIn.resetMailCooldown, now: now)
                    else { return }
                    try PasswordLinks.send(
                        to: candidate.user.id, email: address, name: candidate.user.givenName, purpose: .reset, services: services, now: now,
                        language: language)
                    logger.info("password reset link sent", metadata: ["user.id": "\(candidate.user.id)"])
                }
            }
            let minutes = Int(services.configuration.signIn.resetLinkLifetime / 60)
            return .page(AccountPages.forgot(csrf: "", sent: true, lifetimeMinutes: minutes))
        }

        router.add("GET", "/password/reset") { request, _, context in
            let token = request.query["token"] ?? ""
            guard SecretToken.isWellFormed(token, prefix: TokenPrefix.passwordLink),
                let link = try context.services.people.passwordLinks.validPasswordLink(digest: SecretToken.digest(token), now: context.now)
            else { return .page(AccountPages.linkInvalid(), status: 400) }
            let form = context.signedOutFormToken(request)
            var response = HTTPResponse.page(AccountPages.reset(csrf: form.csrf, token: token, purpose: link.purpose, error: nil))
            if let cookie = form.setCookie { response.headers.add("Set-Cookie", cookie) }
            return response
        }

        router.add("POST", "/password/reset") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            let services = context.services
            let token = form["token"] ?? ""
            let now = context.now
            guard SecretToken.isWellFormed(token, prefix: TokenPrefix.passwordLink),
                let link = try services.people.passwordLinks.validPasswordLink(digest: SecretToken.digest(token), now: now),
                let account = try services.people.accounts.activeUser(link.user)
            else { return .page(AccountPages.linkInvalid(), status: 400) }
            let password = form["password"] ?? ""
            if let problem = PasswordRules.problem(
                with: password, confirmation: form["confirmation"] ?? "",
                identifiers: [account.user.email, account.user.username].compactMap { $0 })
            {
                return .page(AccountPages.reset(csrf: form["csrf"] ?? "", token: token, purpose: link.purpose, error: problem), status: 422)
            }
            guard
                let user = try services.people.passwordLinks.consumePasswordLink(
                    digest: SecretToken.digest(token), newHash: try services.people.hasher.hash(password), now: now)
            else { return .page(AccountPages.linkInvalid(), status: 400) }
            // Whoever proved control of the mailbox may sign in at once, under either identifier.
            for identifier in [account.user.email, account.user.username].compactMap({ $0 }) {
                try services.people.throttle.clearThrottle(key: SignInThrottlePolicy.key(.account, identifier))
            }
            try context.audit(
                .passwordReset, request, school: account.user.schoolID, actor: user, subject: user,
                detail: link.purpose == .set ? "first password set through a mailed link" : "password reset through a mailed link")
            context.logger.info("password set through a link", metadata: ["user.id": "\(user)"])
            return .seeOther("/login?reset=1")
        }
    }
}
