/// Which web addresses the developers site accepts for an app's homepage, privacy policy and terms (and, with
/// the extra rules of ``ApplicationForm``, redirect URIs): absolute `https` URLs a browser opens unambiguously.
///
/// - `https://` only, with a host (RFC 9110 §4.2.2); `http` pages could be rewritten on the way to the user.
/// - No user information (RFC 3986 §3.2.1 deprecates it; `https://trusted.example@evil.example/` deceives).
/// - No fragment: it identifies part of a page, and a redirect URI must not have one (RFC 6749 §3.1.2).
/// - No wildcard `*`: every address is exact.
/// - Only characters RFC 3986 §2 allows unencoded, so what is stored is what every parser reads (no spaces,
///   backslashes, quotes or raw non-ASCII: percent-encode them, and write international domains in punycode).
/// - At most ``maximumLength`` bytes.
public enum HTTPSURLRule {
    /// Longest address accepted.
    public static let maximumLength = 2000

    /// The problem, for the form, or `nil` when `url` is acceptable.
    public static func problem(with url: String) -> Message? {
        if url.utf8.count > maximumLength { return .atMostCharacters(maximumLength) }
        if url.utf8.contains(where: { !isURICharacter($0) }) {
            return .urlCharacters
        }
        guard url.hasPrefix("https://") else { return Message("url.error.https", "Enter a full address starting with https://.") }
        if url.contains("#") { return .urlFragment }
        if url.contains("*") { return .urlWildcard }
        let authority = url.dropFirst("https://".count).prefix { $0 != "/" && $0 != "?" }
        if authority.contains("@") { return Message("url.error.userinfo", "Remove the user name or password from the address.") }
        guard isValidAuthority(authority) else { return Message("url.error.host", "Enter a valid host name after https://.") }
        return nil
    }

    /// RFC 3986 §2.2–2.3: unreserved, reserved and `%`.
    static func isURICharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "-._~:/?#[]@!$&'()*+,;=%".utf8.contains(byte)
    }

    /// A DNS name of letter-digit-hyphen labels or a bracketed IPv6 literal (or dotted IPv4, which is a valid
    /// name shape), optionally followed by `:port` with a port of 1…65535.
    private static func isValidAuthority(_ authority: Substring) -> Bool {
        var host = authority
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return false }
            let literal = authority[authority.index(after: authority.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            host = authority[...close]
            let rest = authority[authority.index(after: close)...]
            return rest.isEmpty || isValidPortSuffix(rest)
        }
        if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            guard isValidPortSuffix(authority[colon...]) else { return false }
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// `:` followed by 1–5 digits naming a port of 1…65535.
    private static func isValidPortSuffix(_ suffix: Substring) -> Bool {
        guard suffix.first == ":" else { return false }
        let digits = suffix.dropFirst()
        guard (1...5).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(digits) else {
            return false
        }
        return (1...65535).contains(port)
    }
}

extension Message {
    /// A web address with characters RFC 3986 does not allow unencoded.
    static let urlCharacters = Message(
        "url.error.characters", "Use only the characters a web address allows: percent-encode spaces and other characters.")
    /// A web address with a `#fragment`.
    static let urlFragment = Message("url.error.fragment", "Remove the #fragment from the address.")
    /// A web address with a wildcard.
    static let urlWildcard = Message("url.error.wildcard", "Wildcards are not allowed: enter an exact address.")
}
