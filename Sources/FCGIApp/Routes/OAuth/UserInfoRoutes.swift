import Domain

/// `GET` and `POST /api/oauth/userinfo` (OIDC Core §5.3), a bearer-protected resource (RFC 6750).
///
/// What it enforces, in order:
/// 1. An access token in the `Authorization: Bearer` header, the `Authorization: DPoP` header with a `DPoP`
///    proof for this request (RFC 9449 §7; `invalid_dpop_proof` with the `DPoP` challenge otherwise; carrying the server
///    nonce unless `oauth.dpop_resource_nonce` is off, §9: `use_dpop_nonce` and `DPoP-Nonce` otherwise) or, on POST,
///    the `access_token` form field
///    (RFC 6750 §2.1, §2.2). None at all: 401 with a bare `WWW-Authenticate: Bearer realm=…` (§3.1); sent
///    twice: 400 `invalid_request`.
/// 2. The token has the shape of a CatalystWells access token (checked before any lookup), passes
///    ``BearerRule`` (known, an access token, live, its app active, its user active, the app not blocked by
///    the user's school) and belongs to a user (client_credentials tokens have nobody to describe). Otherwise
///    401 `invalid_token`, one description for every case.
/// 3. The token's scopes as they stand now (narrowed to the app's and the school's current limits) include
///    `openid` (OIDC Core §5.3: userinfo is an OpenID Connect resource): otherwise 403 `insufficient_scope`
///    with `scope="openid"` in the challenge (RFC 6750 §3).
///
/// Claims are those ``UserInfoClaims`` releases for the token's current scopes, `sub` always. Every answer is
/// `no-store` and readable from any origin (`Access-Control-Allow-Origin: *`; `WWW-Authenticate` and `DPoP-Nonce` exposed so
/// browser apps can read the error), with a CORS preflight for the `Authorization` header.
enum UserInfoRoutes {
    static func register(in router: inout Router<RequestContext>) {
        for method in ["GET", "POST"] {
            // Browser apps read the error of a refused token, so the challenge header is exposed.
            router.add(
                method, DiscoveryDocument.Path.userinfo,
                headers: OAuthHTTP.anyOrigin + [("Access-Control-Expose-Headers", "WWW-Authenticate, DPoP-Nonce")]
            ) {
                request, _, context in try userInfo(request, context: context)
            }
        }
        router.add("OPTIONS", DiscoveryDocument.Path.userinfo, headers: OAuthHTTP.anyOrigin) { _, _, _ in
            var response = HTTPResponse(status: 204)
            response.headers.set("Access-Control-Allow-Methods", "GET, POST")
            response.headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type, DPoP")
            response.headers.set("Access-Control-Max-Age", "86400")
            return response
        }
    }

    private static func userInfo(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        let token = try OAuthHTTP.requireBearerToken(request)
        guard let authorized = try OAuthHTTP.authorizedBearer(token, request: request, context: context), let user = authorized.user else {
            throw OAuthRefusal(OAuthHTTP.invalidToken, challenge: token.challenge())
        }
        guard authorized.scopes.contains("openid") else {
            throw OAuthRefusal(
                OAuthError(.insufficientScope, "The access token was not granted the openid scope."), challenge: token.challenge(scope: "openid"))
        }
        let subject = try context.services.oauth.requireKeys().subjects.subject(
            for: user.id, client: authorized.clientID, type: authorized.token.subjectType)
        let claims = UserInfoClaims.claims(for: user, subject: subject, scopes: authorized.scopes)
        // The app read the person's profile: on the person's data-access log before the claims leave, as every API
        // read is (issue 23); no answer leaves unlogged.
        let entry = DataAccessEntry(
            occurredAt: context.now, clientID: authorized.clientID, actorID: user.id, subjectID: user.id, schoolID: user.schoolID,
            operation: "userinfo", request: "\(request.method) \(request.path)", status: 200, firstOfCall: true)
        guard AccessLogWrite.append([entry], context: context) else { throw HTTPError.unavailable() }
        return OAuthHTTP.json(.object(claims.map { ($0.name, .string($0.value)) }))
    }
}
