import Domain
import Foundation

/// `GET /.well-known/openid-configuration` (OIDC Discovery §4), `GET /.well-known/oauth-authorization-server`
/// (RFC 8414 §3) and `GET /api/oauth/jwks` (RFC 7517 §5; OIDC Core §10.1.1).
///
/// - Both metadata documents are the same ``DiscoveryDocument`` list, with `issuer` exactly the configured
///   app URL, so they can never disagree with each other or with the `iss` of tokens and authorization
///   responses.
/// - All three are public and read by browser apps and libraries from any origin: `Access-Control-Allow-Origin: *`.
/// - Discovery changes only with a deployment, so it may be cached for an hour. The key set changes when an
///   operator rotates keys; a new key signs at once, so caches are kept short (5 minutes), and a client
///   meeting an unknown `kid` refetches anyway (OIDC Core §10.1.1).
enum DiscoveryRoutes {
    static func register(in router: inout Router<RequestContext>) {
        for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
            router.add("GET", path, headers: OAuthHTTP.anyOrigin) { _, _, context in
                var response = HTTPResponse.json(metadata(issuer: context.services.configuration.appURL))
                response.headers.set("Cache-Control", "public, max-age=3600")
                return response
            }
        }

        router.add("GET", DiscoveryDocument.Path.jwks, headers: OAuthHTTP.anyOrigin) { _, _, context in
            let services = context.services
            let since = JWKS.publishedSince(now: context.now, lifetimes: services.configuration.tokenLifetimes)
            let keys = try services.oauth.signingKeys.publishedKeys(publishedSince: since)
            var response = HTTPResponse(status: 200, body: Array(JWKS.document(keys: keys).utf8))
            response.headers.set("Content-Type", "application/json")
            response.headers.set("Cache-Control", "public, max-age=300")
            return response
        }
    }

    /// The discovery document as JSON, members in ``DiscoveryDocument``'s order.
    static func metadata(issuer: String) -> JSONValue {
        .object(
            DiscoveryDocument.metadata(issuer: issuer).map { member in
                let value: JSONValue =
                    switch member.value {
                    case .string(let text): .string(text)
                    case .strings(let list): .array(list.map(JSONValue.string))
                    case .bool(let flag): .bool(flag)
                    }
                return (member.key, value)
            })
    }
}
