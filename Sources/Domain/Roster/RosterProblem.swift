/// One defect found in a OneRoster CSV set, located as precisely as the defect allows.
///
/// `line` is the physical line on which the offending record starts (1 is the header), so a record whose
/// quoted field spans several lines is reported where an editor shows its first character.
public struct RosterProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file name inside the set, without any folder prefix (`users.csv`).
    public let file: String
    /// The physical line where the record starts; `nil` for a problem with the whole file or set.
    public let line: Int?
    /// The column name as written in the header; `nil` when the problem is not about one value.
    public let column: String?
    /// What is wrong, in words a school administrator can act on.
    public let message: String

    /// Creates a problem.
    public init(file: String, line: Int?, column: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `users.csv line 4, column role: 'wizard' is not one of …`.
    public var description: String {
        var location = file
        if let line { location += " line \(line)" }
        if let column { location += (line == nil ? " " : ", ") + "column \(column)" }
        return "\(location): \(message)"
    }
}
