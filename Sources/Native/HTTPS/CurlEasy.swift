import CCurl
import Foundation

/// One libcurl easy handle, used for one transfer and freed with its header list.
///
/// Setting an option is checked: a libcurl too old for one of our safety options (say, `https`-only
/// protocols) must fail the transfer, not run without it.
final class CurlEasy {
    /// `CURL` is `void` in curl.h, hence a raw pointer.
    private let handle: UnsafeMutableRawPointer
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    /// A fresh handle; throws when libcurl cannot make one (out of memory).
    init() throws(OutboundHTTPSError) {
        _ = CurlEasy.globalInit
        guard let made = curl_easy_init() else { throw OutboundHTTPSError(.connectionFailed, "libcurl could not make a handle") }
        handle = made
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
    }

    /// `curl_global_init` once per process, before the first handle (it is not thread-safe itself; a static
    /// `let` runs it exactly once). A process that posts webhooks must not die of SIGPIPE when a receiver
    /// closes early: with `CURLOPT_NOSIGNAL` libcurl leaves signals alone, so the default action is ignored
    /// here unless someone (libfcgi, in the pools) installed a handler already.
    private static let globalInit: Bool = {
        var current = sigaction()
        if sigaction(SIGPIPE, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil {
            signal(SIGPIPE, SIG_IGN)
        }
        return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    func set(_ option: CURLoption, _ value: Int) throws(OutboundHTTPSError) {
        try check(cw_curl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(OutboundHTTPSError) {
        try check(cw_curl_setopt_string(handle, option, value), option)
    }

    /// A list option (headers, connect-to); the list lives as long as the handle.
    func set(_ option: CURLoption, list values: [String]) throws(OutboundHTTPSError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values {
            guard let appended = curl_slist_append(list, value) else {
                if let list { curl_slist_free_all(list) }
                throw OutboundHTTPSError(.connectionFailed, "libcurl could not build a list")
            }
            list = appended
        }
        guard let list else { return }
        lists.append(list)
        try check(cw_curl_setopt_slist(handle, option, list), option)
    }

    /// Makes the transfer a POST of exactly these bytes (copied by libcurl, so `body` need not outlive the call).
    func set(postBody body: [UInt8]) throws(OutboundHTTPSError) {
        try set(CURLOPT_POST, 1)
        try set(CURLOPT_POSTFIELDSIZE, body.count)
        var bytes = body
        if bytes.isEmpty { bytes = [0] }  // a valid pointer; POSTFIELDSIZE 0 sends none of it
        let code = bytes.withUnsafeMutableBytes { cw_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        try check(code, CURLOPT_COPYPOSTFIELDS)
    }

    /// The parsed URL to fetch; `url` must outlive the transfer.
    func set(url: CurlURL) throws(OutboundHTTPSError) {
        try check(cw_curl_setopt_url(handle, url.handle), CURLOPT_CURLU)
    }

    /// Runs the transfer, handing body bytes to `sink`; returns libcurl's result code and its message.
    func perform(into sink: BodySink) -> (code: CURLcode, message: String) {
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        let code = errorBuffer.withUnsafeMutableBufferPointer { buffer -> CURLcode in
            _ = cw_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            _ = cw_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
            _ = cw_curl_setopt_write_function(handle) { data, size, count, context in
                guard let context else { return 0 }
                let sink = Unmanaged<BodySink>.fromOpaque(context).takeUnretainedValue()
                return sink.accept(UnsafeRawBufferPointer(start: data, count: size * count))
            }
            let code = curl_easy_perform(handle)
            // The buffer is about to go away: libcurl must not keep a pointer to it.
            _ = cw_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
            return code
        }
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (code, detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
    }

    /// The HTTP status of the last response; 0 when none came.
    var responseCode: Int {
        var value = 0
        _ = cw_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value)
        return value
    }

    /// The `Location` of a 3xx response, resolved against the URL (not followed).
    var redirectURL: String? {
        var value: UnsafeMutablePointer<CChar>?
        guard cw_curl_getinfo_string(handle, CURLINFO_REDIRECT_URL, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(OutboundHTTPSError) {
        guard code == CURLE_OK else {
            throw OutboundHTTPSError(.connectionFailed, "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

/// Keeps the first `limit` bytes of a response body and stops the transfer after them, so a receiver that
/// streams forever costs neither memory nor the whole time limit.
final class BodySink {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    /// Whether the transfer was stopped because the limit was reached (a response, not an error).
    private(set) var stoppedAtLimit = false

    init(limit: Int) { self.limit = limit }

    /// libcurl's write callback: the number of bytes taken, or less to stop.
    func accept(_ chunk: UnsafeRawBufferPointer) -> Int {
        let room = limit - bytes.count
        bytes += chunk.prefix(max(room, 0))
        if chunk.count > room {
            stoppedAtLimit = true
            return 0
        }
        return chunk.count
    }
}
