import Domain
import Foundation
import Logging

/// Sends due back-channel logouts (OIDC Back-Channel Logout 1.0 §2.5): for each claimed row, a logout token signed
/// with the current ID-token key of the client's `id_token_signed_response_alg` (RS256 unless it registered ES256), POSTed as `application/x-www-form-urlencoded` `logout_token=…` through the
/// SSRF-guarded client of `[webhooks]` (https only, no private targets outside test stacks, no redirects followed).
/// A 200 (or 204) is delivered; anything else is tried again later (``BackchannelLogoutPolicy``). The outcome of every
/// try is on the row, which the app's log shows.
struct BackchannelLogoutSender {
    let services: SiteServices
    let logger: Logger
    /// How long a run may take; what is left waits for the next run.
    var timeBudget: TimeInterval = 45

    /// What a run did.
    struct Summary: Equatable {
        var claimed = 0
        var delivered = 0
        var failed = 0

        var json: JSONValue { .object([("claimed", .int(claimed)), ("delivered", .int(delivered)), ("failed", .int(failed))]) }
    }

    /// Claims up to `limit` due logouts and sends them.
    func run(limit: Int = 200) throws -> Summary {
        let store = services.oauth.logout
        let started = services.clock()
        var summary = Summary()
        let jobs = try store.claimDueBackchannelLogouts(now: started, lease: BackchannelLogoutPolicy.lease, limit: limit)
        guard !jobs.isEmpty else { return summary }
        let keys = try services.oauth.requireKeys()
        // Each algorithm's key is opened once per run, when a job first needs it.
        var signingKeys: [SigningKeyRecord.Algorithm: SigningKey] = [:]
        func key(_ algorithm: SigningKeyRecord.Algorithm) throws -> SigningKey {
            if let key = signingKeys[algorithm] { return key }
            guard let record = try services.oauth.signingKeys.currentKey(algorithm) else {
                throw HTTPError(
                    status: 500, code: "server_error", "The server has no signing key.", logDetail: "no \(algorithm.rawValue) signing key")
            }
            let key = try services.oauth.signingKeyCache.key(for: record, sealingKey: keys.sealingKey)
            signingKeys[algorithm] = key
            return key
        }
        let poster = services.configuration.webhookPoster
        var random = SystemRandomNumberGenerator()
        for job in jobs {
            // Past the budget the claim simply lapses: the lease brings the row back to the next run.
            guard services.clock().timeIntervalSince(started) < timeBudget else { break }
            summary.claimed += 1
            let now = services.clock()
            let token = LogoutToken(
                issuer: services.configuration.appURL, audience: job.clientID, issuedAt: now,
                id: SecretToken.base64URL((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }),
                subject: keys.subjects.subject(for: job.user, client: job.clientID, type: job.subjectType),
                sessionID: job.sessionDigest.map { SessionIdentifier.sid(sessionDigest: $0, key: keys.sessionIDKey) })
            let body = "logout_token=" + FormCodec.encode(try token.signed(with: key(job.signingAlgorithm)))
            var status: Int?
            var failure: String?
            do {
                let answer = try poster.post(
                    url: job.uri, headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")], body: Array(body.utf8))
                status = answer.status
                if !BackchannelLogoutPolicy.delivered(status: answer.status) { failure = "the app answered \(answer.status)" }
            } catch {
                failure = error.description
            }
            let done = services.clock()
            let next = BackchannelLogoutPolicy.nextAttempt(after: job.attempts + 1, succeeded: failure == nil, now: done)
            try store.recordBackchannelAttempt(
                job.id, deliveredAt: failure == nil ? done : nil, status: status, error: failure, nextAttemptAt: next)
            let metadata: Logger.Metadata = ["oauth.client_id": "\(job.clientID)", "backchannel.id": "\(job.id)"]
            if let failure {
                summary.failed += 1
                logger.notice("back-channel logout not delivered", metadata: metadata.merging(["error.detail": "\(failure)"]) { $1 })
            } else {
                summary.delivered += 1
                logger.debug("back-channel logout delivered", metadata: metadata)
            }
        }
        return summary
    }
}
