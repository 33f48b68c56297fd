import Foundation

/// What our sign-in needs from an upstream provider's discovery document (OpenID Connect Discovery 1.0 §3),
/// checked as §4.3 requires: the `issuer` in the document must be exactly the one configured, so a document
/// served for another issuer cannot redirect our sign-ins.
public struct OpenIDProviderMetadata: Sendable, Equatable {
    public let issuer: String
    public let authorizationEndpoint: String
    public let tokenEndpoint: String
    public let jwksURI: String
    /// Whether the token endpoint wants the client secret in the form (`client_secret_post`): only when the
    /// document lists that method and not `client_secret_basic`, the default (OIDC Discovery §3).
    public let clientSecretInForm: Bool

    /// Why a discovery document was refused (for the admin's "test this provider" and the log):
    /// `signin_settings.problem.discovery.*`.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let problem: Message
        init(_ problem: Message) { self.problem = problem }
        /// The reason in English (the log).
        public var reason: String { problem.english }
        public var description: String { reason }
    }

    public init(issuer: String, authorizationEndpoint: String, tokenEndpoint: String, jwksURI: String, clientSecretInForm: Bool = false) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.clientSecretInForm = clientSecretInForm
    }

    /// What Discovery §4 appends to an issuer.
    public static let wellKnownSuffix = "/.well-known/openid-configuration"

    /// The discovery URL of an issuer (Discovery §4: ``wellKnownSuffix`` appended to the issuer).
    public static func discoveryURL(issuer: String) -> String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + wellKnownSuffix
    }

    /// Reads a discovery document for `expectedIssuer`. Endpoints must be absolute `https` URLs (plain `http`
    /// only to a loopback host when `allowLoopbackHTTP`, for a provider on the same machine in tests and the demo);
    /// the provider must offer the code flow, RS256 or ES256 ID tokens, and PKCE S256 when it lists its methods.
    public static func parse(_ bytes: [UInt8], expectedIssuer: String, allowLoopbackHTTP: Bool = false) -> Result<Self, Refusal> {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            return .failure(
                Refusal(Message("signin_settings.problem.discovery.json", "the discovery document is not JSON (\(error))", ["detail": "\(error)"])))
        }
        guard let issuer = document[member: "issuer"]?.stringValue else {
            return .failure(Refusal(Message("signin_settings.problem.discovery.no_issuer", "no issuer")))
        }
        guard issuer == expectedIssuer else {
            return .failure(
                Refusal(
                    Message(
                        "signin_settings.problem.discovery.issuer", "the document is for issuer \(issuer.prefix(200)), not \(expectedIssuer)",
                        ["issuer": String(issuer.prefix(200)), "expected": expectedIssuer])))
        }
        var endpoints: [String] = []
        for name in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
            guard let url = document[member: name]?.stringValue, isAcceptable(url, allowLoopbackHTTP: allowLoopbackHTTP) else {
                return .failure(
                    Refusal(Message("signin_settings.problem.discovery.endpoint", "\(name) is missing or not an https URL", ["name": name])))
            }
            endpoints.append(url)
        }
        if let types = document[member: "response_types_supported"]?.arrayValue, !types.contains(.string("code")) {
            return .failure(
                Refusal(Message("signin_settings.problem.discovery.code_flow", "the provider does not offer the authorization code flow")))
        }
        if let algorithms = document[member: "id_token_signing_alg_values_supported"]?.arrayValue?.compactMap(\.stringValue),
            UpstreamIDTokenRules.allowedAlgorithms.isDisjoint(with: algorithms)
        {
            return .failure(
                Refusal(Message("signin_settings.problem.discovery.algorithms", "the provider signs ID tokens with none of RS256, ES256")))
        }
        if let methods = document[member: "code_challenge_methods_supported"]?.arrayValue, !methods.contains(.string("S256")) {
            return .failure(Refusal(Message("signin_settings.problem.discovery.pkce", "the provider does not support PKCE S256")))
        }
        let authMethods = document[member: "token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !authMethods.isEmpty, !authMethods.contains("client_secret_basic"), !authMethods.contains("client_secret_post") {
            return .failure(
                Refusal(
                    Message(
                        "signin_settings.problem.discovery.client_auth",
                        "the token endpoint accepts neither client_secret_basic nor client_secret_post"
                    )))
        }
        return .success(
            Self(
                issuer: issuer, authorizationEndpoint: endpoints[0], tokenEndpoint: endpoints[1], jwksURI: endpoints[2],
                clientSecretInForm: !authMethods.isEmpty && !authMethods.contains("client_secret_basic")))
    }

    /// An absolute URL without user info or fragment: `https`, or `http` to a loopback host when allowed.
    public static func isAcceptable(_ text: String, allowLoopbackHTTP: Bool) -> Bool {
        guard text.utf8.count <= 2048, let url = URLComponents(string: text), let host = url.host, !host.isEmpty,
            url.user == nil, url.password == nil, url.fragment == nil
        else { return false }
        switch url.scheme?.lowercased() {
        case "https": return true
        case "http": return allowLoopbackHTTP && ["127.0.0.1", "localhost", "[::1]", "::1"].contains(host.lowercased())
        default: return false
        }
    }
}
