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
    /// A client authentication method, named as in discovery's `token_endpoint_auth_methods_supported`.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        case none
    }

    /// Longest `client_id` or secret accepted.
    public static let maximumLength = 255

    /// The client the request claims to be.
    public let clientID: ClientID
    /// How it authenticated.
    public let method: Method
    /// The secret presented; `nil` for ``Method/none``. Never printed.
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

    /// Reads the client identification from the form body and the `Authorization` header value.
    public static func parse(form: OAuthParameters, authorization: String?) -> Result<ClientAuthentication, OAuthError> {
        for name in ["client_id", "client_secret"] where form.repeatedNames.contains(name) {
            return .failure(.invalidRequest("The \(name) parameter is repeated."))
        }
        let formID = form["client_id"]
        let formSecret = form["client_secret"]
        if let authorization, !authorization.isEmpty {
            guard formSecret == nil else {
                return .failure(.invalidRequest("Use one client authentication method, not both Basic and client_secret."))
            }
            guard let (id, secret) = basicCredentials(authorization) else {
                return .failure(.invalidClient("The Authorization header is not valid client_secret_basic credentials."))
            }
            if let formID, formID != id {
                return .failure(.invalidRequest("The client_id field does not match the Authorization header."))
            }
            return .success(ClientAuthentication(clientID: ClientID(id), method: .clientSecretBasic, secret: secret))
        }
        guard let formID, isAcceptable(formID) else {
            return .failure(.invalidClient("Client authentication is required."))
        }
        if let formSecret {
            guard formSecret.utf8.count <= maximumLength else { return .failure(.invalidClient("Client authentication failed.")) }
            return .success(ClientAuthentication(clientID: ClientID(formID), method: .clientSecretPost, secret: formSecret))
        }
        return .success(ClientAuthentication(clientID: ClientID(formID), method: .none, secret: nil))
    }

    /// Checks the identification against the stored client: it must exist and be active; a confidential client
    /// must present one of its active secrets by Basic or post; a public client must present none
    /// (RFC 6749 §2.1, §3.2.1). Every failure is `invalid_client` with the same description, so the answer does
    /// not tell which part was wrong.
    ///
    /// - Parameters:
    ///   - client: the stored client for ``clientID``, `nil` when unknown.
    ///   - secretDigests: ``ClientStore/activeSecretDigests(of:now:)`` of the client (empty for public ones).
    ///   - key: the HMAC key of ``ClientSecret``.
    public func authenticate(client: OAuthClient?, secretDigests: [[UInt8]], key: SymmetricKey) -> Result<OAuthClient, OAuthError> {
        let failed = OAuthError.invalidClient("Client authentication failed.", logDetail: "client_id \(clientID) via \(method.rawValue)")
        guard let client, client.clientID == clientID, client.status == .active else { return .failure(failed) }
        switch (client.kind, secret) {
        case (.public, nil):
            return .success(client)
        case (.confidential, let secret?) where ClientSecret.matches(secret: secret, digests: secretDigests, key: key):
            return .success(client)
        default:
            return .failure(failed)
        }
    }

    /// `Basic <token68>` → (client_id, secret), both form-urldecoded; `nil` when malformed.
    private static func basicCredentials(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard token.utf8.count <= 4 * maximumLength, let data = Data(base64Encoded: token),
            let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":"),
            let id = formDecoded(decoded[..<colon]), let secret = formDecoded(decoded[decoded.index(after: colon)...]),
            isAcceptable(id), secret.utf8.count <= maximumLength
        else { return nil }
        return (id, secret)
    }

    /// `application/x-www-form-urlencoded` decoding (`+` is a space, `%XX` a byte); `nil` when malformed.
    static func formDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A `client_id` worth looking up: 1–255 bytes of VSCHAR (RFC 6749 Appendix A.1).
    private static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maximumLength && id.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }
}
