extension OneRosterImport {
    /// OneRoster 1.1 user roles (CSV Tables §2.9) and the CatalystWells role each becomes: classroom staff
    /// teach, every kind of carer is a parent, an administrator administers the school.
    static let userRoles: [String: Role] = [
        "administrator": .schoolAdmin,
        "aide": .teacher,
        "guardian": .parent,
        "parent": .parent,
        "proctor": .teacher,
        "relative": .parent,
        "student": .student,
        "teacher": .teacher,
    ]

    /// users.csv: `enabledUser`, orgs, role, username and names required; an email, when given, must look
    /// like one (RFC 5321 limits it to 254 characters). Usernames and emails are lower-cased: they are sign-in
    /// identifiers and compared without case. The `password` column is only counted, never read.
    static func readUsers(_ table: CSVTable, _ mode: RosterFileMode, _ problems: inout RosterProblemList) -> [ParsedSet
        .User]?
    {
        let columns = ["enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"]
        let roleNames = userRoles.keys.sorted()
        return readRows(table, mode, columns: columns, &problems) { row, key, problems in
            let orgs = row.list("orgSourcedIds")
            let agents = row.list("agentSourcedIds")
            let hasPassword = !row.text("password").isEmpty
            if key.deleted {
                return ParsedSet.User(
                    key: key, orgSourcedIDs: orgs, agentSourcedIDs: agents, role: nil, hasPassword: false, user: nil)
            }
            let before = problems.all.count
            let enabled = row.boolean("enabledUser", &problems)
            if orgs.isEmpty {
                problems.add(row.file, row.line, "orgSourcedIds", Message("roster.problem.org_required", "at least one org is required"))
            }
            let role = row.oneOf("role", roleNames, &problems).flatMap { userRoles[$0] }
            let username = row.required("username", &problems)?.lowercased()
            let givenName = row.required("givenName", &problems)
            let familyName = row.required("familyName", &problems)
            let email = row.optional("email", maxLength: 254, &problems)?.lowercased()
            if let email, !looksLikeEmail(email) {
                problems.add(
                    row.file, row.line, "email", Message("roster.problem.email_invalid", "'\(email)' is not an email address", ["value": email]))
            }
            let grades = row.list("grades").joined(separator: ",")
            if grades.unicodeScalars.count > 32 {
                problems.add(
                    row.file, row.line, "grades",
                    Message(
                        "roster.problem.grades_too_long", "the grades take \(grades.count) characters; at most 32 are kept",
                        numbers: ["length": grades.count]))
            }
            guard key.valid, problems.all.count == before, let enabled, let role, let username, let givenName,
                let familyName
            else {
                return ParsedSet.User(
                    key: key, orgSourcedIDs: orgs, agentSourcedIDs: agents, role: role, hasPassword: hasPassword,
                    user: nil)
            }
            return ParsedSet.User(
                key: key, orgSourcedIDs: orgs, agentSourcedIDs: agents, role: role, hasPassword: hasPassword,
                user: RosterSnapshot.User(
                    sourcedID: key.sourcedID, line: key.line, role: role, givenName: givenName, familyName: familyName,
                    username: username, email: email, gradeLevel: grades.isEmpty ? nil : grades, enabled: enabled))
        }
    }

    /// One `@` with text on both sides, a dot in the domain, no spaces or control characters: enough to catch
    /// a name or a phone number in the email column. Deliverability is proven by the set-password email.
    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return !text.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
    }
}
