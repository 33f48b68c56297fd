import Crypto
import Foundation

/// What a client authentication method reads: the form fields and the `Authorization` header value.
public struct ClientAuthenticationRequest: Sendable {
    /// The form body.
    public let form: OAuthParameters
    /// The `Authorization` header, when sent (and non-empty).
    public let authorization: String?

    /// A request.
    public init(form: OAuthParameters, authorization: String?) {
        self.form = form
        self.authorization = authorization?.isEmpty == true ? nil : authorization
    }
}

/// What the provider holds about a client to verify its credential against. A method that needs more (a
/// client's registered keys, a replay cache for assertions) adds it here, loaded by the one place that
/// authenticates clients.
public struct ClientEvidence {
    /// Keyed digests of the client's secrets valid now (``ClientSecret``).
    public let secretDigests: [[UInt8]]
    /// The key of those digests.
    public let secretKey: SymmetricKey
    /// What a `private_key_jwt` assertion is checked against (``PrivateKeyJWT``); `nil` for other methods.
    public let assertion: ClientAssertionContext?

    /// Evidence.
    public init(secretDigests: [[UInt8]], secretKey: SymmetricKey, assertion: ClientAssertionContext? = nil) {
        self.secretDigests = secretDigests
        self.secretKey = secretKey
        self.assertion = assertion
    }
}

/// One way for a client to prove who it is at the token, revocation and introspection endpoints (RFC 6749
/// §2.3; OIDC Core §9). The endpoints never name a method: they ask ``ClientAuthenticationMethods`` to identify
/// the client and then to verify it, so a method such as `private_key_jwt` (RFC 7523) joins by being added to
/// ``ClientAuthenticationMethods/standard`` (and, if it needs it, to ``ClientEvidence``).
public protocol ClientAuthenticationMethod: Sendable {
    /// The method's name in discovery.
    var name: ClientAuthentication.Method { get }
    /// Whether a successful verification proves the client's identity (`none` proves nothing, so endpoints that
    /// need a proven client, like introspection, do not list it).
    var provesIdentity: Bool { get }
    /// Whether the request carries this method's credential; `none` answers `false` (it is what is left).
    func isPresent(in request: ClientAuthenticationRequest) -> Bool
    /// Reads the claimed client and credential; a malformed credential is `invalid_client` (or `invalid_request`
    /// when the request contradicts itself).
    func identify(_ request: ClientAuthenticationRequest) -> Result<ClientAuthentication, OAuthError>
    /// Whether the credential identified by this method proves `client` (known and active, checked before).
    func verify(_ presented: ClientAuthentication, client: OAuthClient, evidence: ClientEvidence) -> Bool
}

/// The client authentication methods the provider accepts, in the order they are tried.
public struct ClientAuthenticationMethods: Sendable {
    /// The methods.
    public let methods: [any ClientAuthenticationMethod]

    /// A set of methods; the last one without a credential of its own (`none`) is the fallback.
    public init(_ methods: [any ClientAuthenticationMethod]) { self.methods = methods }

    /// `client_secret_basic`, `client_secret_post`, `private_key_jwt` and `none`.
    public static let standard = ClientAuthenticationMethods([ClientSecretBasic(), ClientSecretPost(), PrivateKeyJWT(), PublicClient()])

    /// Names for discovery: every method, or only those that prove identity.
    public func names(provingIdentity: Bool = false) -> [String] {
        methods.filter { !provingIdentity || $0.provesIdentity }.map(\.name.rawValue)
    }

    /// The method with this name.
    public func method(named name: ClientAuthentication.Method) -> (any ClientAuthenticationMethod)? {
        methods.first { $0.name == name }
    }

    /// Which method the request uses, and what it claims. `client_id` and `client_secret` may not be repeated;
    /// more than one method in a request is `invalid_request` (RFC 6749 §2.3: "MUST NOT use more than one
    /// authentication method in each request"); none at all falls to the method without a credential.
    public func identify(_ request: ClientAuthenticationRequest) -> Result<ClientAuthentication, OAuthError> {
        for name in ["client_id", "client_secret", "client_assertion"] where request.form.repeatedNames.contains(name) {
            return .failure(.invalidRequest("The \(name) parameter is repeated."))
        }
        let present = methods.filter { $0.isPresent(in: request) }
        if present.count > 1 {
            return .failure(
                .invalidRequest("Use one client authentication method, not several (\(present.map(\.name.rawValue).joined(separator: ", "))).")
            )
        }
        guard let method = present.first ?? methods.last(where: { !$0.provesIdentity }) else {
            return .failure(.invalidClient("Client authentication is required."))
        }
        return method.identify(request)
    }
}

