import Domain
import Foundation

/// A validated HTTP request, as handlers see it: plain values, no sockets.
struct HTTPRequest: Sendable {
    /// Upper-case method; `HEAD` is kept so the responder can drop the body.
    var method: String
    /// The percent-decoded path, valid UTF-8, starting with `/`.
    var path: String
    /// Query parameters, decoded.
    var query: Parameters
    /// Request headers.
    var headers: HTTPHeaders
    /// Cookies by name (the first of a repeated name wins).
    var cookies: [String: String]
    /// The client address as nginx saw it (never taken from a client header).
    var remoteAddress: String
    /// `https` or `http`, as nginx reported it.
    var scheme: String
    /// The host the client asked for.
    var host: String
    /// nginx's request id, or one made here.
    var requestID: String
    /// The body bytes.
    var body: [UInt8]

    /// Why a request was refused before routing.
    struct Rejection: Error, Equatable {
        /// 400 or 413.
        let status: Int
        /// A short message safe to show.
        let message: String
    }

    /// Validates a raw request: a bad method, URI, encoding, header or size gives a ``Rejection``.
    init(raw: RawRequest, limits: RequestLimits) throws(Rejection) {
        let bodyLimit = limits.bodyLimit(forURI: raw.params["REQUEST_URI"] ?? [])
        if raw.bodyTooLarge || raw.body.count > bodyLimit {
            throw Rejection(status: 413, message: "The request body is larger than \(bodyLimit) bytes.")
        }
        guard let method = raw.param("REQUEST_METHOD"), !method.isEmpty, method.utf8.count <= 16,
            method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
        else { throw Rejection(status: 400, message: "The request method is not valid.") }

        let uriBytes = raw.params["REQUEST_URI"] ?? []
        guard uriBytes.count <= limits.maxURIBytes else {
            throw Rejection(status: 400, message: "The request URI is longer than \(limits.maxURIBytes) bytes.")
        }
        guard let uri = String(validating: uriBytes, as: UTF8.self), uri.hasPrefix("/") else {
            throw Rejection(status: 400, message: "The request URI is not valid.")
        }
        // Cut at the first "?" byte (a character boundary: it is ASCII).
        let question = uri.utf8.firstIndex(of: UInt8(ascii: "?"))
        do {
            path = try FormCodec.percentDecode(uri[..<(question ?? uri.endIndex)].utf8, plusAsSpace: false, what: "the path")
            if let question {
                query = Parameters(try FormCodec.parsePairs(uri[uri.utf8.index(after: question)...], what: "the query string"))
            } else {
                query = Parameters([])
            }
        } catch {
            throw Rejection(status: 400, message: "Bad request: \(error.message).")
        }
        if path.utf8.contains(0) { throw Rejection(status: 400, message: "The path contains a NUL byte.") }

        var headers = HTTPHeaders()
        for (name, value) in raw.params {
            guard let headerName = Self.headerName(fromCGI: name) else { continue }
            guard value.count <= limits.maxHeaderBytes else {
                throw Rejection(status: 400, message: "The \(headerName) header is longer than \(limits.maxHeaderBytes) bytes.")
            }
            guard let text = String(validating: value, as: UTF8.self) else {
                throw Rejection(status: 400, message: "The \(headerName) header is not valid UTF-8.")
            }
            if !text.isEmpty { headers.add(headerName, text) }
        }

        self.method = method
        self.headers = headers
        self.cookies = Self.parseCookies(headers["cookie"])
        self.remoteAddress = raw.param("REMOTE_ADDR") ?? ""
        self.scheme = raw.param("HTTPS") == "on" ? "https" : (raw.param("REQUEST_SCHEME") ?? "http")
        self.host = raw.param("SERVER_NAME") ?? headers["host"] ?? ""
        self.requestID = Self.requestID(of: raw)
        self.body = raw.body
    }

    /// A request built directly, for tests and internal use.
    init(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        remoteAddress: String = "127.0.0.1", host: String = "app.localhost", body: [UInt8] = [],
        requestID: String = "test"
    ) {
        self.method = method
        self.path = path
        self.query = Parameters(query)
        self.headers = HTTPHeaders(headers)
        self.cookies = Self.parseCookies(self.headers["cookie"])
        self.remoteAddress = remoteAddress
        self.scheme = "https"
        self.host = host
        self.requestID = requestID
        self.body = body
    }

    /// The form fields of an `application/x-www-form-urlencoded` body.
    func formParameters() throws(Rejection) -> Parameters {
        let type = headers["content-type"]?.split(separator: ";").first?.trimmingHTTPWhitespace().lowercased()
        guard type == "application/x-www-form-urlencoded" else {
            throw Rejection(status: 400, message: "The body must be application/x-www-form-urlencoded.")
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw Rejection(status: 400, message: "The form body is not valid UTF-8.")
        }
        do {
            return Parameters(try FormCodec.parsePairs(text[...], what: "the form body"))
        } catch {
            throw Rejection(status: 400, message: "Bad request: \(error.message).")
        }
    }

    /// nginx's `$request_id` when it is well formed, otherwise a fresh one.
    static func requestID(of raw: RawRequest) -> String {
        if let id = raw.params["REQUEST_ID"], id.count == 32, id.allSatisfy(isHex) {
            return String(decoding: id, as: UTF8.self)
        }
        return RequestID.make()
    }

    /// `HTTP_X_FORWARDED_FOR` → `x-forwarded-for`; `CONTENT_TYPE`/`CONTENT_LENGTH` likewise; `nil` for the
    /// other CGI variables. Done on bytes: Foundation's string replacement dominated request parsing.
    static func headerName(fromCGI name: String) -> String? {
        let utf8 = name.utf8
        let body: Substring.UTF8View
        if utf8.starts(with: "HTTP_".utf8) {
            body = name.dropFirst(5).utf8
        } else if name == "CONTENT_TYPE" || name == "CONTENT_LENGTH" {
            body = name[...].utf8
        } else {
            return nil
        }
        return String(
            decoding: body.map { byte -> UInt8 in
                if byte == UInt8(ascii: "_") { return UInt8(ascii: "-") }
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { return byte + 32 }
                return byte
            }, as: UTF8.self)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    private static func parseCookies(_ header: String?) -> [String: String] {
        guard let header else { return [:] }
        var cookies: [String: String] = [:]
        // Cut on the bytes ";" and "=" (ASCII, so on character boundaries).
        for piece in header.utf8.split(separator: UInt8(ascii: ";")) {
            guard let equals = piece.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let rawName = Substring(piece[..<equals])
            let rawValue = Substring(piece[piece.index(after: equals)...])
            guard !rawName.isEmpty, !rawValue.isEmpty else { continue }
            // RFC 6265 §4.1.1: a cookie name is a token. A pair whose name is not (Unicode spaces, controls,
            // separators) is none of ours and is dropped, not trimmed into one.
            let trimmedName = rawName.trimmingHTTPWhitespace()
            guard !trimmedName.isEmpty, trimmedName.utf8.allSatisfy(HTTPHeaders.isTokenByte) else { continue }
            let name = String(trimmedName)
            if cookies[name] == nil { cookies[name] = String(rawValue.trimmingHTTPWhitespace()) }
        }
        return cookies
    }
}
