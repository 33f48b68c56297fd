import Domain
import Foundation
import Testing

@testable import Native

#if canImport(Glibc)
    import Glibc
#endif

/// The directory client gives up at the sign-in's deadline however many endpoints and steps are left: three
/// endpoints that accept TCP and never answer (the kernel completes the handshake from the listen backlog; nobody
/// accepts or writes) would otherwise cost each its StartTLS timeout in turn.
@Suite struct LDAPDeadlineTests {
    /// A loopback TCP port that listens and never answers; closed with the returned descriptor.
    static func silentListener() throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(descriptor, 16) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    @Test func threeSilentEndpointsFailAtTheDeadlineNotAfterTheirTimeouts() throws {
        let listener = try Self.silentListener()
        defer { close(listener.descriptor) }
        let endpoint = try DirectoryEndpoint.parse("ldap://127.0.0.1:\(listener.port)", allowPlain: true).get()
        let server = DirectoryServer(
            endpoints: [endpoint, endpoint, endpoint], caCertificates: "", bindDN: "cn=reader,dc=example", bindPassword: DirectorySecret("x"))
        let started = Date()
        #expect {
            _ = try LDAPDirectoryClient().search(
                server, base: "dc=example", filter: "(uid=a)", attributes: ["uid"], limit: 2, deadline: started.addingTimeInterval(3))
        } throws: { error in
            (error as? DirectoryFailure)?.kind == .timedOut
        }
        let spent = Date().timeIntervalSince(started)
        #expect(spent < 4.5, "gave up after \(spent) s; each StartTLS alone may wait \(LDAPDirectoryClient.operationTimeout) s")
    }

    @Test func aDeadlineAlreadyPassedTriesNothing() throws {
        let listener = try Self.silentListener()
        defer { close(listener.descriptor) }
        let endpoint = try DirectoryEndpoint.parse("ldap://127.0.0.1:\(listener.port)", allowPlain: true).get()
        let server = DirectoryServer(endpoints: [endpoint], caCertificates: "", bindDN: "cn=reader,dc=example", bindPassword: DirectorySecret("x"))
        let started = Date()
        #expect {
            _ = try LDAPDirectoryClient().checkPassword(server, dn: "uid=a,dc=example", password: DirectorySecret("pw"), deadline: started)
        } throws: { error in
            (error as? DirectoryFailure)?.kind == .timedOut
        }
        #expect(Date().timeIntervalSince(started) < 0.5)
    }
}

@Suite struct LDAPTrustFileTests {
    @Test func theCertificatesAreWrittenOnceToAPrivateFileNamedByTheirDigest() throws {
        let pem = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"
        let path = try LDAPTrustFile.path(for: pem)
        #expect(path.hasSuffix(PEMCertificates.fileName(for: pem)))
        #expect(FileManager.default.contents(atPath: path) == Data(pem.utf8))
        var status = stat()
        #expect(lstat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)
        #expect(lstat(LDAPTrustFile.directory, &status) == 0 && status.st_mode & 0o777 == 0o700)
        #expect(try LDAPTrustFile.path(for: pem) == path, "written once")
    }
}
