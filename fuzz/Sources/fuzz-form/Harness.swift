import FuzzSupport

@testable import Domain
@testable import FCGIApp

/// Query strings, form bodies, cookies, percent-decoding and HTTP Basic credentials, through
/// ``HTTPRequest/init(raw:limits:)`` (path, query, cookies), ``HTTPRequest/formParameters()`` and
/// ``ClientAuthentication/basicCredentials(_:)``, all built on ``FormCodec``.
///
/// Input: `REQUEST_URI \0 Cookie \0 Content-Type \0 Authorization \0 body` (``FuzzInput/fields(_:count:)``).
///
/// Properties: whatever decodes re-encodes and decodes to the same text (``FormCodec/encode(_:)`` is the
/// inverse the sites' links rely on); a path never holds NUL; cookie names and values are trimmed and hold no
/// `;`; Basic credentials accepted have an acceptable client id and a secret within the length limit.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let fields = FuzzInput.fields(FuzzInput.bytes(data, size), count: 5)
    let raw = RawRequest(
        params: [
            "REQUEST_METHOD": Array("POST".utf8), "REQUEST_URI": fields[0], "HTTP_COOKIE": fields[1], "CONTENT_TYPE": fields[2],
            "HTTP_AUTHORIZATION": fields[3], "HTTPS": Array("on".utf8), "SERVER_NAME": Array("app.localhost".utf8),
            "REMOTE_ADDR": Array("127.0.0.1".utf8),
        ], body: fields[4])
    if let request = try? HTTPRequest(raw: raw, limits: RequestLimits()) {
        fuzzRequire(!request.path.utf8.contains(0), "a path with NUL")
        fuzzRequire(roundTrips(request.path, plusAsSpace: false), "path \(request.path.debugDescription) does not round-trip")
        for (name, value) in request.query.pairs {
            fuzzRequire(roundTrips(name, plusAsSpace: true) && roundTrips(value, plusAsSpace: true), "a query pair does not round-trip")
        }
        for (name, value) in request.cookies {
            fuzzRequire(!name.contains(";") && !value.contains(";"), "a cookie holding ';'")
            fuzzRequire(name == name.trimmingCharacters(in: .whitespaces), "an untrimmed cookie name")
        }
        if let form = try? request.formParameters() {
            for (name, value) in form.pairs {
                fuzzRequire(roundTrips(name, plusAsSpace: true) && roundTrips(value, plusAsSpace: true), "a form pair does not round-trip")
            }
        }
        if let header = request.headers["authorization"], let (id, secret) = ClientAuthentication.basicCredentials(header) {
            fuzzRequire(ClientAuthentication.isAcceptable(id), "an unacceptable client_id from Basic")
            fuzzRequire(secret.utf8.count <= ClientAuthentication.maximumLength, "an overlong secret from Basic")
        }
    }
    // The codec on its own, on text that HTTPRequest would have refused first (over-long, no leading slash).
    if let text = FuzzInput.text(fields[0]) {
        for plus in [false, true] {
            if let decoded = try? FormCodec.percentDecode(text[...].utf8, plusAsSpace: plus, what: "fuzz") {
                fuzzRequire(roundTrips(decoded, plusAsSpace: plus), "decoded text does not round-trip")
            }
        }
        _ = try? FormCodec.parsePairs(text[...], what: "fuzz")
    }
    return 0
}

/// `decode(encode(text)) == text`.
func roundTrips(_ text: String, plusAsSpace: Bool) -> Bool {
    (try? FormCodec.percentDecode(FormCodec.encode(text)[...].utf8, plusAsSpace: plusAsSpace, what: "round trip")) == text
}
