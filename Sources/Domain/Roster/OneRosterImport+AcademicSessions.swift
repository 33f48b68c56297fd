extension OneRosterImport {
    /// OneRoster 1.1 session types (CSV Tables §2.4); the same names as the `terms.kind` column.
    static let sessionTypes = ["gradingPeriod", "semester", "schoolYear", "term"]

    /// academicSessions.csv: title, type, start and end dates (start on or before end), and a four-digit
    /// `schoolYear`.
    static func readSessions(_ table: CSVTable, _ mode: RosterFileMode, _ problems: inout RosterProblemList)
        -> [ParsedSet.Session]?
    {
        readRows(table, mode, columns: ["title", "type", "startDate", "endDate", "schoolYear"], &problems) {
            row, key, problems in
            if key.deleted { return ParsedSet.Session(key: key, term: nil) }
            let before = problems.all.count
            let title = row.required("title", &problems)
            let kind = row.oneOf("type", sessionTypes, &problems)
            let start = row.date("startDate", required: true, &problems)
            let end = row.date("endDate", required: true, &problems)
            if let start, let end, end < start {
                problems.add(
                    row.file, row.line, "endDate",
                    Message(
                        "roster.problem.session_ends_early", "the session ends (\(end)) before it starts (\(start))",
                        ["end": "\(end)", "start": "\(start)"]))
            }
            let year = row.text("schoolYear")
            if year.isEmpty {
                problems.add(row.file, row.line, "schoolYear", Message("roster.problem.year_required", "a value is required (a year such as 2025)"))
            } else if year.count != 4 || !year.allSatisfy({ $0.isASCII && $0.isNumber }) {
                problems.add(
                    row.file, row.line, "schoolYear", Message("roster.problem.year_invalid", "'\(year)' is not a four-digit year", ["value": year]))
            }
            guard key.valid, problems.all.count == before, let title, let kind, let start, let end else {
                return ParsedSet.Session(key: key, term: nil)
            }
            return ParsedSet.Session(
                key: key,
                term: RosterSnapshot.Term(
                    sourcedID: key.sourcedID, line: key.line, title: title, kind: kind, startDate: start, endDate: end))
        }
    }
}
