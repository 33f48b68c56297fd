import Foundation

/// Whether a server accepts a TCP connection: tells an LDAPS server whose TLS handshake failed from one that could not
/// be reached, which libldap reports alike.
enum TCPProbe {
    /// Whether `host:port` of an `ldaps://host[:port]` URI accepts a connection within `timeout` seconds.
    static func accepts(uri: String, defaultPort: Int, timeout: Int) -> Bool {
        guard let schemeEnd = uri.range(of: "://") else { return false }
        let authority = uri[schemeEnd.upperBound...]
        var host = String(authority)
        var port = defaultPort
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            if rest.hasPrefix(":"), let number = Int(rest.dropFirst()) { port = number }
        } else if let colon = authority.lastIndex(of: ":"), let number = Int(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon])
            port = number
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else { return false }
        defer { freeaddrinfo(first) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            if connects(address.pointee, timeout: timeout) { return true }
            candidate = address.pointee.ai_next
        }
        return false
    }

    /// A non-blocking connect, waited for with poll.
    private static func connects(_ address: addrinfo, timeout: Int) -> Bool {
        let descriptor = socket(address.ai_family, address.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if connect(descriptor, address.ai_addr, address.ai_addrlen) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&waiting, 1, Int32(timeout * 1000)) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0
    }
}
