import Foundation

/// A `multipart/form-data` body (RFC 7578): text fields and uploaded files, parsed strictly.
struct MultipartForm {
    /// One uploaded file.
    struct File {
        let fieldName: String
        /// The file name the browser sent, without any folder part.
        let fileName: String
        let contentType: String?
        let content: [UInt8]
    }

    /// Text fields in order.
    private(set) var fields: [(name: String, value: String)] = []
    /// Files in order.
    private(set) var files: [File] = []

    /// The first text value of a field.
    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Every value of a repeated field (checkboxes), in form order.
    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// Why a body could not be parsed; the message is safe to show.
    struct Failure: Error {
        let message: String
    }

    /// Parses the body of a request whose `Content-Type` is `multipart/form-data; boundary=…`.
    init(contentType: String?, body: [UInt8], maxParts: Int = 2000) throws(Failure) {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Self.parameter("boundary", in: contentType), !boundary.isEmpty, boundary.utf8.count <= 70
        else { throw Failure(message: "The upload must be sent as multipart/form-data.") }
        let delimiter = Array(("--" + boundary).utf8)
        guard var position = Self.find(delimiter, in: body, from: 0) else {
            throw Failure(message: "The upload is incomplete: its first part is missing.")
        }
        var parts = 0
        while true {
            position += delimiter.count
            if body.count >= position + 2, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") { break }
            guard body.count >= position + 2, body[position] == 13, body[position + 1] == 10 else {
                throw Failure(message: "The upload is damaged: a part boundary is malformed.")
            }
            position += 2
            guard let headerEnd = Self.find([13, 10, 13, 10], in: body, from: position) else {
                throw Failure(message: "The upload is damaged: a part has no end of headers.")
            }
            guard let headerText = String(validating: body[position..<headerEnd], as: UTF8.self) else {
                throw Failure(message: "The upload is damaged: part headers are not UTF-8.")
            }
            let contentStart = headerEnd + 4
            guard let next = Self.find([13, 10] + delimiter, in: body, from: contentStart) else {
                throw Failure(message: "The upload is incomplete: it ends in the middle of a part.")
            }
            parts += 1
            if parts > maxParts { throw Failure(message: "The upload has more than \(maxParts) parts.") }
            try add(headers: headerText, content: Array(body[contentStart..<next]))
            position = next + 2
        }
    }

    private mutating func add(headers: String, content: [UInt8]) throws(Failure) {
        var disposition: String?
        var type: String?
        for line in headers.split(separator: "\r\n") {
            let pieces = line.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2 else { continue }
            let value = pieces[1].trimmingCharacters(in: .whitespaces)
            switch pieces[0].lowercased() {
            case "content-disposition": disposition = value
            case "content-type": type = value
            default: break
            }
        }
        guard let disposition, disposition.lowercased().hasPrefix("form-data"), let name = Self.parameter("name", in: disposition) else {
            throw Failure(message: "The upload is damaged: a part has no field name.")
        }
        if let fileName = Self.parameter("filename", in: disposition) {
            // Browsers send the bare name; older ones sent a full client path. Keep the last component only.
            let base = fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
            if base.isEmpty && content.isEmpty { return }  // an empty file input
            files.append(File(fieldName: name, fileName: base, contentType: type, content: content))
        } else {
            guard let text = String(validating: content, as: UTF8.self) else {
                throw Failure(message: "The field \(name) is not valid UTF-8.")
            }
            fields.append((name, text))
        }
    }

    /// A `name=value` or `name="value"` parameter of a header value.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
