import Foundation
import FuzzSupport

@testable import FCGIApp

/// FastCGI records (libfcgi's record and params parser) through the worker's own per-request steps.
///
/// The input is the byte stream nginx would send on one connection. It is written into a client connection
/// to a real listening unix socket made by ``ListeningSocket/create(path:mode:group:)``, the client end is
/// closed, and the worker's ``FastCGIRequest`` slot accepts it (`FCGX_Accept_r`), reads the params and the
/// body up to the pool's body limit, builds the ``HTTPRequest`` with the pool's ``RequestLimits``, writes a
/// response and finishes, as ``FastCGIWorker`` does. A connection that asks libfcgi to keep it open
/// (`FCGI_KEEP_CONN`) is served until it ends, as a worker thread would.
///
/// One input shape is skipped (``LibfcgiDefects``): it reaches a known defect of libfcgi 2.4.2 that nginx never
/// triggers, and would otherwise be the only thing this harness ever found again. Another known defect, a
/// 48-byte leak per management record of an unknown type, is suppressed in `fuzz/lsan.supp`.
///
/// Nothing can block: the client's end is closed before libfcgi reads (so every read ends in EOF), the
/// listening socket is non-blocking as in the worker (an accept with nothing pending fails with EAGAIN), and
/// SIGPIPE is ignored as in the worker (libfcgi's replies to a closed peer fail with EPIPE).
final class FastCGIBench {
    let path: String
    let listener: Int32
    let slot: FastCGIRequest
    let limits: RequestLimits
    let bodyLimit: Int

    init() {
        signal(SIGPIPE, SIG_IGN)
        precondition(FastCGIRequest.initializeLibrary(), "FCGX_Init failed")
        path = NSTemporaryDirectory() + "/cw-fuzz-fastcgi-\(getpid()).sock"
        unlink(path)
        do {
            listener = try ListeningSocket.create(path: path, mode: 0o600, group: "").descriptor
        } catch {
            fatalError("cannot listen on \(path): \(error)")
        }
        let flags = fcntl(listener, F_GETFL)
        precondition(flags >= 0 && fcntl(listener, F_SETFL, flags | O_NONBLOCK) == 0, "cannot make the socket non-blocking")
        slot = FastCGIRequest(listenSocket: listener)
        // The pool's limits with the shipped defaults, set up as ServeCommand does.
        let configuration = try! ConfigLoader.validate([:])
        limits = RequestLimits(maxBodyBytes: configuration.requestBodyLimit, maxUploadBytes: configuration.uploadBodyLimit)
        bodyLimit = max(configuration.requestBodyLimit, configuration.uploadBodyLimit)
    }

    func run(_ input: [UInt8]) {
        if LibfcgiDefects.reaches(input) { return }
        let client = connectClient()
        var sent = 0
        while sent < input.count {
            let wrote = input[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if wrote <= 0 { break }  // the socket buffer is full: the rest is cut off, as a dropped peer would
            sent += wrote
        }
        close(client)
        var served = 0
        while slot.accept() {
            served += 1
            fuzzRequire(served <= 1 + input.count / 8, "more requests than records on one connection")
            serve()
        }
        fuzzRequire(errno == EAGAIN || errno == EWOULDBLOCK, "accept failed with errno \(errno), not EAGAIN")
    }

    private func serve() {
        let raw = slot.read(bodyLimit: bodyLimit)
        fuzzRequire(raw.body.count <= bodyLimit, "a body over the limit was read")
        fuzzRequire(!raw.bodyTooLarge || raw.body.isEmpty, "an oversized body was read")
        var response = HTTPResponse(status: 400)
        if let request = try? HTTPRequest(raw: raw, limits: limits) {
            fuzzRequire(request.path.hasPrefix("/"), "a path not starting with /")
            fuzzRequire(request.body.count <= limits.bodyLimit(forURI: raw.params["REQUEST_URI"] ?? []), "a body over its route's limit")
            _ = try? request.formParameters()
            response = .json(["path": .string(request.path), "cookies": .int(request.cookies.count)])
        }
        slot.write(response)
        slot.finish()
    }

    private func connectClient() -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket failed")
        let flags = fcntl(fd, F_GETFL)
        precondition(flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0, "cannot make the client non-blocking")
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        precondition(bytes.count < MemoryLayout.size(ofValue: address.sun_path), "socket path too long")
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        precondition(rc == 0, "connect failed: errno \(errno)")
        return fd
    }
}

nonisolated(unsafe) let bench = FastCGIBench()

/// libFuzzer's entry point (`runFuzzer` passes it to the driver; `-sanitize=fuzzer` links a main that would
/// call it by name).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    bench.run(FuzzInput.bytes(data, size))
    return 0
}

/// An input shape that reaches a known defect of libfcgi 2.4.2 (Debian 12's `libfcgi0ldbl` 2.4.2-2+deb12u1),
/// found by this harness: a name-value pair (FCGI_PARAMS, or the content of FCGI_GET_VALUES) whose name and
/// value lengths add up to more than `INT_MAX`. `ReadParams` computes `nameLen + valueLen + 2` in an `int`,
/// which wraps negative; `malloc` fails and libfcgi's `Malloc` asserts, so the worker process aborts (the
/// supervisor replaces it). Only the pool's FastCGI peer can send this, and nginx never does (its params are
/// bounded by its header buffers); the socket is reachable only by nginx's group (`pool.<site>.socket_mode`).
/// (`fuzz/regressions/fuzz-fastcgi/libfcgi-params-length-abort`.)
///
/// Where libfcgi's record walk puts a pair depends on quirks (the padding of a BEGIN_REQUEST record is read as
/// the next header, records of other request ids are skipped), so the check is conservative: a pair with
/// such lengths starting at any offset skips the input.
enum LibfcgiDefects {
    static func reaches(_ input: [UInt8]) -> Bool {
        guard input.count >= 5 else { return false }
        for start in 0..<(input.count - 4) {
            var index = start
            guard let name = length(input, &index), let value = length(input, &index) else { continue }
            if name + value + 2 > Int(Int32.max) { return true }
        }
        return false
    }

    /// A name or value length (FastCGI 1.0 section 3.4): one byte below 0x80, else four with the top bit cleared.
    private static func length(_ bytes: [UInt8], _ index: inout Int) -> Int? {
        guard index < bytes.count else { return nil }
        let first = Int(bytes[index])
        guard first & 0x80 != 0 else {
            index += 1
            return first
        }
        guard index + 4 <= bytes.count else { return nil }
        let value = (first & 0x7F) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
        index += 4
        return value
    }
}
