import Domain

/// `/login/choose-password`: the step of a sign-in with a temporary password that must be replaced
/// (``ChoosePasswordStep``). Without a valid ticket (none, expired, forged, or its password already replaced) it
/// sends the browser back to the sign-in page; with one, the new password is saved, the ticket's cookie removed,
/// and the sign-in completes like any other.
enum ChoosePasswordRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", ChoosePasswordStep.path) { request, _, context in
            guard let pending = try ChoosePasswordStep.pending(request, context: context) else { return expired() }
            return page(request, context: context, person: pending.user, next: SignInRoutes.safeNext(request.query["next"]), error: nil)
        }

        router.add("POST", ChoosePasswordStep.path) { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            guard let pending = try ChoosePasswordStep.pending(request, context: context) else { return expired() }
            let services = context.services
            let person = pending.user
            let next = SignInRoutes.safeNext(form["next"])
            let password = form["password"] ?? ""
            if let problem = PasswordRules.problem(
                with: password, confirmation: form["confirmation"] ?? "", identifiers: [person.email, person.username].compactMap { $0 })
            {
                return page(request, context: context, person: person, next: next, error: problem, status: 422)
            }
            if try services.people.hasher.verify(password, against: pending.passwordHash) {
                return page(
                    request, context: context, person: person, next: next, error: L("choose.not_temporary"),
                    status: 422)
            }
            guard
                try services.people.resets.replaceTemporaryPassword(
                    of: person.id, expected: pending.passwordHash, with: try services.people.hasher.hash(password), now: context.now)
            else { return expired() }
            try context.audit(
                .passwordChanged, request, school: person.schoolID, actor: person.id, subject: person.id,
                detail: "temporary password replaced at sign-in")
            context.logger.info("temporary password replaced", metadata: ["user.id": "\(person.id)"])
            let names = Set([person.email, person.username].compactMap { $0?.lowercased() })
            var response = try SignInCompletion.complete(
                AuthenticatedPerson(user: person, methods: [.password], throttleNames: names), next: next, request: request, context: context)
            response.headers.add("Set-Cookie", SessionCookie.clear(ChoosePasswordStep.cookie))
            return response
        }
    }

    private static func page(
        _ request: HTTPRequest, context: RequestContext, person: UserAccount, next: String?, error: String?, status: Int = 200
    ) -> HTTPResponse {
        let form = context.signedOutFormToken(request)
        var response = HTTPResponse.page(PasswordResetPages.choose(csrf: form.csrf, person: person, next: next, error: error), status: status)
        if let cookie = form.setCookie { response.headers.add("Set-Cookie", cookie) }
        return response
    }

    /// No valid ticket: back to the sign-in page, without the stale cookie.
    private static func expired() -> HTTPResponse {
        var response = HTTPResponse.seeOther("/login")
        response.headers.add("Set-Cookie", SessionCookie.clear(ChoosePasswordStep.cookie))
        return response
    }
}
