/// The redirect that answers an authorization request (RFC 6749 §4.1.2, §4.1.2.1), with the issuer
/// identifier of RFC 9207 so the client can tell which server answered (mix-up defence, RFC 9700 §4.4).
///
/// Parameters are appended to the redirect URI's own query, which is kept (RFC 6749 §3.1.2), and are
/// percent-encoded: everything but RFC 3986 unreserved characters becomes `%XX`, which every
/// `application/x-www-form-urlencoded` and URI query decoder reads back unchanged.
public enum AuthorizationResponse {
    /// `redirect_uri?code=…&state=…&iss=…`; `state` only when the request carried one.
    public static func successURL(redirectURI: String, code: String, state: String?, issuer: String) -> String {
        var parameters = [("code", code)]
        if let state { parameters.append(("state", state)) }
        parameters.append(("iss", issuer))
        return appending(parameters, to: redirectURI)
    }

    /// `redirect_uri?error=…&error_description=…&state=…&iss=…`.
    public static func errorURL(redirectURI: String, error: OAuthError, state: String?, issuer: String) -> String {
        var parameters = [("error", error.code.rawValue), ("error_description", error.description)]
        if let state { parameters.append(("state", state)) }
        parameters.append(("iss", issuer))
        return appending(parameters, to: redirectURI)
    }

    /// The redirect for a refused request, or `nil` when it must be shown as a page instead.
    public static func url(for failure: AuthorizationFailure, issuer: String) -> String? {
        guard case .redirect(let error, let redirectURI, let state) = failure else { return nil }
        return errorURL(redirectURI: redirectURI, error: error, state: state, issuer: issuer)
    }

    /// Appends encoded parameters to a URI's query, keeping an existing query (and, defensively, placing them
    /// before a fragment, although registered URIs have none).
    static func appending(_ parameters: [(String, String)], to uri: String) -> String {
        let encoded = parameters.map { percentEncoded($0.0) + "=" + percentEncoded($0.1) }.joined(separator: "&")
        var base = Substring(uri)
        var fragment: Substring = ""
        if let hash = base.firstIndex(of: "#") {
            fragment = base[hash...]
            base = base[..<hash]
        }
        let separator: String
        if !base.contains("?") {
            separator = "?"
        } else if base.hasSuffix("?") || base.hasSuffix("&") {
            separator = ""
        } else {
            separator = "&"
        }
        return base + separator + encoded + fragment
    }

    /// RFC 3986 §2.1 percent-encoding of everything except the unreserved set (§2.3).
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if PKCE.isUnreserved(byte) {
                bytes.append(byte)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
