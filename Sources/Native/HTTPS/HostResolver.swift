import Domain
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The system resolver (`getaddrinfo`, so `/etc/hosts` and `nsswitch.conf` apply as for every other program).
enum HostResolver {
    /// ``addresses(of:)`` given at most `timeout`: glibc's synchronous resolver cannot be cancelled, so it runs
    /// on a thread of its own and is abandoned (it ends on its own, within `resolv.conf`'s limits) when the
    /// time is up, so a receiver with a slow name server cannot hold a delivery run longer than any other.
    static func addresses(
        of host: String, timeout: TimeInterval,
        using resolve: @escaping @Sendable (String) throws(OutboundHTTPSError) -> [IPAddress] = { host throws(OutboundHTTPSError) in
            try addresses(of: host)
        }
    ) throws(OutboundHTTPSError) -> [IPAddress] {
        final class Lookup: @unchecked Sendable {
            let done = DispatchSemaphore(value: 0)
            let lock = NSLock()
            var result: Result<[IPAddress], OutboundHTTPSError>?
        }
        let lookup = Lookup()
        let thread = Thread {
            let result: Result<[IPAddress], OutboundHTTPSError>
            do throws(OutboundHTTPSError) { result = .success(try resolve(host)) } catch { result = .failure(error) }
            lookup.lock.withLock { lookup.result = result }
            lookup.done.signal()
        }
        thread.name = "resolver"
        thread.stackSize = 256 << 10
        thread.start()
        guard lookup.done.wait(timeout: .now() + max(timeout, 0)) == .success, let result = lookup.lock.withLock({ lookup.result }) else {
            throw OutboundHTTPSError(.resolutionFailed, "cannot resolve \(host): no answer within \(Int(timeout.rounded())) s")
        }
        return try result.get()
    }

    /// Every distinct address of `host` (a name or an IP literal without brackets), in resolver order; throws
    /// ``OutboundHTTPSError`` `.resolutionFailed` when there is none. Takes as long as the resolver does.
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
