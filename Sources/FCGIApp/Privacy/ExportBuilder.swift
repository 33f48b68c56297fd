import Domain
import Foundation
import Logging
import Native

/// Builds export archives: the files from Domain (``ExportArchive``) over the records of ``PersonExportStore``, zipped
/// by Native's ``ZipWriter``. Used by the request (small one-person exports) and by ``ExportRun`` (the rest).
enum ExportBuilder {
    /// Rows of each log read for one person: enough for years of history; a person with more gets the newest.
    static let logLimit = 200_000

    /// Why an archive could not be made, in words for the requester.
    struct Failure: Error {
        let reason: String
    }

    /// The zip of a one-person export, from a record already read.
    static func zip(person record: PersonRecord, audience: ExportAudience, now: Date) throws -> [UInt8] {
        try zip(ExportArchive.person(record, audience: audience, generatedAt: now), now: now)
    }

    /// The zip of any job, read from the stores.
    static func zip(job: ExportJob, records: any PersonExportStore, now: Date) throws -> [UInt8] {
        switch job.scope {
        case .person(let person):
            guard let record = try records.record(of: person, in: job.school, logLimit: logLimit) else {
                throw Failure(reason: "The person is no longer in the school's records.")
            }
            return try zip(person: record, audience: job.audience, now: now)
        case .schoolClass(let classID):
            guard let roster = try records.roster(of: job.school, onlyClass: classID) else {
                throw Failure(reason: "The class is no longer in the school's records.")
            }
            return try zip(roster: roster, records: records, school: job.school, classTitle: roster.classes.first?.title ?? "", now: now)
        case .school:
            guard let roster = try records.roster(of: job.school, onlyClass: nil) else { throw Failure(reason: "The school was not found.") }
            return try zip(roster: roster, records: records, school: job.school, classTitle: nil, now: now)
        }
    }

    private static func zip(roster: RosterExport, records: any PersonExportStore, school: SchoolID, classTitle: String?, now: Date) throws
        -> [UInt8]
    {
        let people = try roster.users.compactMap { try records.record(of: $0.id, in: school, logLimit: logLimit) }
        return try zip(ExportArchive.roster(roster, people: people, generatedAt: now, classTitle: classTitle), now: now)
    }

    /// The zip of a school's roster as a OneRoster 1.1 CSV set alone (``OneRosterExport``: the files `roster import`
    /// reads), for systems the school feeds.
    static func oneRosterZip(_ roster: RosterExport, now: Date) throws -> [UInt8] {
        try zip(OneRosterExport.files(roster, folder: ""), now: now)
    }

    private static func zip(_ files: [ExportFile], now: Date) throws -> [UInt8] {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now)
        let stamp = ZipWriter.Timestamp(
            year: parts.year ?? 1980, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0, minute: parts.minute ?? 0,
            second: parts.second ?? 0)
        return try ZipWriter.archive(files.map { ($0.name, $0.bytes) }, timestamp: stamp)
    }

    /// A zip download: `Content-Disposition: attachment`, never cached.
    static func download(_ archive: [UInt8], fileName: String) -> HTTPResponse {
        var response = HTTPResponse(status: 200, body: archive)
        response.headers.set("Content-Type", "application/zip")
        response.headers.set("Content-Disposition", "attachment; filename=\"\(fileName)\"")
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("X-Content-Type-Options", "nosniff")
        return response
    }

    /// The download's file name: `catalystwells-export-<date>.zip`.
    static func fileName(now: Date) -> String {
        "catalystwells-export-\(CalendarDate(now)).zip"
    }
}

/// One run of the background exports (`catalystwells exports run`, `POST /internal/cron/exports`): expires unused
/// links, then builds pending jobs one by one, seals each archive, stores it with the digest of a new download link
/// and mails the link to the requester.
struct ExportRun {
    /// What a run did.
    struct Report: Equatable {
        var built = 0
        var failed = 0
        var expired = 0

        var json: JSONValue { .object([("built", .int(built)), ("failed", .int(failed)), ("expired", .int(expired))]) }
    }

    let services: SiteServices
    let logger: Logger
    /// A job is claimed for this long; a runner that dies leaves it to the next run after that.
    static let lease: TimeInterval = 15 * 60

    /// Builds at most `limit` jobs.
    func run(limit: Int = 20, now: Date) throws -> Report {
        guard let secret = services.configuration.credentialKey else {
            throw HTTPError(status: 503, code: "unavailable", "Exports cannot be made right now.", logDetail: "credentials key not loaded")
        }
        let key = CredentialKeyMaterial(secret: secret).exportSealingKey
        let privacy = services.privacy
        var report = Report()
        report.expired = try privacy.exportJobs.expireLinks(now: now)
        for _ in 0..<limit {
            guard let job = try privacy.exportJobs.claimNext(now: now, lease: Self.lease) else { break }
            guard let requester = try services.people.accounts.activeUser(job.requestedBy)?.user else {
                try privacy.exportJobs.fail(job: job.id, reason: "The account that asked for it is no longer active.", now: now)
                report.failed += 1
                continue
            }
            guard let email = requester.email else {
                try privacy.exportJobs.fail(
                    job: job.id, reason: "The export is too large to make at once, and your account has no email address to send the link to.",
                    now: now)
                report.failed += 1
                continue
            }
            let archive: [UInt8]
            do {
                archive = try ExportBuilder.zip(job: job, records: privacy.records, now: now)
            } catch let failure as ExportBuilder.Failure {
                try privacy.exportJobs.fail(job: job.id, reason: failure.reason, now: now)
                report.failed += 1
                continue
            } catch let error as ZipError {
                logger.error("export archive failed", metadata: ["export.job": "\(job.id)", "error": "\(error)"])
                try privacy.exportJobs.fail(job: job.id, reason: "The archive could not be made (it is too large).", now: now)
                report.failed += 1
                continue
            }
            var generator = SystemRandomNumberGenerator()
            let sealed = try ExportArchiveSealing.seal(archive, job: job.id, key: key, using: &generator)
            let token = SecretToken.make(prefix: ExportRules.tokenPrefix, using: &generator)
            let expires = now.addingTimeInterval(services.configuration.privacy.exportLinkLifetime)
            try privacy.exportJobs.complete(
                job: job.id, sealedChunks: sealed, linkDigest: SecretToken.digest(token), linkExpiresAt: expires, now: now)
            let link = services.configuration.appURL + "/account/export/download/" + token
            // Built by the export run, outside any request: the requester's saved language, else their school's.
            let language = MailLanguage.of(user: requester.id, languages: services.people.languages, fallback: nil)
            let (subject, body) = MailLanguage.rendering(in: language) {
                (
                    L("mail.export.subject"),
                    L(
                        "mail.export.body",
                        [
                            "requested": LocaleFormatting.date(
                                job.requestedAt, language: pageLanguage, timeZone: TimeZone(identifier: "UTC")!, time: true), "link": link,
                            "username": requester.username ?? email,
                            "expires": LocaleFormatting.date(expires, language: pageLanguage, timeZone: TimeZone(identifier: "UTC")!, time: true),
                        ])
                )
            }
            try services.mailer.send(to: email, subject: subject, body: body, validUntil: expires)
            logger.info(
                "export built", metadata: ["export.job": "\(job.id)", "export.kind": "\(job.scope.kind)", "export.bytes": "\(archive.count)"])
            report.built += 1
        }
        return report
    }
}
