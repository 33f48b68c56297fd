import Domain
import Foundation

/// LTI Assignment and Grade Services 2.0 (issue 19 item 2), under the class's line items URL
/// `/api/lti/contexts/{class}/lineitems`:
/// - `GET` (scope `lineitem` or `lineitem.readonly`): the tool's line items in the class, filtered by
///   `resource_link_id`, `resource_id`, `tag`, paged by `limit` and `page` with a `Link: <…>; rel="next"`;
/// - `POST` (`lineitem`): a new line item, which is an assessment of the class's gradebook (a draft or published as
///   the school chose for apps' results);
/// - `GET`/`PUT`/`DELETE …/{item}` (`lineitem`, or `lineitem.readonly` to read);
/// - `POST …/{item}/scores` (`score`): a student's score, by ``LTIScoreRules`` (only `FullyGraded` writes a grade;
///   an older timestamp than the one on record is a 409);
/// - `GET …/{item}/results` (`result.readonly`): the grades the gradebook holds.
/// The tool calls with a `client_credentials` token (its `private_key_jwt` assertion); the class must hold a placement
/// of the tool and its school must lend the scope, otherwise 404. Scores and results name students: each is on the
/// data-access log (503 when the log cannot be written, as `/api/v1`).
enum LTIGradeRoutes {
    /// Largest body accepted.
    static let maximumBytes = 64 * 1024

    static func register(in router: inout Router<RequestContext>) {
        let items = "/api/lti/contexts/{class}/lineitems"
        let read = [LTIScopes.lineItem, LTIScopes.lineItemRead]
        router.add("GET", items) { request, parameters, context in
            try serve(request, parameters, context, scopes: read) { call, _ in try list(call) }
        }
        router.add("POST", items) { request, parameters, context in
            try serve(request, parameters, context, scopes: [LTIScopes.lineItem]) { call, _ in try create(call) }
        }
        router.add("GET", items + "/{item}") { request, parameters, context in
            try serve(request, parameters, context, scopes: read) { call, item in
                guard let found = try call.store.lineItem(item, tool: call.client.clientID, classID: call.classID) else {
                    throw LTIServiceFailure.unknownLineItem
                }
                return typed(.json(found.json(url: call.url(of: item))), LTIGradeRules.lineItemType)
            }
        }
        router.add("PUT", items + "/{item}") { request, parameters, context in
            try serve(request, parameters, context, scopes: [LTIScopes.lineItem]) { call, item in try update(call, item) }
        }
        router.add("DELETE", items + "/{item}") { request, parameters, context in
            try serve(request, parameters, context, scopes: [LTIScopes.lineItem]) { call, item in
                guard try call.store.deleteLineItem(item, tool: call.client.clientID, classID: call.classID) else {
                    throw LTIServiceFailure.unknownLineItem
                }
                context.logger.info("LTI line item deleted", metadata: ["oauth.client_id": "\(call.client.clientID)", "lti.line_item": "\(item)"])
                return HTTPResponse(status: 204)
            }
        }
        router.add("POST", items + "/{item}/scores") { request, parameters, context in
            try serve(request, parameters, context, scopes: [LTIScopes.score]) { call, item in try score(call, item) }
        }
        router.add("GET", items + "/{item}/results") { request, parameters, context in
            try serve(request, parameters, context, scopes: [LTIScopes.resultRead]) { call, item in try results(call, item) }
        }
    }

    /// An authorized call: the tool, the class it is placed in, and the stores.
    struct Call {
        let request: HTTPRequest
        let context: RequestContext
        let client: OAuthClient
        let classID: ClassID
        let schoolID: SchoolID
        let store: any LTIGradeStore
        let lti: any LTIStore

        var base: String { context.services.configuration.appURL }
        var lineItemsURL: String { LTIGradeRules.lineItemsURL(base: base, classID: classID) }
        func url(of item: String) -> String { LTIGradeRules.lineItemURL(base: base, classID: classID, itemID: item) }

        /// The `sub` of a person for this tool.
        func subject(_ user: UserID) throws -> String {
            try context.services.oauth.requireKeys().subjects.subject(for: user, client: client.clientID, type: client.subjectType)
        }

        /// The student of the class whose `sub` for this tool is `userID`; `nil` when none is.
        func student(_ userID: String) throws -> UserID? {
            let keys = try context.services.oauth.requireKeys()
            return try lti.members(of: classID).first {
                $0.role == .student && keys.subjects.subject(for: $0.user, client: client.clientID, type: client.subjectType) == userID
            }?.user
        }
    }

