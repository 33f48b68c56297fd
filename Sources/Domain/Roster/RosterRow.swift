/// One data record of a roster file, read by column name, with the value checks every file shares.
///
/// Each check adds a problem naming the file, the record's line and the column, and returns `nil` so the
/// caller can keep checking the rest of the row: a report lists every defect, not just the first.
struct RosterRow {
    let file: String
    let line: Int
    let fields: [String]
    let columns: [String: Int]

    /// The trimmed value, or "" when the column is absent or blank.
    func text(_ column: String) -> String { columns[column].map { fields[$0] } ?? "" }

    /// A value that must be present and at most `maxLength` characters (the schema's column width).
    func required(_ column: String, maxLength: Int = 255, _ problems: inout RosterProblemList) -> String? {
        let value = text(column)
        guard !value.isEmpty else {
            problems.add(file, line, column, Message("roster.problem.value_required", "a value is required"))
            return nil
        }
        return checkedLength(value, column, maxLength, &problems)
    }

    /// A value that may be blank (`nil`), at most `maxLength` characters when given.
    ///
    /// A too long value is reported and also returns `nil`; callers only use the result when the row had no
    /// problem, so the `nil` never reaches the database.
    func optional(_ column: String, maxLength: Int = 255, _ problems: inout RosterProblemList) -> String? {
        let value = text(column)
        guard !value.isEmpty else { return nil }
        return checkedLength(value, column, maxLength, &problems)
    }

    /// One of `allowed`, compared case-sensitively as the specification's enumerations are.
    func oneOf(_ column: String, _ allowed: [String], _ problems: inout RosterProblemList) -> String? {
        let value = text(column)
        guard !value.isEmpty else {
            problems.add(
                file, line, column,
                Message(
                    "roster.problem.value_required_one_of", "a value is required (one of \(allowed.joined(separator: ", ")))",
                    ["allowed": allowed.joined(separator: ", ")]))
            return nil
        }
        guard allowed.contains(value) else {
            problems.add(
                file, line, column,
                Message(
                    "roster.problem.value_not_allowed", "'\(value)' is not one of \(allowed.joined(separator: ", "))",
                    ["value": value, "allowed": allowed.joined(separator: ", ")]))
            return nil
        }
        return value
    }

    /// `true` or `false`; spreadsheet programs write them in capitals, so case is ignored.
    func boolean(_ column: String, _ problems: inout RosterProblemList) -> Bool? {
        switch text(column).lowercased() {
        case "true": return true
        case "false": return false
        case "": problems.add(file, line, column, Message("roster.problem.boolean_required", "a value is required (true or false)"))
        default:
            problems.add(
                file, line, column, Message("roster.problem.boolean_invalid", "'\(text(column))' is not true or false", ["value": text(column)]))
        }
        return nil
    }

    /// A list of sourcedIds (or grades): comma-separated inside one quoted field, blanks dropped.
    func list(_ column: String) -> [String] {
        text(column).split(separator: ",").map { CSVTable.trimmed(String($0)) }.filter { !$0.isEmpty }
    }

    /// A `YYYY-MM-DD` date (OneRoster 1.1 CSV Tables §2.3, "date"); `nil` and no problem when blank and not
    /// required.
    func date(_ column: String, required: Bool, _ problems: inout RosterProblemList) -> CalendarDate? {
        let value = text(column)
        if value.isEmpty {
            if required { problems.add(file, line, column, Message("roster.problem.date_required", "a date is required (YYYY-MM-DD)")) }
            return nil
        }
        guard let date = CalendarDate(value) else {
            problems.add(
                file, line, column, Message("roster.problem.date_invalid", "'\(value)' is not a date in the form YYYY-MM-DD", ["value": value]))
            return nil
        }
        return date
    }

    private func checkedLength(_ value: String, _ column: String, _ maxLength: Int, _ problems: inout RosterProblemList)
        -> String?
    {
        // The schema's VARCHAR widths count characters, which MariaDB's utf8mb4 takes to be code points.
        let length = value.unicodeScalars.count
        guard length <= maxLength else {
            problems.add(
                file, line, column,
                Message(
                    "roster.problem.too_long", "the value is \(length) characters long; at most \(maxLength) are allowed",
                    numbers: ["length": length, "max": maxLength]))
            return nil
        }
        return value
    }
}

extension RosterRow {
    /// Whether `text` is an ISO 8601 date-time as OneRoster writes `dateLastModified`
    /// (`2019-08-21T14:02:37.123Z`, an offset instead of `Z`, or a bare date).
    static func isDateTime(_ text: String) -> Bool {
        let parts = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        guard let day = parts.first, CalendarDate(String(day)) != nil else { return false }
        guard parts.count == 2 else { return true }
        var time = Substring(parts[1])
        if time.hasSuffix("Z") {
            time = time.dropLast()
        } else if let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = time[time.index(after: sign)...]
            guard isClock(offset, secondsAllowed: false) || isCompactOffset(offset) else { return false }
            time = time[..<sign]
        }
        return isClock(time, secondsAllowed: true)
    }

    /// `HH:MM` or `HH:MM:SS[.fraction]`.
    private static func isClock(_ text: Substring, secondsAllowed: Bool) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || (secondsAllowed && parts.count == 3) else { return false }
        let limits = [23, 59, 60]  // 60: a leap second
        for (index, part) in parts.enumerated() {
            var whole = part
            if index == 2, let dot = part.firstIndex(of: ".") {
                let fraction = part[part.index(after: dot)...]
                guard !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit) else { return false }
                whole = part[..<dot]
            }
            guard whole.count == 2, whole.allSatisfy(\.isASCIIDigit), let value = Int(whole), value <= limits[index]
            else { return false }
        }
        return true
    }

    private static func isCompactOffset(_ text: Substring) -> Bool {
        (text.count == 4 || text.count == 2) && text.allSatisfy(\.isASCIIDigit)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
