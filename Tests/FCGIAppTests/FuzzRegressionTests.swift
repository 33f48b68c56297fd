import Foundation
import Testing

@testable import Domain
@testable import FCGIApp

/// The inputs of `fuzz/` through the same product entry points as their libFuzzer harnesses, on every `swift
/// test`: the regression inputs (`fuzz/regressions/<harness>/`, crashes found and fixed) and the seeds
/// (`fuzz/corpus/<harness>/`). This is the crash half of the check; `make fuzz` replays them with the harnesses'
/// properties too. FastCGI streams need libfcgi on a socket and are replayed by `make fuzz` only.
@Suite struct FuzzRegressionTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fuzz")

    /// Every regression and seed input of a harness.
    static func inputs(_ harness: String) throws -> [(name: String, bytes: [UInt8])] {
        var found: [(String, [UInt8])] = []
        for kind in ["regressions", "corpus"] {
            let folder = fuzzFolder.appendingPathComponent("\(kind)/\(harness)")
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names.sorted() {
                found.append(("\(kind)/\(harness)/\(name)", try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))))
            }
        }
        return found
    }

    /// `FuzzInput.fields`: `count` fields at the first `count - 1` NUL bytes.
    static func fields(_ bytes: [UInt8], count: Int) -> [[UInt8]] {
        var fields = bytes.split(separator: 0, maxSplits: count - 1, omittingEmptySubsequences: false).map(Array.init)
        while fields.count < count { fields.append([]) }
        return fields
    }

    @Test func seedsArePresent() throws {
        for harness in ["fuzz-form", "fuzz-multipart", "fuzz-csv", "fuzz-zip", "fuzz-json-bodies", "fuzz-jose"] {
            #expect(try !Self.inputs(harness).isEmpty, "\(harness) has no inputs")
        }
    }

    @Test func formInputs() throws {
        for (_, bytes) in try Self.inputs("fuzz-form") {
            let f = Self.fields(bytes, count: 5)
            let raw = RawRequest(
                params: [
                    "REQUEST_METHOD": Array("POST".utf8), "REQUEST_URI": f[0], "HTTP_COOKIE": f[1], "CONTENT_TYPE": f[2],
                    "HTTP_AUTHORIZATION": f[3],
                ], body: f[4])
            if let request = try? HTTPRequest(raw: raw, limits: RequestLimits()) {
                _ = try? request.formParameters()
                _ = request.headers["authorization"].flatMap(ClientAuthentication.basicCredentials)
            }
        }
    }

    @Test func multipartInputs() throws {
        for (_, bytes) in try Self.inputs("fuzz-multipart") {
            let f = Self.fields(bytes, count: 2)
            let form = try? MultipartForm(contentType: String(validating: f[0], as: UTF8.self), body: f[1])
            for file in form?.files ?? [] { _ = LogoImage.inspect(file.content) }
        }
    }

    @Test func rosterCSVInputs() throws {
        let names = ["manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv"]
        for (name, bytes) in try Self.inputs("fuzz-csv") {
            var files: [String: [UInt8]] = [:]
            for (file, content) in zip(names, Self.fields(bytes, count: names.count)) where !content.isEmpty { files[file] = content }
            let result = OneRosterImport.read(files: files, schoolSourcedID: "s1")
            if name.hasSuffix("/valid") { #expect((try? result.get()) != nil, "the valid set is refused") }
        }
    }

    @Test func zipInputs() throws {
        for (name, bytes) in try Self.inputs("fuzz-zip") {
            let files = try? RosterImportJob.files(fromZip: bytes)
            let result = files.map { OneRosterImport.read(files: $0, schoolSourcedID: "s1") }
            if name.hasSuffix("/roster-deflated.zip") { #expect((try? result?.get()) != nil, "the zipped valid set is refused") }
        }
    }

    @Test func jsonBodyInputs() throws {
        for (_, bytes) in try Self.inputs("fuzz-json-bodies") {
            guard let selector = bytes.first else { continue }
            let request = HTTPRequest(
                method: "POST", path: "/api/v1/fuzz", headers: [("Content-Type", "application/json")], body: Array(bytes.dropFirst()))
            do {
                if selector % 2 == 0 {
                    _ = try APIRequestBody.decode(APIRequestBody.Attendance.self, from: request)
                } else {
                    _ = try APIRequestBody.decode(APIRequestBody.Grades.self, from: request)
                }
            } catch {
                #expect((400..<500).contains(error.status))
            }
        }
    }

    @Test func oauthInputs() throws {
        for (_, bytes) in try Self.inputs("fuzz-jose") {
            let f = Self.fields(bytes, count: 5)
            let authorization = String(validating: f[0], as: UTF8.self)
            let request = HTTPRequest(
                method: "POST", path: "/api/oauth/token",
                headers: [("Content-Type", "application/x-www-form-urlencoded")] + (authorization.map { [("Authorization", $0)] } ?? []),
                body: f[1])
            if let form = try? OAuthHTTP.form(request) { _ = TokenRequest.parse(form: form, authorization: authorization) }
            _ = try? OAuthHTTP.requireBearerToken(request)
            // The DPoP proof field: the same answer with the header cache as without (`~`, the harness key's header
            // there, is `{}` here).
            if let proof = String(validating: f[4], as: UTF8.self) {
                let now = Date(timeIntervalSince1970: 1_795_000_000)
                let keys = DPoPKeyCache()
                let text = proof.hasPrefix("~") ? "e30" + proof.dropFirst() : proof
                let plain = DPoPProof.verify(
                    text, method: "GET", uri: "https://app.localhost/api/oauth/userinfo", accessToken: nil, nonce: .none, now: now)
                for _ in 0..<2 {
                    let cached = DPoPProof.verify(
                        text, method: "GET", uri: "https://app.localhost/api/oauth/userinfo", accessToken: nil, nonce: .none, now: now, keys: keys)
                    #expect(cached == plain)
                }
            }
        }
    }
}
