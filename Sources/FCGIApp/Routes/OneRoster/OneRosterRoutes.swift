import Domain
import Foundation

/// OneRoster 1.2 REST (`/ims/oneroster/rostering/v1p2/…`, `/ims/oneroster/gradebook/v1p2/…`), registered from
/// ``OneRosterAPI/endpoints``.
///
/// Every call, in order:
/// 1. a bearer access token through the one bearer rule (``OAuthHTTP/authorizedBearer(_:request:context:)``): missing or
///    refused → 401 `unauthorisedrequest` with a `Bearer` challenge;
/// 2. the app's token bucket, shared with `/api/v1` (``APIRateLimiter``): empty → 429 `server_busy`, `Retry-After`;
/// 3. one of the service's scopes (``OneRosterEndpoint/Service/scopes``): missing → 403 `forbidden`, naming it;
/// 4. the schools that lend their data to the app for that scope (``OneRosterAccess``); nothing outside them exists
///    for the call;
/// 5. the parameters (``OneRosterListQuery``): bad → 400 with the specification's status info;
/// 6. the page from ``OneRosterStore`` with `X-Total-Count` and `Link`; an unknown object → 404 `unknownobject`;
/// 7. the data-access log: one entry per person the answer carried (a user, an enrolment's or a result's person),
///    one without a person when it carried nobody, like `/api/v1`.
enum OneRosterRoutes {
    static func register(in router: inout Router<RequestContext>) {
        for endpoint in OneRosterAPI.endpoints {
            router.add(endpoint.method, endpoint.fullPath) { request, parameters, context in
                try serve(endpoint, request, parameters, context)
            }
        }
        for service in [OneRosterEndpoint.Service.rostering, .gradebook] {
            router.add("GET", service.prefix + "/openapi.json", headers: OAuthHTTP.anyOrigin) { _, _, context in
                var response = HTTPResponse.json(OneRosterOpenAPI.document(serverURL: context.services.configuration.appURL, service: service))
                response.headers.set("Cache-Control", "public, max-age=300")
                return response
            }
        }
    }

    private static func serve(
        _ endpoint: OneRosterEndpoint, _ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext
    ) throws -> HTTPResponse {
        let token: OAuthHTTP.PresentedToken
        do {
            token = try OAuthHTTP.requireBearerToken(request)
        } catch {
            return failure(OneRosterFailure(status: 401, codeMinor: "unauthorisedrequest", description: "An access token is required."))
        }
        guard let authorized = try OAuthHTTP.authorizedBearer(token, request: request, context: context) else {
            return failure(
                OneRosterFailure(status: 401, codeMinor: "unauthorisedrequest", description: "The access token is invalid, expired or revoked."),
                challenge: ResourceChallenge(token.scheme, error: "invalid_token"))
        }
        let now = context.now
        let limiter = context.services.api.rateLimiter
        let bucket = try limiter.take(authorized.clientID, store: context.services.api.rateBuckets, now: now)
        let limits = limiter.limits(of: authorized.clientID)
        guard bucket.allowed else {
            var response = failure(
                OneRosterFailure(
                    status: 429, codeMinor: "server_busy", description: "This app has made too many calls; retry after Retry-After seconds."))
            response.headers.set("Retry-After", String(bucket.retryAfterSeconds))
            return AccessLogWrite.withRateLimitHeaders(response, bucket, limits)
        }
        var call = Call(endpoint: endpoint, request: request, context: context, clientID: authorized.clientID)
        let response: HTTPResponse
        do {
            response = try answer(&call, parameters, scopes: Set(authorized.scopes))
        } catch let refusal as OneRosterFailure {
            call.people.removeAll()
            response = failure(
                refusal,
                challenge: refusal.status == 403
                    ? ResourceChallenge(token.scheme, error: "insufficient_scope", scope: endpoint.scopes.joined(separator: " ")) : nil)
        } catch {
            _ = record(call, status: (error as? StoreError)?.kind == .unavailable ? 503 : 500, now: now)
            throw error
        }
        guard record(call, status: response.status, now: now) else {
            // As /api/v1: nothing leaves that is not on record; the app is asked to call again.
            var refused = failure(
                OneRosterFailure(
                    status: 503, codeMinor: "server_busy",
                    description: "The call could not be recorded in the data-access log, so nothing was returned; retry after Retry-After seconds."))
            refused.headers.set("Retry-After", "5")
            return AccessLogWrite.withRateLimitHeaders(refused, bucket, limits)
        }
        return AccessLogWrite.withRateLimitHeaders(response, bucket, limits)
    }

    /// A call in progress: what the access log will say about it.
    struct Call {
        let endpoint: OneRosterEndpoint
        let request: HTTPRequest
        let context: RequestContext
        let clientID: ClientID
        /// The people the answer carried, with their schools, each once.
        var people: [(UserID, SchoolID)] = []
        /// The schools whose objects the answer carried, for an answer that carried no person.
        var schools: [SchoolID] = []

