import Foundation

/// A client registered for `private_key_jwt` (OIDC Core §9, OIDC Dynamic Client Registration §2 `jwks`/`jwks_uri`):
/// where its public keys are. Exactly one of the two: a JWK Set document kept with the client, or an https URL the
/// provider fetches it from (through the SSRF-guarded client, cached; ``ClientKeyCache``).
public struct ClientKeyRegistration: Sendable, Equatable {
    /// Where the keys are.
    public enum Source: Sendable, Equatable {
        /// A registered JWK Set document.
        case document(String)
        /// The client's `jwks_uri`.
        case uri(String)
    }

    /// The keys' place.
    public let source: Source

    /// A registration; normally made by ``validate(jwks:jwksURI:)``.
    public init(source: Source) { self.source = source }

    /// The `token_endpoint_auth_method` of such a client.
    public static let methodName = "private_key_jwt"
    /// Longest `jwks_uri` accepted.
    public static let maximumURILength = 2000

    /// The registration a form or command gives, or the reason in words: exactly one of a JWK Set with at least one
    /// usable public signing key (``ClientKeySet``), or an https `jwks_uri` without fragment, user or password.
    public static func validate(jwks: String?, jwksURI: String?) -> Result<ClientKeyRegistration, ClientKeySet.Invalid> {
        let document = jwks?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let uri = jwksURI?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        switch (document, uri) {
        case (nil, nil):
            return .failure(ClientKeySet.Invalid(Message("app.error.jwks.missing", "private_key_jwt needs a JWK Set or a jwks_uri.")))
        case (.some, .some):
            return .failure(ClientKeySet.Invalid(Message("app.error.jwks.both", "Give a JWK Set or a jwks_uri, not both.")))
        case (.some(let document), nil):
            do {
                _ = try ClientKeySet(document: document)
            } catch {
                return .failure(error)
            }
            return .success(ClientKeyRegistration(source: .document(document)))
        case (nil, .some(let uri)):
            guard isFetchable(uri) else {
                return .failure(
                    ClientKeySet.Invalid(
                        Message(
                            "app.error.jwks.uri",
                            "The jwks_uri must be an https URL of at most \(maximumURILength) characters, without user, password or fragment.",
                            ["max": "\(maximumURILength)"])))
            }
            return .success(ClientKeyRegistration(source: .uri(uri)))
        }
    }

    /// An https URL with a host, no userinfo and no fragment.
    static func isFetchable(_ uri: String) -> Bool {
        guard uri.utf8.count <= maximumURILength, uri.utf8.allSatisfy({ (0x21...0x7E).contains($0) }),
            let parts = URLComponents(string: uri), parts.scheme?.lowercased() == "https", let host = parts.host, !host.isEmpty,
            parts.user == nil, parts.password == nil, parts.fragment == nil
        else { return false }
        return true
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
