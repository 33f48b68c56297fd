import Crypto
import Foundation

/// The signed agreement a school admin uploads: a PDF, recognised by its content, never by its name or the
/// type the browser declares.
///
/// ``inspect(_:)`` accepts a file of at most ``maximumBytes`` that parses minimally as PDF (ISO 32000-1): the
/// `%PDF-1.x` or `%PDF-2.0` header (§7.5.2), an `%%EOF` marker near the end (§7.5.5), a `startxref` whose
/// offset lies inside the file and points at a cross-reference table (`xref`) or stream (`n g obj`, §7.5.8),
/// and at least one indirect object. It is served back only to the school's admins, as an attachment with
/// `nosniff`, so a browser never renders it on the site's origin.
public struct AgreementDocument: Sendable, Equatable {
    /// Largest file accepted (5 MiB).
    public static let maximumBytes = 5 * 1024 * 1024

    /// What the pages show and the store keeps next to the bytes.
    public struct Summary: Sendable, Equatable {
        /// Lower-case hex SHA-256 of the bytes.
        public let sha256: String
        /// Size in bytes.
        public let size: Int

        /// A summary.
        public init(sha256: String, size: Int) {
            self.sha256 = sha256
            self.size = size
        }
    }

    /// Why a file was refused; ``problem`` is for the admin's page.
    public struct Problem: Error, Sendable, Equatable {
        /// A sentence for the page.
        public let problem: Message
        init(_ problem: Message) { self.problem = problem }
        /// The sentence in English (logs, tests).
        public var message: String { problem.english }
    }

    /// The file's bytes.
    public let bytes: [UInt8]
    /// Its digest and size.
    public let summary: Summary

    /// A document already inspected (read back from the store).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        summary = Summary(sha256: SHA256.hash(data: bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(), size: bytes.count)
    }

    /// The document if `bytes` is an acceptable PDF.
    public static func inspect(_ bytes: [UInt8]) -> Result<AgreementDocument, Problem> {
        let notPDF = Problem(Message("agreement.error.not_pdf", "The file is not a PDF document: upload the signed agreement as a PDF."))
        guard !bytes.isEmpty else {
            return .failure(Problem(Message("agreement.error.empty", "The file is empty: choose the signed agreement (a PDF).")))
        }
        guard bytes.count <= maximumBytes else {
            let megabytes = maximumBytes / 1024 / 1024
            return .failure(
                Problem(Message("agreement.error.too_large", count: megabytes, "The file is larger than \(megabytes) MB: upload a smaller PDF.")))
        }
        // Header: %PDF-1.0 … %PDF-1.7 or %PDF-2.0.
        let header = Array("%PDF-".utf8)
        guard bytes.count >= 16, Array(bytes[0..<5]) == header else { return .failure(notPDF) }
        let major = bytes[5]
        let minor = bytes[7]
        guard bytes[6] == UInt8(ascii: "."), (major == UInt8(ascii: "1") && (48...55).contains(minor)) || (major == UInt8(ascii: "2") && minor == 48)
        else { return .failure(notPDF) }
        // The trailer: %%EOF within the last 1 KiB, preceded by startxref and an offset inside the file.
        let tailStart = max(0, bytes.count - 1024)
        let tail = Array(bytes[tailStart...])
        guard let eof = lastRange(of: Array("%%EOF".utf8), in: tail), let startxref = lastRange(of: Array("startxref".utf8), in: tail),
            startxref < eof
        else { return .failure(notPDF) }
        var index = startxref + 9
        while index < eof, isWhitespace(tail[index]) { index += 1 }
        var offset = 0
        var digits = 0
        while index < eof, (48...57).contains(tail[index]), digits < 12 {
            offset = offset * 10 + Int(tail[index] - 48)
            index += 1
            digits += 1
        }
        guard digits > 0, offset >= 9, offset < bytes.count - 4 else { return .failure(notPDF) }
        let target = bytes[offset..<min(bytes.count, offset + 32)]
        let pointsAtTable = target.starts(with: Array("xref".utf8))
        let pointsAtStream = Self.isObjectHeader(Array(target))
        guard pointsAtTable || pointsAtStream else { return .failure(notPDF) }
        guard firstRange(of: Array(" obj".utf8), in: bytes) != nil else { return .failure(notPDF) }
        return .success(AgreementDocument(bytes: bytes))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 32 || byte == 10 || byte == 13 || byte == 9 || byte == 12 || byte == 0 }

    /// `n g obj` at the start of `bytes`.
    private static func isObjectHeader(_ bytes: [UInt8]) -> Bool {
        var index = 0
        for _ in 0..<2 {
            let start = index
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > start, index < bytes.count, bytes[index] == 32 else { return false }
            index += 1
        }
        return bytes[index...].starts(with: Array("obj".utf8))
    }

    private static func lastRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var start = haystack.count - needle.count
        while start >= 0 {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return start }
            start -= 1
        }
        return nil
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == first, haystack[start..<start + needle.count].elementsEqual(needle) { return start }
            start += 1
        }
        return nil
    }
}
