import Domain

/// A teacher's classes: roster, assessments and grades (publish/unpublish), attendance by day. Every page
/// checks that the signed-in teacher teaches the class; anything else is a 404.
enum TeacherRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/teacher") { request, _, context in
            let session = try context.requireSignIn(request, .teacher)
            return .page(TeacherPages.classes(session: session, classes: try context.services.schoolwork.teaching.classes(taughtBy: session.user.id)))
        }

        router.add("GET", "/teacher/classes/{class}") { request, parameters, context in
            let (session, classID, canTeach) = try authorize(request, parameters, context, forWriting: false)
            var notice: Layout.Notice? = request.query["saved"] != nil ? .init(kind: .ok, text: L("school.saved")) : nil
            // After a Deep Linking response: how many links the tool added.
            if let added = request.query["added"].flatMap(Int.init), (0...LTIDeepLinkingRules.maximumItems).contains(added) {
                notice = .init(kind: .ok, text: added == 0 ? L("lti.dl.added_none") : L("lti.dl.added", count: added))
            }
            return try classPage(session, classID, canTeach: canTeach, context: context, form: ("", "", ""), errors: [:], notice: notice)
        }

        router.add("POST", "/teacher/classes/{class}/assessments") { request, parameters, context in
            let (session, classID, _) = try authorize(request, parameters, context, forWriting: true)
            let form = try context.verifiedForm(request, session: session)
            let fields = (form["title"] ?? "", form["max_score"] ?? "", form["due_date"] ?? "")
            switch SchoolworkForms.assessment(title: fields.0, maxScore: fields.1, dueDate: fields.2) {
            case .failure(let errors):
                return try classPage(
                    session, classID, canTeach: true, context: context, form: fields, errors: errors,
                    notice: .init(kind: .bad, text: L("teacher.assessment.not_added")), status: 422)
            case .success(let assessment):
                let id = try context.services.schoolwork.teaching.createAssessment(assessment, in: classID, by: session.user.id, now: context.now)
                return .seeOther("/teacher/classes/\(classID)/assessments/\(id)")
            }
        }

        router.add("GET", "/teacher/classes/{class}/assessments/{assessment}") { request, parameters, context in
            let (session, classID, _) = try authorize(request, parameters, context, forWriting: false)
            let (summary, assessment, roster) = try loadAssessment(parameters, classID, context)
            let grades = try context.services.schoolwork.teaching.grades(of: assessment.id)
            let values = grades.mapValues { (score: $0.score.description, comment: $0.comment ?? "") }
            let notice: Layout.Notice? = request.query["saved"] != nil ? .init(kind: .ok, text: L("teacher.grades.saved")) : nil
            return .page(
                TeacherPages.gradeSheet(
                    session: session, summary: summary, assessment: assessment, roster: roster, values: values, errors: [:], notice: notice))
        }

        router.add("POST", "/teacher/classes/{class}/assessments/{assessment}") { request, parameters, context in
            let (session, classID, _) = try authorize(request, parameters, context, forWriting: true)
            let form = try context.verifiedForm(request, session: session)
            let (summary, assessment, roster) = try loadAssessment(parameters, classID, context)
            let inputs = roster.map {
                SchoolworkForms.GradeInput(studentID: $0.id, score: form["score-\($0.id)"] ?? "", comment: form["comment-\($0.id)"] ?? "")
            }
            switch SchoolworkForms.gradeSheet(inputs, maxScore: assessment.maxScore) {
            case .failure(let errors):
                let values = Dictionary(uniqueKeysWithValues: inputs.map { ($0.studentID, (score: $0.score, comment: $0.comment)) })
                return .page(
                    TeacherPages.gradeSheet(
                        session: session, summary: summary, assessment: assessment, roster: roster, values: values, errors: errors,
                        notice: .init(kind: .bad, text: L("form.nothing_saved"))),
                    status: 422)
            case .success(let sheet):
                try context.services.schoolwork.teaching.saveGrades(
                    sheet.entries, cleared: sheet.cleared, assessment: assessment.id, in: classID, by: session.user.id, now: context.now)
                return .seeOther("/teacher/classes/\(classID)/assessments/\(assessment.id)?saved=1")
            }
        }

        router.add("POST", "/teacher/classes/{class}/assessments/{assessment}/publish") { request, parameters, context in
            let (session, classID, _) = try authorize(request, parameters, context, forWriting: true)
            let form = try context.verifiedForm(request, session: session)
            let (_, assessment, _) = try loadAssessment(parameters, classID, context)
            guard let value = form["published"], value == "0" || value == "1" else {
                throw HTTPError(status: 400, code: "invalid_request", L("teacher.publish.invalid"))
            }
            try context.services.schoolwork.teaching.setPublished(value == "1", assessment: assessment.id, in: classID, now: context.now)
            return .seeOther("/teacher/classes/\(classID)?saved=1")
        }

        router.add("GET", "/teacher/classes/{class}/attendance") { request, parameters, context in
            let (session, classID, _) = try authorize(request, parameters, context, forWriting: true)
            let day = try attendanceDay(request.query["date"], context)
            let teaching = context.services.schoolwork.teaching
            guard let summary = try teaching.classSummary(classID) else { throw HTTPError.notFound() }
            let marks = try teaching.attendanceSheet(of: classID, on: day)
            let values = marks.mapValues { (status: $0.status.rawValue, note: $0.note ?? "") }
            let notice: Layout.Notice? =
                request.query["saved"] != nil ? .init(kind: .ok, text: L("teacher.attendance.saved", ["day": Display.localDay(day)])) : nil
            return .page(
                TeacherPages.attendanceSheet(
                    session: session, summary: summary, day: day, roster: try teaching.roster(of: classID), values: values, errors: [:],
                    notice: notice))
        }

        router.add("POST", "/teacher/classes/{class}/attendance") { request, parameters, context in
            let (session, classID, _) = try authorize(request, parameters, context, forWriting: true)
            let form = try context.verifiedForm(request, session: session)
            let teaching = context.services.schoolwork.teaching
            guard let summary = try teaching.classSummary(classID) else { throw HTTPError.notFound() }
            let day = try attendanceDay(form["date"] ?? "", context)
            let roster = try teaching.roster(of: classID)
            let inputs = roster.map {
                SchoolworkForms.AttendanceInput(studentID: $0.id, status: form["status-\($0.id)"] ?? "", note: form["note-\($0.id)"] ?? "")
            }
            switch SchoolworkForms.attendanceSheet(inputs) {
            case .failure(let errors):
                let values = Dictionary(uniqueKeysWithValues: inputs.map { ($0.studentID, (status: $0.status, note: $0.note)) })
                return .page(
                    TeacherPages.attendanceSheet(
                        session: session, summary: summary, day: day, roster: roster, values: values, errors: errors,
                        notice: .init(kind: .bad, text: L("form.nothing_saved"))),
                    status: 422)
            case .success(let marks):
                try teaching.saveAttendance(marks, in: classID, on: day, by: session.user.id, now: context.now)
                return .seeOther("/teacher/classes/\(classID)/attendance?date=\(day)&saved=1")
            }
        }
    }

    /// The day of an attendance sheet, from the query or the form; a bad date is a 400 page saying why.
    private static func attendanceDay(_ text: String?, _ context: RequestContext) throws -> CalendarDate {
        switch SchoolworkForms.attendanceDay(text, today: CalendarDate(context.now)) {
        case .success(let day): return day
        case .failure(let problem): throw HTTPError(status: 400, code: "invalid_request", L(problem.problem))
        }
    }

    /// The signed-in teacher and the class of the URL, if they may see it (and, `forWriting`, change it).
    private static func authorize(
        _ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext, forWriting: Bool
    ) throws -> (SignedIn, ClassID, Bool) {
        let session = try context.requireSignIn(request, .teacher)
        guard let classID = parameters["class"].flatMap(ClassID.init),
            let facts = try context.services.schoolwork.teaching.relationship(of: session.user, toClass: classID),
            SchoolAccess.mayViewClass(session.user, facts)
        else { throw HTTPError.notFound() }
        let canTeach = SchoolAccess.mayTeachClass(session.user, facts)
        if forWriting, !canTeach { throw HTTPError.notFound() }
        return (session, classID, canTeach)
    }

    private static func loadAssessment(
        _ parameters: RouteParameters, _ classID: ClassID, _ context: RequestContext
    ) throws -> (ClassSummary, Assessment, [PersonSummary]) {
        let teaching = context.services.schoolwork.teaching
        guard let id = parameters["assessment"].flatMap(AssessmentID.init),
            let assessment = try teaching.assessment(id, in: classID),
            let summary = try teaching.classSummary(classID)
        else { throw HTTPError.notFound() }
        return (summary, assessment, try teaching.roster(of: classID))
    }

    private static func classPage(
        _ session: SignedIn, _ classID: ClassID, canTeach: Bool, context: RequestContext, form: (String, String, String),
        errors: SchoolworkForms.FieldErrors, notice: Layout.Notice?, status: Int = 200
    ) throws -> HTTPResponse {
        let teaching = context.services.schoolwork.teaching
        guard let summary = try teaching.classSummary(classID) else { throw HTTPError.notFound() }
        var tools: HTML = ""
        if let lti = context.services.schoolwork.lti {
            let placeable = try canTeach ? session.user.schoolID.map { try lti.placeableTools(school: $0) } : nil
            tools = LTIPages.classTools(classID: classID, links: try lti.links(in: [classID]), placeable: placeable, csrf: session.csrf)
        }
        return .page(
            TeacherPages.classPage(
                session: session, summary: summary, roster: try teaching.roster(of: classID), assessments: try teaching.assessments(of: classID),
                canTeach: canTeach, form: form, errors: errors, notice: notice, tools: tools),
            status: status)
    }
}
