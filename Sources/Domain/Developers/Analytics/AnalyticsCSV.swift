import Foundation

/// CSV for the analytics download: RFC 4180 text that a spreadsheet opens as data, never as
/// formulas.
///
/// - A cell beginning with `=`, `+`, `-`, `@`, tab, carriage return or line feed gets a leading apostrophe,
///   so Excel, LibreOffice and Google Sheets show it as text instead of evaluating it (OWASP "CSV Injection").
///   A plain decimal number such as `-12` or `3.5` is left alone: it is data, and an apostrophe would turn it
///   into text.
/// - A cell containing a comma, a double quote, CR or LF is enclosed in double quotes, inner quotes doubled
///   (RFC 4180 §2 rules 5–7).
/// - Records end with CRLF (RFC 4180 §2 rule 1), the header record included.
public enum AnalyticsCSV {
    /// The `Content-Type` of the download (RFC 4180 §3).
    public static let contentType = "text/csv; charset=utf-8; header=present"

    /// One cell, guarded and quoted.
    public static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r\n".unicodeScalars.contains(first), !isPlainNumber(text) {
            text = "'" + text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: the cells joined with commas, ended by CRLF.
    public static func record(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    /// A whole file: the header record, then the rows.
    public static func document(header: [String], rows: [[String]]) -> String {
        record(header) + rows.map(record).joined()
    }

    /// `-?digits(.digits)?`: a number a spreadsheet reads as a number, which no formula can hide in.
    private static func isPlainNumber(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}
