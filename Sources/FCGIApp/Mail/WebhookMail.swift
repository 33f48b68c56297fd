import Domain

/// Mail about webhook delivery.
enum WebhookMail {
    /// Tells a developer that the platform disabled one of their endpoints, why, and where to re-enable it.
    static func endpointDisabled(_ endpoint: DisabledWebhookEndpoint, developersURL: String, mailer: any MailTransport) throws {
        let base = developersURL.hasSuffix("/") ? String(developersURL.dropLast()) : developersURL
        let page = "\(base)/apps/\(endpoint.application.rawValue)/webhooks/\(endpoint.endpoint.rawValue)"
        try mailer.send(
            to: endpoint.developerEmail, subject: "A webhook endpoint of \(endpoint.applicationName) was disabled",
            body: """
                Hello \(endpoint.developerName),

                CatalystWells stopped sending webhooks to this endpoint of \(endpoint.applicationName):

                \(endpoint.url)

                \(endpoint.reason)

                Deliveries queued for it will not be sent. The delivery log shows what the endpoint answered;
                once it works again, enable it on its page (you can send a test ping first):

                \(page)
                """)
    }
}
