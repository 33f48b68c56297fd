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
    /// What is wrong, in words a school administrator can act on (a message code; ``message`` is its English).
    public let problem: Message

    /// Creates a problem.
    public init(file: String, line: Int?, column: String?, problem: Message) {
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
    }

    /// Creates a problem whose words have no message code (shown as they are).
    public init(file: String, line: Int?, column: String?, message: String) {
        self.init(file: file, line: line, column: column, problem: Message(verbatim: message))
    }

    /// What is wrong, in English.
    public var message: String { problem.english }

    /// `users.csv line 4, column role: 'wizard' is not one of …`.
    public var description: String { located.english }

    /// ``description`` as a message code, for a page in its reader's language.
    public var located: Message {
        let nested = ["problem": problem]
        switch (line, column) {
        case (let line?, let column?):
            return Message(
                "roster.problem.at_line_column", "\(file) line \(line), column \(column): \(message)",
                ["file": file, "column": column], numbers: ["line": line], nested: nested)
        case (let line?, nil):
            return Message("roster.problem.at_line", "\(file) line \(line): \(message)", ["file": file], numbers: ["line": line], nested: nested)
        case (nil, let column?):
            return Message("roster.problem.at_column", "\(file) column \(column): \(message)", ["file": file, "column": column], nested: nested)
        case (nil, nil):
            return Message("roster.problem.in_file", "\(file): \(message)", ["file": file], nested: nested)
        }
    }

    /// Problems are equal when they say the same, in English, at the same place.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.file == rhs.file && lhs.line == rhs.line && lhs.column == rhs.column && lhs.message == rhs.message
    }
}
