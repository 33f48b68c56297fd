/// A row id of one kind of record. The phantom `Kind` keeps a user id from being passed where a class id is
/// expected; the raw value is what the database holds.
public struct RecordID<Kind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The database row id.
    public let rawValue: Int64

    /// Wraps a row id.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// Parses a decimal id from a URL segment; `nil` for anything that is not a positive number.
    public init?(_ text: String) {
        guard text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let value = Int64(text), value > 0
        else { return nil }
        self.rawValue = value
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// Marker types for ``RecordID``.
public enum SchoolRecord {}
public enum UserRecord {}
public enum ClassRecord {}
public enum AssessmentRecord {}
public enum TermRecord {}

public typealias SchoolID = RecordID<SchoolRecord>
public typealias UserID = RecordID<UserRecord>
public typealias ClassID = RecordID<ClassRecord>
public typealias AssessmentID = RecordID<AssessmentRecord>
public typealias TermID = RecordID<TermRecord>
