import Domain
import Native

/// Posts one webhook; ``OutboundHTTPSClient`` in production, a recorder in tests.
protocol WebhookPoster: Sendable {
    /// See ``OutboundHTTPSClient/post(url:headers:body:)``.
    func post(url: String, headers: [(name: String, value: String)], body: [UInt8]) throws(OutboundHTTPSError) -> OutboundHTTPSResponse
}

extension OutboundHTTPSClient: WebhookPoster {}

extension Configuration {
    /// The client webhook delivery uses: the address rule and trust store of `[webhooks]`.
    var webhookPoster: any WebhookPoster {
        OutboundHTTPSClient(rule: OutboundAddressRule(allowPrivateTargets: webhooks.allowPrivateTargets), caFile: webhooks.caFile)
    }
}
