import Domain
import Foundation

/// `POST /api/oauth/introspect`: token introspection (RFC 7662).
///
/// What it enforces, in order:
/// 1. A form body with exactly one non-empty `token` (§2.1; missing or repeated is `invalid_request`, 400).
/// 2. An authenticated confidential client (§2.1: "MUST require some form of authorization"; discovery's
///    `introspection_endpoint_auth_methods_supported` lists only the secret methods). A public client, which
///    proves nothing, is 401 `invalid_client`, as is any failed authentication.
/// 3. `token_type_hint` is ignored (§2.1 allows that); the prefix and the stored row decide.
/// 4. `{"active": false}` and nothing else (§2.2) for a token that ``BearerRule`` refuses (malformed, unknown,
///    expired, revoked, rotated, its app suspended, its user deactivated, the app blocked by the user's school)
///    or that was issued to another client: a resource server may only learn about its own tokens, so
///    "another client's" is indistinguishable from "unknown".
///
/// An active token answers `active`, `scope` (as it stands now: narrowed to the app's and the school's current
/// limits), `client_id`, `token_type` (`Bearer` for access tokens,
/// `refresh_token` for refresh tokens; `DPoP` for a DPoP-bound access token, which also answers `cnf.jkt`, RFC 9449
/// §6.2), `exp`, `iat`, `sub` (users' tokens only; the same value as the ID
/// token's) and `iss`. Always `no-store`.
enum IntrospectRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", DiscoveryDocument.Path.introspection) { request, _, context in
            try introspect(request, context: context)
        }
    }

    private static func introspect(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        let (token, client) = try OAuthHTTP.tokenAndClient(request, endpoint: "introspection", context: context)
        guard client.kind == .confidential else {
            context.logger.info("introspection: refused a public client", metadata: ["oauth.client_id": "\(client.clientID)"])
            throw OAuthRefusal(
                .invalidClient("Introspection requires an authenticated confidential client."), usedBasic: OAuthHTTP.usesBasic(request))
        }
        let inactive = OAuthHTTP.json(.object([("active", .bool(false))]))
        let now = context.now
        guard SecretToken.isWellFormed(token, prefix: TokenPrefix.accessToken) || SecretToken.isWellFormed(token, prefix: TokenPrefix.refreshToken),
            let authorized = BearerRule.authorize(
                try context.services.oauth.bearers.bearer(digest: SecretToken.digest(token)), now: now, accepting: [.access, .refresh]),
            authorized.clientID == client.clientID
        else { return inactive }
        let stored = authorized.token
        var members: [(String, JSONValue)] = [
            ("active", .bool(true)),
            ("scope", .string(ScopeRegistry.parameter(authorized.scopes))),
            ("client_id", .string(stored.clientID.rawValue)),
            ("token_type", .string(stored.kind == .refresh ? "refresh_token" : stored.confirmation == nil ? "Bearer" : "DPoP")),
            ("exp", .int(numericDate(stored.expiresAt))),
            ("iat", .int(numericDate(stored.issuedAt))),
        ]
        if let user = stored.userID {
            // The introspecting client is the token's own, so `sub` is the one its ID tokens carry.
            let subject = try context.services.oauth.requireKeys().subjects.subject(for: user, client: stored.clientID, type: stored.subjectType)
            members.append(("sub", .string(subject)))
        }
        // RFC 9449 §6.2: the key a DPoP-bound token is bound to.
        if let jkt = stored.confirmation { members.append(("cnf", .object([("jkt", .string(jkt))]))) }
        members.append(("iss", .string(context.services.configuration.appURL)))
        return OAuthHTTP.json(.object(members))
    }

    /// Whole seconds since the epoch, rounded down (RFC 7519 §2 NumericDate, as RFC 7662 §2.2 asks).
    private static func numericDate(_ date: Date) -> Int { Int(date.timeIntervalSince1970.rounded(.down)) }
}
