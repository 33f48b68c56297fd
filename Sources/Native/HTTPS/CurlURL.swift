import CCurl

/// A URL parsed by libcurl's own parser (`CURLU`). The host checked and the host connected to come from this
/// one parse — the easy handle is given this object, not the text — so no difference between two URL parsers
/// can make the platform check one host and connect to another.
final class CurlURL {
    let handle: OpaquePointer

    /// The parsed URL; throws ``OutboundHTTPSError`` `.invalidRequest` unless libcurl accepts it.
    init(_ text: String) throws(OutboundHTTPSError) {
        guard !text.utf8.contains(0), let parsed = curl_url() else {
            throw OutboundHTTPSError(.invalidRequest, "the URL cannot be parsed")
        }
        // Assigned before the check: deinit frees it if the parse fails (PITFALLS: a throw after every stored
        // property is set runs deinit, so nothing is freed twice).
        handle = parsed
        let status = curl_url_set(parsed, CURLUPART_URL, text, 0)
        guard status == CURLUE_OK else {
            throw OutboundHTTPSError(.invalidRequest, "the URL cannot be parsed: \(String(cString: curl_url_strerror(status)))")
        }
    }

    deinit { curl_url_cleanup(handle) }

    /// The scheme, lower case.
    var scheme: String? { part(CURLUPART_SCHEME, flags: 0) }

    /// The host as written, IPv6 literals without their brackets; `nil` when there is none.
    var host: String? {
        guard let raw = part(CURLUPART_HOST, flags: 0) else { return nil }
        if raw.hasPrefix("["), raw.hasSuffix("]") { return String(raw.dropFirst().dropLast()) }
        return raw
    }

    /// Whether an IPv6 zone id (`%eth0`) is present, which names an interface rather than a host.
    var hasZoneID: Bool { part(CURLUPART_ZONEID, flags: 0) != nil }

    /// The port, or the scheme's default.
    var port: Int? { part(CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)).flatMap { Int($0) } }

    private func part(_ which: CURLUPart, flags: UInt32) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
