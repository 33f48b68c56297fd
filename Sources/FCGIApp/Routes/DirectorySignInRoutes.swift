import Domain
import Foundation

/// Sign-in against a school's LDAP directory or Active Directory (issue 15, items 1 and 3), and the school admin's
/// settings for it on `/school/sign-in` (item 4):
///
/// - `POST /login/directory`: the password form of a school's sign-in link (`/login?school=<sourcedId>`) when the
///   school's directory checks passwords. Throttled like the password form (per name, here the school and the
///   typed name, and per address) before the directory is asked; ``DirectorySignIn`` decides; success goes through
///   ``SignInCompletion`` (`amr` "pwd"); every refusal is audited with its reason, and a directory that cannot be
///   used (down, slow, a certificate that does not verify, a referral) gets its own page and a 502: no session;
/// - `POST /school/sign-in/directory` saves the settings, `…/remove` removes them, `…/test` runs the service
///   account's search for a typed name and shows what it found.
enum DirectorySignInRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/login/directory") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            return try signIn(request, form: form, context: context)
        }

        router.add("POST", "/school/sign-in/directory") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            return try save(request, session, school, form, context)
        }

        router.add("POST", "/school/sign-in/directory/remove") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            if try context.services.directories.store.removeSignInDirectory(of: school) {
                context.logger.info("school directory removed", metadata: ["user.id": "\(session.user.id)", "school.id": "\(school)"])
                try context.audit(.upstreamProviderChanged, request, by: session, subject: nil, detail: "removed the school directory")
            }
            return .seeOther("/school/sign-in?saved=1")
        }

        router.add("POST", "/school/sign-in/directory/test") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            guard let directory = try context.services.directories.store.signInDirectory(of: school) else { throw HTTPError.notFound() }
            let name = form["name"] ?? ""
            guard let signIn = try flow(directory, context) else {
                return try SchoolSignInRoutes.page(session, school, context, problem: damagedSettings, status: 502)
            }
            let result = try signIn.test(name: name)
            context.logger.info(
                "school directory tested",
                metadata: ["user.id": "\(session.user.id)", "school.id": "\(school)", "directory.result": "\(summary(result))"])
            return .page(DirectoryPages.testResult(session: session, directory: directory, name: name, result: result))
        }
    }

    static var damagedSettings: String { L("directory.damaged_admin") }

    /// The rules over this thread's LDAP client; `nil` when the service password does not open under this
    /// installation's key.
    private static func flow(_ directory: SignInDirectory, _ context: RequestContext) throws -> DirectorySignIn? {
        let keys = try context.services.oauth.requireKeys()
        guard let password = try? DirectoryBindPassword.open(directory.sealedBindPassword, school: directory.schoolID, key: keys.directorySecretKey)
        else { return nil }
        let server = DirectoryServer(
            endpoints: directory.endpoints, caCertificates: directory.caCertificates, bindDN: directory.bindDN, bindPassword: password)
        return DirectorySignIn(
            directory: directory, server: server, connector: context.services.directories.connector,
            linking: UpstreamLinking(store: context.services.upstream.store, accounts: context.services.people.accounts))
    }

    // MARK: Signing in

    private static func signIn(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        let schoolLink = form["school"] ?? ""
        let next = SignInRoutes.safeNext(form["next"])
        let typed = form["identifier"] ?? ""
        let name = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        // What the form shows again after a refusal: never more than the field holds.
        let shown = String(name.prefix(254))
        guard schoolLink.utf8.count <= 255, let school = try context.services.upstream.store.school(sourcedID: schoolLink),
            let directory = try context.services.directories.store.signInDirectory(of: school.id), directory.enabled
        else {
            return try SignInRoutes.signInPage(
                request, context: context, next: next, identifier: shown, error: L("directory.not_used"), status: 404,
                schoolLink: schoolLink)
        }
        // The throttle's name: the school's directory and the typed name, apart from the password form's names.
        let throttleName = "directory:\(school.id.rawValue):\(String(name.lowercased().prefix(300)))"
        if let wait = try SignInCompletion.throttleWait(identifier: throttleName, request: request, context: context) {
            try context.audit(
                .signInFailed, request, school: school.id, actor: nil, subject: nil, method: AuthenticationMethod.directoryPassword.rawValue,
                detail: "directory: throttled")
            var response = try SignInRoutes.signInPage(
                request, context: context, next: next, identifier: shown,
                error: SignInRoutes.throttledMessage(wait: wait), status: 429, schoolLink: schoolLink)
            response.headers.set("Retry-After", String(wait))
            return response
        }
        func failed(_ message: String, status: Int, reason: String, subject: UserID? = nil) throws -> HTTPResponse {
            context.logger.warning(
                "directory sign-in could not be checked",
                metadata: ["school.id": "\(school.id)", "reason": "\(reason)", "client.address": "\(request.remoteAddress)"])
            try context.audit(
                .signInFailed, request, school: school.id, actor: nil, subject: subject, method: AuthenticationMethod.directoryPassword.rawValue,
                detail: "directory: \(String(reason.prefix(900)))")
            return .page(DirectoryPages.failure(directory: directory.name, message: message, schoolLink: schoolLink), status: status)
        }
        guard let flow = try flow(directory, context) else {
            return try failed(
                L("directory.damaged"), status: 502,
                reason: "service password does not open under this OAuth key")
        }
        switch try flow.authenticate(name: typed, password: DirectorySecret(form["password"] ?? "")) {
        case .signedIn(let user, let dn):
            return try SignInCompletion.complete(
                AuthenticatedPerson(user: user, methods: [.directoryPassword], throttleNames: [throttleName]), next: next, request: request,
                context: context, auditDetail: "directory: \(String(dn.prefix(900)))")
        case .refused(let refusal) where refusal.revealsNothing:
            try SignInCompletion.recordFailure(
                identifier: throttleName, method: .directoryPassword, known: nil, school: school.id,
                detail: "directory: \(String(refusal.logReason.prefix(900)))", request: request, context: context)
            return try SignInRoutes.signInPage(
                request, context: context, next: next, identifier: shown, error: SignInRoutes.failedMessage, schoolLink: schoolLink)
        case .refused(let refusal):
            // The directory accepted the password: a precise answer tells the person nothing they did not know.
            var subject: UserID?
            if case .inactive(let user, _) = refusal { subject = user.id }
            try context.audit(
                .signInFailed, request, school: school.id, actor: nil, subject: subject, method: AuthenticationMethod.directoryPassword.rawValue,
                detail: "directory: \(String(refusal.logReason.prefix(900)))")
            context.logger.info("directory sign-in refused", metadata: ["school.id": "\(school.id)", "reason": "\(refusal.logReason)"])
            return try SignInRoutes.signInPage(
                request, context: context, next: next, identifier: shown, error: UpstreamSignInRoutes.noSuchPerson, status: 403,
                schoolLink: schoolLink)
        case .failed(let failure):
            return try failed(DirectoryPages.message(for: failure), status: 502, reason: failure.description)
        }
    }

    // MARK: The school admin's settings

    private static func save(_ request: HTTPRequest, _ session: SignedIn, _ school: SchoolID, _ form: Parameters, _ context: RequestContext) throws
        -> HTTPResponse
    {
        let keys = try context.services.oauth.requireKeys()
        let store = context.services.directories.store
        var settings = SignInDirectorySettings()
        settings.name = form["name"] ?? ""
        settings.uris = form["uris"] ?? ""
        settings.allowPlain = form["allow_plain"] == "1"
        settings.caCertificates = form["ca_certificates"] ?? ""
        settings.bindDN = form["bind_dn"] ?? ""
        settings.bindPassword = form["bind_password"] ?? ""
        settings.baseDN = form["base_dn"] ?? ""
        settings.filter = form["filter"] ?? ""
        settings.linkRule = form["link_rule"] ?? "email"
        settings.linkAttribute = form["link_attribute"] ?? ""
        settings.disabledCheck = form["disabled_check"] ?? "none"
        settings.enabled = form["enabled"] == "1"
        var generator = SystemRandomNumberGenerator()
        let existing = try store.signInDirectory(of: school)
        let directory: SignInDirectory
        do {
            directory = try settings.validated(school: school, key: keys.directorySecretKey, existing: existing, using: &generator)
        } catch {
            return try SchoolSignInRoutes.page(
                session, school, context, problem: L("directory.field_problem", ["field": fieldLabel(error.field), "message": L(error.problem)]),
                status: 400)
        }
        try store.saveSignInDirectory(directory, now: context.now)
        context.logger.info("school directory saved", metadata: ["user.id": "\(session.user.id)", "school.id": "\(school)"])
        try context.audit(.upstreamProviderChanged, request, by: session, subject: nil, detail: "saved the school directory: \(describe(directory))")
        return .seeOther("/school/sign-in?saved=1")
    }

    /// The audit's account of saved settings (never the password).
    static func describe(_ directory: SignInDirectory) -> String {
        let check = directory.disabledCheck == .activeDirectory ? ", AD disabled check" : ""
        return
            "\(directory.name) (\(directory.enabled ? "on" : "off"); \(directory.endpoints.map(\.uri).joined(separator: " ")); service \(directory.bindDN); base \(directory.baseDN); filter \(directory.filter.text); \(directory.linkSummary)\(check))"
    }

    /// The test's outcome for the log.
    private static func summary(_ result: DirectoryTestResult) -> String {
        switch result.answer {
        case .badName: "bad name"
        case .failed(let failure): failure.kind.rawValue
        case .entries(let found): "\(found.entries.count) entries"
        case .one(_, let disabled, _): disabled ? "one disabled entry" : "one entry"
        }
    }

    /// A directory form's field as its label on the page, in the page's language; its form name when the label is
    /// no name (the display name's and the filter's are examples, the CA's a paragraph) or the page has none.
    static func fieldLabel(_ field: String) -> String {
        switch field {
        case "uris": L("directory.field.uris")
        case "bind_dn": L("directory.field.bind_dn")
        case "bind_password": L("directory.field.bind_password")
        case "link_rule": L("directory.field.link_rule")
        case "link_attribute": L("directory.field.link_attribute")
        case "disabled_check": L("directory.field.disabled")
        default: field
        }
    }
}
