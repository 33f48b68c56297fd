import Domain

/// `GET /api/oauth/app-info?client_id=` (DESIGN §5): the public card of an app, for consent UIs.
///
/// - The card holds only what the consent page shows anyway: name, description, logo, links, developer,
///   the verified and first-party flags. Redirect URIs, allowed scopes, the client type and anything about
///   secrets stay out: they are not needed to present an app, and a card that is minimal cannot leak.
/// - `client_id` missing, repeated or malformed (see ``isPlausible(_:)``) is `invalid_request` (400). An
///   unknown client and one that is not active (suspended or disabled) get the same 404 `invalid_client`,
///   so the answer does not tell them apart.
/// - Same-origin only: DESIGN §9 opens CORS on the token, userinfo, JWKS and discovery endpoints alone. A card
///   may be cached for a minute.
enum AppInfoRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/api/oauth/app-info") { request, _, context in
            try appInfo(request, context: context)
        }
    }

    private static func appInfo(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        let values = request.query.all("client_id")
        guard values.count <= 1 else { return OAuthHTTP.error(.invalidRequest("The client_id parameter is repeated.")) }
        guard let raw = values.first, !raw.isEmpty else { return OAuthHTTP.error(.invalidRequest("The client_id parameter is required.")) }
        guard isPlausible(raw) else { return OAuthHTTP.error(.invalidRequest("The client_id parameter is not valid.")) }
        guard let client = try context.services.oauth.clients.client(ClientID(raw)), client.status == .active else {
            var response = OAuthHTTP.error(.invalidClient("There is no active app with this client_id."))
            response.status = 404
            return response
        }
        var response = HTTPResponse.json(card(client))
        response.headers.set("Cache-Control", "public, max-age=60")
        return response
    }

    /// The card; absent links are `null`, so every card has the same members. Link names follow RFC 7591 §2.
    static func card(_ client: OAuthClient) -> JSONValue {
        .object([
            ("client_id", .string(client.clientID.rawValue)),
            ("name", .string(client.name)),
            ("description", .string(client.description)),
            ("logo_uri", .optional(client.logoURL)),
            ("client_uri", .optional(client.homepageURL)),
            ("policy_uri", .optional(client.privacyURL)),
            ("tos_uri", .optional(client.termsURL)),
            ("developer", .string(client.developerName)),
            ("verified", .bool(client.verified)),
            ("first_party", .bool(client.firstParty)),
        ])
    }

    /// A `client_id` worth a lookup: 1–255 printable ASCII characters (RFC 6749 Appendix A.1, VSCHAR).
    private static func isPlausible(_ id: String) -> Bool {
        id.utf8.count <= ClientAuthentication.maximumLength && id.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }
}
