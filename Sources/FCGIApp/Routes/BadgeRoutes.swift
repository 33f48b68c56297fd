import Domain
import Foundation
import Native

/// QR badges (issue 16, item 3), with ``BadgeSecret`` and ``BadgePolicy`` stating the rules:
/// - `GET /login/badge`: the page a badge's link opens (any camera app scanning the printed code opens it); its
///   script posts the secret from the URL fragment to `POST /login/badge`, which signs the holder in through the
///   sign-in seam with `amr` "sc" — if the badge is current, its holder active, their role allowed by the school and
///   the address inside the school's networks (when it lists any), and of the school the page was opened for
///   (`?school=<sourcedId>`, from the school's sign-in page). Refusals are counted per address and audited;
/// - `POST /badge/frame?w=&h=`: the page's camera. Its script sends grey frames of the video (``BadgeFrame``), read
///   with libzbar (``QRCodeReader``); the answer says whether a badge of this site is in view (and its secret,
///   which whoever holds the camera already sees), so the script fills the form above. Nothing is signed in or
///   written here: the sign-in, its rules and its audit stay with `POST /login/badge`. It is outside `/login/`
///   so that nginx's login limit counts sign-ins, not the frames of one scan (its general limit applies);
/// - `POST /teacher/classes/{class}/students/{student}/badge` (a teacher, students of their classes) and
///   `POST /school/users/{user}/badge` (the school admin, anyone of the school), `action=rotate|revoke`: a new badge
///   (the old one stops working at once; the new code is shown in that answer only) or none. Anyone else: 404.
/// Badges for a whole class come with its sign-in cards (``SignInCardRoutes``).
enum BadgeRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/login/badge") { request, _, context in
            try page(request, context: context, error: nil)
        }

        router.add("POST", "/login/badge") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            return try signIn(request, form: form, context: context)
        }

        router.add("POST", "/badge/frame") { request, _, context in
            try frame(request, context: context)
        }

        router.add("POST", "/teacher/classes/{class}/students/{student}/badge") { request, parameters, context in
            let (session, person, back) = try PasswordResetRoutes.teacherTarget(request, parameters, context)
            return try change(request, session: session, person: person, back: back, context: context)
        }

        router.add("POST", "/school/users/{user}/badge") { request, parameters, context in
            let (session, person, back) = try PasswordResetRoutes.adminTarget(request, parameters, context)
            return try change(request, session: session, person: person, back: back, context: context)
        }
    }

    private static func page(
        _ request: HTTPRequest, context: RequestContext, error: String?, title: String? = nil, status: Int = 200, schoolLink: String? = nil
    ) throws -> HTTPResponse {
        let form = context.signedOutFormToken(request)
        var school: BadgePages.School?
        if let sourcedID = schoolLink ?? request.query["school"], !sourcedID.isEmpty, sourcedID.utf8.count <= 255,
            let found = try context.services.upstream.store.school(sourcedID: sourcedID)
        {
            school = .init(sourcedID: sourcedID, name: found.name)
        }
        var response = HTTPResponse.page(
            BadgePages.signIn(csrf: form.csrf, error: error, title: title ?? BadgePages.defaultTitle, school: school), status: status)
        if let cookie = form.setCookie { response.headers.add("Set-Cookie", cookie) }
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    private static func signIn(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        let keys = try context.services.oauth.requireKeys()
        let method = AuthenticationMethod.badge
        func refuse(
            _ message: String, _ reason: String, user: UserAccount? = nil, count: Bool = true, title: String? = nil, status: Int = 400
        ) throws -> HTTPResponse {
            if count { try SignInCompletion.recordAddressFailure(method: method, request: request, context: context) }
            try context.audit(.signInFailed, request, school: user?.schoolID, actor: nil, subject: user?.id, method: method.rawValue, detail: reason)
            context.logger.info("badge sign-in refused", metadata: ["reason": "\(reason)", "client.address": "\(request.remoteAddress)"])
            return try page(request, context: context, error: message, title: title, status: status, schoolLink: form["school"])
        }
        if let wait = try SignInCompletion.addressWait(request: request, context: context) {
            var response = try refuse(
                SignInRoutes.throttledMessage(wait: wait), "throttled", count: false, status: 429)
            response.headers.set("Retry-After", String(wait))
            return response
        }
        guard let secret = BadgeSecret(submitted: form["secret"] ?? "") else {
            return try refuse(L("badge.not_a_code"), "malformed badge")
        }
        let store = context.services.people.badges
        guard let holder = try store.badgeHolder(digest: secret.digest(key: keys.badgeKey)) else {
            return try refuse(
                L("badge.unknown"), "unknown badge")
        }
        guard let user = try context.services.people.accounts.activeUser(holder)?.user, let school = user.schoolID else {
            return try refuse(L("badge.inactive"), "holder inactive", count: false)
        }
        // The page was opened for a school (its sign-in page's "Sign in with a badge"): a badge of another school is
        // refused there, whoever it belongs to.
        if let expected = form["school"], !expected.isEmpty,
            try context.services.upstream.store.schoolSourcedID(school) != expected
        {
            return try refuse(
                L("badge.other_school"), "badge of another school", user: user,
                title: L("badge.other_school.title"), status: 403)
        }
        switch try store.badgePolicy(of: school).refusal(role: user.role, address: request.remoteAddress) {
        case .role:
            return try refuse(
                L("badge.role_not_allowed"), "role not allowed",
                user: user, count: false, status: 403)
        case .network:
            return try refuse(
                L("badge.only_at_school"),
                "outside the school's networks", user: user, count: false, title: L("badge.only_at_school.title"), status: 403)
        case nil:
            break
        }
        try store.recordBadgeUse(of: user.id, now: context.now)
        return try SignInCompletion.complete(AuthenticatedPerson(user: user, methods: [method]), next: nil, request: request, context: context)
    }

    /// One camera frame read for QR codes; JSON for the page's script: `{"badge": "<secret>"}` when exactly one
    /// badge of this site is in view, otherwise `{"badge": null}` and, when the page should say something, a
    /// `message` (codes that are not badges, several badges at once). A malformed frame is a 400 with an OAuth-style
    /// error; a missing or wrong form token a 403 (the script sends the signed-out form's token as `X-CSRF-Token`).
    private static func frame(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        func failure(_ status: Int, _ code: String, _ description: String) -> HTTPResponse {
            var response = HTTPResponse.json(.object([("error", .string(code)), ("error_description", .string(description))]), status: status)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
        do {
            try context.checkCSRF(request, submitted: request.headers["x-csrf-token"], signedIn: false)
        } catch {
            return failure(403, "invalid_request", L("badge.page_expired"))
        }
        let frame: BadgeFrame
        do {
            frame = try BadgeFrame(width: request.query["w"], height: request.query["h"], body: request.body)
        } catch let refusal {
            return failure(400, "invalid_request", refusal.description)
        }
        let texts = QRCodeReader.texts(luminance: frame.luminance, width: frame.width, height: frame.height)
        let answer: JSONValue =
            switch BadgeScan(texts: texts, appURL: context.services.configuration.appURL) {
            case .nothing: .object([("badge", .null)])
            case .notABadge: .object([("badge", .null), ("message", .string(L("badge.not_sign_in_badge")))])
            case .several: .object([("badge", .null), ("message", .string(L("badge.one_at_a_time")))])
            case .badge(let secret): .object([("badge", .string(secret.text))])
            }
        var response = HTTPResponse.json(answer)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// A teacher's or admin's rotation or revocation of one person's badge.
    private static func change(
        _ request: HTTPRequest, session: SignedIn, person: UserAccount, back: PasswordResetPages.Back, context: RequestContext
    ) throws -> HTTPResponse {
        let form = try context.verifiedForm(request, session: session)
        let store = context.services.people.badges
        guard let school = person.schoolID, let info = try context.services.schoolwork.directory.school(school) else {
            throw HTTPError.notFound()
        }
        switch form["action"] {
        case "rotate":
            guard try store.badgePolicy(of: school).roles.contains(person.role) else {
                throw HTTPError(
                    status: 400, code: "invalid_request", L("badge.policy_role", ["role": SchoolAdminPages.rolePlural(person.role)]))
            }
            let keys = try context.services.oauth.requireKeys()
            let had = try store.badgeDates(of: [person.id])[person.id] != nil
            let link = try issue(to: person.id, replacing: true, keys: keys, context: context)!
            try context.audit(.badgeChanged, request, by: session, subject: person.id, detail: had ? "badge rotated" : "badge issued")
            let card = SignInCard(
                person: person.id, name: person.displayName, signInName: person.username ?? person.email ?? "", temporaryPassword: nil,
                badge: .new(link: link))
            let group = SignInCardPages.Group(
                title: person.displayName, schoolName: info.name,
                signInLink: SignInCard.signInLink(appURL: context.services.configuration.appURL, schoolSourcedID: info.sourcedID),
                cardsPath: nil, back: back)
            return SignInCardRoutes.generatedResponse(session: session, group: group, cards: [card], mustChange: false, format: "html")
        case "revoke":
            let revoked = try store.revokeBadge(of: person.id)
            if revoked { try context.audit(.badgeChanged, request, by: session, subject: person.id, detail: "badge revoked") }
            return .page(
                Layout.page(
                    title: L("badge.withdrawn"), session: session,
                    notice: .init(
                        kind: .ok,
                        text: revoked ? L("badge.withdrawn_notice", ["name": person.displayName]) : L("badge.had_none", ["name": person.displayName])),
                    """
                    <p><a href="\(back.href)">← \(back.label)</a></p>
                    <h1>\(L("badge.withdrawn"))</h1>
                    <p id="badge-revoked">\(L("badge.withdrawn_text", ["name": person.displayName]))</p>
                    """))
        default:
            throw HTTPError(status: 400, code: "invalid_request", L("badge.form_invalid"))
        }
    }

    /// Makes a badge for `user` and stores its digest; its link, or `nil` when the person already had one and
    /// `replacing` is false (they keep it).
    static func issue(to user: UserID, replacing: Bool, keys: OAuthKeyMaterial, context: RequestContext) throws -> String? {
        var generator = SystemRandomNumberGenerator()
        let secret = BadgeSecret.make(using: &generator)
        guard
            try context.services.people.badges.issueBadge(digest: secret.digest(key: keys.badgeKey), to: user, replacing: replacing, now: context.now)
        else { return nil }
        return secret.link(appURL: context.services.configuration.appURL)
    }
}
