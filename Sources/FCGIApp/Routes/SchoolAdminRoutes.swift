import Domain

/// A school admin's pages, all limited to the admin's own school.
enum SchoolAdminRoutes {
    static let pageSize = 100

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/school") { request, _, context in
            let (session, school) = try authorize(request, context)
            let notice: Layout.Notice? = request.query["saved"] != nil ? .init(kind: .ok, text: L("school.saved")) : nil
            return try overview(session, school, context, notice: notice)
        }

        // The school's default language (issue 22): one of the shipped languages, or none (each browser's).
        router.add("POST", "/school/language") { request, _, context in
            let (session, school) = try authorize(request, context)
            let form = try context.verifiedForm(request, session: session)
            let shipped = PageLanguage.current?.translations.languages ?? [Translations.source]
            guard let value = form["language"], case .success(let language) = SchoolLanguage.choice(value, shipped: shipped) else {
                return try overview(session, school, context, notice: .init(kind: .bad, text: L("language.unknown")), status: 400)
            }
            try context.services.people.languages.setSchoolLanguage(language, of: school)
            try context.audit(
                .schoolLanguageChanged, request, by: session, subject: nil, detail: "default language: \(language ?? "none (each browser's)")")
            return .seeOther("/school?saved=language")
        }

        router.add("GET", "/school/users") { request, _, context in
            let (session, school) = try authorize(request, context)
            let role = try request.query["role"].map { value -> Role in
                guard let role = Role(rawValue: value), role != .platformAdmin else {
                    throw HTTPError(status: 400, code: "invalid_request", L("school.users.no_such_role", ["role": value]))
                }
                return role
            }
            let page = max(1, min(Int(request.query["page"] ?? "1") ?? 1, 10_000))
            let users = try context.services.schoolwork.directory.users(of: school, role: role, limit: pageSize + 1, offset: (page - 1) * pageSize)
            return .page(
                SchoolAdminPages.users(
                    session: session, users: Array(users.prefix(pageSize)), role: role, page: page, hasMore: users.count > pageSize))
        }

        router.add("GET", "/school/classes") { request, _, context in
            let (session, school) = try authorize(request, context)
            return .page(SchoolAdminPages.classes(session: session, classes: try context.services.schoolwork.directory.classes(of: school)))
        }

        router.add("GET", "/school/roster") { request, _, context in
            let (session, school) = try authorize(request, context)
            return try rosterPage(session, school, context, problems: nil, result: nil)
        }

        // A queued import's progress: the page reloads itself (a Refresh header, no script) until the job ends.
        router.add("GET", "/school/roster/jobs/{id}") { request, parameters, context in
            let (session, school) = try authorize(request, context)
            guard let id = parameters["id"].flatMap({ Int64($0) }), let job = try context.services.schoolwork.rosterJobs.job(id, of: school) else {
                throw HTTPError.notFound()
            }
            var response = HTTPResponse.page(SchoolAdminPages.rosterJob(session: session, job: job, now: context.now))
            if job.status == .pending || job.status == .running { response.headers.set("Refresh", "3") }
            return response
        }

        router.add("POST", "/internal/cron/roster") { request, _, context in
            try context.requireCron(request)
            let run = RosterImportRun(services: context.services, logger: context.logger)
            guard let report = try CronLease.run(.roster, leases: context.services.leases, { try run.run(limit: 1) }) else {
                return .json(CronLease.skipped(.roster))
            }
            if report != RosterImportRun.Report() { context.logger.info("roster run", metadata: ["roster.summary": "\(report)"]) }
            return .json(report.json)
        }

        router.add("POST", "/school/roster") { request, _, context in
            let (session, school) = try authorize(request, context)
            let form: MultipartForm
            do {
                form = try MultipartForm(contentType: request.headers["content-type"], body: request.body)
            } catch let error as MultipartForm.Failure {
                throw HTTPError(status: 400, code: "invalid_request", error.message)
            }
            try context.checkCSRF(request, submitted: form["csrf"], signedIn: true)
            guard let info = try context.services.schoolwork.directory.school(school) else { throw HTTPError.notFound() }
            let uploads = form.files.filter { $0.fieldName == "files" }
            do {
                let files: [String: [UInt8]]
                if uploads.count == 1,
                    uploads[0].fileName.lowercased().hasSuffix(".zip") || uploads[0].content.starts(with: [0x50, 0x4B, 0x03, 0x04])
                {
                    files = try RosterImportJob.files(fromZip: uploads[0].content)
                } else if !uploads.isEmpty, uploads.allSatisfy({ $0.fileName.lowercased().hasSuffix(".csv") }) {
                    files = Dictionary(uploads.map { ($0.fileName, $0.content) }, uniquingKeysWith: { first, _ in first })
                } else {
                    return try rosterPage(
                        session, school, context, problems: [L("roster.choose_files")], result: nil, status: 422)
                }
                let source = uploads.count == 1 ? uploads[0].fileName : "\(uploads.count) CSV files"
                let startedBy = session.user.email ?? "user \(session.user.id)"
                // Every problem is found here, in the request; only a large import waits for the background run.
                let snapshot: RosterSnapshot
                switch OneRosterImport.read(files: files, schoolSourcedID: info.sourcedID) {
                case .failure(let report): throw report
                case .success(let value): snapshot = value
                }
                guard RosterImportRun.importsAtOnce(snapshot) else {
                    let id = try context.services.schoolwork.rosterJobs.enqueue(
                        school: school, requestedBy: session.user.id, startedBy: startedBy, source: "upload: " + String(source.prefix(200)),
                        filesZip: try RosterImportRun.pack(files, now: context.now), now: context.now)
                    try context.audit(
                        .rosterImported, request, by: session, subject: nil,
                        detail: "\(source.prefix(200)): checked and queued as import job \(id) (\(snapshot.users.count) people)")
                    return .seeOther("/school/roster/jobs/\(id)")
                }
                let outcome = try RosterImportJob.run(
                    files: files, school: info.sourcedID, startedBy: startedBy, source: "upload: " + String(source.prefix(200)),
                    services: context.services, logger: context.logger)
                try context.audit(
                    .rosterImported, request, by: session, subject: nil,
                    detail: "\(source.prefix(200)): " + outcome.summary.lines.prefix(6).joined(separator: "; "))
                return try rosterPage(session, school, context, problems: nil, result: RosterImportJob.pageMessages(outcome).map { L($0) })
            } catch let report as RosterReport {
                return try rosterPage(session, school, context, problems: report.messages.map { L($0) }, result: nil, status: 422)
            }
        }
    }

    private static func overview(
        _ session: SignedIn, _ school: SchoolID, _ context: RequestContext, notice: Layout.Notice?, status: Int = 200
    ) throws -> HTTPResponse {
        let directory = context.services.schoolwork.directory
        guard let info = try directory.school(school) else { throw HTTPError.notFound() }
        return .page(
            SchoolAdminPages.overview(
                session: session, schoolName: info.name, counts: try directory.userCounts(of: school),
                classCount: try directory.classes(of: school).count,
                language: try context.services.people.languages.schoolLanguage(of: school), notice: notice),
            status: status)
    }

    /// The signed-in school admin and their school; anyone else gets 404.
    static func authorize(_ request: HTTPRequest, _ context: RequestContext) throws -> (SignedIn, SchoolID) {
        let session = try context.requireSignIn(request, .schoolAdmin)
        guard let school = session.user.schoolID, SchoolAccess.mayAdministerSchool(session.user, school) else { throw HTTPError.notFound() }
        return (session, school)
    }

    private static func rosterPage(
        _ session: SignedIn, _ school: SchoolID, _ context: RequestContext, problems: [String]?, result: [String]?, status: Int = 200
    ) throws -> HTTPResponse {
        .page(
            SchoolAdminPages.roster(
                session: session, recent: try context.services.schoolwork.directory.recentImports(of: school, limit: 10), problems: problems,
                result: result, uploadLimit: context.services.configuration.uploadBodyLimit),
            status: status)
    }
}
