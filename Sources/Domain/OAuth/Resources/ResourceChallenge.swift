/// The `WWW-Authenticate` value a protected resource answers a refused token with: RFC 6750 §3 for bearer tokens,
/// RFC 9449 §7.1 for DPoP-bound ones. The scheme follows how the token was presented, which for an accepted token is
/// how it is bound (``BearerRule`` refuses a bound token sent as a bearer token), so `insufficient_scope` and
/// `invalid_token` about a DPoP-bound token are `DPoP` challenges with the accepted `algs`.
///
/// Attribute values are quoted strings; the description drops `"` and `\` (RFC 6750 §3: `error_description`
/// excludes both) rather than escape them, since not every client unescapes.
public struct ResourceChallenge: Sendable, Equatable {
    /// The authentication scheme of the challenge.
    public enum Scheme: String, Sendable {
        case bearer = "Bearer"
        case dpop = "DPoP"
    }

    /// The realm every resource of the provider names.
    public static let realm = "catalystwells"

    /// The scheme.
    public let scheme: Scheme
    /// The error code (`invalid_token`, `insufficient_scope`, `invalid_dpop_proof`, `use_dpop_nonce`, …); `nil`
    /// when the request carried no token at all (RFC 6750 §3.1).
    public let error: String?
    /// The `error_description`, ours and safe to send.
    public let description: String?
    /// For `insufficient_scope`: the scope (space-separated scopes) the resource needs.
    public let scope: String?

    /// A challenge.
    public init(_ scheme: Scheme, error: String? = nil, description: String? = nil, scope: String? = nil) {
        self.scheme = scheme
        self.error = error
        self.description = description
        self.scope = scope
    }

    /// The header value. With no error it names both schemes (RFC 9449 §7.1: a resource that accepts either offers
    /// both challenges), `Bearer` first.
    public var headerValue: String {
        guard let error else {
            return "Bearer realm=\"\(Self.realm)\", DPoP algs=\"\(DPoPProof.algorithms.joined(separator: " "))\""
        }
        var value = "\(scheme.rawValue) realm=\"\(Self.realm)\""
        if scheme == .dpop { value += ", algs=\"\(DPoPProof.algorithms.joined(separator: " "))\"" }
        value += ", error=\"\(Self.quotable(error))\""
        if let description { value += ", error_description=\"\(Self.quotable(description))\"" }
        if let scope { value += ", scope=\"\(Self.quotable(scope))\"" }
        return value
    }

    /// `text` with `"` turned into `'` and `\` dropped, so it fits a quoted string unescaped.
    private static func quotable(_ text: String) -> String {
        String(text.compactMap { $0 == "\\" ? nil : ($0 == "\"" ? "'" : $0) })
    }
}
