import Testing

@testable import FCGIApp

@Suite struct RequestParsingTests {
    @Test func queryCookiesHeadersAndClientDetailsAreDecoded() throws {
        let raw = rawRequest(
            "GET", "/a%20b/c?x=1&name=Ana+Mar%C3%ADa&x=2&flag",
            headers: ["HTTP_COOKIE": "a=1; __Host-cw=abc", "HTTP_X_FORWARDED_FOR": "6.6.6.6", "CONTENT_TYPE": "text/plain"])
        let request = try HTTPRequest(raw: raw, limits: RequestLimits())
        #expect(request.path == "/a b/c")
        #expect(request.query["name"] == "Ana María")
        #expect(request.query.all("x") == ["1", "2"])
        #expect(request.query["flag"] == "")
        #expect(request.query.repeatedNames == ["x"])
        #expect(request.cookies["__Host-cw"] == "abc")
        #expect(request.headers["content-type"] == "text/plain")
        // The client address is nginx's REMOTE_ADDR, never a forwarded-for header.
        #expect(request.remoteAddress == "127.0.0.1")
        #expect(request.scheme == "https")
        #expect(request.requestID == "0123456789abcdef0123456789abcdef")
    }

    /// Cookie names are RFC 6265 tokens: a pair whose name holds a Unicode space (U+00A0, U+3000), a control or a
    /// separator is dropped rather than kept under a name no Set-Cookie of ours can match (make fuzz found the first).
    @Test func cookiePairsWhoseNameIsNotATokenAreDropped() throws {
        let header = "\u{A0}__Host-cw=nbsp; a\u{3000}=ideographic; b c=space; d\u{1}=control; (e)=paren;  __Host-cw =kept ; f=1"
        let request = try HTTPRequest(raw: rawRequest("GET", "/", headers: ["HTTP_COOKIE": header]), limits: RequestLimits())
        #expect(request.cookies == ["__Host-cw": "kept", "f": "1"])
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let name: String
        let raw: RawRequest
        let status: Int
        let message: String
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "invalid percent-encoding in the path", raw: rawRequest("GET", "/x%zz"), status: 400, message: "percent-encoding"),
        BadInput(name: "truncated percent-encoding in the query", raw: rawRequest("GET", "/x?a=%4"), status: 400, message: "percent-encoding"),
        BadInput(name: "invalid UTF-8 in the path", raw: rawRequest("GET", "/x%C3%28"), status: 400, message: "UTF-8"),
        BadInput(name: "invalid UTF-8 in the query", raw: rawRequest("GET", "/x?a=%FF"), status: 400, message: "UTF-8"),
        BadInput(name: "a NUL byte in the path", raw: rawRequest("GET", "/x%00y"), status: 400, message: "NUL"),
        BadInput(name: "an over-long URI", raw: rawRequest("GET", "/" + String(repeating: "a", count: 5000)), status: 400, message: "longer than"),
        BadInput(
            name: "an over-long header", raw: rawRequest("GET", "/", headers: ["HTTP_X_BIG": String(repeating: "b", count: 5000)]), status: 400,
            message: "x-big header"),
        BadInput(name: "a lower-case method", raw: rawRequest("get", "/"), status: 400, message: "method"),
        BadInput(name: "a body over the limit", raw: rawRequest("POST", "/", tooLarge: true), status: 413, message: "larger than"),
    ]

    @Test(arguments: badInputs)
    func badInputIsRefusedWithAShortMessage(_ input: BadInput) {
        #expect {
            try HTTPRequest(raw: input.raw, limits: RequestLimits())
        } throws: { error in
            guard let rejection = error as? HTTPRequest.Rejection else { return false }
            return rejection.status == input.status && rejection.message.contains(input.message)
        }
    }

    @Test func invalidUTF8InAHeaderIsRefused() {
        var raw = rawRequest("GET", "/")
        raw.params["HTTP_X_NAME"] = [0x41, 0xFF]
        #expect(throws: HTTPRequest.Rejection(status: 400, message: "The x-name header is not valid UTF-8.")) {
            try HTTPRequest(raw: raw, limits: RequestLimits())
        }
    }

    @Test func aFormBodyIsDecodedAndAnInvalidOneRefused() throws {
        let form = HTTPRequest(
            method: "POST", path: "/", headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array("a=1&b=x%2By+z".utf8))
        #expect(try form.formParameters()["b"] == "x+y z")
        let broken = HTTPRequest(
            method: "POST", path: "/", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("a=%G1".utf8))
        #expect(throws: HTTPRequest.Rejection.self) { try broken.formParameters() }
        let json = HTTPRequest(method: "POST", path: "/", headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        #expect(throws: HTTPRequest.Rejection.self) { try json.formParameters() }
    }
}
