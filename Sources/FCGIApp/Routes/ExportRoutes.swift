import Domain
import Foundation

/// Exports (GDPR Art. 15 and 20, FERPA's right to inspect): `/account/export` (anyone of a school, for themself; a
/// parent also for each linked child), the school admin's exports of a person, a class or the school, and the
/// download of one made in the background. Every request and every download is in the security audit log.
enum ExportRoutes {
    /// Jobs listed on a page.
    static let jobsShown = 20

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account/export") { request, _, context in
            let session = try context.requireSignIn(request, .student, .parent, .teacher, .schoolAdmin)
            let children = session.user.role == .parent ? try context.services.schoolwork.students.children(ofParent: session.user.id) : []
            return .page(
                PrivacyPages.account(
                    session: session, children: children,
                    jobs: try context.services.privacy.exportJobs.jobs(requestedBy: session.user.id, limit: jobsShown), notice: notice(request)))
        }

        router.add("POST", "/account/export") { request, _, context in
            let session = try context.requireSignIn(request, .student, .parent, .teacher, .schoolAdmin)
            _ = try context.verifiedForm(request, session: session)
            guard let school = session.user.schoolID,
                let audience = ExportAccess.audience(of: session.user, for: session.user.id, subjectSchool: school, isGuardian: false)
            else { throw HTTPError.notFound() }
            return try export(.person(session.user.id), audience: audience, school: school, session, request, context, returnTo: "/account/export")
        }

        router.add("POST", "/parent/children/{id}/export") { request, parameters, context in
            let session = try context.requireSignIn(request, .parent)
            _ = try context.verifiedForm(request, session: session)
            guard let child = parameters["id"].flatMap(UserID.init),
                let facts = try context.services.schoolwork.students.relationship(of: session.user, toStudent: child),
                let audience = ExportAccess.audience(of: session.user, for: child, subjectSchool: facts.schoolID, isGuardian: facts.isGuardian)
            else { throw HTTPError.notFound() }
            return try export(.person(child), audience: audience, school: facts.schoolID, session, request, context, returnTo: "/account/export")
        }

        router.add("GET", "/school/export") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            return .page(
                PrivacyPages.school(
                    session: session, classes: try context.services.schoolwork.directory.classes(of: school),
                    jobs: try context.services.privacy.exportJobs.jobs(requestedBy: session.user.id, limit: jobsShown), notice: notice(request)))
        }

        // The school's roster as a OneRoster 1.1 CSV set (the files `roster import` reads), answered at once: no
        // personal files, only what the roster holds.
        router.add("GET", "/school/export/oneroster.zip") { request, _, context in
            let (_, school) = try SchoolAdminRoutes.authorize(request, context)
            guard let roster = try context.services.privacy.records.roster(of: school, onlyClass: nil) else { throw HTTPError.notFound() }
            let now = context.now
            return ExportBuilder.download(
                try ExportBuilder.oneRosterZip(roster, now: now),
                fileName: "oneroster-\(FormCodec.encode(roster.org.sourcedID))-\(CalendarDate(now)).zip")
        }

        router.add("POST", "/school/export") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            return try export(.school, audience: .schoolAdmin, school: school, session, request, context, returnTo: "/school/export")
        }

        router.add("POST", "/school/classes/{id}/export") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            guard let classID = parameters["id"].flatMap(ClassID.init),
                let facts = try context.services.schoolwork.teaching.relationship(of: session.user, toClass: classID),
                SchoolAccess.mayViewClass(session.user, facts)
            else { throw HTTPError.notFound() }
            return try export(.schoolClass(classID), audience: .schoolAdmin, school: school, session, request, context, returnTo: "/school/export")
        }

        router.add("POST", "/school/users/{id}/export") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            guard let person = parameters["id"].flatMap(UserID.init), try context.services.privacy.records.person(person, in: school) != nil,
                let audience = ExportAccess.audience(of: session.user, for: person, subjectSchool: school, isGuardian: false)
            else { throw HTTPError.notFound() }
            return try export(.person(person), audience: audience, school: school, session, request, context, returnTo: "/school/export")
        }

        router.add("GET", "/account/export/download/{token}") { request, parameters, context in
            let session = try context.requireSignIn(request, .student, .parent, .teacher, .schoolAdmin)
            guard let token = parameters["token"], SecretToken.isWellFormed(token, prefix: ExportRules.tokenPrefix),
                let spent = try context.services.privacy.exportJobs.spendLink(
                    digest: SecretToken.digest(token), requester: session.user.id, now: context.now)
            else {
                throw HTTPError(
                    status: 404, code: "not_found",
                    L("export.link_used"))
            }
            guard let secret = context.services.configuration.credentialKey else {
                throw HTTPError(status: 503, code: "unavailable", L("export.unavailable"), logDetail: "credentials key not loaded")
            }
            // The FastCGI layer answers with a whole body, so the chunks are opened and assembled here.
            let archive: [UInt8]
            do {
                archive = try ExportArchiveSealing.open(
                    spent.sealedArchive, job: spent.job.id, key: CredentialKeyMaterial(secret: secret).exportSealingKey)
            } catch {
                throw HTTPError(
                    status: 503, code: "unavailable", L("export.not_opened"),
                    logDetail: "export \(spent.job.id): sealed archive rejected (\(error))")
            }
            try context.audit(
                .exportDownloaded, request, school: spent.job.school, actor: session.user.id, subject: subject(of: spent.job.scope),
                detail: "\(describe(spent.job.scope, audience: spent.job.audience)): export \(spent.job.id) downloaded, \(archive.count) bytes")
            return ExportBuilder.download(archive, fileName: ExportBuilder.fileName(now: context.now))
        }

        router.add("POST", "/internal/cron/exports") { request, _, context in
            try context.requireCron(request)
            let run = ExportRun(services: context.services, logger: context.logger)
            guard let report = try CronLease.run(.exports, leases: context.services.leases, { try run.run(now: context.now) }) else {
                return .json(CronLease.skipped(.exports))
            }
            if report != ExportRun.Report() { context.logger.info("export run", metadata: ["export.summary": "\(report)"]) }
            return .json(report.json)
        }
    }

    /// Audits the request, then answers with the archive (a small one-person export) or queues a job and sends the
    /// requester back to `returnTo` with a notice.
    static func export(
        _ scope: ExportScope, audience: ExportAudience, school: SchoolID, _ session: SignedIn, _ request: HTTPRequest, _ context: RequestContext,
        returnTo: String
    ) throws -> HTTPResponse {
        let privacy = context.services.privacy
        try context.audit(
            .exportRequested, request, school: school, actor: session.user.id, subject: subject(of: scope),
            detail: describe(scope, audience: audience))
        if case .person(let person) = scope {
            guard let record = try privacy.records.record(of: person, in: school, logLimit: ExportBuilder.logLimit) else {
                throw HTTPError.notFound()
            }
            if ExportRules.makeAtOnce(rows: record.rowCount, scope: scope, inlineRows: context.services.configuration.privacy.exportInlineRows) {
                let archive = try ExportBuilder.zip(person: record, audience: audience, now: context.now)
                try context.audit(
                    .exportDownloaded, request, school: school, actor: session.user.id, subject: person,
                    detail: "\(describe(scope, audience: audience)): made at once, \(archive.count) bytes")
                return ExportBuilder.download(archive, fileName: ExportBuilder.fileName(now: context.now))
            }
        }
        do {
            _ = try privacy.exportJobs.request(school: school, by: session.user.id, audience: audience, scope: scope, now: context.now)
        } catch let error as StoreError where error.kind == .conflict {
            throw HTTPError(
                status: 429, code: "too_many_exports",
                L("export.too_many", count: ExportRules.pendingPerRequester),
                headers: [("Retry-After", "300")])
        }
        return .seeOther(returnTo + "?export=queued")
    }

    private static func subject(of scope: ExportScope) -> UserID? {
        if case .person(let person) = scope { return person }
        return nil
    }

    private static func describe(_ scope: ExportScope, audience: ExportAudience) -> String {
        switch scope {
        case .person(let person): "person \(person) as \(audience.rawValue)"
        case .schoolClass(let classID): "class \(classID)"
        case .school: "whole school"
        }
    }

    private static func notice(_ request: HTTPRequest) -> Layout.Notice? {
        request.query["export"] == "queued"
            ? Layout.Notice(kind: .ok, text: L("export.queued")) : nil
    }
}
