/// How an app's server proves itself and starts sign-ins, as the developer sets it on the app form (issue 20 items 1
/// and 3): client secrets (the default) or `private_key_jwt` with a pasted JWK Set or a `jwks_uri` (RFC 7523, OIDC
/// Core §9), whether /authsso accepts its requests only through PAR (RFC 9126 §6), and whether a confidential app's
/// tokens must be DPoP-bound (RFC 9449 §5.2 `dpop_bound_access_tokens`; a public app's are by default). Part of the
/// reviewed content: the keys decide who can act as the app, so a change is reviewed and attested like a redirect URI.
public struct ApplicationClientAuthentication: Sendable, Equatable {
    /// `private_key_jwt` keys; `nil`: client secrets (or nothing, for a public client).
    public var privateKeyJWT: ClientKeyRegistration?
    /// `require_pushed_authorization_requests`.
    public var requiresPushedAuthorizationRequests: Bool
    /// `dpop_bound_access_tokens`: every token request must carry a DPoP proof (``OAuthClient/requiresDPoP``).
    public var requiresDPoPBoundTokens: Bool

    /// A setting.
    public init(
        privateKeyJWT: ClientKeyRegistration? = nil, requiresPushedAuthorizationRequests: Bool = false, requiresDPoPBoundTokens: Bool = false
    ) {
        self.privateKeyJWT = privateKeyJWT
        self.requiresPushedAuthorizationRequests = requiresPushedAuthorizationRequests
        self.requiresDPoPBoundTokens = requiresDPoPBoundTokens
    }

    /// Secrets, no PAR or DPoP requirement: what every app had before.
    public static let standard = ApplicationClientAuthentication()

    /// The form's choice of `token_endpoint_auth_method`.
    public static let secretMethod = "client_secret"

    /// The setting the form's fields describe, or the problems keyed by field (`token_endpoint_auth_method`, `jwks`,
    /// `jwks_uri`): `method` is `client_secret` (or empty) or `private_key_jwt`; keys only for a confidential app.
    /// `requireDPoP` is kept for a confidential app only: a public app's tokens are DPoP-bound anyway.
    public static func validate(
        method: String, jwks: String, jwksURI: String, requirePAR: Bool, requireDPoP: Bool = false, clientType: OAuthClient.Kind?
    ) -> Result<ApplicationClientAuthentication, SchoolworkForms.FieldErrors> {
        let requireDPoP = requireDPoP && clientType != .public
        switch method {
        case "", secretMethod:
            return .success(ApplicationClientAuthentication(requiresPushedAuthorizationRequests: requirePAR, requiresDPoPBoundTokens: requireDPoP))
        case ClientKeyRegistration.methodName:
            guard clientType != .public else {
                return .failure([
                    "token_endpoint_auth_method": Message(
                        "app.error.public_key_jwt", "A public app has no credential: choose confidential to use private_key_jwt.")
                ])
            }
            switch ClientKeyRegistration.validate(jwks: jwks, jwksURI: jwksURI) {
            case .success(let keys):
                return .success(
                    ApplicationClientAuthentication(
                        privateKeyJWT: keys, requiresPushedAuthorizationRequests: requirePAR, requiresDPoPBoundTokens: requireDPoP))
            case .failure(let invalid):
                let field = jwks.trimmingWhitespace().isEmpty && !jwksURI.trimmingWhitespace().isEmpty ? "jwks_uri" : "jwks"
                // Keyed (app.error.jwks.*); the JOSE names in them (RFC 7517) stay as written.
                return .failure([field: invalid.problem])
            }
        default:
            return .failure(["token_endpoint_auth_method": Message("app.error.auth_method", "Choose client secrets or private_key_jwt.")])
        }
    }

    /// The stored column: `nil` for ``standard``, else form-encoded `method`, `jwks` or `jwks_uri`, `require_par` and
    /// `require_dpop` (each `1` when set; absent otherwise, so a column written before a flag existed reads the same).
    public var column: String? {
        guard self != .standard else { return nil }
        var pairs: [(String, String)] = []
        switch privateKeyJWT?.source {
        case .document(let document): pairs += [("method", ClientKeyRegistration.methodName), ("jwks", document)]
        case .uri(let uri): pairs += [("method", ClientKeyRegistration.methodName), ("jwks_uri", uri)]
        case nil: pairs.append(("method", Self.secretMethod))
        }
        if requiresPushedAuthorizationRequests { pairs.append(("require_par", "1")) }
        if requiresDPoPBoundTokens { pairs.append(("require_dpop", "1")) }
        return pairs.map { FormCodec.encode($0.0) + "=" + FormCodec.encode($0.1) }.joined(separator: "&")
    }

    /// A stored column read back; `nil` (unreadable) when it is not one ``column`` wrote.
    public init?(column: String?) {
        guard let column else {
            self = .standard
            return
        }
        guard let pairs = try? FormCodec.parsePairs(Substring(column), what: "client authentication") else { return nil }
        let values = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        var keys: ClientKeyRegistration?
        switch values["method"] {
        case ClientKeyRegistration.methodName:
            if let document = values["jwks"] {
                keys = ClientKeyRegistration(source: .document(document))
            } else if let uri = values["jwks_uri"] {
                keys = ClientKeyRegistration(source: .uri(uri))
            } else {
                return nil
            }
        case Self.secretMethod: keys = nil
        default: return nil
        }
        self.init(
            privateKeyJWT: keys, requiresPushedAuthorizationRequests: values["require_par"] == "1",
            requiresDPoPBoundTokens: values["require_dpop"] == "1")
    }
}