    /// Authenticates the token, takes from the app's rate bucket, finds the class, then runs `handler`; an
    /// ``LTIServiceFailure`` becomes its JSON refusal.
    private static func serve(
        _ request: HTTPRequest, _ parameters: RouteParameters, _ context: RequestContext, scopes: [String],
        _ handler: (Call, String) throws -> HTTPResponse
    ) throws -> HTTPResponse {
        let token: OAuthHTTP.PresentedToken
        do {
            token = try OAuthHTTP.requireBearerToken(request)
        } catch {
            return refusal(
                LTIServiceFailure(status: 401, error: "invalid_token", description: "An access token is required."),
                challenge: ResourceChallenge(.bearer, error: nil))
        }
        guard let authorized = try OAuthHTTP.authorizedBearer(token, request: request, context: context) else {
            return refusal(
                LTIServiceFailure(status: 401, error: "invalid_token", description: "The access token is invalid, expired or revoked."),
                challenge: ResourceChallenge(token.scheme, error: "invalid_token"))
        }
        guard authorized.user == nil, let scope = scopes.first(where: authorized.scopes.contains) else {
            return refusal(
                LTIServiceFailure(
                    status: 403, error: "insufficient_scope", description: "This call needs an app token with the scope \(scopes[0])."),
                challenge: ResourceChallenge(token.scheme, error: "insufficient_scope", scope: scopes[0]))
        }
        let limiter = context.services.api.rateLimiter
        let bucket = try limiter.take(authorized.clientID, store: context.services.api.rateBuckets, now: context.now)
        let limits = limiter.limits(of: authorized.clientID)
        guard bucket.allowed else {
            var response = refusal(
                LTIServiceFailure(
                    status: 429, error: "rate_limited", description: "This app has made too many calls; retry after Retry-After seconds."))
            response.headers.set("Retry-After", String(bucket.retryAfterSeconds))
            return AccessLogWrite.withRateLimitHeaders(response, bucket, limits)
        }
        guard let store = context.services.schoolwork.ltiGrades else { throw HTTPError.notFound() }
        let lti = try LTIRoutes.lti(context)
        guard let classID = parameters["class"].flatMap(ClassID.init),
            let placed = try lti.placedContext(tool: authorized.clientID, classID: classID),
            LTIGradeRules.schoolLends(scope, try context.services.api.appPolicies.policy(school: placed.schoolID, client: authorized.clientID)),
            let client = try context.services.oauth.clients.client(authorized.clientID)
        else {
            return AccessLogWrite.withRateLimitHeaders(
                refusal(
                    LTIServiceFailure(
                        status: 404, error: "not_found", description: "The tool is not placed in this class, or its school does not allow it.")),
                bucket, limits)
        }
        let item = parameters["item"] ?? ""
        if parameters["item"] != nil, !SecretToken.isWellFormed(item, prefix: LTIGradeRules.itemPrefix) {
            return AccessLogWrite.withRateLimitHeaders(refusal(.unknownLineItem), bucket, limits)
        }
        let call = Call(request: request, context: context, client: client, classID: classID, schoolID: placed.schoolID, store: store, lti: lti)
        let response: HTTPResponse
        do {
            response = try handler(call, item)
        } catch let failure as LTIServiceFailure {
            response = refusal(failure)
        }
        return AccessLogWrite.withRateLimitHeaders(response, bucket, limits)
    }

    // MARK: line items

    struct LineItemBody: Decodable {
        let label: String?
        let scoreMaximum: Double?
        let resourceLinkId: String?
        let resourceId: String?
        let tag: String?
        let startDateTime: String?
        let endDateTime: String?
    }

    private static func list(_ call: Call) throws -> HTTPResponse {
        let query = call.request.query
        guard query.repeatedNames.isEmpty else { throw LTIServiceFailure.invalid("A query parameter is repeated.") }
        guard let page = LTIPage.from(limit: query["limit"], page: query["page"]) else {
            throw LTIServiceFailure.invalid("limit and page must be positive integers.")
        }
        let filter = LTILineItemFilter(resourceLinkID: query["resource_link_id"], resourceID: query["resource_id"], tag: query["tag"])
        for value in [filter.resourceLinkID, filter.resourceID, filter.tag] {
            if let value, value.utf8.count > LTILineItemInput.maximumIDLength { throw LTIServiceFailure.invalid("A filter is too long.") }
        }
        var found = try call.store.lineItems(
            tool: call.client.clientID, classID: call.classID, filter: filter, page: LTIPage(offset: page.offset, limit: page.limit + 1))
        let more = found.count > page.limit
        found = Array(found.prefix(page.limit))
        var response = typed(.json(LTIGradeRules.container(found, base: call.base)), LTIGradeRules.lineItemContainerType)
        if more {
            var pairs = query.pairs.filter { $0.name != "page" }.map { FormCodec.encode($0.name) + "=" + FormCodec.encode($0.value) }
            pairs.append("page=\(page.nextPageNumber)")
            response.headers.set("Link", "<\(call.lineItemsURL)?\(pairs.joined(separator: "&"))>; rel=\"next\"")
        }
        return response
    }

