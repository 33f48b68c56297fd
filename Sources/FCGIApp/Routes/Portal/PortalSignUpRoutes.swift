import Domain
import Foundation

/// Sign-up and email verification on the developer portal.
///
/// The answer to a sign-up is the same whether or not the address already has an account: the owner of an
/// existing address is told by mail instead, so the form cannot be used to find out who is registered.
enum PortalSignUpRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/signup") { request, _, context in
            if try context.developerSignedIn(request) != nil { return .seeOther("/apps") }
            let form = context.signedOutFormToken(request)
            return .page(PortalAccountPages.signUp(csrf: form.csrf, values: .init(), errors: [:])).setting(cookie: form.setCookie)
        }

        router.add("POST", "/signup") { request, _, context in
            let form = try context.verifiedForm(request, signedIn: false)
            let csrf = context.signedOutFormToken(request).csrf
            let input = DeveloperSignUpForm(
                name: form["name"] ?? "", email: form["email"] ?? "", company: form["company"] ?? "", password: form["password"] ?? "",
                confirmation: form["confirmation"] ?? "", acceptedTerms: form["terms"] == "1")
            let values = PortalAccountPages.SignUpValues(
                name: input.name, email: input.email, company: input.company, acceptedTerms: input.acceptedTerms)
            let valid: (name: String, email: String, company: String?)
            switch input.validate() {
            case .failure(let errors): return .page(PortalAccountPages.signUp(csrf: csrf, values: values, errors: errors), status: 422)
            case .success(let fields): valid = fields
            }
            let services = context.services
            let now = context.now
            let language = MailLanguage.ofRequest
            let hash = try services.people.hasher.hash(input.password)
            do {
                let id = try services.portal.accounts.createDeveloper(
                    NewDeveloper(email: valid.email, name: valid.name, company: valid.company, passwordHash: hash), now: now)
                if let created = try services.portal.accounts.developer(id) {
                    context.afterSending("portal mail") {
                        try PortalMail.sendLink(.verifyEmail, to: created.account, services: services, now: now, language: language)
                    }
                }
                context.logger.info("developer signed up", metadata: ["developer.id": "\(id)"])
            } catch let error as StoreError where error.kind == .duplicate {
                if let existing = try services.portal.accounts.developer(email: valid.email)?.account {
                    context.afterSending("portal mail") {
                        if existing.state == .unverified {
                            try resendVerification(to: existing, services: services, now: now, language: language)
                        } else {
                            try PortalMail.sendAlreadyRegistered(to: existing, services: services, language: language)
                        }
                    }
                }
            }
            return .page(
                PortalAccountPages.checkMail(email: valid.email, hours: Int(services.configuration.portal.verifyLinkLifetime / 3600)))
        }

        router.add("GET", "/verify") { request, _, context in
            let token = request.query["token"] ?? ""
            let status = try linkStatus(token, context: context)
            guard case .valid(_, .verifyEmail) = status else {
                return .page(PortalAccountPages.linkProblem(status, purpose: .verifyEmail), status: 410)
            }
            let form = context.signedOutFormToken(request)
            return .page(PortalAccountPages.confirmEmail(csrf: form.csrf, token: token)).setting(cookie: form.setCookie)
        }

        router.add("POST", "/verify") { request, _, context in
            let form = try context.verifiedForm(request, signedIn: false)
            let token = form["token"] ?? ""
            guard SecretToken.isWellFormed(token, prefix: TokenPrefix.developerLink) else {
                return .page(PortalAccountPages.linkProblem(.invalid, purpose: .verifyEmail), status: 410)
            }
            let status = try context.services.portal.links.consumeVerificationLink(digest: SecretToken.digest(token), now: context.now)
            guard case .valid(let id, _) = status else { return .page(PortalAccountPages.linkProblem(status, purpose: .verifyEmail), status: 410) }
            context.logger.info("developer email verified", metadata: ["developer.id": "\(id)"])
            return .seeOther(try context.developerSignedIn(request) != nil ? "/apps" : "/login?verified=1")
        }

        router.add("GET", "/verify-email") { request, _, context in
            let session = try context.requireAnyDeveloper(request)
            if session.account.state == .active { return .seeOther("/apps") }
            let notice: Layout.Notice? =
                switch request.query["sent"] {
                case "1": .init(kind: .ok, text: L("portal.msg.link_resent"))
                case "wait": .init(kind: .bad, text: L("portal.msg.link_wait"))
                default: nil
                }
            return .page(PortalAccountPages.verifyEmail(session: session, notice: notice))
        }

        router.add("POST", "/verify-email/resend") { request, _, context in
            let session = try context.requireAnyDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            guard session.account.state == .unverified else { return .seeOther("/apps") }
            let sent = try resendVerification(to: session.account, services: context.services, now: context.now)
            return .seeOther(sent ? "/verify-email?sent=1" : "/verify-email?sent=wait")
        }
    }

    /// Mails a new verification link unless one was sent within the cool-down; returns whether it did.
    @discardableResult
    static func resendVerification(
        to developer: DeveloperAccount, services: SiteServices, now: Date, language: String? = MailLanguage.ofRequest
    ) throws -> Bool {
        if let last = try services.portal.links.newestLinkCreatedAt(of: developer.id, purpose: .verifyEmail),
            now.timeIntervalSince(last) < services.configuration.portal.resendCooldown
        {
            return false
        }
        try PortalMail.sendLink(.verifyEmail, to: developer, services: services, now: now, language: language)
        return true
    }

    /// The status of a mailed link's token; a malformed token is `.invalid` without a lookup.
    static func linkStatus(_ token: String, context: RequestContext) throws -> DeveloperLinkStatus {
        guard SecretToken.isWellFormed(token, prefix: TokenPrefix.developerLink) else { return .invalid }
        return try context.services.portal.links.link(digest: SecretToken.digest(token), now: context.now)
    }

    /// Runs a mail step; a mail failure is logged and does not fail the page, which would otherwise tell the
    /// visitor something about the address. Store errors still propagate.
}

extension HTTPResponse {
    /// The response with a `Set-Cookie` added when there is one.
    func setting(cookie: String?) -> HTTPResponse {
        guard let cookie else { return self }
        var response = self
        response.headers.add("Set-Cookie", cookie)
        return response
    }
}
