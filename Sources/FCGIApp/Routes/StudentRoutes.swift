import Domain

/// A student's own page, and a parent's pages for their linked children.
enum StudentRoutes {
    /// Attendance marks listed on a record page; the summary above them counts every mark.
    static let attendanceLimit = 30

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/student") { request, _, context in
            let session = try context.requireSignIn(request, .student)
            // The class tools are outside the cached record (a placement does not change the record's version).
            var tools: HTML = ""
            if let lti = context.services.schoolwork.lti {
                let classes = try context.services.schoolwork.students.classes(ofStudent: session.user.id)
                tools = LTIPages.studentTools(classes: classes, links: try lti.links(in: classes.map(\.id)), csrf: session.csrf)
            }
            return try recordPage(
                of: session.user.id, version: session.user.recordVersion, title: L("nav.student.home"),
                heading: "<h1>\(L("nav.student.home"))</h1>", session: session, context: context, after: tools)
        }

        router.add("GET", "/parent") { request, _, context in
            let session = try context.requireSignIn(request, .parent)
            let children = try context.services.schoolwork.students.children(ofParent: session.user.id)
            let items = children.map { child -> HTML in
                """
                <li data-student-id="\(child.id)"><a href="/parent/children/\(child.id)"><b>\(child.displayName)</b></a>
                \(child.gradeLevel.map { "<br><small>\(L("parent.grade_level", ["grade": $0]))</small>" as HTML } ?? "")</li>
                """
            }
            let list: HTML =
                children.isEmpty
                ? "<p class=\"muted\" id=\"children\">\(L("parent.no_children"))</p>"
                : "<ul class=\"cards\" id=\"children\">\(items)</ul>"
            return .page(Layout.page(title: L("nav.parent.home"), session: session, "<h1>\(L("nav.parent.home"))</h1>\(list)"))
        }

        router.add("GET", "/parent/children/{id}") { request, parameters, context in
            let session = try context.requireSignIn(request, .parent)
            guard let id = parameters["id"].flatMap(UserID.init),
                let facts = try context.services.schoolwork.students.relationship(of: session.user, toStudent: id),
                SchoolAccess.mayViewStudent(session.user, facts),
                let child = try context.services.schoolwork.students.student(id)
            else { throw HTTPError.notFound() }
            return try recordPage(
                of: id, version: facts.recordVersion, title: child.displayName,
                heading: "<p><a href=\"/parent\">\(L("parent.back"))</a></p><h1 id=\"child-name\">\(child.displayName)</h1>",
                session: session, context: context)
        }
    }

    private static func recordPage(
        of student: UserID, version: Int64, title: String, heading: HTML, session: SignedIn, context: RequestContext, after: HTML = ""
    ) throws -> HTTPResponse {
        let store = context.services.schoolwork.students
        let sections = try context.services.schoolwork.recordCache.sections(of: student, language: pageLanguage, version: version) {
            StudentPages.sections(
                classes: try store.classes(ofStudent: student), grades: try store.publishedGrades(ofStudent: student),
                summary: AttendanceSummary(counts: try store.attendanceCounts(ofStudent: student)),
                recentAttendance: try store.attendance(ofStudent: student, limit: attendanceLimit))
        }
        return .page(Layout.page(title: title, session: session, heading + sections + after))
    }
}