    private static func create(_ call: Call) throws -> HTTPResponse {
        let body = try decode(LineItemBody.self, call.request, accepting: LTIGradeRules.lineItemType)
        let input = try validated(body)
        var random = SystemRandomNumberGenerator()
        let itemID = SecretToken.make(prefix: LTIGradeRules.itemPrefix, using: &random)
        let item = try call.store.createLineItem(input, itemID: itemID, tool: call.client.clientID, classID: call.classID, now: call.context.now)
            .get()
        call.context.logger.info(
            "LTI line item created",
            metadata: ["oauth.client_id": "\(call.client.clientID)", "class.id": "\(call.classID)", "lti.line_item": "\(itemID)"])
        var response = typed(.json(item.json(url: call.url(of: itemID)), status: 201), LTIGradeRules.lineItemType)
        response.headers.set("Location", call.url(of: itemID))
        return response
    }

    private static func update(_ call: Call, _ itemID: String) throws -> HTTPResponse {
        let body = try decode(LineItemBody.self, call.request, accepting: LTIGradeRules.lineItemType)
        let input = try validated(body)
        let item = try call.store.updateLineItem(itemID, input, tool: call.client.clientID, classID: call.classID, now: call.context.now).get()
        return typed(.json(item.json(url: call.url(of: itemID))), LTIGradeRules.lineItemType)
    }

    private static func validated(_ body: LineItemBody) throws -> LTILineItemInput {
        try LTILineItemInput.validate(
            label: body.label, scoreMaximum: body.scoreMaximum, resourceLinkID: body.resourceLinkId, resourceID: body.resourceId, tag: body.tag,
            startDateTime: body.startDateTime, endDateTime: body.endDateTime
        ).get()
    }

    // MARK: scores and results

    struct ScoreBody: Decodable {
        let userId: String?
        let scoreGiven: Double?
        let scoreMaximum: Double?
        let comment: String?
        let timestamp: String?
        let activityProgress: String?
        let gradingProgress: String?
    }

    private static func score(_ call: Call, _ itemID: String) throws -> HTTPResponse {
        let body = try decode(ScoreBody.self, call.request, accepting: LTIGradeRules.scoreType)
        let score = try LTIScorePost.validate(
            userID: body.userId, scoreGiven: body.scoreGiven, scoreMaximum: body.scoreMaximum, comment: body.comment, timestamp: body.timestamp,
            activityProgress: body.activityProgress, gradingProgress: body.gradingProgress
        ).get()
        guard try call.store.lineItem(itemID, tool: call.client.clientID, classID: call.classID) != nil else {
            throw LTIServiceFailure.unknownLineItem
        }
        guard let student = try call.student(score.userID) else {
            throw LTIServiceFailure.invalid("userId is not a student of this class.")
        }
        let outcome = try call.store.postScore(
            score, student: student, itemID: itemID, tool: call.client.clientID, classID: call.classID, now: call.context.now)
        switch outcome {
        case .notFound: throw LTIServiceFailure.unknownLineItem
        case .declined(.stale):
            throw LTIServiceFailure(
                status: 409, error: "conflict", description: "A score with a later timestamp is already on record for this user; nothing was changed."
            )
        case .declined(.refused(let reason)): throw LTIServiceFailure.invalid(reason)
        case .declined: throw LTIServiceFailure.invalid("The score was not accepted.")
        case .written(let decision, let school):
            // The kind only: a grade's comment is about the student and stays out of the log.
            let decisionKind =
                switch decision {
                case .grade: "grade"
                case .clear: "clear"
                default: "record_only"
                }
            call.context.logger.info(
                "LTI score posted",
                metadata: [
                    "oauth.client_id": "\(call.client.clientID)", "lti.line_item": "\(itemID)",
                    "lti.grading_progress": "\(score.gradingProgress.rawValue)",
                    "lti.decision": "\(decisionKind)",
                ])
            let entry = DataAccessEntry(
                occurredAt: call.context.now, clientID: call.client.clientID, actorID: nil, subjectID: student, schoolID: school,
                operation: "lti.ags.score", request: String("POST \(call.request.path)".prefix(300)), status: 204, firstOfCall: true)
            // The grade is written before the entry: a 503 asks the tool to retry, and the retry's equal timestamp is
            // accepted (LTIScoreRules), so the score is logged once it succeeds.
            guard AccessLogWrite.append([entry], context: call.context) else { return unavailable() }
            return HTTPResponse(status: 204)
        }
    }

