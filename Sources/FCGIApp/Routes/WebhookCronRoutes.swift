import Domain

/// `POST /internal/cron/webhooks` on the developers site: one delivery run (``WebhookSender``),
/// answered with its JSON summary. Guarded like every cron endpoint (``RequestContext/requireCron(_:)``):
/// loopback through nginx and the bearer secret, anything else 404.
enum WebhookCronRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/internal/cron/webhooks") { request, _, context in
            try context.requireCron(request)
            guard let sender = WebhookSender(services: context.services, logger: context.logger) else {
                throw HTTPError(status: 503, code: "unavailable", "Webhooks cannot be sent right now.", logDetail: "portal key not loaded")
            }
            guard let summary = try CronLease.run(.webhooks, leases: context.services.leases, { try sender.run() }) else {
                return .json(CronLease.skipped(.webhooks))
            }
            WorkerMetrics.shared.record { snapshot in
                snapshot.increment(PoolMetrics.webhookFailures, ["site": "developers", "kind": "attempt"], by: Double(summary.failed))
                snapshot.increment(PoolMetrics.webhookFailures, ["site": "developers", "kind": "disabled"], by: Double(summary.disabled))
            }
            context.logger.info("webhook run", metadata: ["webhook.summary": "\(summary)"])
            var response = HTTPResponse.json(summary.json)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
    }
}
