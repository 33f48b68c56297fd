import Domain
import Logging
import Synchronization

/// Turns a raw FastCGI request into a response: validation, routing, error rendering and common headers.
///
/// One per worker thread (it owns the thread's services); everything here is plain values, so tests drive it
/// without sockets.
struct SiteResponder {
    let site: Site
    let router: Router<RequestContext>
    let services: SiteServices
    let limits: RequestLimits
    let logger: Logger
    /// The message catalogues, read once by the worker.
    let translations: Translations

    /// Builds the responder of a site with the routes `main` uses.
    init(
        site: Site, services: SiteServices, limits: RequestLimits, logger: Logger,
        environment: Configuration.Environment = .production, translations: Translations = .keysOnly
    ) {
        self.site = site
        self.router = SiteRoutes.router(for: site, environment: environment)
        self.services = services
        self.limits = limits
        self.logger = logger
        self.translations = translations
    }

    /// Answers one request; never throws and never traps on bad input.
    /// The response to `raw`, after running any work the handler left for after the response (tests and
    /// callers that cannot send first).
    func respond(to raw: RawRequest) -> HTTPResponse {
        let (response, afterResponse) = respondDeferring(to: raw)
        afterResponse.run()
        return response
    }

    /// The response to `raw` and the work to run once it has been sent.
    func respondDeferring(to raw: RawRequest) -> (HTTPResponse, AfterResponse) {
        let afterResponse = AfterResponse()
        return (respond(to: raw, afterResponse: afterResponse), afterResponse)
    }

    private func respond(to raw: RawRequest, afterResponse: AfterResponse) -> HTTPResponse {
        let started = ContinuousClock.now
        let metrics = WorkerMetrics.shared
        metrics.inFlight.add(1, ordering: .relaxed)
        var route = "unmatched"
        var databaseError: String?
        let subject = RequestSubject()
        let response = respond(to: raw, afterResponse: afterResponse, subject: subject, route: &route, databaseError: &databaseError)
        metrics.inFlight.subtract(1, ordering: .relaxed)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let site = site.rawValue
        let method = raw.param("REQUEST_METHOD") ?? "?"
        metrics.recordRequest(
            RequestSeries(site: site, route: route, method: Self.methodLabel(method), status: response.status), seconds: seconds,
            databaseError: databaseError)
        if logger.logLevel <= .info {
            // The route's pattern, never the path or its query: those can carry one-time tokens.
            var fields: Logger.Metadata = [
                "request.id": "\(afterResponse.requestID ?? HTTPRequest.requestID(of: raw))", "site": "\(site)",
                "http.method": "\(Self.methodLabel(method))", "http.route": "\(route)", "http.status": "\(response.status)",
                "duration_ms": "\((seconds * 1000 * 100).rounded() / 100)",
            ]
            if let user = subject.userID { fields["user.id"] = "\(user)" }
            if let client = subject.clientID { fields["oauth.client_id"] = "\(client)" }
            logger.info("request", metadata: fields)
        }
        return response
    }

    /// Methods as a label: the ones routes use, anything else as `other` (a label never takes arbitrary input).
    static func methodLabel(_ method: String) -> String {
        ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(method) ? method : "other"
    }

    private func respond(
        to raw: RawRequest, afterResponse: AfterResponse, subject: RequestSubject, route routeLabel: inout String,
        databaseError: inout String?
    ) -> HTTPResponse {
        let request: HTTPRequest
        do {
            request = try HTTPRequest(raw: raw, limits: limits)
        } catch {
            let fallbackID = HTTPRequest.requestID(of: raw)
            let path = raw.param("REQUEST_URI") ?? "/"
            logger.debug("request refused", metadata: ["request.id": "\(fallbackID)", "http.status": "\(error.status)"])
            return finish(error.response(ErrorStyle(json: Self.wantsJSON(path), requestID: fallbackID)), requestID: fallbackID)
        }
        // `request.id` comes from RequestLog's metadata provider while the id is bound (here, and for the work
        // left for after the response).
        afterResponse.requestID = request.requestID
        // The page's language is chosen when a page first asks for it (``PageLanguage``).
        let language = PageLanguage(
            translations: translations, returnPath: { Self.returnPath(request) }, cookie: request.cookies[SessionCookie.language],
            acceptLanguage: request.headers["accept-language"])
        return RequestLog.$requestID.withValue(request.requestID) {
            PageLanguage.$current.withValue(language) {
                answer(request, afterResponse: afterResponse, subject: subject, route: &routeLabel, databaseError: &databaseError)
            }
        }
    }

