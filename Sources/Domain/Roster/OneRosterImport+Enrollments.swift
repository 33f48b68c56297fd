extension OneRosterImport {
    /// OneRoster 1.1 enrollment roles (CSV Tables §2.6), plus `aide` which OneRoster 1.2 added and exports
    /// already write.
    static let enrollmentRoles = ["administrator", "aide", "proctor", "student", "teacher"]

    /// enrollments.csv: class, school, user and role required; `primary` is true or false when given, the
    /// begin and end dates are dates when given.
    ///
    /// Roles map to what CatalystWells distinguishes: student → student; teacher, aide, proctor → teacher.
    /// Administrator enrollments are kept out: a school admin sees every class already.
    static func readEnrollments(_ table: CSVTable, _ mode: RosterFileMode, _ problems: inout RosterProblemList)
        -> [ParsedSet.Enrollment]?
    {
        let columns = ["classSourcedId", "schoolSourcedId", "userSourcedId", "role"]
        return readRows(table, mode, columns: columns, &problems) { row, key, problems in
            if key.deleted {
                return ParsedSet.Enrollment(
                    key: key, schoolSourcedID: row.text("schoolSourcedId"), classSourcedID: "", userSourcedID: "",
                    isAdministrator: false, enrollment: nil)
            }
            let before = problems.all.count
            let classID = row.required("classSourcedId", &problems)
            let school = row.required("schoolSourcedId", &problems)
            let user = row.required("userSourcedId", &problems)
            let role = row.oneOf("role", enrollmentRoles, &problems)
            if !row.text("primary").isEmpty { _ = row.boolean("primary", &problems) }
            let begin = row.date("beginDate", required: false, &problems)
            let end = row.date("endDate", required: false, &problems)
            if let begin, let end, end < begin {
                problems.add(
                    row.file, row.line, "endDate",
                    Message(
                        "roster.problem.enrollment_ends_early", "the enrollment ends (\(end)) before it begins (\(begin))",
                        ["end": "\(end)", "begin": "\(begin)"]))
            }
            let mapped: RosterSnapshot.Enrollment.Role? =
                switch role {
                case "student": .student
                case "teacher", "aide", "proctor": .teacher
                default: nil
                }
            guard key.valid, problems.all.count == before, let classID, let user, let mapped else {
                return ParsedSet.Enrollment(
                    key: key, schoolSourcedID: school ?? "", classSourcedID: classID ?? "", userSourcedID: user ?? "",
                    isAdministrator: role == "administrator", enrollment: nil)
            }
            return ParsedSet.Enrollment(
                key: key, schoolSourcedID: school ?? "", classSourcedID: classID, userSourcedID: user,
                isAdministrator: false,
                enrollment: RosterSnapshot.Enrollment(
                    sourcedID: key.sourcedID, line: key.line, classSourcedID: classID, userSourcedID: user, role: mapped
                ))
        }
    }
}
