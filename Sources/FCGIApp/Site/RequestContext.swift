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

    /// The current time, from the services' clock.
    var now: Date { services.clock() }
}
