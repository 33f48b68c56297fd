import Domain
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The system resolver (`getaddrinfo`, so `/etc/hosts` and `nsswitch.conf` apply as for every other program).
///
/// Its time is bounded by `resolv.conf`'s `timeout` and `attempts`, not by the post's time limit: glibc's
/// synchronous resolver cannot be cancelled.
enum HostResolver {
    /// Every distinct address of `host` (a name or an IP literal without brackets), in resolver order; throws
    /// ``OutboundHTTPSError`` `.resolutionFailed` when there is none.
    static func addresses(of host: String) throws(OutboundHTTPSError) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw OutboundHTTPSError(.resolutionFailed, "cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = Self.address(entry.pointee), !found.contains(address) { found.append(address) }
            cursor = entry.pointee.ai_next
        }
        guard !found.isEmpty else { throw OutboundHTTPSError(.resolutionFailed, "cannot resolve \(host): no address") }
        return found
    }

    private static func address(_ entry: addrinfo) -> IPAddress? {
        guard let socketAddress = entry.ai_addr else { return nil }
        switch entry.ai_family {
        case AF_INET:
            return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { IPAddress(bytes: Array($0)) }
            }
        case AF_INET6:
            return socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { IPAddress(bytes: Array($0)) }
            }
        default:
            return nil
        }
    }
}