    /// A database failure the client should simply try again: an outage (503 with Retry-After while the pool
    /// reconnects), or a conflict the store's own retries did not get past (lock waits and Galera certification
    /// failures that kept coming, e.g. while a node leaves the cluster). Anything else is a 500.
    static func isTransient(_ error: StoreError) -> Bool {
        error.kind == .unavailable || error.kind == .conflict
    }

    private func answer(
        _ request: HTTPRequest, afterResponse: AfterResponse, subject: RequestSubject, route routeLabel: inout String,
        databaseError: inout String?
    ) -> HTTPResponse {
        let log = logger
        let context = RequestContext(site: site, services: services, logger: log, afterResponse: afterResponse, subject: subject)
        let style = ErrorStyle(json: Self.wantsJSON(request.path), requestID: request.requestID)
        var routeHeaders: [(String, String)] = []
        var response: HTTPResponse
        do {
            // `/internal/` (cron endpoints, metrics) only for `cron.allowed_addresses`, whatever nginx let through;
            // any spelling of the path, as nginx matches it without regard to case.
            if request.path.lowercased().hasPrefix("/internal"), !services.configuration.internalAllowList.permits(request.remoteAddress) {
                log.notice("internal endpoint refused", metadata: ["client.address": "\(request.remoteAddress)"])
                throw HTTPError.notFound()
            }
            let route = try router.match(request)
            routeLabel = route.pattern
            routeHeaders = route.headers
            response = try route.handler(request, route.parameters, context)
        } catch let error as any RenderableError {
            if let detail = error.logDetail { log.info("request failed", metadata: ["error.detail": "\(detail)"]) }
            response = error.response(style)
        } catch let error as StoreError where Self.isTransient(error) {
            databaseError = error.kind == .conflict ? "conflict" : "unavailable"
            log.warning(
                error.kind == .conflict ? "database conflict after retries" : "database unavailable",
                metadata: ["error.detail": "\(error.detail)"])
            response = HTTPError.unavailable().response(style)
        } catch {
            if error is StoreError { databaseError = "other" }
            let detail = (error as? StoreError)?.detail ?? String(reflecting: error)
            log.error("unhandled error", metadata: ["error.detail": "\(detail)"])
            response = HTTPError(
                status: 500, code: "server_error",
                "Something went wrong on our side. If it keeps happening, quote request \(request.requestID)."
            ).response(style)
        }
        for (name, value) in routeHeaders where !response.headers.contains(name) { response.headers.set(name, value) }
        if let nonce = subject.dpopNonce, !response.headers.contains("DPoP-Nonce") { response.headers.set("DPoP-Nonce", nonce) }
        if !response.headers.isWireSafe {
            // A header built from input that slipped past validation: never written, never a trapped worker.
            log.error("response header refused: it would split the header block", metadata: ["http.path": "\(request.path)"])
            response = HTTPError(
                status: 500, code: "server_error",
                "Something went wrong on our side. If it keeps happening, quote request \(request.requestID)."
            ).response(style)
        }
        return finish(response, requestID: request.requestID)
    }

    /// Where the language switcher of a page comes back to: the page itself (a GET with its query; after a form
    /// was posted, the form's page).
    static func returnPath(_ request: HTTPRequest) -> String {
        guard request.method == "GET", !request.query.pairs.isEmpty else { return request.path }
        return request.path + "?" + request.query.pairs.map { FormCodec.encode($0.name) + "=" + FormCodec.encode($0.value) }.joined(separator: "&")
    }

    /// JSON errors for machine endpoints, HTML pages for everything people open in a browser.
    static func wantsJSON(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path.hasPrefix("/.well-known/") || path.hasPrefix("/internal/")
            || path == "/healthz" || path == "/livez"
    }

    private func finish(_ response: HTTPResponse, requestID: String) -> HTTPResponse {
        var response = response
        if !response.headers.contains("Cache-Control") { response.headers.set("Cache-Control", "no-store") }
        response.headers.set("X-Request-ID", requestID)
        return response
    }
}
