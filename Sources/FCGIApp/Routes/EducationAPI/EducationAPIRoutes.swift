import Domain
import Foundation

/// The education API (`/api/v1`), registered from the one table ``EducationAPI/endpoints``.
///
/// Every call, in order:
/// 1. a bearer access token (RFC 6750 §2.1): missing → 401 with a bare challenge; anything ``BearerRule``
///    refuses (unknown, expired, revoked, a refresh token, a suspended app, a deactivated user, an app the
///    user's school blocked) → 401 `invalid_token` (one description for all); its scopes are those it carries
///    now, narrowed to the app's and the school's current limits;
/// 2. the app's token bucket (``APIRateLimiter``: one per app for the installation, sized by its tier): empty → 429 with `Retry-After`; every answer from here on
///    carries `X-RateLimit-Limit/Remaining/Reset`;
/// 3. the scope the endpoint needs for the token user's role (``APIScopeCheck``): missing → 403
///    `insufficient_scope` with `scope="…"` in `WWW-Authenticate` (RFC 6750 §3.1); a role the endpoint never
///    serves → 404;
/// 4. the handler: malformed ids and input → 400 with `fields`; a record outside the user's relationship
///    (``SchoolAccess``) → 404, exactly like one that does not exist;
/// 5. the data-access log entries (app, user, whose data, endpoint, result; one per person concerned), written in one
///    statement before the answer leaves (a write's in its own transaction); when they cannot be written the call
///    is answered 503 with `Retry-After`, never with data that is not on record.
enum EducationAPIRoutes {
    typealias Handler = @Sendable (inout APICall) throws -> JSONValue

    static func register(in router: inout Router<RequestContext>) {
        for endpoint in EducationAPI.endpoints {
            let handler = handler(for: endpoint.operation)
            // The public endpoint (the OpenAPI document) is readable from any origin.
            router.add(endpoint.method, endpoint.path, headers: endpoint.isPublic ? OAuthHTTP.anyOrigin : []) { request, parameters, context in
                if endpoint.isPublic { return publicAnswer(context) }
                return try serve(endpoint, handler, request, parameters, context)
            }
        }
    }

    /// The handler of each operation: an exhaustive switch, so an endpoint added to the table without one
    /// does not compile.
    static func handler(for operation: APIEndpoint.Operation) -> Handler {
        switch operation {
        case .me: StudentAPI.me
        case .student: StudentAPI.student
        case .studentClasses: StudentAPI.classes
        case .studentGrades: StudentAPI.grades
        case .studentAttendance: StudentAPI.attendance
        case .parentChildren: StudentAPI.children
        case .classDetail: ClassAPI.detail
        case .classStudents: ClassAPI.students
        case .recordAttendance: ClassAPI.recordAttendance
        case .recordGrades: ClassAPI.recordGrades
        case .school: StudentAPI.school
        case .openAPI: { _ in .null }
        }
    }

    /// The one public endpoint: the OpenAPI document, cacheable.
    private static func publicAnswer(_ context: RequestContext) -> HTTPResponse {
        var response = HTTPResponse.json(OpenAPIDocument.document(serverURL: context.services.configuration.appURL))
        response.headers.set("Cache-Control", "public, max-age=300")
        return response
    }

    private static func serve(
        _ endpoint: APIEndpoint, _ handler: Handler, _ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext
    ) throws -> HTTPResponse {
        let (caller, scheme) = try authenticate(request, context)
        let now = context.now
        let limiter = context.services.api.rateLimiter
        let bucket = try limiter.take(caller.clientID, store: context.services.api.rateBuckets, now: now)
        guard bucket.allowed else {
            var response = APIFailure(
                status: 429, code: "rate_limited", message: "This app has made too many calls; retry after Retry-After seconds.", fields: [:]
            ).response
            response.headers.set("Retry-After", String(bucket.retryAfterSeconds))
            return AccessLogWrite.withRateLimitHeaders(response, bucket, limiter.limits(of: caller.clientID))
        }

        var call = APICall(
            endpoint: endpoint, request: request, parameters: parameters, context: context, caller: caller,
            school: caller.user?.schoolID)
        var response: HTTPResponse
        switch APIScopeCheck.decide(endpoint, caller) {
        case .proceed:
            do {
                response = OAuthHTTP.json(try handler(&call))
            } catch let failure as APIFailure {
                response = failure.response
                // A refused call is recorded against no one: the id it named is not a disclosure.
                if failure.status == 404 { call.concernsNobody() }
            } catch {
                // The responder answers 503 or 500 and no data leaves: the call goes on record if it can.
                _ = record(call, status: (error as? StoreError)?.kind == .unavailable ? 503 : 500, now: now)
                throw error
            }
        case .notFound:
            response = APIFailure.notFound.response
        case .missingScope(let scope):
            response = OAuthHTTP.bearerError(
                OAuthError(.insufficientScope, "This call needs the \(scope) scope, which the token was not granted."), scope: scope,
                scheme: scheme)
        case .needsUser:
            response = OAuthHTTP.bearerError(
                OAuthError(.invalidToken, "This endpoint needs a token granted by a user; app tokens can only read schools."), scheme: scheme)
        }
        if !call.isLogged && !record(call, status: response.status, now: now) {
            // Nothing leaves that is not on record: the app is asked to call again.
            response =
                APIFailure(
                    status: 503, code: "temporarily_unavailable",
                    message: "The call could not be recorded in the data-access log, so nothing was returned; retry after Retry-After seconds.",
                    fields: [:]
                ).response
            response.headers.set("Retry-After", "5")
        }
        return AccessLogWrite.withRateLimitHeaders(response, bucket, limiter.limits(of: caller.clientID))
    }

    /// The token's caller and the scheme of later refusals (`DPoP` for a DPoP-bound token), or the 401 refusing it
    /// (``OAuthRefusal``).
    private static func authenticate(_ request: HTTPRequest, _ context: RequestContext) throws -> (APICaller, ResourceChallenge.Scheme) {
        let token = try OAuthHTTP.requireBearerToken(request)
        let invalid = OAuthRefusal(OAuthHTTP.invalidToken, challenge: token.challenge())
        // An API key (app-level reads only): looked up by its keyed digest; it acts for the app only.
        if token.value.hasPrefix(APIKey.prefix), !token.isDPoP {
            guard APIKey.isWellFormed(token.value), let keys = context.services.portal.credentialKeys,
                let key = try context.services.api.store.apiKey(digest: APIKey.digest(key: token.value, hmacKey: keys.apiKeyKey))
            else { throw invalid }
            return (APICaller(principal: .application, clientID: key.clientID, scopes: Set(key.scopes), apiKeyID: key.id), .bearer)
        }
        guard let authorized = try OAuthHTTP.authorizedBearer(token, request: request, context: context) else { throw invalid }
        let scopes = Set(authorized.scopes)
        if let user = authorized.user {
            return (APICaller(principal: .user(user), clientID: authorized.clientID, scopes: scopes), token.scheme)
        }
        return (APICaller(principal: .application, clientID: authorized.clientID, scopes: scopes), token.scheme)
    }

    /// Writes the call's access-log entries (``APICall/accessLogEntries(status:now:)``) before the answer leaves.
    private static func record(_ call: APICall, status: Int, now: Date) -> Bool {
        AccessLogWrite.append(call.accessLogEntries(status: status, now: now), context: call.context)
    }
}
