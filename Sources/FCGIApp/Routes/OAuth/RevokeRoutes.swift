import Domain

/// `POST /api/oauth/revoke`: token revocation (RFC 7009).
///
/// What it enforces, in order:
/// 1. A form body (`invalid_request` otherwise) with exactly one non-empty `token` (§2.1; missing or
///    repeated is `invalid_request`, 400). These checks need no lookup, so they come first.
/// 2. Client authentication (§2.1): a confidential client by `client_secret_basic` or `client_secret_post`,
///    a public client by its `client_id` alone (discovery's `revocation_endpoint_auth_methods_supported`).
///    Failure is 401 `invalid_client` (with `WWW-Authenticate: Basic` after a Basic header).
/// 3. `token_type_hint` is ignored (§2.1 allows that): the token's prefix and the stored row say what it is,
///    so a wrong hint cannot change the outcome and no `unsupported_token_type` is ever needed.
/// 4. The token is revoked only if it belongs to the authenticated client; a refresh token revokes its whole
///    grant (§2.1, RFC 9700 §4.14). Unknown, malformed, expired, already revoked or another client's tokens
///    change nothing, and the answer is the same 200 `{}` (§2.2), so the endpoint cannot be used to probe.
enum RevokeRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", DiscoveryDocument.Path.revocation) { request, _, context in
            try revoke(request, context: context)
        }
    }

    private static func revoke(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        let (token, client) = try OAuthHTTP.tokenAndClient(request, endpoint: "revocation", context: context)
        if SecretToken.isWellFormed(token, prefix: TokenPrefix.accessToken) || SecretToken.isWellFormed(token, prefix: TokenPrefix.refreshToken) {
            try context.services.oauth.tokens.revokeToken(digest: SecretToken.digest(token), client: client.clientID, now: context.now)
        }
        context.logger.debug("revocation request answered", metadata: ["oauth.client_id": "\(client.clientID)"])
        return OAuthHTTP.json(.object([]))
    }
}
