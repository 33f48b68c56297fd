/// Why an uploaded zip was refused.
///
/// `description` is written for the person who uploaded the file: it says what is wrong and, where they can
/// fix it, how. It quotes only names of entries in their own zip (with control characters replaced) and no
/// server detail, so it can be shown as it is.
public struct ZipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal, for callers and tests that branch on it.
    public struct Code: Sendable, Hashable {
        private enum Base: Sendable, Hashable {
            case notAZip, damaged, encrypted, unsupportedMethod, zip64, multiDisk, unsafeName, duplicateName
            case nameEncoding, tooManyEntries, tooLarge, outOfMemory
        }

        private let base: Base

        /// The bytes are not a zip file, or the end of one is missing (an upload cut short).
        public static let notAZip = Code(base: .notAZip)
        /// The structure or the data is inconsistent: truncated entries, bad deflate data, wrong size or CRC-32.
        public static let damaged = Code(base: .damaged)
        /// An entry is encrypted (general purpose flag bit 0).
        public static let encrypted = Code(base: .encrypted)
        /// An entry uses a compression method other than stored (0) or deflate (8).
        public static let unsupportedMethod = Code(base: .unsupportedMethod)
        /// The archive needs ZIP64 fields, which are not read.
        public static let zip64 = Code(base: .zip64)
        /// The archive is one part of a split (multi-disk) set.
        public static let multiDisk = Code(base: .multiDisk)
        /// An entry name is absolute, has `..` segments, a backslash or NUL, or is empty (zip-slip).
        public static let unsafeName = Code(base: .unsafeName)
        /// Two entries have the same name.
        public static let duplicateName = Code(base: .duplicateName)
        /// An entry name is not valid UTF-8.
        public static let nameEncoding = Code(base: .nameEncoding)
        /// More entries than ``ZipLimits/maxEntries``.
        public static let tooManyEntries = Code(base: .tooManyEntries)
        /// The files add up to more than ``ZipLimits/maxTotalBytes``.
        public static let tooLarge = Code(base: .tooLarge)
        /// zlib could not allocate its state: the server's fault, not the file's.
        public static let outOfMemory = Code(base: .outOfMemory)
    }

    /// The kind of refusal.
    public let code: Code
    /// A message safe to show to the user who uploaded the zip.
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static let notAZip = ZipError(.notAZip, "the file is not a zip file, or it is incomplete")

    static func damaged(_ reason: String) -> ZipError {
        ZipError(.damaged, "the zip file is damaged: \(reason)")
    }

    static func damaged(_ name: String, _ problem: String) -> ZipError {
        ZipError(.damaged, "the zip file is damaged: \(display(name)) \(problem)")
    }

    static func encrypted(_ name: String) -> ZipError {
        ZipError(.encrypted, "\(display(name)) in the zip is encrypted; upload an unencrypted zip")
    }

    static func unsupportedMethod(_ name: String, method: UInt16) -> ZipError {
        // APPNOTE 4.4.5 names; the rest are rare enough to show as a number.
        let methodName =
            switch method {
            case 9: "Deflate64"
            case 12: "bzip2"
            case 14: "LZMA"
            case 93: "Zstandard"
            case 95: "XZ"
            case 98: "PPMd"
            default: "method \(method)"
            }
        return ZipError(
            .unsupportedMethod,
            "\(display(name)) in the zip is compressed with \(methodName), which is not supported; "
                + "create the zip again with standard (deflate) compression")
    }

    static let zip64 = ZipError(
        .zip64,
        "the zip file uses the ZIP64 format for very large archives, which is not supported; upload a smaller zip")

    static let multiDisk = ZipError(
        .multiDisk, "the zip file is one part of a split archive; upload it as a single zip file")

    static func unsafeName(_ name: String, _ reason: String) -> ZipError {
        ZipError(.unsafeName, "the zip contains an entry whose name \(reason): \(display(name))")
    }

    static func duplicateName(_ name: String) -> ZipError {
        ZipError(.duplicateName, "the zip contains \(display(name)) twice")
    }

    static func nameEncoding(_ lossyName: String) -> ZipError {
        ZipError(
            .nameEncoding,
            "the zip contains a file name that is not UTF-8 (\(display(lossyName))); "
                + "create the zip again with your system's built-in compression")
    }

    static func tooManyEntries(limit: Int) -> ZipError {
        ZipError(.tooManyEntries, "the zip contains more than \(limit) files and folders")
    }

    static func tooLarge(limit: Int) -> ZipError {
        ZipError(.tooLarge, "the files in the zip add up to more than \(formatBytes(limit)) when unpacked")
    }

    static let outOfMemory = ZipError(
        .outOfMemory, "the server ran out of memory while unpacking the zip; please try again later")

    /// Quotes an entry name for a message: control characters would garble a log line or a page, and a
    /// name can be up to 64 KiB long.
    private static func display(_ name: String) -> String {
        let printable = String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        let shown = printable.count > 120 ? printable.prefix(117) + "..." : printable[...]
        return "\"\(shown)\""
    }

    private static func formatBytes(_ count: Int) -> String {
        if count >= 1_000_000, count % 1_000_000 == 0 { return "\(count / 1_000_000) MB" }
        if count >= 1_000, count % 1_000 == 0 { return "\(count / 1_000) kB" }
        return "\(count) bytes"
    }
}
