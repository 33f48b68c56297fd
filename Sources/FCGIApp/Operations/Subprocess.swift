import Foundation

/// Runs the Debian tools the operator's commands drive (`mariadb-dump`, `mariadb`, `tar`, `age`, `nginx`, `openssl`,
/// `timedatectl`, …): found on `PATH`, arguments passed as a list (never through a shell), output captured in files so
/// a chatty program cannot fill a pipe and stall.
struct Subprocess {
    /// How a run ended.
    struct Result {
        /// The exit status (128 + signal when killed by a signal).
        var status: Int32
        /// What it wrote to standard output (when not redirected to a file).
        var output: String
        /// What it wrote to standard error, trimmed.
        var errors: String

        /// Whether it exited 0.
        var succeeded: Bool { status == 0 }

        /// The line of standard error that says what failed (`…error: …`, else the last one), for a one-line message.
        var lastError: String {
            let lines = errors.split(separator: "\n").map(String.init)
            return lines.last { $0.localizedCaseInsensitiveContains("error") } ?? lines.last ?? "exit status \(status)"
        }
    }

    /// The program's absolute path.
    let executable: String

    /// Finds `name` on `PATH` (plus the sbin folders, which a non-login root shell may lack), or `nil`.
    static func find(_ name: String) -> Subprocess? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? Subprocess(executable: name) : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin"] {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return Subprocess(executable: candidate) }
        }
        return nil
    }

    /// Finds `name` or throws an error that says which Debian package installs it.
    static func require(_ name: String, package: String) throws -> Subprocess {
        guard let found = find(name) else { throw OperationsError("\(name) is not installed: apt-get install \(package)") }
        return found
    }

    /// Runs the program to the end.
    ///
    /// - Parameters:
    ///   - arguments: its arguments.
    ///   - input: a file to read standard input from (else `/dev/null`).
    ///   - output: a file to write standard output to (created 0600, replaced); else it is captured in the result.
    ///   - environment: variables to set on top of this process's.
    func run(_ arguments: [String], input: String? = nil, output: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("catalystwells-\(UUID().uuidString)")
        let errorPath = scratch.path + ".err"
        let outputPath = output ?? scratch.path + ".out"
        defer {
            try? FileManager.default.removeItem(atPath: errorPath)
            if output == nil { try? FileManager.default.removeItem(atPath: outputPath) }
        }
        guard FileManager.default.createFile(atPath: errorPath, contents: nil, attributes: [.posixPermissions: 0o600]),
            FileManager.default.createFile(atPath: outputPath, contents: nil, attributes: [.posixPermissions: 0o600]),
            let errorHandle = FileHandle(forWritingAtPath: errorPath), let outputHandle = FileHandle(forWritingAtPath: outputPath)
        else {
            throw OperationsError("cannot create a scratch file in \(FileManager.default.temporaryDirectory.path) or \(outputPath)")
        }
        defer {
            try? errorHandle.close()
            try? outputHandle.close()
        }
        process.standardError = errorHandle
        process.standardOutput = outputHandle
        if let input {
            guard let inputHandle = FileHandle(forReadingAtPath: input) else { throw OperationsError("cannot read \(input)") }
            process.standardInput = inputHandle
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        do {
            try process.run()
        } catch {
            throw OperationsError("cannot run \(executable): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        let captured = output == nil ? ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "") : ""
        return Result(status: status, output: captured, errors: errors.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// An operator command's failure, with a message that says what to do; printed as is and the command exits 1.
struct OperationsError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
