import Crypto
import Foundation

/// How a client identified itself at the token, revocation or introspection endpoint, read from the request
/// alone. The caller then loads the client and its secret digests and calls
/// ``authenticate(client:secretDigests:key:)``.
///
/// Rules (RFC 6749 §2.3.1, §3.2.1; OIDC Core §9 method names):
/// - `client_secret_basic`: `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`; both halves
///   are form-urlencoded before base64 (RFC 6749 §2.3.1, Appendix B), so they are decoded after splitting.
/// - `client_secret_post`: `client_id` and `client_secret` form fields.
/// - `none`: a public client sends only `client_id`.
/// - A request using two methods (a Basic header and a `client_secret` field) is `invalid_request`
///   (RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request"). A `client_id` field
///   next to a Basic header is tolerated when it names the same client, as many libraries send it.
/// - No identification at all, a malformed Basic header or another scheme is `invalid_client`.
public struct ClientAuthentication: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// A client authentication method's name, as in discovery's `token_endpoint_auth_methods_supported`. An
    /// open set: a method is a ``ClientAuthenticationMethod`` in ``ClientAuthenticationMethods``.
    public struct Method: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// RFC 6749 §2.3.1, HTTP Basic.
        public static let clientSecretBasic = Method(rawValue: "client_secret_basic")
        /// RFC 6749 §2.3.1, form fields.
        public static let clientSecretPost = Method(rawValue: "client_secret_post")
        /// A public client: `client_id` only.
        public static let none = Method(rawValue: "none")
    }

    /// Longest `client_id` or secret accepted.
    public static let maximumLength = 255

    /// The client the request claims to be.
    public let clientID: ClientID
    /// How it authenticated.
    public let method: Method
    /// The credential presented (a client secret; an assertion for methods that use one); `nil` for
    /// ``Method/none``. Never printed.
    public let secret: String?

    /// An identification; normally made by ``parse(form:authorization:)``.
    public init(clientID: ClientID, method: Method, secret: String?) {
        self.clientID = clientID
        self.method = method
        self.secret = secret
    }

    public var description: String { "ClientAuthentication(\(clientID), \(method.rawValue), secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["clientID": clientID, "method": method, "secret": "<redacted>"])
    }

    /// Reads the client identification from the form body and the `Authorization` header value, with the
    /// methods the provider supports (see ``ClientAuthenticationMethods``).
    public static func parse(
        form: OAuthParameters, authorization: String?, methods: ClientAuthenticationMethods = .standard
    ) -> Result<ClientAuthentication, OAuthError> {
        methods.identify(ClientAuthenticationRequest(form: form, authorization: authorization))
    }

    /// Checks the identification against the stored client: it must exist and be active, and the method that
    /// identified it must accept the evidence (a confidential client one of its active secrets by Basic or post;
    /// a public client none; RFC 6749 §2.1, §3.2.1). Every failure is `invalid_client` with the same
    /// description, so the answer does not tell which part was wrong.
    ///
    /// - Parameters:
    ///   - client: the stored client for ``clientID``, `nil` when unknown.
    ///   - secretDigests: ``ClientStore/activeSecretDigests(of:now:)`` of the client (empty for public ones).
    ///   - key: the HMAC key of ``ClientSecret``.
    ///   - assertion: for `private_key_jwt`, the client's keys, the accepted audiences and the time.
    public func authenticate(
        client: OAuthClient?, secretDigests: [[UInt8]], key: SymmetricKey, assertion: ClientAssertionContext? = nil,
        methods: ClientAuthenticationMethods = .standard
    ) -> Result<OAuthClient, OAuthError> {
        let failed = OAuthError.invalidClient("Client authentication failed.", logDetail: "client_id \(clientID) via \(method.rawValue)")
        guard let client, client.clientID == clientID, client.status == .active, let verifier = methods.method(named: method),
            verifier.verify(self, client: client, evidence: ClientEvidence(secretDigests: secretDigests, secretKey: key, assertion: assertion))
        else { return .failure(failed) }
        return .success(client)
    }

    /// `Basic <token68>` → (client_id, secret), both form-urldecoded; `nil` when malformed.
    static func basicCredentials(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        let token = parts[1].trimmingHTTPWhitespace()
        guard token.utf8.count <= 4 * maximumLength, let data = Data(base64Encoded: String(token)),
            let decoded = String(validating: data, as: UTF8.self), let colon = decoded.firstIndex(of: ":"),
            let id = try? FormCodec.percentDecode(decoded[..<colon].utf8, plusAsSpace: true, what: "client_id"),
            let secret = try? FormCodec.percentDecode(decoded[decoded.index(after: colon)...].utf8, plusAsSpace: true, what: "client_secret"),
            isAcceptable(id), secret.utf8.count <= maximumLength
        else { return nil }
        return (id, secret)
    }

    /// A `client_id` worth looking up: 1–255 bytes of VSCHAR (RFC 6749 Appendix A.1).
    static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maximumLength && id.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }
}
