import Domain
import Foundation
import Testing

@testable import Native

/// The outbound HTTPS client against a local TLS receiver (Python's http.server with a certificate for
/// 127.0.0.1 made by the openssl command for this run): what is sent, what is refused before anything is
/// sent, redirects, the body limit, the time limit and certificate checks.
@Suite(.serialized) final class OutboundHTTPSClientTests {
    let directory: URL
    let receiver: Process
    let port: Int

    static let script = #"""
        import http.server, ssl, sys, time
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.path == "/redirect":
                    self.send_response(302); self.send_header("Location", "https://169.254.169.254/latest"); self.end_headers(); return
                if self.path == "/slow":
                    time.sleep(3)
                answer = ("got:%s:%s:%s:" % (self.headers.get("content-type"), self.headers.get("x-test"), body.decode())).encode()
                answer += b"x" * 100000
                self.send_response(200 if self.path != "/gone" else 410)
                self.send_header("Content-Length", str(len(answer))); self.end_headers(); self.wfile.write(answer)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        open(sys.argv[1] + ".tmp", "w").write(str(server.server_address[1]))
        import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
        server.serve_forever()
        """#

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-https-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory.appendingPathComponent("key.pem").path,
            "-out", directory.appendingPathComponent("cert.pem").path,
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try Data(Self.script.utf8).write(to: directory.appendingPathComponent("receiver.py"))
        let portFile = directory.appendingPathComponent("port")
        receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        receiver.arguments = [
            directory.appendingPathComponent("receiver.py").path, portFile.path, directory.appendingPathComponent("cert.pem").path,
            directory.appendingPathComponent("key.pem").path,
        ]
        try receiver.run()
        var found: Int?
        for _ in 0..<100 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let value = Int(text) {
                found = value
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let found else { throw OutboundHTTPSError(.connectionFailed, "the test receiver did not start") }
        port = found
    }

    deinit {
        // SIGKILL: a child spawned from a test thread may inherit a mask that blocks SIGTERM (PITFALLS).
        kill(receiver.processIdentifier, SIGKILL)
        receiver.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    var caFile: String { directory.appendingPathComponent("cert.pem").path }

    func client(allowPrivate: Bool = true, timeout: TimeInterval = 10) -> OutboundHTTPSClient {
        OutboundHTTPSClient(rule: OutboundAddressRule(allowPrivateTargets: allowPrivate), caFile: caFile, timeout: timeout)
    }

    /// The error `body` threw, if it threw one of ours.
    func failure(_ body: () throws -> Void) -> OutboundHTTPSError? {
        do {
            try body()
            return nil
        } catch {
            return error as? OutboundHTTPSError
        }
    }

    @Test func postsTheBodyAndHeadersAndKeepsOnlyTheFirst4KiBOfTheAnswer() throws {
        let response = try client().post(
            url: "https://127.0.0.1:\(port)/ok", headers: [("content-type", "application/json"), ("x-test", "yes")],
            body: Array(#"{"a":1}"#.utf8))
        #expect(response.status == 200)
        #expect(response.bodyPrefix.count == 4096)
        #expect(String(decoding: response.bodyPrefix.prefix(30), as: UTF8.self) == #"got:application/json:yes:{"a":1}"#.prefix(30))
        #expect(response.address == IPAddress("127.0.0.1"))
        #expect(response.redirectLocation == nil)
    }

    @Test func aRedirectIsReturnedNotFollowed() throws {
        let response = try client().post(url: "https://127.0.0.1:\(port)/redirect", headers: [], body: [])
        #expect(response.status == 302)
        #expect(response.redirectLocation == "https://169.254.169.254/latest")
    }

    @Test func otherStatusesAreReturnedAsTheyCame() throws {
        #expect(try client().post(url: "https://127.0.0.1:\(port)/gone", headers: [], body: []).status == 410)
    }

    @Test func loopbackIsRefusedBeforeAnythingIsSentUnlessPrivateTargetsAreAllowed() {
        for url in [
            "https://127.0.0.1:\(port)/ok", "https://localhost:\(port)/ok", "https://[::1]:\(port)/ok", "https://[::ffff:127.0.0.1]:\(port)/ok",
        ] {
            #expect(failure { _ = try client(allowPrivate: false).post(url: url, headers: [], body: []) }?.kind == .refusedTarget, "\(url)")
        }
    }

    @Test(arguments: ["http://127.0.0.1/ok", "ftp://127.0.0.1/", "https://", "not a url", "https://[fe80::1%25eth0]/"])
    func onlyHTTPSURLsWithAHostAreAccepted(url: String) {
        #expect(failure { _ = try client().post(url: url, headers: [], body: []) }?.kind == .invalidRequest, "\(url)")
    }

    @Test func anUntrustedCertificateFailsTheConnection() {
        let strict = OutboundHTTPSClient(rule: OutboundAddressRule(allowPrivateTargets: true), caFile: "/etc/ssl/certs/ca-certificates.crt")
        #expect(failure { _ = try strict.post(url: "https://127.0.0.1:\(port)/ok", headers: [], body: []) }?.kind == .connectionFailed)
    }

    @Test func aSlowReceiverTimesOut() {
        let started = ContinuousClock.now
        #expect(failure { _ = try client(timeout: 1).post(url: "https://127.0.0.1:\(port)/slow", headers: [], body: []) }?.kind == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(2.5))
    }

    @Test func aHeaderWithALineBreakIsRefused() {
        #expect(throws: OutboundHTTPSError.self) {
            _ = try client().post(url: "https://127.0.0.1:\(port)/ok", headers: [("x-test", "a\r\nb: c")], body: [])
        }
    }

    /// A name server that does not answer costs a post its time limit, no more: the lookup is abandoned.
    @Test func aResolverThatDoesNotAnswerIsGivenUpOnAtTheTimeLimit() throws {
        let started = ContinuousClock.now
        let error = failure {
            _ = try HostResolver.addresses(of: "slow.example", timeout: 0.3) { _ throws(OutboundHTTPSError) in
                Thread.sleep(forTimeInterval: 3)
                return []
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.kind == .resolutionFailed)
        #expect(elapsed < .seconds(2), "waited \(elapsed)")
        // A resolver that answers in time is used as it is.
        let local = try HostResolver.addresses(of: "127.0.0.1", timeout: 5)
        #expect(local.map(\.description) == ["127.0.0.1"])
    }

    @Test func anUnknownHostFailsToResolve() {
        #expect(failure { _ = try client().post(url: "https://no-such-host.invalid/", headers: [], body: []) }?.kind == .resolutionFailed)
    }
}
