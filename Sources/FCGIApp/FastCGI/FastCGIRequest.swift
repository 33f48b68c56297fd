import CFastCGI
import Foundation

/// One thread's libfcgi request slot, kept at a fixed heap address for its whole life (libfcgi's streams
/// point back into it), and the byte shuffling between it and ``RawRequest``/``HTTPResponse``.
final class FastCGIRequest {
    private let request: UnsafeMutablePointer<FCGX_Request>

    /// Prepares a slot that accepts on `listenSocket` and returns from accept when a signal interrupts it.
    init(listenSocket: Int32) {
        request = .allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        let rc = FCGX_InitRequest(request, listenSocket, FCGI_FAIL_ACCEPT_ON_INTR)
        precondition(rc == 0, "FCGX_InitRequest failed: FCGX_Init must run on the main thread first")
    }

    /// Initialises libfcgi: once per process, on the main thread, before any slot accepts (otherwise every
    /// accept fails with -9998). `false` when libfcgi could not start.
    static func initializeLibrary() -> Bool { FCGX_Init() == 0 }

    deinit {
        FCGX_Free(request, 1)
        request.deinitialize(count: 1)
        request.deallocate()
    }

    /// Waits for the next request; `false` when accept failed or was interrupted (see `errno`).
    func accept() -> Bool { FCGX_Accept_r(request) >= 0 }

    /// Ends the current request, flushing the response and closing the connection.
    func finish() { FCGX_Finish_r(request) }

    /// Reads the parameters and, up to `bodyLimit`, the body of the accepted request.
    func read(bodyLimit: Int) -> RawRequest {
        var params: [String: [UInt8]] = [:]
        if var entry = request.pointee.envp {
            // Sized once: nginx sends a few dozen parameters, and growing the table on the way cost as much again.
            var count = 0
            while entry[count] != nil { count += 1 }
            params.reserveCapacity(count)
            while let pointer = entry.pointee {
                let length = strlen(pointer)
                let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
                if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                    let name = String(decoding: bytes[..<equals], as: UTF8.self)
                    params[name] = Array(bytes[(equals + 1)...])
                }
                entry += 1
            }
        }
        let declared = params["CONTENT_LENGTH"].flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
        guard declared <= bodyLimit else { return RawRequest(params: params, body: [], bodyTooLarge: true) }
        var body = [UInt8](repeating: 0, count: max(declared, 0))
        var filled = 0
        body.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            while filled < declared {
                let chunk = min(declared - filled, 1 << 20)
                let got = FCGX_GetStr(base.advanced(by: filled).assumingMemoryBound(to: CChar.self), Int32(chunk), request.pointee.in)
                if got <= 0 { break }
                filled += Int(got)
            }
        }
        if filled < body.count { body.removeSubrange(filled...) }
        return RawRequest(params: params, body: body)
    }

    /// Writes a response: the CGI `Status:` line, headers with `Content-Length`, a blank line, the body.
    func write(_ response: HTTPResponse) {
        // Every response comes from SiteResponder, which replaces one whose headers could split the header block
        // (with a logged 500); checked again in debug builds only, so a release worker never traps on it.
        assert(response.headers.isWireSafe, "SiteResponder lets only wire-safe headers through")
        // One buffer, one libfcgi call: the head is small next to the body, so it is built in place.
        var out: [UInt8] = []
        out.reserveCapacity(256 + response.body.count)
        append("Status: ", to: &out)
        append(String(response.status), to: &out)
        out.append(UInt8(ascii: " "))
        append(HTTPResponse.reason(response.status), to: &out)
        append("\r\n", to: &out)
        for (name, value) in response.headers where !HTTPHeaders.sameName(name, "content-length") {
            append(name, to: &out)
            append(": ", to: &out)
            append(value, to: &out)
            append("\r\n", to: &out)
        }
        append("Content-Length: ", to: &out)
        append(String(response.body.count), to: &out)
        append("\r\n\r\n", to: &out)
        out.append(contentsOf: response.body)
        put(out)
    }

    private func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    private func put(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { buffer in
            _ = FCGX_PutStr(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count), request.pointee.out)
        }
    }
}
