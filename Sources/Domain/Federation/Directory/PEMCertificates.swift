import Crypto
import Foundation

/// CA certificates as an admin pastes them (a school directory's CA, issue 15): one or more PEM `CERTIFICATE`
/// blocks (RFC 7468 §5). What is stored is the text re-written from the decoded blocks, so nothing but certificates
/// reaches the TLS library; text around the blocks (the `subject=` and `Bag Attributes` lines tools print) is
/// dropped, and any other block (a private key pasted by mistake) is refused. Whether a block is a certificate the
/// TLS library accepts is its decision, at the admin's "test" and at sign-in.
public enum PEMCertificates {
    /// The most text taken (a chain of a few certificates is under 10 KB).
    public static let maximumBytes = 65_536
    /// The most certificates taken.
    public static let maximumCertificates = 20

    /// What is wrong with the pasted text (`directory.problem.ca_*`).
    public struct Refusal: Error, Sendable, Equatable {
        public let problem: Message
        init(_ problem: Message) { self.problem = problem }
        /// The problem in English.
        public var message: String { problem.english }
    }

    /// The certificates in `text` as canonical PEM (64-character lines, `\n` endings), `""` for blank text, or what
    /// is wrong with it, naming the line.
    public static func normalized(_ text: String) -> Result<String, Refusal> {
        guard text.utf8.count <= maximumBytes else {
            return .failure(
                Refusal(
                    Message("directory.problem.ca_size", "paste at most \(maximumBytes / 1024) KB of certificates", ["max": "\(maximumBytes / 1024)"])
                ))
        }
        var blocks: [[UInt8]] = []
        var body: String?
        var opened = 0
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let number = index + 1
            if var current = body {
                if line == "-----END CERTIFICATE-----" {
                    guard let der = Data(base64Encoded: current), der.count > 2, der.first == 0x30 else {
                        return .failure(
                            Refusal(
                                Message(
                                    "directory.problem.ca_der", "the certificate that starts on line \(opened) is not valid base64 DER",
                                    ["line": "\(opened)"])))
                    }
                    blocks.append([UInt8](der))
                    body = nil
                } else if line.hasPrefix("-----") {
                    return .failure(
                        Refusal(
                            Message(
                                "directory.problem.ca_end_expected",
                                "line \(number): expected -----END CERTIFICATE----- for the block of line \(opened)",
                                ["line": "\(number)", "opened": "\(opened)"])))
                } else {
                    current += line
                    body = current
                }
            } else if line == "-----BEGIN CERTIFICATE-----" {
                guard blocks.count < maximumCertificates else {
                    return .failure(
                        Refusal(
                            Message(
                                "directory.problem.ca_count", "paste at most \(maximumCertificates) certificates", ["max": "\(maximumCertificates)"]))
                    )
                }
                body = ""
                opened = number
            } else if line.hasPrefix("-----BEGIN ") {
                let kind = line.dropFirst("-----BEGIN ".count).prefix { $0 != "-" }
                return .failure(
                    Refusal(
                        Message(
                            "directory.problem.ca_other_block", "line \(number): a \(kind) block: paste only CA certificates (never a private key)",
                            ["line": "\(number)", "kind": String(kind)])))
            }
        }
        if body != nil {
            return .failure(
                Refusal(
                    Message(
                        "directory.problem.ca_unterminated", "the certificate that starts on line \(opened) has no -----END CERTIFICATE----- line",
                        ["line": "\(opened)"])))
        }
        if blocks.isEmpty {
            return text.allSatisfy(\.isWhitespace)
                ? .success("")
                : .failure(
                    Refusal(
                        Message(
                            "directory.problem.ca_no_block",
                            "no -----BEGIN CERTIFICATE----- block: paste the CA certificate(s) in PEM, or nothing for the system's trust store")))
        }
        return .success(blocks.map(pem).joined())
    }

    /// A file name for `pem` that only it has (its SHA-256 in hex, `.pem`), so a file once written is never rewritten.
    public static func fileName(for pem: String) -> String {
        SHA256.hash(data: Array(pem.utf8)).map { String(format: "%02x", $0) }.joined() + ".pem"
    }

    /// One certificate as PEM.
    static func pem(_ der: [UInt8]) -> String {
        let encoded = Data(der).base64EncodedString()
        var lines = ["-----BEGIN CERTIFICATE-----"]
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 64, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        lines.append("-----END CERTIFICATE-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
