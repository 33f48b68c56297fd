import Domain
import Foundation

/// The demo OAuth clients and signing keys of `demo load`: a confidential client and a public (PKCE)
/// one, both redirecting to a local test client, and one current signing key per algorithm.
enum DemoClients {
    /// The redirect URI of both clients: a loopback listener of the end-to-end tests.
    static let redirectURI = "http://127.0.0.1:8765/callback"
    /// The confidential client.
    static let confidentialID = ClientID("demo-confidential")
    /// The public client.
    static let publicID = ClientID("demo-public")
    /// The confidential client's secret, fixed so `.run/demo.json` stays valid across runs and rebuilt stacks.
    /// It is published in the repository, which is acceptable only because `demo load` refuses production;
    /// like every secret it is stored as its keyed digest.
    static let confidentialSecret = "cw_cs_demo-confidential-secret-not-for-production"

    /// The clients as registered. The SPA is deliberately neither verified nor first-party, so the consent page
    /// can be seen both with and without the verified badge.
    static var clients: [OAuthClient] {
        let scopes = Set(ScopeRegistry.standard.scopesSupported)
        return [
            OAuthClient(
                clientID: confidentialID, name: "CatalystWells Demo App",
                description: "A server-side demo app that signs in with CatalystWells.", homepageURL: "https://catalystwells.example/demo",
                privacyURL: "https://catalystwells.example/demo/privacy", termsURL: "https://catalystwells.example/demo/terms",
                developerName: "CatalystWells", verified: true, firstParty: true, kind: .confidential, redirectURIs: [redirectURI],
                allowedScopes: scopes),
            OAuthClient(
                clientID: publicID, name: "CatalystWells Demo SPA",
                description: "A browser demo app (public client, PKCE).", homepageURL: "https://catalystwells.example/demo-spa",
                developerName: "CatalystWells Demo Developer", verified: false, firstParty: false, kind: .public,
                redirectURIs: [redirectURI], allowedScopes: scopes),
        ]
    }

    /// Registers the clients that are missing, makes sure the confidential one accepts
    /// ``confidentialSecret`` (a replaced key file makes its stored digest useless), and adds a signing key of
    /// each algorithm that has none. Running it again changes nothing; returns whether anything changed.
    static func seed(services: SiteServices, keys: OAuthKeyMaterial, now: Date) throws -> Bool {
        var changed = false
        for client in clients where try services.oauth.clients.client(client.clientID) == nil {
            try services.oauth.clients.createClient(client, now: now)
            changed = true
        }
        let digests = try services.oauth.clients.activeSecretDigests(of: confidentialID, now: now)
        if !ClientSecret.matches(secret: confidentialSecret, digests: digests, key: keys.clientSecretKey) {
            try services.oauth.clients.addSecret(
                digest: ClientSecret.digest(secret: confidentialSecret, key: keys.clientSecretKey), to: confidentialID, now: now)
            changed = true
        }
        for algorithm in [SigningKeyRecord.Algorithm.rs256, .es256] where try services.oauth.signingKeys.currentKey(algorithm) == nil {
            _ = try KeysCommand.addKey(algorithm, services: services)
            changed = true
        }
        return changed
    }

    /// The `oauth_clients` member of `.run/demo.json`.
    static func document(appURL: String) -> JSONValue {
        let base = appURL.hasSuffix("/") ? String(appURL.dropLast()) : appURL
        return .object([
            ("issuer", .string(appURL)),
            ("discovery_url", .string(base + "/.well-known/openid-configuration")),
            ("redirect_uri", .string(redirectURI)),
            ("scopes", .array(ScopeRegistry.standard.scopesSupported.map(JSONValue.string))),
            (
                "confidential",
                .object([
                    ("client_id", .string(confidentialID.rawValue)), ("client_secret", .string(confidentialSecret)),
                    ("redirect_uri", .string(redirectURI)), ("token_endpoint_auth_method", "client_secret_basic"),
                ])
            ),
            (
                "public",
                .object([
                    ("client_id", .string(publicID.rawValue)), ("redirect_uri", .string(redirectURI)),
                    ("token_endpoint_auth_method", "none"),
                ])
            ),
        ])
    }
}
