extension OneRosterImport {
    /// OneRoster 1.1 class types (CSV Tables §2.5).
    static let classTypes = ["homeroom", "scheduled"]

    /// classes.csv: title, course, class type, school and at least one term required.
    static func readClasses(_ table: CSVTable, _ mode: RosterFileMode, _ problems: inout RosterProblemList)
        -> [ParsedSet.Class]?
    {
        let columns = ["title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"]
        return readRows(table, mode, columns: columns, &problems) { row, key, problems in
            if key.deleted {
                return ParsedSet.Class(
                    key: key, schoolSourcedID: row.text("schoolSourcedId"), courseSourcedID: "", termSourcedIDs: [],
                    item: nil)
            }
            let before = problems.all.count
            let title = row.required("title", &problems)
            let code = row.optional("classCode", &problems)
            let course = row.required("courseSourcedId", &problems)
            _ = row.oneOf("classType", classTypes, &problems)
            let school = row.required("schoolSourcedId", &problems)
            let terms = row.list("termSourcedIds")
            if terms.isEmpty {
                problems.add(
                    row.file, row.line, "termSourcedIds", Message("roster.problem.session_required", "at least one academic session is required"))
            }
            guard key.valid, problems.all.count == before, let title, let course, let school, let term = terms.first
            else {
                return ParsedSet.Class(
                    key: key, schoolSourcedID: school ?? "", courseSourcedID: course ?? "", termSourcedIDs: terms,
                    item: nil)
            }
            return ParsedSet.Class(
                key: key, schoolSourcedID: school, courseSourcedID: course, termSourcedIDs: terms,
                item: RosterSnapshot.Class(
                    sourcedID: key.sourcedID, line: key.line, title: title, classCode: code, courseSourcedID: course,
                    termSourcedID: term))
        }
    }
}
