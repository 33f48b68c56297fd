import Domain
import Foundation

/// The upstream sign-in's HTTP (``UpstreamTransport``) over the guarded client: https only, the provider's
/// addresses checked and pinned, no redirects, 10 s for each exchange, at most 256 KiB of each answer (Entra's
/// signing keys are about 10 KiB).
public struct UpstreamHTTPSTransport: UpstreamTransport {
    let client: OutboundHTTPSClient

    /// A transport that may reach private and loopback addresses only when `allowPrivateTargets` (test stacks and
    /// closed networks), trusting `caFile` instead of the system store when given.
    public init(allowPrivateTargets: Bool, caFile: String?, timeout: TimeInterval = 10) {
        client = OutboundHTTPSClient(
            rule: OutboundAddressRule(allowPrivateTargets: allowPrivateTargets), caFile: caFile, timeout: timeout,
            responseBodyLimit: 256 * 1024, userAgent: "CatalystWells-SignIn/1")
    }

    public func get(_ url: String) throws(UpstreamTransportError) -> (status: Int, body: [UInt8]) {
        do {
            let response = try client.get(url: url, headers: [("Accept", "application/json")])
            return (response.status, response.bodyPrefix)
        } catch {
            throw UpstreamTransportError(error.description)
        }
    }

    public func postForm(_ url: String, form: [(String, String)], headers: [(name: String, value: String)]) throws(UpstreamTransportError)
        -> (status: Int, body: [UInt8])
    {
        let body = form.map { "\(FormCodec.encode($0.0))=\(FormCodec.encode($0.1))" }.joined(separator: "&")
        do {
            let response = try client.post(
                url: url, headers: headers + [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
            return (response.status, response.bodyPrefix)
        } catch {
            throw UpstreamTransportError(error.description)
        }
    }
}
