import Domain

/// Mail about webhook delivery.
enum WebhookMail {
    /// Tells a developer that the platform disabled one of their endpoints, why, and where to re-enable it.
    static func endpointDisabled(_ endpoint: DisabledWebhookEndpoint, developersURL: String, mailer: any MailTransport, language: String? = nil)
        throws
    {
        let base = developersURL.hasSuffix("/") ? String(developersURL.dropLast()) : developersURL
        let page = "\(base)/apps/\(endpoint.application.rawValue)/webhooks/\(endpoint.endpoint.rawValue)"
        // Sent by the delivery run, outside any request, to a developer without a saved language: `language`
        // (English unless given).
        let (subject, body) = MailLanguage.rendering(in: language) {
            (
                L("mail.webhook_disabled.subject", ["app": endpoint.applicationName]),
                L(
                    "mail.webhook_disabled.body",
                    [
                        "name": endpoint.developerName, "app": endpoint.applicationName, "url": endpoint.url, "reason": endpoint.reason,
                        "link": page,
                    ])
            )
        }
        try mailer.send(to: endpoint.developerEmail, subject: subject, body: body)
    }
}
