import Foundation
import Testing

@testable import Native

/// The zip writer: what it writes reads back with the project's reader, with Python's zipfile and with Info-ZIP's
/// `unzip -t`, stored and deflated entries alike.
@Suite struct ZipWriterTests {
    static let files: [(name: String, bytes: [UInt8])] = [
        ("README.txt", Array(String(repeating: "Everything held about a person.\n", count: 50).utf8)),
        ("people/42/grades.json", Array("[{\"score\":17.5}]".utf8)),
        ("empty.csv", []),
        ("random.bin", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }),
        ("naïve-ümlaut.csv", Array("a,b\r\n".utf8)),
    ]
    static let stamp = ZipWriter.Timestamp(year: 2026, month: 3, day: 14, hour: 9, minute: 26, second: 53)

    @Test func itReadsBackWithTheProjectsReader() throws {
        let bytes = try ZipWriter.archive(Self.files, timestamp: Self.stamp)
        let archive = try ZipArchive(bytes: bytes)
        #expect(archive.entries.map(\.name) == Self.files.map(\.name))
        #expect(archive.entries.first?.method == .deflated, "repetitive text is deflated")
        #expect(archive.entries.first { $0.name == "empty.csv" }?.method == .stored, "nothing to gain: stored")
        let extracted = try archive.extractAll()
        for file in Self.files { #expect(extracted[file.name] == file.bytes, "\(file.name)") }
    }

    @Test func pythonsZipfileAndUnzipAgree() throws {
        let bytes = try ZipWriter.archive(Self.files, timestamp: Self.stamp)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-zipwriter-\(UUID().uuidString).zip")
        try Data(bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let script = """
            import sys, zipfile, hashlib
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            for i in z.infolist():
                print(i.filename, i.file_size, i.date_time, hashlib.sha256(z.read(i)).hexdigest())
            """
        let python = try run("/usr/bin/python3", ["-c", script, path.path])
        #expect(python.status == 0, "\(python.output)")
        let lines = python.output.split(separator: "\n").map(String.init)
        #expect(lines.count == Self.files.count)
        #expect(lines.first == "README.txt 1600 (2026, 3, 14, 9, 26, 52) " + sha256(Self.files[0].bytes))
        #expect(lines.contains { $0.hasPrefix("naïve-ümlaut.csv 5 ") })
        let unzip = try run("/usr/bin/unzip", ["-t", path.path])
        #expect(unzip.status == 0, "\(unzip.output)")
        #expect(unzip.output.contains("No errors detected"))
    }

    private func sha256(_ bytes: [UInt8]) -> String {
        let out = try? run(
            "/usr/bin/python3",
            [
                "-c", "import sys,hashlib; print(hashlib.sha256(bytes.fromhex(sys.argv[1])).hexdigest())",
                bytes.map { String(format: "%02x", $0) }.joined(),
            ])
        return out?.output.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    private func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
