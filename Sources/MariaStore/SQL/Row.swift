import Foundation

/// One result row; columns are read by name.
public struct Row: Sendable {
    let columns: ColumnIndex
    /// The values in column order.
    public let values: [SQLValue]

    /// The raw value of a column; a misspelt column name is a programming error.
    public subscript(_ name: String) -> SQLValue {
        guard let index = columns.positions[name] else {
            preconditionFailure("no column named \(name) in this result (\(columns.names.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// Whether the result has a column of this name (for queries whose column list varies).
    public func hasColumn(_ name: String) -> Bool { columns.positions[name] != nil }

    /// An integer column; `nil` for NULL.
    public func int(_ name: String) -> Int? {
        switch self[name] {
        case .int(let v): Int(v)
        case .bytes(let b): Int(String(decoding: b, as: UTF8.self))
        case .text(let s): Int(s)
        case .double(let d): Int(exactly: d)
        default: nil
        }
    }

    /// A floating-point column; `nil` for NULL.
    public func double(_ name: String) -> Double? {
        switch self[name] {
        case .double(let d): d
        case .int(let v): Double(v)
        case .bytes(let b): Double(String(decoding: b, as: UTF8.self))
        case .text(let s): Double(s)
        default: nil
        }
    }

    /// A text column decoded as UTF-8; `nil` for NULL.
    public func string(_ name: String) -> String? {
        switch self[name] {
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        case .text(let s): s
        case .int(let v): String(v)
        case .double(let d): String(d)
        case .date(let d): ISO8601DateFormatter().string(from: d)
        case .null: nil
        }
    }

    /// A binary column; `nil` for NULL.
    public func bytes(_ name: String) -> [UInt8]? {
        switch self[name] {
        case .bytes(let b): b
        case .text(let s): Array(s.utf8)
        default: nil
        }
    }

    /// A `DATETIME` column read as UTC; `nil` for NULL.
    public func date(_ name: String) -> Date? {
        if case .date(let d) = self[name] { return d }
        return nil
    }
}

/// Column names of one result, shared by its rows.
final class ColumnIndex: Sendable {
    let names: [String]
    let positions: [String: Int]

    init(names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (i, name) in names.enumerated() where positions[name] == nil { positions[name] = i }
        self.positions = positions
    }
}

/// What a statement produced.
public struct QueryResult: Sendable {
    /// The rows of a `SELECT`; empty for other statements.
    public let rows: [Row]
    /// Rows changed by an `INSERT`, `UPDATE` or `DELETE`.
    public let affectedRows: Int
    /// The `AUTO_INCREMENT` value of an `INSERT`, or 0.
    public let insertID: Int64
}
