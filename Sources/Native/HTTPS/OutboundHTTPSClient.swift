import CCurl
import Domain
import Foundation

/// Posts to developers' webhook URLs, and fetches upstream providers' documents and tokens, over libcurl, with the
/// guards a server-side request to a URL chosen by a stranger needs (DESIGN §8):
/// - `https` only, for the request and for anything libcurl might be asked to switch to
///   (`CURLOPT_PROTOCOLS_STR`), with certificate and host-name verification on;
/// - the host is resolved here, every address it resolves to is checked by ``OutboundAddressRule``, and the
///   connection is pinned to the first checked address with a wildcard `CURLOPT_CONNECT_TO`, so libcurl never
///   resolves the name again: DNS rebinding between the check and the connect cannot switch the target;
/// - the URL is parsed once, by libcurl's parser, for both the check and the transfer (``CurlURL``);
/// - no proxy (proxy variables in the environment are ignored), no redirects followed (a 3xx is returned with
///   its `Location`), no cookies, no `Expect: 100-continue`;
/// - ``timeout`` for the whole post, name resolution included, and at most ``responseBodyLimit`` bytes of the
///   answer are read.
///
/// Each call uses its own easy handle, so the value is safe to share between threads.
public struct OutboundHTTPSClient: Sendable {
    /// Which addresses may be connected to.
    public let rule: OutboundAddressRule
    /// A PEM file of trusted CAs instead of the system store (test stacks); `nil` for the system store.
    public let caFile: String?
    /// The limit for the whole transfer (connect, TLS, request and response), in seconds.
    public let timeout: TimeInterval
    /// How much of a response body is read.
    public let responseBodyLimit: Int
    /// The `User-Agent` sent.
    public let userAgent: String

    /// A client; the defaults are the webhook delivery's (10 s, 4 KiB).
    public init(
        rule: OutboundAddressRule, caFile: String?, timeout: TimeInterval = 10, responseBodyLimit: Int = 4096,
        userAgent: String = "CatalystWells-Webhooks/1"
    ) {
        self.rule = rule
        self.caFile = caFile
        self.timeout = timeout
        self.responseBodyLimit = responseBodyLimit
        self.userAgent = userAgent
    }

    /// Posts `body` to `url` with `headers` (names and values without line breaks; they are sent as given).
    ///
    /// Returns whatever HTTP status came back, 3xx included. Throws ``OutboundHTTPSError``: `.invalidRequest`
    /// (not https, no host, a zone id), `.resolutionFailed`, `.refusedTarget` (nothing was sent),
    /// `.timedOut`, `.connectionFailed`.
    public func post(url: String, headers: [(name: String, value: String)], body: [UInt8]) throws(OutboundHTTPSError)
        -> OutboundHTTPSResponse
    {
        try send(url: url, headers: headers, body: body)
    }

    /// GETs `url`, with the same guards and errors as ``post(url:headers:body:)``.
    public func get(url: String, headers: [(name: String, value: String)] = []) throws(OutboundHTTPSError) -> OutboundHTTPSResponse {
        try send(url: url, headers: headers, body: nil)
    }

    /// A POST of `body`, or a GET when it is `nil`.
    private func send(url: String, headers: [(name: String, value: String)], body: [UInt8]?) throws(OutboundHTTPSError)
        -> OutboundHTTPSResponse
    {
        let parsed = try CurlURL(url)
        guard parsed.scheme == "https" else { throw OutboundHTTPSError(.invalidRequest, "only https URLs are posted to") }
        guard let host = parsed.host, !host.isEmpty, !parsed.hasZoneID, let port = parsed.port else {
            throw OutboundHTTPSError(.invalidRequest, "the URL has no usable host and port")
        }
        for header in headers {
            // Bytes, not Characters: "\r\n" is one Character that equals neither "\r" nor "\n".
            guard !(header.name + header.value).utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw OutboundHTTPSError(.invalidRequest, "a header contains a line break")
            }
        }
        let address: IPAddress
        let started = ContinuousClock.now
        switch rule.check(try HostResolver.addresses(of: host, timeout: timeout)) {
        case .failure(let refusal): throw OutboundHTTPSError(.refusedTarget, refusal.description)
        case .success(let checked): address = checked[0]
        }

        let easy = try CurlEasy()
        try easy.set(url: parsed)
        try easy.set(CURLOPT_PROTOCOLS_STR, "https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "https")
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        // An empty proxy turns proxies off, including any named by https_proxy/ALL_PROXY in the environment.
        try easy.set(CURLOPT_PROXY, "")
        let pinned = address.isIPv4 ? address.description : "[\(address.description)]"
        try easy.set(CURLOPT_CONNECT_TO, list: ["::\(pinned):\(port)"])
        try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        try easy.set(CURLOPT_NOSIGNAL, 1)
        // What resolution took counts against the same limit.
        let spent = (ContinuousClock.now - started) / .milliseconds(1)
        try easy.set(CURLOPT_TIMEOUT_MS, max(Int(timeout * 1000 - spent), 1))
        if let body {
            try easy.set(postBody: body)
        } else {
            try easy.set(CURLOPT_HTTPGET, 1)
        }
        try easy.set(CURLOPT_HTTPHEADER, list: headers.map { "\($0.name): \($0.value)" } + ["Expect:"])
        try easy.set(CURLOPT_USERAGENT, userAgent)

        let sink = BodySink(limit: responseBodyLimit)
        let (code, message) = easy.perform(into: sink)
        switch code {
        case CURLE_OK:
            break
        case CURLE_WRITE_ERROR where sink.stoppedAtLimit:
            break
        case CURLE_OPERATION_TIMEDOUT:
            throw OutboundHTTPSError(.timedOut, "no response within \(Int(timeout)) s")
        default:
            throw OutboundHTTPSError(.connectionFailed, message)
        }
        let status = easy.responseCode
        guard status > 0 else { throw OutboundHTTPSError(.connectionFailed, "no HTTP response") }
        return OutboundHTTPSResponse(
            status: status, bodyPrefix: sink.bytes, redirectLocation: (300...399).contains(status) ? easy.redirectURL : nil,
            address: address)
    }
}
