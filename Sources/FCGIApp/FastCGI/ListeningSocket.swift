import CFastCGI
import Foundation

/// The socket a pool listens on: created from a path, or inherited on fd 0 from systemd or spawn-fcgi.
struct ListeningSocket {
    /// The descriptor.
    let descriptor: Int32
    /// The path the supervisor created, removed again at shutdown; `nil` when inherited.
    let createdPath: String?

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates a unix socket at `path` with `mode` and, when given, `group`. A stale socket file is replaced;
    /// a socket another live process listens on is not.
    static func create(path: String, mode: UInt32, group: String) throws(Failure) -> ListeningSocket {
        if isAnswering(path) {
            throw Failure(description: "\(path) is in use by another running pool; stop it first")
        }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = FCGX_OpenSocket(path, 1024)
        guard fd >= 0 else { throw Failure(description: "cannot listen on \(path): \(String(cString: strerror(errno)))") }
        guard chmod(path, mode_t(mode)) == 0 else {
            throw Failure(description: "cannot set mode \(String(mode, radix: 8)) on \(path): \(String(cString: strerror(errno)))")
        }
        if !group.isEmpty {
            guard let entry = getgrnam(group) else { throw Failure(description: "socket_group \(group) does not exist") }
            guard chown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
                throw Failure(description: "cannot give \(path) to group \(group): \(String(cString: strerror(errno)))")
            }
        }
        return ListeningSocket(descriptor: fd, createdPath: path)
    }

    /// The listening socket on fd 0, if there is one.
    static func inherited() -> ListeningSocket? {
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening != 0 else { return nil }
        return ListeningSocket(descriptor: 0, createdPath: nil)
    }

    /// Removes the socket file this process created.
    func removeFile() {
        if let createdPath { unlink(createdPath) }
    }

    private static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return rc == 0
    }
}
