import Domain

/// Printable sign-in cards (issue 16, item 2) and the bulk temporary passwords printed on them (item 1).
///
/// - `GET …/cards` and `GET …/cards.pdf`: a class's cards without passwords (only hashes are stored, so no card
///   ever shows an existing password), for a teacher of the class or the school's admin;
/// - `POST …/cards` (`format=html|pdf`): new temporary passwords for every student of the class, and their cards
///   in that same response, `no-store`: the HTML page (with the PDF embedded as a download) or the PDF itself.
///   Neither can be fetched again later. Students without a QR badge get one (when the school allows badges for
///   students); with `new_badges=1` everyone's badge is replaced. Only digests of badges are stored, so a card shows
///   a badge's QR code only in the answer that made it; other cards say "badge unchanged" — printing cards again
///   never silently replaces a badge that students already use;
/// - `POST /school/grades/cards`: the same for a grade level, for the school admin.
enum SignInCardRoutes {
    /// The most people one request resets (each costs one argon2id hash, tens of milliseconds).
    static let bulkLimit = 400

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/teacher/classes/{class}/cards") { request, parameters, context in
            let (session, summary) = try teacherClass(request, parameters, context)
            return try cardsPage(session, summary, base: "/teacher/classes/\(summary.id)", pdf: false, context: context)
        }
        router.add("GET", "/teacher/classes/{class}/cards.pdf") { request, parameters, context in
            let (session, summary) = try teacherClass(request, parameters, context)
            return try cardsPage(session, summary, base: "/teacher/classes/\(summary.id)", pdf: true, context: context)
        }
        router.add("POST", "/teacher/classes/{class}/cards") { request, parameters, context in
            let (session, summary) = try teacherClass(request, parameters, context)
            return try generate(request, session, summary, base: "/teacher/classes/\(summary.id)", context: context)
        }
        router.add("GET", "/school/classes/{class}/cards") { request, parameters, context in
            let (session, summary) = try adminClass(request, parameters, context)
            return try cardsPage(session, summary, base: "/school/classes/\(summary.id)", pdf: false, context: context)
        }
        router.add("GET", "/school/classes/{class}/cards.pdf") { request, parameters, context in
            let (session, summary) = try adminClass(request, parameters, context)
            return try cardsPage(session, summary, base: "/school/classes/\(summary.id)", pdf: true, context: context)
        }
        router.add("POST", "/school/classes/{class}/cards") { request, parameters, context in
            let (session, summary) = try adminClass(request, parameters, context)
            return try generate(request, session, summary, base: "/school/classes/\(summary.id)", context: context)
        }
        router.add("POST", "/school/grades/cards") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let level = form["grade_level"] ?? ""
            guard !level.isEmpty, level.utf8.count <= 32 else {
                throw HTTPError(status: 400, code: "invalid_request", L("cards.choose_grade"))
            }
            let students = try context.services.people.resets.students(of: school, gradeLevel: level)
            let group = try self.group(
                title: L("cards.grade", ["level": level]), school: school, cardsPath: nil,
                back: .init(href: "/school/passwords", label: L("passwords.title")),
                context: context)
            return try bulk(
                request, session, students, group: group, audited: "grade level \(level)", format: form["format"],
                newBadges: form["new_badges"] == "1",
                context: context)
        }
    }

    /// The signed-in teacher and the class of the URL, which they teach and which is active; otherwise 404.
    static func teacherClass(_ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext) throws -> (SignedIn, ClassSummary) {
        let session = try context.requireSignIn(request, .teacher)
        let teaching = context.services.schoolwork.teaching
        guard let id = parameters["class"].flatMap(ClassID.init), let facts = try teaching.relationship(of: session.user, toClass: id),
            SchoolAccess.mayTeachClass(session.user, facts), let summary = try teaching.classSummary(id)
        else { throw HTTPError.notFound() }
        return (session, summary)
    }

    /// The signed-in school admin and a class of their school; otherwise 404.
    private static func adminClass(_ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext) throws -> (
        SignedIn, ClassSummary
    ) {
        let (session, _) = try SchoolAdminRoutes.authorize(request, context)
        let teaching = context.services.schoolwork.teaching
        guard let id = parameters["class"].flatMap(ClassID.init), let facts = try teaching.relationship(of: session.user, toClass: id),
            SchoolAccess.mayViewClass(session.user, facts), let summary = try teaching.classSummary(id)
        else { throw HTTPError.notFound() }
        return (session, summary)
    }

    private static func group(
        title: String, school: SchoolID, cardsPath: String?, back: PasswordResetPages.Back, context: RequestContext
    ) throws -> SignInCardPages.Group {
        guard let info = try context.services.schoolwork.directory.school(school) else { throw HTTPError.notFound() }
        return SignInCardPages.Group(
            title: title, schoolName: info.name,
            signInLink: SignInCard.signInLink(appURL: context.services.configuration.appURL, schoolSourcedID: info.sourcedID),
            cardsPath: cardsPath, back: back)
    }

    private static func classGroup(_ session: SignedIn, _ summary: ClassSummary, base: String, context: RequestContext) throws
        -> SignInCardPages.Group
    {
        guard let school = session.user.schoolID else { throw HTTPError.notFound() }
        let back: PasswordResetPages.Back =
            session.user.role == .teacher ? .init(href: base, label: summary.title) : .init(href: "/school/passwords", label: L("passwords.title"))
        return try group(title: summary.title, school: school, cardsPath: base + "/cards", back: back, context: context)
    }

    /// A class's cards without passwords, as a page or a PDF.
    private static func cardsPage(_ session: SignedIn, _ summary: ClassSummary, base: String, pdf: Bool, context: RequestContext) throws
        -> HTTPResponse
    {
        let group = try classGroup(session, summary, base: base, context: context)
        let roster = try context.services.schoolwork.teaching.roster(of: summary.id)
        let badges = try context.services.people.badges.badgeDates(of: roster.map(\.id))
        let cards = roster.compactMap { SignInCard($0, temporaryPassword: nil, badge: badges[$0.id] == nil ? .none : .unchanged) }
        if pdf { return pdfResponse(SignInCardsPDF.render(group: group, cards: cards), name: summary.title) }
        return .page(SignInCardPages.page(session: session, group: group, cards: cards, generated: nil))
    }

    private static func generate(_ request: HTTPRequest, _ session: SignedIn, _ summary: ClassSummary, base: String, context: RequestContext)
        throws -> HTTPResponse
    {
        let form = try context.verifiedForm(request, session: session)
        let group = try classGroup(session, summary, base: base, context: context)
        let roster = try context.services.schoolwork.teaching.roster(of: summary.id)
        return try bulk(
            request, session, roster, group: group, audited: "class \(summary.title)", format: form["format"], newBadges: form["new_badges"] == "1",
            context: context)
    }

    /// New temporary passwords for `people` (those who have a name to sign in with) and their cards.
    private static func bulk(
        _ request: HTTPRequest, _ session: SignedIn, _ people: [PersonSummary], group: SignInCardPages.Group, audited: String, format: String?,
        newBadges: Bool, context: RequestContext
    ) throws -> HTTPResponse {
        guard let school = session.user.schoolID else { throw HTTPError.notFound() }
        let eligible = people.filter { $0.role == .student && $0.active && SignInCard($0, temporaryPassword: nil) != nil }
        guard eligible.count <= bulkLimit else {
            throw HTTPError(status: 400, code: "invalid_request", L("cards.too_many", ["limit": SchoolAdminPages.number(bulkLimit)]))
        }
        let accounts = eligible.map {
            UserAccount(
                id: $0.id, role: $0.role, schoolID: school, givenName: $0.givenName, familyName: $0.familyName, email: $0.email,
                username: $0.username)
        }
        let outcome = try PasswordResets.reset(accounts, .bulk(audited), by: session, request: request, context: context)
        let badges = try self.badges(for: eligible.map(\.id), school: school, replacing: newBadges, request, session, context)
        let cards = eligible.compactMap { person in
            outcome.temporaryPasswords[person.id].flatMap { SignInCard(person, temporaryPassword: $0, badge: badges[person.id] ?? .none) }
        }
        return generatedResponse(session: session, group: group, cards: cards, mustChange: outcome.mustChange, format: format ?? "html")
    }

    /// The students' badges for their new cards: a new one for each who has none (or for everyone when
    /// `replacing`), each audited; none at all when the school gives students no badges or the site has no OAuth key.
    private static func badges(
        for students: [UserID], school: SchoolID, replacing: Bool, _ request: HTTPRequest, _ session: SignedIn, _ context: RequestContext
    ) throws -> [UserID: SignInCard.Badge] {
        let store = context.services.people.badges
        guard let keys = context.services.oauth.keys, try store.badgePolicy(of: school).roles.contains(.student) else { return [:] }
        let existing = try store.badgeDates(of: students)
        var badges: [UserID: SignInCard.Badge] = [:]
        for student in students {
            if let link = try BadgeRoutes.issue(to: student, replacing: replacing, keys: keys, context: context) {
                badges[student] = .new(link: link)
                try context.audit(
                    .badgeChanged, request, by: session, subject: student,
                    detail: existing[student] == nil ? "badge issued with sign-in cards" : "badge rotated with sign-in cards")
            } else {
                badges[student] = .unchanged
            }
        }
        return badges
    }

    /// The answer that carries passwords just generated: never stored by any cache.
    static func generatedResponse(session: SignedIn, group: SignInCardPages.Group, cards: [SignInCard], mustChange: Bool, format: String)
        -> HTTPResponse
    {
        let pdf = SignInCardsPDF.render(group: group, cards: cards)
        var response =
            format == "pdf"
            ? pdfResponse(pdf, name: group.title)
            : .page(SignInCardPages.page(session: session, group: group, cards: cards, generated: (mustChange, pdf)))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    private static func pdfResponse(_ bytes: [UInt8], name: String) -> HTTPResponse {
        var response = HTTPResponse(status: 200, body: bytes)
        response.headers.set("Content-Type", "application/pdf")
        let file = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }.prefix(60))
        response.headers.set("Content-Disposition", "attachment; filename=\"sign-in-cards-\(file).pdf\"")
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
