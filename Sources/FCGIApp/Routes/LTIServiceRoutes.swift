import Domain

/// LTI Advantage services (issue 19 item 2, slice 4): `GET /api/lti/contexts/{class}/memberships`, Names and Role
/// Provisioning Services 2.0 §2. The tool calls with a `client_credentials` access token holding
/// `contextmembership.readonly` (its `private_key_jwt` assertion at the token endpoint); the class must hold a
/// placement of the tool and its school must lend the scope (``LTIMembershipRules/schoolLends(_:)``). Every person in
/// the answer is on the data-access log before it leaves (503 when the log cannot be written, as `/api/v1`).
/// NRPS 2.0 §2.4: `limit` (default and most 1000) and `page` with `Link: <…>; rel="next"`, `role` (a context role URI
/// or short name; one no member holds gives an empty page, anything else a 400) and `rlid` (a placement of the tool in
/// the class, else a 400; every member may open it, so it keeps them all). Only the page's members are logged.
enum LTIServiceRoutes {
    static let operation = "lti.nrps.contextMemberships"

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/api/lti/contexts/{class}/memberships") { request, parameters, context in
            try memberships(request, parameters, context)
        }
    }

    private static func memberships(_ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext) throws -> HTTPResponse {
        let token: OAuthHTTP.PresentedToken
        do {
            token = try OAuthHTTP.requireBearerToken(request)
        } catch {
            return refusal(401, "invalid_token", "An access token is required.", challenge: ResourceChallenge(.bearer, error: nil))
        }
        guard let authorized = try OAuthHTTP.authorizedBearer(token, request: request, context: context) else {
            return refusal(
                401, "invalid_token", "The access token is invalid, expired or revoked.",
                challenge: ResourceChallenge(token.scheme, error: "invalid_token"))
        }
        guard authorized.user == nil, authorized.scopes.contains(LTIScopes.contextMembershipRead) else {
            return refusal(
                403, "insufficient_scope", "This call needs an app token with the scope \(LTIScopes.contextMembershipRead).",
                challenge: ResourceChallenge(token.scheme, error: "insufficient_scope", scope: LTIScopes.contextMembershipRead))
        }
        // The app's one shared API bucket, as /api/v1 and OneRoster.
        let limiter = context.services.api.rateLimiter
        let bucket = try limiter.take(authorized.clientID, store: context.services.api.rateBuckets, now: context.now)
        let limits = limiter.limits(of: authorized.clientID)
        guard bucket.allowed else {
            var response = refusal(429, "rate_limited", "This app has made too many calls; retry after Retry-After seconds.")
            response.headers.set("Retry-After", String(bucket.retryAfterSeconds))
            return AccessLogWrite.withRateLimitHeaders(response, bucket, limits)
        }
        let store = try LTIRoutes.lti(context)
        guard let classID = parameters["class"].flatMap(ClassID.init),
            let placed = try store.placedContext(tool: authorized.clientID, classID: classID),
            LTIMembershipRules.schoolLends(try context.services.api.appPolicies.policy(school: placed.schoolID, client: authorized.clientID)),
            let client = try context.services.oauth.clients.client(authorized.clientID)
        else { return refusal(404, "not_found", "The tool is not placed in this class, or its school does not allow it.") }
        let asked = request.query
        let parsed = LTIMembershipQuery.parse(limit: asked["limit"], page: asked["page"], role: asked["role"], rlid: asked["rlid"])
        let query: LTIMembershipQuery
        switch parsed {
        case .failure(let failure): return AccessLogWrite.withRateLimitHeaders(refusal(failure), bucket, limits)
        case .success(let value): query = value
        }
        guard asked.repeatedNames.isEmpty else {
            return AccessLogWrite.withRateLimitHeaders(refusal(.invalid("A query parameter is repeated.")), bucket, limits)
        }
        if let rlid = query.resourceLinkID {
            // Every member of a class may open each of its placements, so a link of this tool here keeps them all. Case
            // is ignored, as for `role`: pylti1p3 lower-cases the `next` link (the ids are random, so this joins none).
            let wanted = rlid.lowercased()
            guard try store.links(in: [classID]).contains(where: { $0.linkID.lowercased() == wanted && $0.clientID == client.clientID }) else {
                return AccessLogWrite.withRateLimitHeaders(
                    refusal(.invalid("rlid is not a resource link of this tool in this context.")), bucket, limits)
            }
        }
        let keys = try context.services.oauth.requireKeys()
        let (members, more) = query.select(try store.members(of: classID))
        let url = LTIMembershipRules.url(base: context.services.configuration.appURL, classID: classID)
        let body = LTIMembershipRules.container(
            url: url, context: placed, members: members, names: client.allowedScopes.contains("profile.read"),
            subject: { keys.subjects.subject(for: $0, client: client.clientID, type: client.subjectType) })
        let now = context.now
        let call = "GET \(request.path)"
        let subjects: [UserID?] = members.isEmpty ? [nil] : members.map(\.user)
        let entries = subjects.enumerated().map { index, subject in
            DataAccessEntry(
                occurredAt: now, clientID: client.clientID, actorID: nil, subjectID: subject, schoolID: placed.schoolID, operation: operation,
                request: String(call.prefix(300)), status: 200, firstOfCall: index == 0)
        }
        guard AccessLogWrite.append(entries, context: context) else {
            var response = refusal(
                503, "temporarily_unavailable", "The call could not be recorded in the data-access log, so nothing was returned; retry later.")
            response.headers.set("Retry-After", "5")
            return response
        }
        var response = OAuthHTTP.json(body)
        response.headers.set("Content-Type", LTIMembershipRules.mediaType)
        if more { response.headers.set("Link", "<\(query.nextURL(base: url, parameters: asked.pairs))>; rel=\"next\"") }
        return AccessLogWrite.withRateLimitHeaders(response, bucket, limits)
    }

    private static func refusal(_ failure: LTIServiceFailure) -> HTTPResponse {
        refusal(failure.status, failure.error, failure.description)
    }

    private static func refusal(_ status: Int, _ error: String, _ description: String, challenge: ResourceChallenge? = nil) -> HTTPResponse {
        var response = OAuthHTTP.json(.object([("error", .string(error)), ("error_description", .string(description))]), status: status)
        if let challenge { response.headers.set("WWW-Authenticate", challenge.headerValue) }
        return response
    }
}
