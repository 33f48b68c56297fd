/// A CSV file read per RFC 4180: a header record, then data records of the same width.
///
/// What RFC 4180 §2 allows and real exports do is accepted: CRLF, bare LF or bare CR line ends; a missing
/// final line end; quoted fields with doubled quotes and embedded line breaks; a UTF-8 byte order mark
/// (Excel writes one). Blank lines are skipped. Values are trimmed of surrounding spaces and tabs, since no
/// OneRoster value means anything by them. A quote inside an unquoted field is kept as text, as most
/// spreadsheet programs do.
///
/// Each record remembers the physical line it starts on, counting the line breaks inside quoted fields, so a
/// problem points where an editor shows it.
struct CSVTable: Sendable {
    /// One data record.
    struct Record: Sendable {
        /// The physical line (1-based) where the record starts.
        let line: Int
        /// The values, one per header column.
        let fields: [String]
    }

    /// The file name used in problems.
    let file: String
    /// The column names, in order.
    let header: [String]
    /// Column name → position (the first one, when a name repeats).
    let columns: [String: Int]
    /// The data records, in file order.
    let records: [Record]
    /// Some records were left out because their quoting or width was wrong (an unclosed quote may swallow
    /// the rest of the file), so the records cannot show that a referenced row is missing.
    let damaged: Bool

    /// Parses `bytes`, adding every problem to `problems`. Returns `nil` only when the file has no usable
    /// header; records whose quoting or width is wrong are left out of `records`.
    static func parse(_ bytes: [UInt8], file: String, problems: inout RosterProblemList) -> CSVTable? {
        var scanner = Scanner(bytes: bytes, file: file)
        var header: [String]?
        var columns: [String: Int] = [:]
        var records: [Record] = []
        var damaged = false
        while let raw = scanner.nextRecord(problems: &problems) {
            if raw.fields.count == 1 && raw.fields[0].isEmpty && !raw.broken { continue }  // a blank line
            guard let names = header else {
                let names = raw.fields.map { decode($0, file: file, line: raw.line, column: nil, problems: &problems) }
                for (index, name) in names.enumerated() {
                    if name.isEmpty {
                        problems.add(
                            file, raw.line, nil,
                            Message("roster.problem.header_unnamed", "header column \(index + 1) has no name", numbers: ["index": index + 1]))
                    } else if let first = columns[name] {
                        problems.add(
                            file, raw.line, name,
                            Message(
                                "roster.problem.header_repeated", "the column appears twice in the header (columns \(first + 1) and \(index + 1))",
                                ["first": "\(first + 1)", "second": "\(index + 1)"]))
                    } else {
                        columns[name] = index
                    }
                }
                header = names
                continue
            }
            if raw.broken {  // already reported by the scanner
                damaged = true
                continue
            }
            guard raw.fields.count == names.count else {
                problems.add(
                    file, raw.line, nil,
                    Message(
                        "roster.problem.field_count", count: raw.fields.count,
                        "the record has \(raw.fields.count) field\(raw.fields.count == 1 ? "" : "s") but the header has \(names.count)",
                        numbers: ["header": names.count])
                )
                damaged = true
                continue
            }
            // A value that is not UTF-8 is reported; the record stays, so that references to it do not turn one
            // defect into many.
            let fields = raw.fields.enumerated().map { index, bytes in
                decode(bytes, file: file, line: raw.line, column: names[index], problems: &problems)
            }
            records.append(Record(line: raw.line, fields: fields))
        }
        guard let header else {
            problems.add(file, nil, nil, Message("roster.problem.file_empty", "the file is empty: a header row is required"))
            return nil
        }
        return CSVTable(file: file, header: header, columns: columns, records: records, damaged: damaged)
    }

