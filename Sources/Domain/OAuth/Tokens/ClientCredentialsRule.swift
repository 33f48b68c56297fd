/// The `client_credentials` grant (RFC 6749 §4.4): confidential clients only, app-level scopes only
/// (DESIGN §6: no user, so nothing that belongs to a person).
public enum ClientCredentialsRule {
    /// The scopes to issue, after the client authenticated.
    ///
    /// - A public client is `unauthorized_client` (RFC 6749 §4.4: confidential clients only).
    /// - Requested scopes must be app-level and allowed for the client, else `invalid_scope`.
    /// - Without `scope`, every app-level scope the client is allowed, in registry order (RFC 6749 §3.3
    ///   default); none at all is `invalid_scope`.
    public static func scopes(
        requested: [String]?, client: OAuthClient, registry: ScopeRegistry = .standard
    ) -> Result<[String], OAuthError> {
        guard client.kind == .confidential else {
            return .failure(OAuthError(.unauthorizedClient, "Only confidential clients may use client_credentials."))
        }
        guard let requested else {
            let defaults = registry.definitions.filter { $0.isAppLevel && client.allowedScopes.contains($0.name) }.map(\.name)
            return defaults.isEmpty ? .failure(.invalidScope("This app has no scope usable without a user.")) : .success(defaults)
        }
        for name in requested {
            guard registry.definition(named: name)?.isAppLevel == true else {
                return .failure(.invalidScope("The scope \(name) needs a user and cannot be used with client_credentials."))
            }
            guard client.allowedScopes.contains(name) else {
                return .failure(.invalidScope("This app may not request the scope \(name)."))
            }
        }
        return .success(requested)
    }
}
