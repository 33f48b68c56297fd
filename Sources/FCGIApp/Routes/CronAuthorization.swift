import Domain
import Foundation

/// The guard of `POST /internal/cron/*` (DESIGN §8): nginx serves `/internal/` to its allowed peers only,
/// ``SiteResponder`` checks the peer against `cron.allowed_addresses`, and the request must also carry
/// `Authorization: Bearer <cron.secret_file>`. Anything else is a 404, the same as
/// a path that does not exist, so the endpoints cannot be found from outside.
extension RequestContext {
    func requireCron(_ request: HTTPRequest) throws {
        guard let secret = services.configuration.cronSecret,
            let header = request.headers["authorization"], header.hasPrefix("Bearer "),
            SecretToken.constantTimeEquals(Array(header.dropFirst(7).utf8), Array(secret.utf8))
        else {
            logger.notice("cron endpoint refused", metadata: ["client.address": "\(request.remoteAddress)"])
            throw HTTPError.notFound()
        }
    }
}