    /// Decodes one field as UTF-8 and trims it; invalid bytes are a problem on the record's line.
    private static func decode(
        _ bytes: ArraySlice<UInt8>, file: String, line: Int, column: String?, problems: inout RosterProblemList
    ) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            problems.add(file, line, column, Message("roster.problem.not_utf8", "the text is not valid UTF-8: save the file as UTF-8"))
            // The value stays (with replacement characters) so it does not also count as blank.
            return trimmed(String(decoding: bytes, as: UTF8.self))
        }
        return trimmed(text)
    }

    static func trimmed(_ text: String) -> String {
        let isBlank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isBlank($0) })!
        return String(scalars[first...last])
    }
}

extension CSVTable {
    /// Splits bytes into records of raw fields. Quotes, commas and line breaks are ASCII, so splitting bytes
    /// before decoding is safe for UTF-8 and lets an invalid byte be reported without losing the line count.
    struct Scanner {
        struct RawRecord {
            let line: Int
            let fields: [ArraySlice<UInt8>]
            /// The scanner reported a quoting problem in this record, so its fields are not trustworthy.
            let broken: Bool
        }

        private let bytes: [UInt8]
        private let file: String
        private var index: Int
        private var line = 1
        private var broken = false

        private static let quote = UInt8(ascii: "\"")
        private static let comma = UInt8(ascii: ",")
        private static let cr = UInt8(ascii: "\r")
        private static let lf = UInt8(ascii: "\n")

        init(bytes: [UInt8], file: String) {
            self.bytes = bytes
            self.file = file
            // A UTF-8 byte order mark is not part of the first column's name.
            index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        }

        mutating func nextRecord(problems: inout RosterProblemList) -> RawRecord? {
            guard index < bytes.count else { return nil }
            let start = line
            broken = false
            var fields: [ArraySlice<UInt8>] = []
            while true {
                fields.append(nextField(recordLine: start, problems: &problems))
                guard index < bytes.count else { break }
                let byte = bytes[index]
                index += 1
                if byte == Self.comma { continue }
                // A line end: CRLF counts once.
                if byte == Self.cr, index < bytes.count, bytes[index] == Self.lf { index += 1 }
                line += 1
                break
            }
            return RawRecord(line: start, fields: fields, broken: broken)
        }

        /// Reads one field and leaves `index` on the delimiter (or at the end).
        private mutating func nextField(recordLine: Int, problems: inout RosterProblemList) -> ArraySlice<UInt8> {
            guard index < bytes.count, bytes[index] == Self.quote else {
                let start = index
                while index < bytes.count, !isDelimiter(bytes[index]) { index += 1 }
                return bytes[start..<index]
            }
            let quoteLine = line
            index += 1
            var value: [UInt8] = []
            while true {
                guard index < bytes.count else {
                    problems.add(
                        file, recordLine, nil,
                        quoteLine == recordLine
                            ? Message("roster.problem.quote_unclosed", "a quoted field is never closed: a \" is missing")
                            : Message(
                                "roster.problem.quote_unclosed_from",
                                "a quoted field is never closed (it opens on line \(quoteLine)): a \" is missing", numbers: ["line": quoteLine]))
                    broken = true
                    return value[...]
                }
                let byte = bytes[index]
                index += 1
                if byte == Self.quote {
                    if index < bytes.count, bytes[index] == Self.quote {
                        value.append(Self.quote)
                        index += 1
                        continue
                    }
                    break
                }
                if byte == Self.lf || (byte == Self.cr && (index >= bytes.count || bytes[index] != Self.lf)) {
                    line += 1
                }
                value.append(byte)
            }
            if index < bytes.count, !isDelimiter(bytes[index]) {
                problems.add(
                    file, recordLine, nil,
                    Message(
                        "roster.problem.text_after_quote",
                        "text follows the closing quote of a field: a quote inside a quoted field must be doubled (\"\")"))
                broken = true
                while index < bytes.count, !isDelimiter(bytes[index]) {
                    value.append(bytes[index])
                    index += 1
                }
            }
            return value[...]
        }

        private func isDelimiter(_ byte: UInt8) -> Bool { byte == Self.comma || byte == Self.cr || byte == Self.lf }
    }
}
