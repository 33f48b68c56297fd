/// The provider metadata served at `/.well-known/openid-configuration` (OIDC Discovery §3) and
/// `/.well-known/oauth-authorization-server` (RFC 8414 §2), as ordered `(key, value)` pairs for the HTTP
/// layer's JSON writer.
///
/// Both documents carry the same members: RFC 8414 §2 allows the OIDC ones as additional metadata, and one
/// list means the two can never disagree. `issuer` is used exactly as configured (RFC 8414 §3.3: clients
/// compare it byte for byte); endpoints are `issuer` + path with a trailing slash of the issuer removed.
public enum DiscoveryDocument {
    /// A metadata value.
    public enum Value: Sendable, Equatable {
        case string(String)
        case strings([String])
        case bool(Bool)
    }

    /// Endpoint paths relative to the issuer (DESIGN §5).
    public enum Path {
        public static let authorization = "/authsso"
        public static let token = "/api/oauth/token"
        public static let userinfo = "/api/oauth/userinfo"
        public static let jwks = "/api/oauth/jwks"
        public static let revocation = "/api/oauth/revoke"
        public static let introspection = "/api/oauth/introspect"
        /// RP-Initiated Logout 1.0 §2: an HTML endpoint, so outside `/api/` (whose errors are JSON).
        public static let endSession = "/logout/oidc"
        /// RFC 9126 §2.
        public static let pushedAuthorization = "/api/oauth/par"
    }

    /// The claims an ID token or userinfo response can contain.
    public static let claimsSupported =
        ["iss", "aud", "exp", "iat", "auth_time", "amr", "nonce", "azp", "sid"] + UserInfoClaims.supported

    /// The metadata for `issuer` (an `https` URL without query or fragment, e.g. `https://app.example`).
    public static func metadata(issuer: String, registry: ScopeRegistry = .standard) -> [(key: String, value: Value)] {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let methods = ClientAuthenticationMethods.standard
        return [
            ("issuer", .string(issuer)),
            ("authorization_endpoint", .string(base + Path.authorization)),
            ("token_endpoint", .string(base + Path.token)),
            ("userinfo_endpoint", .string(base + Path.userinfo)),
            ("jwks_uri", .string(base + Path.jwks)),
            ("revocation_endpoint", .string(base + Path.revocation)),
            ("introspection_endpoint", .string(base + Path.introspection)),
            ("end_session_endpoint", .string(base + Path.endSession)),
            ("scopes_supported", .strings(registry.scopesSupported)),
            ("response_types_supported", .strings(["code"])),
            ("response_modes_supported", .strings(["query"])),
            ("grant_types_supported", .strings(["authorization_code", "refresh_token", "client_credentials"])),
            ("code_challenge_methods_supported", .strings(["S256"])),
            // RFC 9449 §5.1: DPoP proofs are accepted at the token endpoint and by every resource.
            ("dpop_signing_alg_values_supported", .strings(DPoPProof.algorithms)),
            ("token_endpoint_auth_methods_supported", .strings(methods.names())),
            // OIDC Discovery §3 / RFC 8414 §2: the algorithms of private_key_jwt assertions.
            ("token_endpoint_auth_signing_alg_values_supported", .strings(ClientKeySet.algorithms)),
            // RFC 9126 §5: PAR is offered to every client and required only of those registered so.
            ("pushed_authorization_request_endpoint", .string(base + Path.pushedAuthorization)),
            ("require_pushed_authorization_requests", .bool(false)),
            // RFC 7009 §2.1: public clients revoke their own tokens by client_id alone.
            ("revocation_endpoint_auth_methods_supported", .strings(methods.names())),
            // RFC 7662 §2.1: introspection needs an authenticated (confidential) client.
            ("introspection_endpoint_auth_methods_supported", .strings(methods.names(provingIdentity: true))),
            (
                "id_token_signing_alg_values_supported",
                .strings([SigningKeyRecord.Algorithm.rs256.rawValue, SigningKeyRecord.Algorithm.es256.rawValue])
            ),
            // OIDC Core §8: third-party apps get pairwise subjects, first-party clients public ones (SubjectType).
            ("subject_types_supported", .strings(SubjectType.allCases.map(\.rawValue))),
            ("claims_supported", .strings(claimsSupported)),
            ("prompt_values_supported", .strings(AuthorizationRequest.Prompt.allCases.map(\.rawValue))),
            ("authorization_response_iss_parameter_supported", .bool(true)),
            // OIDC Discovery §3 defaults request_uri_parameter_supported to true: say explicitly we have none.
            ("request_parameter_supported", .bool(false)),
            ("request_uri_parameter_supported", .bool(false)),
            ("claims_parameter_supported", .bool(false)),
            // Back-Channel Logout 1.0 §2.1: logout tokens are sent, and carry `sid` (as ID tokens do).
            ("backchannel_logout_supported", .bool(true)),
            ("backchannel_logout_session_supported", .bool(true)),
        ]
    }
}
