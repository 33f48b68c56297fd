import CLibFuzzer
import Foundation

/// What every harness shares: the input as bytes, split into the fields a harness needs, and the check that
/// turns a broken property into a crash libFuzzer records.
public enum FuzzInput {
    /// The bytes libFuzzer passes to `LLVMFuzzerTestOneInput`.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Splits `bytes` into exactly `count` fields at the first `count - 1` NUL bytes (missing fields are empty),
    /// so a mutation of one field leaves the others where they were. The last field keeps any further NULs.
    public static func fields(_ bytes: [UInt8], count: Int) -> [[UInt8]] {
        precondition(count >= 1)
        var fields = bytes.split(separator: 0, maxSplits: count - 1, omittingEmptySubsequences: false).map(Array.init)
        while fields.count < count { fields.append([]) }
        return fields
    }

    /// The inverse of ``fields(_:count:)``, for writing seeds.
    public static func joined(_ fields: [[UInt8]]) -> [UInt8] {
        Array(fields.joined(separator: [0]))
    }

    /// Text as the product reads it from a request: valid UTF-8 or nothing.
    public static func text(_ bytes: [UInt8]) -> String? { String(validating: bytes, as: UTF8.self) }
}

/// Traps (a crash libFuzzer saves) when a property of the product's answer does not hold: a parser that
/// accepts what it must refuse, or produces what it must never produce, is a finding too.
public func fuzzRequire(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("fuzz property failed: \(message())", file: file, line: line) }
}

/// Runs libFuzzer with the process's arguments (`-max_total_time=60 corpus/`, a crash file to replay, …) on
/// `testOneInput`, and exits with its status. A harness's `main.swift` is this one call.
public func runFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}
