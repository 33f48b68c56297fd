/// How a `redirect_uri` is matched against a client's registered ones, and which URIs may be registered.
///
/// - Exact string comparison (RFC 9700 §4.1.3, §2.1): no normalisation of case, trailing slashes, default
///   ports or query order; a URI that differs in any byte is a different URI.
/// - The one exception is a loopback redirect of a native app (RFC 8252 §7.3): for a registered
///   `http://127.0.0.1…` or `http://[::1]…` URI the request may use any port, since the app picks a free port
///   at run time; scheme, host, path and query must still match exactly. `localhost` gets no such exception
///   (RFC 8252 §8.3: it may resolve to something else).
/// - `http` only for those loopback addresses (RFC 9700 §2.6); no fragments (RFC 6749 §3.1.2).
public enum RedirectURIRule {
    /// Longest `redirect_uri` accepted.
    public static let maximumLength = 2000

    /// The registered URI that `requested` selects, returned as the URI to redirect to (the requested one,
    /// which differs from the registered one only in a loopback port); `nil` when none matches.
    public static func match(requested: String, registered: [String]) -> String? {
        guard requested.utf8.count <= maximumLength, isAllowedScheme(requested), !requested.contains("#") else {
            return nil
        }
        if registered.contains(requested) { return requested }
        guard let request = LoopbackURI(requested) else { return nil }
        for candidate in registered {
            if let registeredLoopback = LoopbackURI(candidate), registeredLoopback.host == request.host,
                registeredLoopback.rest == request.rest
            {
                return requested
            }
        }
        return nil
    }

    /// Whether a URI may be registered for a client: an absolute `https` URI, an `http` URI on a loopback IP
    /// literal (RFC 8252 §7.3), or a private-use scheme in reverse-domain form such as `com.example.app:/cb`
    /// (RFC 8252 §7.1); never with a fragment or credentials, never longer than ``maximumLength``.
    public static func isRegistrable(_ uri: String) -> Bool {
        guard uri.utf8.count <= maximumLength, !uri.contains("#"),
            uri.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return false }
        if uri.hasPrefix("https://") {
            let authority = uri.dropFirst("https://".count).prefix { $0 != "/" && $0 != "?" }
            return !authority.isEmpty && !authority.contains("@")
        }
        if uri.hasPrefix("http://") { return LoopbackURI(uri) != nil }
        guard let colon = uri.firstIndex(of: ":") else { return false }
        let scheme = uri[..<colon]
        return scheme.contains(".") && scheme.first!.isLetter
            && scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }

    private static func isAllowedScheme(_ uri: String) -> Bool {
        !uri.hasPrefix("http://") || LoopbackURI(uri) != nil
    }
}

/// An `http` URI on a loopback IP literal, split so that the port can be ignored.
private struct LoopbackURI {
    /// `127.0.0.1` or `[::1]`.
    let host: Substring
    /// Path and query after the port, compared exactly.
    let rest: Substring

    init?(_ uri: String) {
        guard uri.hasPrefix("http://") else { return nil }
        let afterScheme = uri.dropFirst("http://".count)
        let host: Substring
        if afterScheme.hasPrefix("127.0.0.1") {
            host = afterScheme.prefix("127.0.0.1".count)
        } else if afterScheme.hasPrefix("[::1]") {
            host = afterScheme.prefix("[::1]".count)
        } else {
            return nil
        }
        var rest = afterScheme[host.endIndex...]
        if rest.first == ":" {
            let digits = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            guard (1...5).contains(digits.count), let port = Int(digits), (1...65535).contains(port) else { return nil }
            rest = rest[digits.endIndex...]
        }
        guard rest.isEmpty || rest.first == "/" || rest.first == "?" else { return nil }
        self.host = host
        self.rest = rest
    }
}
