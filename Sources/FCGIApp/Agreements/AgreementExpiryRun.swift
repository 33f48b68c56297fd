import Domain
import Foundation
import Logging

/// One daily run over schools' app agreements (``AgreementExpiry``), shared by `POST /internal/cron/agreements`
/// and `catalystwells agreements run`:
/// - an agreement expiring within ``AgreementExpiry/warningDays`` days: its school's admins are mailed, once per
///   expiry day;
/// - an agreement that reached its expiry day, at a school that chose to block on expiry: the app is blocked for
///   the school (which ends its users' connections, as an admin's block does), audited as
///   ``SecurityEvent/appBlockedByPolicy``, and the admins are mailed; once per expiry day, so an admin who allows
///   the app again afterwards is not overruled the next day.
///
/// Each agreement is marked only after its action succeeded: a run that fails half-way is completed by the next
/// (blocking twice is harmless; a warning may, rarely, be mailed twice).
struct AgreementExpiryRun {
    let agreements: any AppAgreementStore
    let policies: any SchoolAppPolicyStore
    let audit: any SecurityAuditStore
    let mailer: any MailTransport
    let appURL: String
    let logger: Logger
    /// The language of its mails to school admins: English (the run knows their addresses, not their saved
    /// languages), unless a test binds another.
    var language: String? = nil

    /// Agreements looked at per run.
    static let limit = 1000
    /// Who a block by the daily run is recorded as in `school_app_policies.updated_by`: no person.
    static let systemActor = UserID(0)

    /// What a run did.
    struct Report: Equatable {
        var examined = 0
        var warned = 0
        var blocked = 0
        var grantsRevoked = 0
        var mailsFailed = 0

        var json: JSONValue {
            .object([
                ("examined", .int(examined)), ("warned", .int(warned)), ("blocked", .int(blocked)), ("grants_revoked", .int(grantsRevoked)),
                ("mails_failed", .int(mailsFailed)),
            ])
        }
    }

    init(services: SiteServices, logger: Logger) {
        agreements = services.api.agreements
        policies = services.api.appPolicies
        audit = services.audit
        mailer = services.mailer
        appURL = services.configuration.appURL
        self.logger = logger
    }

    func run(now: Date) throws -> Report {
        let today = CalendarDate(now)
        var report = Report()
        for item in try agreements.agreementsExpiring(onOrBefore: today.adding(days: AgreementExpiry.warningDays), limit: Self.limit) {
            report.examined += 1
            let agreement = item.agreement
            guard let expiry = agreement.expiresOn else { continue }
            for action in AgreementExpiry.actions(for: agreement, settings: item.settings, appBlocked: item.appBlocked, today: today) {
                switch action {
                case .warn(let days):
                    let (subject, body) = MailLanguage.rendering(in: language) {
                        let arguments: KeyValuePairs<String, String> = [
                            "app": item.appName, "kind": agreement.kind, "expiry": "\(expiry)", "link": "\(appURL)/school/apps",
                        ]
                        let consequence =
                            item.settings.blockOnExpiry
                            ? L("mail.agreement.warning.will_block", arguments) : L("mail.agreement.warning.keeps_working")
                        return (
                            L("mail.agreement.warning.subject", count: days, ["app": item.appName]),
                            L("mail.agreement.warning.body", arguments) + "\n\n" + consequence + "\n\n"
                                + L("mail.agreement.warning.record", arguments)
                        )
                    }
                    report.mailsFailed += mail(agreement.school, subject: subject, body: body)
                    try agreements.markWarned(school: agreement.school, client: agreement.client, expiresOn: expiry)
                    report.warned += 1
                case .block:
                    let revoked = try policies.setPolicy(
                        SchoolAppPolicy(status: .blocked, scopeLimit: nil), school: agreement.school, client: agreement.client,
                        by: Self.systemActor, now: now)
                    try audit.append(
                        SecurityAuditEntry(
                            occurredAt: now, event: .appBlockedByPolicy, school: agreement.school, actor: nil, subject: nil,
                            detail: "\(agreement.client): agreement \"\(agreement.kind)\" expired on \(expiry), \(revoked) grants revoked"))
                    let (subject, body) = MailLanguage.rendering(in: language) {
                        (
                            L("mail.agreement.blocked.subject", ["app": item.appName]),
                            L(
                                "mail.agreement.blocked.body",
                                ["app": item.appName, "kind": agreement.kind, "expiry": "\(expiry)", "link": "\(appURL)/school/apps"])
                        )
                    }
                    report.mailsFailed += mail(agreement.school, subject: subject, body: body)
                    try agreements.markBlocked(school: agreement.school, client: agreement.client, expiresOn: expiry)
                    report.blocked += 1
                    report.grantsRevoked += revoked
                    logger.info(
                        "app blocked: agreement expired",
                        metadata: [
                            "oauth.client_id": "\(agreement.client)", "school.id": "\(agreement.school)", "oauth.grants_revoked": "\(revoked)",
                        ])
                }
            }
            // An expired agreement is dealt with once: no late warning, and no block where the school did not ask for one.
            if today.days(until: expiry) <= 0 {
                if agreement.warnedFor != expiry { try agreements.markWarned(school: agreement.school, client: agreement.client, expiresOn: expiry) }
                if agreement.blockedFor != expiry {
                    try agreements.markBlocked(school: agreement.school, client: agreement.client, expiresOn: expiry)
                }
            }
        }
        if report.warned + report.blocked > 0 { logger.info("agreement run", metadata: ["agreements.summary": "\(report.json.text)"]) }
        return report
    }

    /// Mails every admin of the school; how many could not be handed over (each is logged).
    private func mail(_ school: SchoolID, subject: String, body: String) -> Int {
        var failed = 0
        let recipients: [String]
        do {
            recipients = try agreements.adminEmails(school: school)
        } catch {
            logger.error("agreement mail: admins not read", metadata: ["school.id": "\(school)", "error.detail": "\(error)"])
            return 1
        }
        for recipient in recipients {
            do {
                try mailer.send(to: recipient, subject: subject, body: body)
            } catch {
                failed += 1
                logger.error("agreement mail not sent", metadata: ["school.id": "\(school)", "error.detail": "\(error)"])
            }
        }
        return failed
    }
}