    private static func results(_ call: Call, _ itemID: String) throws -> HTTPResponse {
        let query = call.request.query
        guard query.repeatedNames.isEmpty else { throw LTIServiceFailure.invalid("A query parameter is repeated.") }
        guard let page = LTIPage.from(limit: query["limit"], page: query["page"]) else {
            throw LTIServiceFailure.invalid("limit and page must be positive integers.")
        }
        var student: UserID?
        var nobody = false
        if let userID = query["user_id"] {
            guard userID.utf8.count <= 255 else { throw LTIServiceFailure.invalid("user_id is too long.") }
            student = try call.student(userID)
            // Nobody of the class has this `sub`: an empty container, never everyone's results.
            nobody = student == nil
        }
        guard
            var found = try call.store.results(
                itemID: itemID, tool: call.client.clientID, classID: call.classID, student: student,
                page: LTIPage(offset: page.offset, limit: page.limit + 1))
        else { throw LTIServiceFailure.unknownLineItem }
        if nobody { found = [] }
        let more = found.count > page.limit
        found = Array(found.prefix(page.limit))
        let lineItemURL = call.url(of: itemID)
        let body = JSONValue.array(try found.map { $0.json(lineItemURL: lineItemURL, userID: try call.subject($0.student)) })
        let subjects: [UserID?] = found.isEmpty ? [nil] : found.map(\.student)
        let entries = subjects.enumerated().map { index, subject in
            DataAccessEntry(
                occurredAt: call.context.now, clientID: call.client.clientID, actorID: nil, subjectID: subject, schoolID: call.schoolID,
                operation: "lti.ags.results", request: String("GET \(call.request.path)".prefix(300)), status: 200, firstOfCall: index == 0)
        }
        guard AccessLogWrite.append(entries, context: call.context) else { return unavailable() }
        var response = typed(.json(body), LTIGradeRules.resultContainerType)
        if more {
            var pairs = query.pairs.filter { $0.name != "page" }.map { FormCodec.encode($0.name) + "=" + FormCodec.encode($0.value) }
            pairs.append("page=\(page.nextPageNumber)")
            response.headers.set("Link", "<\(lineItemURL)/results?\(pairs.joined(separator: "&"))>; rel=\"next\"")
        }
        return response
    }

    // MARK: helpers

    /// The body as `T`: its media type must be `mediaType` (or plain `application/json`), its JSON well-formed and of
    /// the right types; otherwise a 415 or 400 naming what is wrong.
    private static func decode<T: Decodable>(_ type: T.Type, _ request: HTTPRequest, accepting mediaType: String) throws -> T {
        let contentType = request.headers["content-type"]?.split(separator: ";").first?.trimmingHTTPWhitespace().lowercased()
        guard contentType == mediaType || contentType == "application/json" else {
            throw LTIServiceFailure(status: 415, error: "invalid_request", description: "Send the body as \(mediaType).")
        }
        guard request.body.count <= maximumBytes else {
            throw LTIServiceFailure(status: 413, error: "invalid_request", description: "The body is larger than \(maximumBytes) bytes.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw LTIServiceFailure.invalid(path.isEmpty ? "The body must be a JSON object." : "\(path) has the wrong type.")
        } catch {
            throw LTIServiceFailure.invalid("The body is not well-formed JSON.")
        }
    }

    private static func typed(_ response: HTTPResponse, _ mediaType: String) -> HTTPResponse {
        var response = response
        response.headers.set("Content-Type", mediaType)
        return response
    }

    private static func unavailable() -> HTTPResponse {
        var response = refusal(
            LTIServiceFailure(
                status: 503, error: "temporarily_unavailable",
                description: "The call could not be recorded in the data-access log; retry later."))
        response.headers.set("Retry-After", "5")
        return response
    }

    private static func refusal(_ failure: LTIServiceFailure, challenge: ResourceChallenge? = nil) -> HTTPResponse {
        var response = OAuthHTTP.json(
            .object([("error", .string(failure.error)), ("error_description", .string(failure.description))]), status: failure.status)
        if let challenge { response.headers.set("WWW-Authenticate", challenge.headerValue) }
        return response
    }
}