        mutating func carried(_ records: [OneRosterRecord]) {
            for record in records {
                if let person = record.personID, !people.contains(where: { $0.0 == person }) { people.append((person, record.schoolID)) }
                if !schools.contains(record.schoolID) { schools.append(record.schoolID) }
            }
        }
    }

    private static func answer(_ call: inout Call, _ parameters: RouteParameters, scopes: Set<String>) throws -> HTTPResponse {
        let endpoint = call.endpoint
        let store = call.context.services.api.oneRoster
        guard endpoint.scopes.contains(where: scopes.contains) else {
            throw OneRosterFailure(
                status: 403, codeMinor: "forbidden",
                description: "This call needs one of the scopes \(endpoint.scopes.joined(separator: ", ")), which the token was not granted.")
        }
        let schools = OneRosterAccess.schools(try store.schoolPolicies(client: call.clientID), scopes: scopes, accepted: endpoint.scopes)
        let base = call.context.services.configuration.appURL
        if endpoint.method == "PUT" { return try OneRosterWriteRoutes.put(&call, id: parameters["id"] ?? "", schools: schools) }
        if endpoint.isObject {
            guard let id = parameters["id"],
                let record = try store.object(endpoint.entity, sourcedID: id, schools: schools, subsets: endpoint.subsets)
            else { throw OneRosterFailure.unknownObject }
            let fields = try OneRosterListQuery.parse(entity: endpoint.entity, repeated: call.request.query.repeatedNames) {
                $0 == "fields" ? call.request.query[$0] : nil
            }.get().fields
            call.carried([record])
            return OAuthHTTP.json(.object([(endpoint.entity.single, OneRosterJSON.object(record, endpoint.entity, fields: fields, base: base))]))
        }
        let query = try OneRosterListQuery.parse(entity: endpoint.entity, repeated: call.request.query.repeatedNames) {
            call.request.query[$0]
        }.get()
        var subsets = endpoint.subsets
        if let parent = endpoint.parent {
            guard let id = parameters["id"], let found = try store.object(parent.entity, sourcedID: id, schools: schools, subsets: parent.subsets)
            else { throw OneRosterFailure.unknownObject }
            subsets.append(parent.nest(id))
            // The parent's school only: a sourcedId another allowed school also uses names this school's object.
            let page = try store.list(OneRosterListRequest(entity: endpoint.entity, query: query, schools: [found.schoolID], subsets: subsets))
            return collection(&call, page, query, base: base)
        }
        let page = try store.list(OneRosterListRequest(entity: endpoint.entity, query: query, schools: schools, subsets: subsets))
        return collection(&call, page, query, base: base)
    }

    private static func collection(
        _ call: inout Call, _ page: (total: Int, records: [OneRosterRecord]), _ query: OneRosterListQuery, base: String
    ) -> HTTPResponse {
        call.carried(page.records)
        let entity = call.endpoint.entity
        var response = OAuthHTTP.json(
            .object([(entity.collection, .array(page.records.map { OneRosterJSON.object($0, entity, fields: query.fields, base: base) }))]))
        response.headers.set("X-Total-Count", String(page.total))
        let others = call.request.query.pairs.filter { $0.name != "offset" && $0.name != "limit" }
        let links = query.links(total: page.total).map { link -> String in
            let pairs = others.map { ($0.name, $0.value) } + [("limit", String(query.limit)), ("offset", String(link.offset))]
            let queryText = pairs.map { "\(FormCodec.encode($0.0))=\(FormCodec.encode($0.1))" }.joined(separator: "&")
            let path = call.request.path.split(separator: "/", omittingEmptySubsequences: false).map { FormCodec.encode(String($0)) }
                .joined(separator: "/")
            return "<\(base)\(path)?\(queryText)>; rel=\"\(link.relation)\""
        }
        response.headers.set("Link", links.joined(separator: ", "))
        return response
    }

    private static func failure(_ failure: OneRosterFailure, challenge: ResourceChallenge? = nil) -> HTTPResponse {
        var response = OAuthHTTP.json(OneRosterJSON.statusInfo(failure), status: failure.status)
        if failure.status == 401 || failure.status == 403 {
            response.headers.set("WWW-Authenticate", (challenge ?? ResourceChallenge(.bearer, error: nil)).headerValue)
        }
        return response
    }

    /// One access-log entry per person the answer carried (with that person's school), or one without a person,
    /// written in one statement before the answer leaves (as ``EducationAPIRoutes``). Returns `false` (logged and
    /// counted) when they were not written.
    private static func record(_ call: Call, status: Int, now: Date) -> Bool {
        let request = "\(call.request.method) \(call.request.path)"
        let subjects: [(UserID?, SchoolID?)] =
            call.people.isEmpty ? [(nil, call.schools.count == 1 ? call.schools[0] : nil)] : call.people.map { ($0.0, $0.1) }
        let entries = subjects.enumerated().map { index, subject in
            DataAccessEntry(
                occurredAt: now, clientID: call.clientID, actorID: nil, subjectID: subject.0, schoolID: subject.1,
                operation: call.endpoint.operationID, request: String(request.prefix(300)), status: status, firstOfCall: index == 0)
        }
        return AccessLogWrite.append(entries, context: call.context)
    }
}
