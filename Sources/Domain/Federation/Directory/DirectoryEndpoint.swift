import Foundation

/// One server of a school's directory, and how its connection is protected. The rule (issue 15, item 1): the
/// password a person types crosses the network only inside TLS, so
/// - `ldaps://host[:port]` is TLS from the first byte (LDAPS, 636 by default);
/// - `ldap://host[:port]` must upgrade with StartTLS (RFC 4511 §4.14) before anything else is sent;
/// - no TLS at all only where no network is crossed, and only when the school's settings say so explicitly
///   ("allow plain"): `ldapi://` (a local socket) or `ldap://` to a loopback address (127.0.0.0/8, `[::1]`,
///   `localhost`).
/// A certificate is always verified (against the school's CA file, or the system's trust store).
public struct DirectoryEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: String, Sendable, Hashable {
        /// `ldaps://`: TLS from the start.
        case ldaps
        /// `ldap://` upgraded with StartTLS.
        case startTLS
        /// No TLS: `ldapi://`, or `ldap://` to loopback, with "allow plain" set.
        case plain
    }

    /// The URI as libldap takes it: scheme, host and port only.
    public let uri: String
    public let security: Security

    public var description: String { uri }

    /// Why a URI was refused; `problem` says what to write instead (`directory.problem.uri_*`).
    public struct Refusal: Error, Sendable, Equatable {
        public let problem: Message
        init(_ problem: Message) { self.problem = problem }
        /// The problem in English.
        public var message: String { problem.english }
    }

    /// The endpoint for `text` (`ldaps://dc1.school.example`, `ldap://dc1.school.example:389`, `ldapi:///`), or why not.
    public static func parse(_ text: String, allowPlain: Bool) -> Result<DirectoryEndpoint, Refusal> {
        let text = text.trimmingCharacters(in: .whitespaces)
        let lower = text.lowercased()
        let shown = String(text.prefix(60))
        guard text.utf8.count <= 300, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(Refusal(Message("directory.problem.uri_not_ldap", "\(shown) is not an LDAP URI", ["uri": shown])))
        }
        if lower.hasPrefix("ldapi://") {
            guard allowPlain else {
                return .failure(
                    Refusal(
                        Message(
                            "directory.problem.uri_ldapi_plain", "ldapi:// carries passwords without TLS: tick \"allow plain\" to use a local socket")
                    ))
            }
            let path = String(text.dropFirst("ldapi://".count))
            // The socket path is percent-encoded in the host part; only the plain form ldapi:/// or ldapi://%2F… is taken.
            guard path == "/" || (path.hasPrefix("%2F") && !path.contains("?") && path.hasSuffix("/")) || path.isEmpty else {
                return .failure(Refusal(Message("directory.problem.uri_ldapi_form", "write ldapi:/// or ldapi://%2Fpath%2Fto%2Fsocket/")))
            }
            return .success(DirectoryEndpoint(uri: text, security: .plain))
        }
        let secure = lower.hasPrefix("ldaps://")
        guard secure || lower.hasPrefix("ldap://") else {
            return .failure(Refusal(Message("directory.problem.uri_scheme", "\(shown) must start with ldaps:// or ldap://", ["uri": shown])))
        }
        var rest = Substring(text.dropFirst(secure ? 8 : 7))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let authority = HostPort(rest) else {
            return .failure(
                Refusal(
                    Message(
                        "directory.problem.uri_host", "\(shown): give a host and an optional port, nothing else (no base DN in the URI)",
                        ["uri": shown])))
        }
        let uri = (secure ? "ldaps://" : "ldap://") + authority.description
        if secure { return .success(DirectoryEndpoint(uri: uri, security: .ldaps)) }
        if allowPlain && authority.isLoopback { return .success(DirectoryEndpoint(uri: uri, security: .plain)) }
        return .success(DirectoryEndpoint(uri: uri, security: .startTLS))
    }

    /// A host (name, IPv4 or bracketed IPv6) and an optional port.
    struct HostPort: CustomStringConvertible {
        let host: String
        let port: Int?

        init?(_ text: Substring) {
            var hostPart = text
            var port: Int?
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]") else { return nil }
                hostPart = text[...close]
                let after = text[text.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return nil }
                    port = number
                }
                let inner = hostPart.dropFirst().dropLast()
                guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
            } else {
                if let colon = text.lastIndex(of: ":") {
                    guard let number = Int(text[text.index(after: colon)...]) else { return nil }
                    hostPart = text[..<colon]
                    port = number
                }
                guard (1...253).contains(hostPart.utf8.count),
                    hostPart.utf8.allSatisfy({
                        (0x61...0x7A).contains($0 | 0x20) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                    })
                else { return nil }
            }
            if let port, !(1...65535).contains(port) { return nil }
            host = String(hostPart).lowercased()
            self.port = port
        }

        var description: String { port.map { "\(host):\($0)" } ?? host }

        /// 127.0.0.0/8, `[::1]` or `localhost`: the connection never leaves the machine.
        var isLoopback: Bool {
            if host == "localhost" || host == "[::1]" || host == "[0:0:0:0:0:0:0:1]" { return true }
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { part in UInt8(part).map { _ in true } ?? false }
        }
    }
}
