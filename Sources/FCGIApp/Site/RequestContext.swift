import Foundation
import Logging

/// What a handler gets besides the request.
struct RequestContext {
    /// The site being served.
    let site: Site
    /// The thread's stores.
    let services: SiteServices
    /// A logger carrying the request id.
    let logger: Logger
    /// Work to do once the response has been sent (see ``AfterResponse``).
    var afterResponse = AfterResponse()
    /// Who the request turned out to be from, for its log line.
    var subject = RequestSubject()

    /// The current time, from the services' clock.
    var now: Date { services.clock() }

    /// Runs `body` once the response has been sent (``AfterResponse``); a failure is logged as "`what`
    /// failed" and nothing else, since the page has already gone out.
    func afterSending(_ what: String, _ body: @escaping () throws -> Void) {
        let logger = logger
        afterResponse.add {
            do { try body() } catch { logger.error("\(what) failed", metadata: ["error.detail": "\(error)"]) }
        }
    }
}

/// Work a handler leaves for after its response has gone out, on the same thread and database connection.
///
/// For what must not show in the response time: a mail that goes only to addresses with an account (password
/// reset, "already registered") would otherwise tell, by how long the page took, whether an address has one.
/// The work catches and logs its own errors; a worker that stops runs what is left before it exits.
final class AfterResponse {
    private(set) var work: [() -> Void] = []
    /// The request it follows, for its log lines (``RequestLog``).
    var requestID: String?

    /// Adds work to run after the response.
    func add(_ body: @escaping () -> Void) { work.append(body) }

    /// Runs the work added so far, once.
    func run() {
        let pending = work
        work = []
        guard !pending.isEmpty else { return }
        RequestLog.$requestID.withValue(requestID) {
            for body in pending { body() }
        }
    }
}

/// Who a request is from, for the request's log line: set where a session, a client's credentials or a bearer token
/// is accepted. Identifiers only, never the credential. Also what the bearer check leaves for the answer's headers
/// (``dpopNonce``).
final class RequestSubject {
    /// The signed-in person or the person a bearer token acts for.
    var userID: String?
    /// The OAuth client that authenticated or whose token was presented.
    var clientID: String?
    /// A `DPoP-Nonce` for the answer, whatever its status: set when a resource accepted a proof whose nonce is
    /// in its last slot (``DPoPHTTP/presentation(of:request:context:)``).
    var dpopNonce: String?
}
