import Domain

/// Resets by the people responsible (issue 16, item 1), from the person's row: a teacher for a student of a class
/// they teach (`/teacher/classes/{class}/students/{student}/password`), a school admin for anyone of the school
/// (`/school/users/{user}/password`); and the school's rule for temporary passwords (`/school/passwords`).
/// Anyone else, another class's student, another school's person: 404. The reset itself is ``PasswordResets``.
enum PasswordResetRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/teacher/classes/{class}/students/{student}/password") { request, parameters, context in
            let (session, person, back) = try teacherTarget(request, parameters, context)
            return try formPage(session, person, action: request.path, back: back, error: nil, context: context)
        }

        router.add("POST", "/teacher/classes/{class}/students/{student}/password") { request, parameters, context in
            let (session, person, back) = try teacherTarget(request, parameters, context)
            return try reset(request, session: session, person: person, back: back, context: context)
        }

        router.add("GET", "/school/users/{user}/password") { request, parameters, context in
            let (session, person, back) = try adminTarget(request, parameters, context)
            return try formPage(session, person, action: request.path, back: back, error: nil, context: context)
        }

        router.add("POST", "/school/users/{user}/password") { request, parameters, context in
            let (session, person, back) = try adminTarget(request, parameters, context)
            return try reset(request, session: session, person: person, back: back, context: context)
        }

        router.add("GET", "/school/passwords") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let notice: Layout.Notice? = request.query["saved"] != nil ? .init(kind: .ok, text: L("school.saved")) : nil
            return .page(
                PasswordResetPages.schoolPasswords(
                    session: session, mustChange: try context.services.people.resets.temporaryPasswordsMustChange(in: school),
                    gradeLevels: try context.services.people.resets.gradeLevels(of: school),
                    classes: try context.services.schoolwork.directory.classes(of: school), notice: notice))
        }

        router.add("POST", "/school/passwords") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let mustChange = form["must_change"] == "1"
            let resets = context.services.people.resets
            if try resets.temporaryPasswordsMustChange(in: school) != mustChange {
                try resets.setTemporaryPasswordsMustChange(mustChange, in: school, now: context.now)
                try context.audit(
                    .signInPolicyChanged, request, by: session, subject: nil,
                    detail: mustChange ? "temporary passwords must be changed at the next sign-in" : "temporary passwords may be kept")
            }
            return .seeOther("/school/passwords?saved=1")
        }
    }

    /// The signed-in teacher, a student of the class in the URL whose password they may reset, and the way back
    /// to the class. Not a teacher of that (active) class, not a student of it: 404.
    static func teacherTarget(
        _ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext
    ) throws -> (SignedIn, UserAccount, PasswordResetPages.Back) {
        let (session, summary) = try SignInCardRoutes.teacherClass(request, parameters, context)
        let schoolwork = context.services.schoolwork
        guard let id = parameters["student"].flatMap(UserID.init), try schoolwork.teaching.roster(of: summary.id).contains(where: { $0.id == id }),
            let person = try context.services.people.accounts.activeUser(id)?.user,
            SchoolAccess.mayResetPassword(session.user, of: person, try schoolwork.students.relationship(of: session.user, toStudent: id))
        else { throw HTTPError.notFound() }
        return (session, person, .init(href: "/teacher/classes/\(summary.id)", label: summary.title))
    }

    /// The signed-in school admin and a person of their school (not themselves). Anyone else: 404.
    static func adminTarget(
        _ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext
    ) throws -> (SignedIn, UserAccount, PasswordResetPages.Back) {
        let (session, _) = try SchoolAdminRoutes.authorize(request, context)
        guard let id = parameters["user"].flatMap(UserID.init), let person = try context.services.people.accounts.activeUser(id)?.user,
            SchoolAccess.mayResetPassword(session.user, of: person, nil)
        else { throw HTTPError.notFound() }
        return (session, person, .init(href: "/school/users", label: L("nav.school.users")))
    }

    private static func formPage(
        _ session: SignedIn, _ person: UserAccount, action: String, back: PasswordResetPages.Back, error: String?, context: RequestContext,
        status: Int = 200
    ) throws -> HTTPResponse {
        guard let school = session.user.schoolID else { throw HTTPError.notFound() }
        return .page(
            PasswordResetPages.form(
                session: session, person: person, action: action, back: back,
                mustChange: try context.services.people.resets.temporaryPasswordsMustChange(in: school), error: error,
                badge: (
                    try context.services.people.badges.badgePolicy(of: school).roles.contains(person.role),
                    try context.services.people.badges.badgeDates(of: [person.id])[person.id]
                )),
            status: status)
    }

    /// One person's reset: a typed password (the password rules apply) or a temporary one, shown once.
    private static func reset(
        _ request: HTTPRequest, session: SignedIn, person: UserAccount, back: PasswordResetPages.Back, context: RequestContext
    ) throws -> HTTPResponse {
        let form = try context.verifiedForm(request, session: session)
        switch form["kind"] {
        case "set":
            let password = form["password"] ?? ""
            if let problem = PasswordRules.problem(
                with: password, confirmation: form["confirmation"] ?? "", identifiers: [person.email, person.username].compactMap { $0 })
            {
                return try formPage(session, person, action: request.path, back: back, error: problem, context: context, status: 422)
            }
            _ = try PasswordResets.reset([person], .set(password), by: session, request: request, context: context)
            return .page(PasswordResetPages.setDone(session: session, person: person, back: back))
        case "temporary":
            let outcome = try PasswordResets.reset([person], .temporary, by: session, request: request, context: context)
            guard let school = person.schoolID, let info = try context.services.schoolwork.directory.school(school) else {
                throw HTTPError.notFound()
            }
            let card = SignInCard(
                person: person.id, name: person.displayName, signInName: person.username ?? person.email ?? "",
                temporaryPassword: outcome.temporaryPasswords[person.id])
            let group = SignInCardPages.Group(
                title: person.displayName, schoolName: info.name,
                signInLink: SignInCard.signInLink(appURL: context.services.configuration.appURL, schoolSourcedID: info.sourcedID),
                cardsPath: nil, back: back)
            return SignInCardRoutes.generatedResponse(
                session: session, group: group, cards: [card], mustChange: outcome.mustChange, format: "html")
        default:
            throw HTTPError(status: 400, code: "invalid_request", L("reset.kind_invalid"))
        }
    }
}
