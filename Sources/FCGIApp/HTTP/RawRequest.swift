/// A request as the FastCGI layer received it: the CGI parameters nginx sent and the body bytes.
///
/// Nothing here is validated yet; ``HTTPRequest/init(raw:limits:)`` does that.
struct RawRequest: Sendable {
    /// CGI parameters (`REQUEST_METHOD`, `REQUEST_URI`, `HTTP_*`, …) as raw bytes.
    var params: [String: [UInt8]]
    /// The body, read up to the configured limit.
    var body: [UInt8]
    /// Set when `CONTENT_LENGTH` exceeded the limit; the body was then not read.
    var bodyTooLarge: Bool = false

    /// A parameter as text, when it is valid UTF-8.
    func param(_ name: String) -> String? {
        params[name].flatMap { String(validating: $0, as: UTF8.self) }
    }
}

/// Size limits applied while turning a ``RawRequest`` into an ``HTTPRequest``.
struct RequestLimits: Sendable {
    /// The longest request target (path and query) accepted.
    var maxURIBytes = 4096
    /// The longest single header value accepted.
    var maxHeaderBytes = 4096
    /// The largest body accepted.
    var maxBodyBytes = 1_048_576
    /// The largest body accepted on an upload path.
    var maxUploadBytes = 20_971_520
    /// Paths that take file uploads (nginx allows them the larger body too).
    var uploadPaths: Set<String> = ["/school/roster", SchoolAppsRoutes.agreementUploadPath]

    /// The body limit of a request target.
    func bodyLimit(forURI uri: [UInt8]) -> Int {
        let path = uri.split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        return uploadPaths.contains(String(decoding: path, as: UTF8.self)) ? max(maxUploadBytes, maxBodyBytes) : maxBodyBytes
    }
}
