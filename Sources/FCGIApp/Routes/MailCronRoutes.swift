/// `POST /internal/cron/mail` on both sites: one run of the site's mail outbox (``QueuedMailer/deliverDue(limit:)``),
/// answered with its JSON summary. Guarded like every cron endpoint (``RequestContext/requireCron(_:)``).
enum MailCronRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/internal/cron/mail") { request, _, context in
            try context.requireCron(request)
            guard let mailer = context.services.mailer as? QueuedMailer else {
                throw HTTPError(
                    status: 503, code: "unavailable", "Mail cannot be sent right now.", logDetail: "credentials key not loaded: no mail outbox")
            }
            guard let report = try CronLease.run(.mail, leases: context.services.leases, { try mailer.deliverDue() }) else {
                return .json(CronLease.skipped(.mail))
            }
            if report != MailDeliveryReport() { context.logger.info("mail run", metadata: ["mail.summary": "\(report)"]) }
            return .json(report.json)
        }
    }
}
