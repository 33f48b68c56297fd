extension OneRosterImport {
    /// courses.csv: title and the owning org required; the course code is kept when given.
    static func readCourses(_ table: CSVTable, _ mode: RosterFileMode, _ problems: inout RosterProblemList)
        -> [ParsedSet.Course]?
    {
        readRows(table, mode, columns: ["title", "orgSourcedId"], &problems) { row, key, problems in
            if key.deleted { return ParsedSet.Course(key: key, orgSourcedID: row.text("orgSourcedId"), course: nil) }
            let before = problems.all.count
            let title = row.required("title", &problems)
            let org = row.required("orgSourcedId", &problems)
            let code = row.optional("courseCode", &problems)
            guard key.valid, problems.all.count == before, let title, let org else {
                return ParsedSet.Course(key: key, orgSourcedID: org ?? "", course: nil)
            }
            return ParsedSet.Course(
                key: key, orgSourcedID: org,
                course: RosterSnapshot.Course(sourcedID: key.sourcedID, line: key.line, title: title, courseCode: code))
        }
    }
}