/// `client_secret_basic` (RFC 6749 §2.3.1): `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`.
/// A `client_id` field beside it is tolerated when it names the same client, as many libraries send it.
public struct ClientSecretBasic: ClientAuthenticationMethod {
    public init() {}
    public var name: ClientAuthentication.Method { .clientSecretBasic }
    public var provesIdentity: Bool { true }
    public func isPresent(in request: ClientAuthenticationRequest) -> Bool { request.authorization != nil }

    public func identify(_ request: ClientAuthenticationRequest) -> Result<ClientAuthentication, OAuthError> {
        guard let header = request.authorization, let (id, secret) = ClientAuthentication.basicCredentials(header) else {
            return .failure(.invalidClient("The Authorization header is not valid client_secret_basic credentials."))
        }
        if let formID = request.form["client_id"], formID != id {
            return .failure(.invalidRequest("The client_id field does not match the Authorization header."))
        }
        return .success(ClientAuthentication(clientID: ClientID(id), method: name, secret: secret))
    }

    public func verify(_ presented: ClientAuthentication, client: OAuthClient, evidence: ClientEvidence) -> Bool {
        ClientSecret.verifies(presented, client: client, evidence: evidence)
    }
}

/// `client_secret_post` (RFC 6749 §2.3.1): `client_id` and `client_secret` form fields.
public struct ClientSecretPost: ClientAuthenticationMethod {
    public init() {}
    public var name: ClientAuthentication.Method { .clientSecretPost }
    public var provesIdentity: Bool { true }
    public func isPresent(in request: ClientAuthenticationRequest) -> Bool { request.form["client_secret"] != nil }

    public func identify(_ request: ClientAuthenticationRequest) -> Result<ClientAuthentication, OAuthError> {
        guard let id = request.form["client_id"], ClientAuthentication.isAcceptable(id) else {
            return .failure(.invalidClient("Client authentication is required."))
        }
        guard let secret = request.form["client_secret"], secret.utf8.count <= ClientAuthentication.maximumLength else {
            return .failure(.invalidClient("Client authentication failed."))
        }
        return .success(ClientAuthentication(clientID: ClientID(id), method: name, secret: secret))
    }

    public func verify(_ presented: ClientAuthentication, client: OAuthClient, evidence: ClientEvidence) -> Bool {
        ClientSecret.verifies(presented, client: client, evidence: evidence)
    }
}

/// `none` (RFC 6749 §2.1, OAuth 2.1 §2.4): a public client names itself with `client_id` and proves nothing.
public struct PublicClient: ClientAuthenticationMethod {
    public init() {}
    public var name: ClientAuthentication.Method { .none }
    public var provesIdentity: Bool { false }
    public func isPresent(in request: ClientAuthenticationRequest) -> Bool { false }

    public func identify(_ request: ClientAuthenticationRequest) -> Result<ClientAuthentication, OAuthError> {
        guard let id = request.form["client_id"], ClientAuthentication.isAcceptable(id) else {
            return .failure(.invalidClient("Client authentication is required."))
        }
        return .success(ClientAuthentication(clientID: ClientID(id), method: name, secret: nil))
    }

    /// Only a public client may present nothing: a confidential one must prove itself.
    public func verify(_ presented: ClientAuthentication, client: OAuthClient, evidence: ClientEvidence) -> Bool {
        client.kind == .public && presented.secret == nil
    }
}

extension ClientSecret {
    /// A confidential client presenting one of its active secrets.
    static func verifies(_ presented: ClientAuthentication, client: OAuthClient, evidence: ClientEvidence) -> Bool {
        // A client registered for private_key_jwt proves itself only with its keys.
        guard client.kind == .confidential, client.privateKeyJWT == nil, let secret = presented.secret else { return false }
        return matches(secret: secret, digests: evidence.secretDigests, key: evidence.secretKey)
    }
}
