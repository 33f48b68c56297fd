import Domain
import Foundation

/// `/login` and `/logout`: sign-in with throttling that cannot tell an unknown account from a wrong
/// password, server-side sessions rotated at sign-in, and sign-out that ends the session in the database.
enum SignInRoutes {
    /// The one answer for every failed sign-in.
    /// In the page's language, so computed for each request.
    static var failedMessage: String { L("signin.failed") }

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/login") { request, _, context in
            // `reauth=1`: an app asked for a fresh sign-in (OIDC `prompt=login`, `max_age`), so the form is shown
            // even to a signed-in browser; signing in replaces the session.
            if request.query["reauth"] == nil, let session = try context.signedIn(request) {
                return .seeOther(safeNext(request.query["next"]) ?? home(for: session.user.role))
            }
            let notice: Layout.Notice? =
                if request.query["signed_out"] != nil { .init(kind: .ok, text: L("signin.signed_out_notice")) } else if request.query["reset"] != nil
                {
                    .init(kind: .ok, text: L("signin.password_saved_notice"))
                } else { nil }
            return try signInPage(request, context: context, next: safeNext(request.query["next"]), notice: notice)
        }

        router.add("POST", "/login") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            return try signIn(request, form: form, context: context)
        }

        router.add("POST", "/logout") { request, _, context in
            guard let session = try context.signedIn(request) else { return .seeOther("/login") }
            let form = try context.verifiedForm(request, session: session)
            // "Not you?" on the consent page signs out and comes back to the same request after the next sign-in.
            let next = safeNext(form["next"]).map { "&next=" + FormCodec.encode($0) } ?? ""
            return try context.endSession(session, request, revokeTokens: false, detail: "", then: .seeOther("/login?signed_out=1" + next))
        }
    }

    /// The sign-in page: the password form, the "Continue with …" buttons of the school named by `school` (a school's
    /// printable link, `/login?school=<sourcedId>`) or of the platform-wide providers, and the email box that finds a
    /// person's school (home-realm discovery).
    static func signInPage(
        _ request: HTTPRequest, context: RequestContext, next: String?, identifier: String = "", error: String? = nil,
        notice: Layout.Notice? = nil, status: Int = 200, schoolLink: String? = nil
    ) throws -> HTTPResponse {
        let form = context.signedOutFormToken(request)
        // On the way to an app's consent page, the app's `ui_locales` already picks the language.
        if let next, next.hasPrefix("/authsso?"), let query = URLComponents(string: next)?.queryItems {
            PageLanguage.current?.hint(uiLocales: query.first { $0.name == "ui_locales" }?.value)
        }
        let store = context.services.upstream.store
        var error = error
        var school: (sourcedID: String, name: String)?
        var schoolID: SchoolID?
        // `schoolLink`: the posted form's hidden field, which keeps the school's buttons on the page after a refusal.
        if let sourcedID = schoolLink ?? request.query["school"], !sourcedID.isEmpty {
            if sourcedID.utf8.count <= 255, let found = try store.school(sourcedID: sourcedID) {
                school = (sourcedID, found.name)
                schoolID = found.id
            } else if error == nil {
                error = L("signin.unknown_school")
            }
        }
        let providers = try store.enabledUpstreamProviders(for: schoolID)
        // A school whose directory checks passwords: the password form goes to it (``DirectorySignInRoutes``).
        let directory = try schoolID.flatMap { try context.services.directories.store.signInDirectory(of: $0) }.flatMap { $0.enabled ? $0.name : nil }
        var response = HTTPResponse.page(
            AccountPages.signIn(
                csrf: form.csrf, identifier: identifier, next: next, error: error, notice: notice, school: school, providers: providers,
                directory: directory),
            status: status)
        if let cookie = form.setCookie { response.headers.add("Set-Cookie", cookie) }
        return response
    }

    /// The password method through the sign-in seam (``SignInCompletion``).
    private static func signIn(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        let services = context.services
        let identifier = (form["identifier"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let next = safeNext(form["next"])

        if let wait = try SignInCompletion.throttleWait(identifier: identifier, request: request, context: context) {
            var response = try signInPage(
                request, context: context, next: next, identifier: identifier,
                error: throttledMessage(wait: wait), status: 429, schoolLink: form["school"])
            response.headers.set("Retry-After", String(wait))
            return response
        }
        let method = PasswordSignIn(accounts: services.people.accounts, hasher: services.people.hasher, decoy: services.people.timingDecoy.verify)
        let person: AuthenticatedPerson
        switch try method.authenticate(identifier: identifier, password: form["password"] ?? "", now: context.now) {
        case .signedIn(let signedIn):
            person = signedIn
        case .refused(let known):
            try SignInCompletion.recordFailure(identifier: identifier, method: .password, known: known, request: request, context: context)
            return try signInPage(request, context: context, next: next, identifier: identifier, error: failedMessage, schoolLink: form["school"])
        }
        // The school may have its people of this role sign in with its own accounts only. Said only after the right
        // password, so the answer tells a stranger nothing about the account.
        if let school = person.user.schoolID, !(try services.upstream.store.signInPolicy(of: school).allowsPassword(for: person.user.role)) {
            let names = try services.upstream.store.enabledUpstreamProviders(for: school).map(\.name)
            try context.audit(
                .signInFailed, request, school: school, actor: nil, subject: person.user.id, method: AuthenticationMethod.password.rawValue,
                detail: "password sign-in not allowed for this role")
            context.logger.info(
                "password sign-in refused by school policy", metadata: ["user.id": "\(person.user.id)", "user.role": "\(person.user.role.rawValue)"])
            let via = names.isEmpty ? L("signin.policy_accounts") : names.joined(separator: L("signin.or"))
            return try signInPage(
                request, context: context, next: next, identifier: identifier,
                error: L("signin.policy_via", ["via": via]), status: 403, schoolLink: form["school"])
        }
        // A temporary password the school wants replaced: the "choose your password" step comes before any session.
        if let detour = try ChoosePasswordStep.detour(person, next: next, context: context) { return detour }
        return try SignInCompletion.complete(person, next: next, request: request, context: context)
    }

    /// The landing page of each role.
    static func home(for role: Role) -> String {
        switch role {
        case .student: "/student"
        case .parent: "/parent"
        case .teacher: "/teacher"
        case .schoolAdmin: "/school"
        case .platformAdmin: "/platform"
        }
    }

    /// A `next` target only if it is a path on this site: `/x`, never `//host` or `/\host` (open redirects).
    static func safeNext(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.hasPrefix("/\\"), value.utf8.count <= 4000,
            !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }), value != "/login"
        else { return nil }
        return value
    }

    /// The sign-in page's "too many failed sign-ins, wait …" in the page's language.
    static func throttledMessage(wait seconds: Int) -> String {
        seconds < 90 ? L("signin.throttled.seconds", count: seconds) : L("signin.throttled.minutes", count: (seconds + 59) / 60)
    }

    /// "45 seconds", "5 minutes" in the page's language.
    static func waitText(seconds: Int) -> String {
        seconds < 90 ? L("wait.seconds", count: seconds) : L("wait.minutes", count: (seconds + 59) / 60)
    }

    /// "45 seconds", "5 minutes".
    static func describe(seconds: Int) -> String {
        if seconds < 90 { return "\(seconds) second\(seconds == 1 ? "" : "s")" }
        let minutes = (seconds + 59) / 60
        return "\(minutes) minutes"
    }
}
