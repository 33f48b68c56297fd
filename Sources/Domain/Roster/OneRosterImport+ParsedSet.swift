extension OneRosterImport {
    /// Every row of every data file after the per-file checks, before choosing the school.
    ///
    /// Rows with problems stay in (with a `nil` payload) so that references to them do not cause a second,
    /// misleading "no such record" problem; the import fails on the first problem anyway.
    struct ParsedSet {
        /// What identifies a row and how the file wants it treated.
        struct Key {
            let sourcedID: String
            let line: Int
            /// `status` is `tobedeleted` (delta files only).
            let deleted: Bool
            /// The row passed its file's checks.
            let valid: Bool
        }

        struct Org {
            let key: Key
            let name: String
            let type: String
            let identifier: String?
        }

        struct Session {
            let key: Key
            let term: RosterSnapshot.Term?
        }

        struct Course {
            let key: Key
            let orgSourcedID: String
            let course: RosterSnapshot.Course?
        }

        struct Class {
            let key: Key
            let schoolSourcedID: String
            let courseSourcedID: String
            let termSourcedIDs: [String]
            let item: RosterSnapshot.Class?
        }

        struct User {
            let key: Key
            let orgSourcedIDs: [String]
            let agentSourcedIDs: [String]
            /// The mapped role, when the `role` value was valid.
            let role: Role?
            let hasPassword: Bool
            let user: RosterSnapshot.User?
        }

        struct Enrollment {
            let key: Key
            let schoolSourcedID: String
            let classSourcedID: String
            let userSourcedID: String
            /// `role` is `administrator`: such rows are not imported.
            let isAdministrator: Bool
            let enrollment: RosterSnapshot.Enrollment?
        }

        let modes: [RosterFile: RosterFileMode]
        /// Files present, undamaged and with every required column: only into these can references be checked.
        var readable: Set<RosterFile> = []
        var orgs: [Org] = []
        var sessions: [Session] = []
        var courses: [Course] = []
        var classes: [Class] = []
        var users: [User] = []
        var enrollments: [Enrollment] = []

        func mode(_ file: RosterFile) -> RosterFileMode { modes[file] ?? .absent }
    }

    /// Walks the records of one file: checks the header has `columns` (plus `status` and `dateLastModified`
    /// in a delta file), then per record the sourcedId (present, unique in the file), `status` and
    /// `dateLastModified` (OneRoster 1.1 CSV Tables §2.2: blank in bulk, required in delta), and hands the
    /// record to `body`. Returns `nil` when a required column is missing, since no record can be read then.
    static func readRows<T>(
        _ table: CSVTable, _ mode: RosterFileMode, columns: [String], _ problems: inout RosterProblemList,
        _ body: (RosterRow, ParsedSet.Key, inout RosterProblemList) -> T
    ) -> [T]? {
        let required = ["sourcedId"] + (mode == .delta ? ["status", "dateLastModified"] : []) + columns
        let missing = required.filter { table.columns[$0] == nil }
        for column in missing {
            problems.add(
                table.file, 1, column, Message("roster.problem.header_missing_column", "the header has no column '\(column)'", ["column": column]))
        }
        guard missing.isEmpty else { return nil }

        var firstLine: [String: Int] = [:]
        var result: [T] = []
        result.reserveCapacity(table.records.count)
        for record in table.records {
            let row = RosterRow(file: table.file, line: record.line, fields: record.fields, columns: table.columns)
            let before = problems.all.count
            guard let sourcedID = row.required("sourcedId", &problems) else { continue }
            if let first = firstLine[sourcedID] {
                problems.add(
                    table.file, record.line, "sourcedId",
                    Message(
                        "roster.problem.sourced_id_repeated", "'\(sourcedID)' is already used on line \(first)",
                        ["value": sourcedID], numbers: ["line": first]))
                continue
            }
            firstLine[sourcedID] = record.line

            let deleted: Bool
            switch (mode, row.text("status")) {
            case (.delta, "active"): deleted = false
            case (.delta, "tobedeleted"): deleted = true
            case (.delta, ""):
                problems.add(
                    table.file, record.line, "status",
                    Message("roster.problem.status_required_delta", "a value is required in a delta file (active or tobedeleted)"))
                deleted = false
            case (_, let status) where status.isEmpty || status == "active":
                deleted = false
            case (_, "tobedeleted"):
                problems.add(
                    table.file, record.line, "status",
                    Message(
                        "roster.problem.tobedeleted_in_bulk",
                        "'tobedeleted' has no meaning in a bulk file: leave the row out, or declare the file delta in manifest.csv")
                )
                deleted = false
            case (_, let status):
                problems.add(
                    table.file, record.line, "status",
                    Message("roster.problem.status_invalid", "'\(status)' is not one of active, tobedeleted", ["value": status]))
                deleted = false
            }

            let modified = row.text("dateLastModified")
            if modified.isEmpty {
                if mode == .delta {
                    problems.add(
                        table.file, record.line, "dateLastModified",
                        Message("roster.problem.modified_required_delta", "a value is required in a delta file (ISO 8601)"))
                }
            } else if !RosterRow.isDateTime(modified) {
                problems.add(
                    table.file, record.line, "dateLastModified",
                    Message(
                        "roster.problem.modified_invalid", "'\(modified)' is not an ISO 8601 date-time such as 2024-08-21T14:02:37Z",
                        ["value": modified]))
            }

            let key = ParsedSet.Key(
                sourcedID: sourcedID, line: record.line, deleted: deleted, valid: problems.all.count == before)
            result.append(body(row, key, &problems))
        }
        return result
    }
}
