import Domain
import Foundation

/// ``RosterStore`` over the main database: one transaction per import, rows matched by
/// (school_id, sourced_id) and written only when they differ. New rows, deactivations and lookups go in
/// multi-row statements of up to ``MultiRowStatement/batchRows`` rows (a district's import is a few hundred statements,
/// not one round trip per person); changed rows are updated one by one, as a delta import changes few.
public struct MariaRosterStore: RosterStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// See ``RosterStore/apply(_:startedBy:source:now:)``.
    public func apply(_ snapshot: RosterSnapshot, startedBy: String, source: String, now: Date) throws
        -> RosterImportSummary
    {
        try database.transaction { transaction in
            var run = RosterRun(tx: transaction, snapshot: snapshot, now: now)
            let summary = try run.apply()
            if summary.changedAnything {
                // Classes, teachers and enrolments appear on record pages: every student page of the school changes.
                try transaction.execute(
                    "UPDATE users SET record_version = record_version + 1 WHERE school_id = \(summary.schoolID.rawValue) AND role = 'student'")
            }
            let text = String(summary.lines.joined(separator: "\n").prefix(2000))
            try transaction.execute(
                """
                INSERT INTO roster_imports (school_id, started_by, source, summary, created_at)
                VALUES (\(summary.schoolID.rawValue), \(String(startedBy.prefix(255))), \(String(source.prefix(255))),
                        \(text), \(now))
                """)
            return summary
        }
    }
}

/// One application of a snapshot inside its transaction.
///
/// Problems that only the database can reveal (an identifier held by another account, a reference to a
/// record that was never imported) are collected while the work goes on, and thrown together as one
/// ``RosterReport`` at the end, which rolls everything back.
private struct RosterRun {
    let tx: Transaction
    let snapshot: RosterSnapshot
    let now: Date
    var problems: [RosterProblem] = []
    var schoolID: Int64 = 0

    init(tx: Transaction, snapshot: RosterSnapshot, now: Date) {
        self.tx = tx
        self.snapshot = snapshot
        self.now = now
    }

    mutating func apply() throws -> RosterImportSummary {
        let school = try applySchool()
        schoolID = school.id

        var termCounts = RosterImportSummary.Counts()
        let termIDs = try sync(
            .terms, mode: snapshot.mode(of: .academicSessions), removals: snapshot.removals.terms,
            rows: snapshot.terms.map {
                ($0.sourcedID, [$0.title, $0.kind, $0.startDate.description, $0.endDate.description])
            }, counts: &termCounts)

        var courseCounts = RosterImportSummary.Counts()
        let courseIDs = try sync(
            .courses, mode: snapshot.mode(of: .courses), removals: snapshot.removals.courses,
            rows: snapshot.courses.map { ($0.sourcedID, [$0.title, $0.courseCode]) }, counts: &courseCounts)

        var classRows: [(String, [String?])] = []
        for item in snapshot.classes {
            let course = courseIDs[item.courseSourcedID]
            let term = termIDs[item.termSourcedID]
            if course == nil {
                problem(
                    "classes.csv", item.line, "courseSourcedId",
                    Message(
                        "roster.problem.no_course_stored",
                        "there is no course '\(item.courseSourcedID)' in courses.csv or in earlier imports of this school",
                        ["value": item.courseSourcedID]))
            }
            if term == nil {
                problem(
                    "classes.csv", item.line, "termSourcedIds",
                    Message(
                        "roster.problem.no_session_stored",
                        "there is no academic session '\(item.termSourcedID)' in academicSessions.csv or in earlier imports of this school",
                        ["value": item.termSourcedID]))
            }
            guard let course, let term else { continue }
            classRows.append((item.sourcedID, [item.title, item.classCode, String(course), String(term)]))
        }
        var classCounts = RosterImportSummary.Counts()
        let classIDs = try sync(
            .classes, mode: snapshot.mode(of: .classes), removals: snapshot.removals.classes, rows: classRows,
            counts: &classCounts)

        let users = try applyUsers()
        let enrollmentCounts = try applyEnrollments(classIDs: classIDs, userIDs: users.ids)
        let linkCounts = try applyGuardianLinks(users: users)

        if !problems.isEmpty { throw RosterReport(problems: problems) }
        return RosterImportSummary(
            schoolID: SchoolID(schoolID), schoolName: school.name, school: school.counts, terms: termCounts,
            courses: courseCounts, classes: classCounts, users: users.counts, enrollments: enrollmentCounts,
            guardianLinks: linkCounts, skipped: snapshot.skipped, ignoredPasswords: snapshot.ignoredPasswords,
            endedSessions: users.endedSessions, invitations: users.invitations)
    }

    private mutating func problem(_ file: String, _ line: Int?, _ column: String?, _ message: Message) {
        problems.append(RosterProblem(file: file, line: line, column: column, problem: message))
    }

    /// "there is no user '…' in users.csv or in earlier imports of this school".
    private static func noStoredUser(_ sourcedID: String) -> Message {
        Message(
            "roster.problem.no_user_stored", "there is no user '\(sourcedID)' in users.csv or in earlier imports of this school",
            ["value": sourcedID])
    }

    /// An identifier held by an account of this school that an admin made by hand, with that account's role.
    private static func takenByHand(_ identifier: String, role: Role?) -> Message {
        let name: Message =
            switch role {
            case .student: Message("role.student", "Student")
            case .teacher: Message("role.teacher", "Teacher")
            case .parent: Message("role.parent", "Parent")
            case .schoolAdmin: Message("role.school_admin", "School admin")
            case .platformAdmin: Message("role.platform_admin", "Platform admin")
            case nil: Message(verbatim: "?")
            }
        return Message(
            "roster.problem.taken_by_hand",
            "'\(identifier)' is already the sign-in name of an account of this school created by hand (role \(name.english))",
            ["value": identifier], nested: ["role": name])
    }

    // MARK: - Batches

    /// Runs `head` followed by `(?, …), (?, …)` for each batch of `rows`, then `tail` (constant text of this file).
    private func executeBatched(_ head: String, _ rows: [[SQLValue]], tail: String = "") throws {
        for query in MultiRowStatement.queries(head, rows, tail: tail) { try tx.execute(query) }
    }

    /// Calls `body` with `values` cut into batches, for `IN (…)` lists.
    private func forEachBatch<Value>(of values: [Value], _ body: (ArraySlice<Value>) throws -> Void) throws {
        try MultiRowStatement.forEachBatch(of: values, body)
    }

    // MARK: - School

    /// Finds or creates the school, locking its row so two imports of one school run one after the other.
    private mutating func applySchool() throws -> (id: Int64, name: String, counts: RosterImportSummary.Counts) {
        let wanted = snapshot.school
        var counts = RosterImportSummary.Counts()
        let rows = try tx.query(
            "SELECT id, name, identifier FROM schools WHERE sourced_id = \(wanted.sourcedID) FOR UPDATE")
        guard let row = rows.first, let id = row.int("id") else {
            guard let name = wanted.name else {
                throw RosterReport(problems: [
                    RosterProblem(
                        file: "orgs.csv", line: nil, column: nil,
                        problem: Message(
                            "roster.problem.school_unknown", "school '\(wanted.sourcedID)' is neither in orgs.csv nor imported before",
                            ["value": wanted.sourcedID]))
                ])
            }
            let result = try tx.execute(
                """
                INSERT INTO schools (sourced_id, name, identifier, created_at, updated_at)
                VALUES (\(wanted.sourcedID), \(name), \(wanted.identifier.sqlValue), \(now), \(now))
                """)
            counts.created = 1
            return (result.insertID, name, counts)
        }
        let storedName = row.string("name") ?? ""
        guard let name = wanted.name, name != storedName || wanted.identifier != row.string("identifier") else {
            counts.unchanged = 1
            return (Int64(id), storedName, counts)
        }
        try tx.execute(
            "UPDATE schools SET name = \(name), identifier = \(wanted.identifier.sqlValue), updated_at = \(now) WHERE id = \(id)"
        )
        counts.updated = 1
        return (Int64(id), name, counts)
    }

    // MARK: - Terms, courses, classes

    /// A school-scoped table whose rows are matched by sourced_id and have an `active` flag. Column names are
    /// constants of this file, never input, which is what makes `unsafeRaw` safe here.
    private struct Table {
        let name: String
        /// Column names, and how to select each as text comparable with the values the snapshot gives.
        let columns: [(name: String, select: String)]

        static let terms = Table(
            name: "terms",
            columns: [
                ("title", "title"), ("kind", "kind"), ("start_date", "DATE_FORMAT(start_date, '%Y-%m-%d')"),
                ("end_date", "DATE_FORMAT(end_date, '%Y-%m-%d')"),
            ])
        static let courses = Table(name: "courses", columns: [("title", "title"), ("course_code", "course_code")])
        static let classes = Table(
            name: "classes",
            columns: [
                ("title", "title"), ("class_code", "class_code"), ("course_id", "course_id"), ("term_id", "term_id"),
            ])
    }

    /// Inserts new rows, updates differing or inactive ones, and deactivates what a bulk file leaves out or a
    /// delta file removes. Returns sourced_id → id for every row of the school, old and new.
    private mutating func sync(
        _ table: Table, mode: RosterFileMode, removals: [String], rows: [(sourcedID: String, values: [String?])],
        counts: inout RosterImportSummary.Counts
    ) throws -> [String: Int64] {
        let selects = table.columns.map { "\($0.select) AS \($0.name)" }.joined(separator: ", ")
        var existing: [String: (id: Int64, values: [String?], active: Bool)] = [:]
        for row in try tx.query(
            "SELECT id, sourced_id, active, \(unsafeRaw: selects) FROM \(unsafeRaw: table.name) WHERE school_id = \(schoolID) FOR UPDATE"
        ) {
            existing[row.string("sourced_id") ?? ""] = (
                Int64(row.int("id") ?? 0), table.columns.map { row.string($0.name) }, row.int("active") == 1
            )
        }
        guard mode != .absent else { return existing.mapValues(\.id) }

        var ids = existing.mapValues(\.id)
        var listed: Set<String> = []
        var inserts: [[SQLValue]] = []
        for row in rows {
            listed.insert(row.sourcedID)
            if let old = existing[row.sourcedID] {
                if old.values == row.values && old.active {
                    counts.unchanged += 1
                    continue
                }
                var sql = SQLBuilder("UPDATE \(table.name) SET ")
                for (index, column) in table.columns.enumerated() {
                    sql.append(column.name + " = ", row.values[index])
                    sql.append(", ")
                }
                sql.append("active = TRUE WHERE id = ", old.id)
                try tx.execute(sql.query)
                counts.updated += 1
            } else if ids[row.sourcedID] == nil {
                inserts.append([schoolID.sqlValue, row.sourcedID.sqlValue] + row.values.map(\.sqlValue))
                ids[row.sourcedID] = 0
                counts.created += 1
            }
        }
        if !inserts.isEmpty {
            try executeBatched(
                "INSERT INTO \(table.name) (school_id, sourced_id, \(table.columns.map(\.name).joined(separator: ", "))) VALUES ",
                inserts)
            for row in try tx.query(
                "SELECT id, sourced_id FROM \(unsafeRaw: table.name) WHERE school_id = \(schoolID)")
            {
                if let sourcedID = row.string("sourced_id"), let id = row.int("id") { ids[sourcedID] = Int64(id) }
            }
        }

        let leaving = mode == .bulk ? Array(existing.keys.filter { !listed.contains($0) }) : removals
        var deactivate: [Int64] = []
        for sourcedID in leaving {
            guard let old = existing[sourcedID], old.active, !listed.contains(sourcedID) else { continue }
            deactivate.append(old.id)
            counts.deactivated += 1
        }
        try forEachBatch(of: deactivate) { chunk in
            try tx.execute("UPDATE \(unsafeRaw: table.name) SET active = FALSE WHERE id IN (\(list: chunk))")
        }
        return ids
    }

    // MARK: - Users

    private struct StoredUser {
        let id: Int64
        let sourcedID: String?
        let role: String
        let values: [String?]
        let active: Bool
        let hasPassword: Bool

        var username: String? { values[4] }
        var email: String? { values[3] }
    }

    struct UserResult {
        var counts = RosterImportSummary.Counts()
        /// sourced_id → id of every roster user of the school.
        var ids: [String: Int64] = [:]
        /// id → role after the import.
        var roles: [Int64: String] = [:]
        var endedSessions = 0
        var invitations: [PasswordInvitation] = []
    }

    /// The values compared and written, in this order.
    private static let userColumns = ["role", "given_name", "family_name", "email", "username", "grade_level"]

    private mutating func applyUsers() throws -> UserResult {
        var result = UserResult()
        var stored: [StoredUser] = []
        for row in try tx.query(
            """
            SELECT id, sourced_id, role, given_name, family_name, email, username, grade_level, active,
                   password_hash IS NOT NULL AS has_password
            FROM users WHERE school_id = \(schoolID) FOR UPDATE
            """)
        {
            stored.append(
                StoredUser(
                    id: Int64(row.int("id") ?? 0), sourcedID: row.string("sourced_id"), role: row.string("role") ?? "",
                    values: Self.userColumns.map { row.string($0) }, active: row.int("active") == 1,
                    hasPassword: row.int("has_password") == 1))
        }
        var bySourcedID: [String: StoredUser] = [:]
        for user in stored {
            result.roles[user.id] = user.role
            if let sourcedID = user.sourcedID {
                bySourcedID[sourcedID] = user
                result.ids[sourcedID] = user.id
            }
        }
        let mode = snapshot.mode(of: .users)
        guard mode != .absent else { return result }

        // Who holds each identifier once the import is done, to tell a real conflict from two roster users
        // trading addresses.
        var finalHolder: [String: String] = [:]
        for user in snapshot.users {
            for identifier in [user.username, user.email].compactMap({ $0 }) {
                if let other = finalHolder[identifier], other != user.sourcedID {
                    problem(
                        "users.csv", user.line, identifier == user.email ? "email" : "username",
                        Message(
                            "roster.problem.sign_in_name_repeated", "'\(identifier)' is also a sign-in name of user '\(other)' in users.csv",
                            ["value": identifier, "user": other]))
                }
                finalHolder[identifier] = user.sourcedID
            }
        }

        let listedIDs = Set(snapshot.users.map(\.sourcedID))
        // The accounts holding each sign-in name that a row asks for and its own account does not hold yet.
        var wanted: [String] = []
        for user in snapshot.users {
            let current = bySourcedID[user.sourcedID]
            let held = Set([current?.username, current?.email].compactMap { $0 })
            wanted += [user.username, user.email].compactMap { $0 }.filter { !held.contains($0) }
        }
        let holdersOf = try holders(of: wanted)
        // Match every row to a stored user, adopting a same-role account made by hand, and find conflicts.
        var matches: [String: StoredUser] = [:]
        var adopted: Set<Int64> = []
        for user in snapshot.users {
            let current = bySourcedID[user.sourcedID]
            let held = Set([current?.username, current?.email].compactMap { $0 })
            var adoption: StoredUser?
            for identifier in [user.username, user.email].compactMap({ $0 }) where !held.contains(identifier) {
                let column = identifier == user.email ? "email" : "username"
                for holder in try holdersOf(identifier) {
                    let holderID = Int64(holder.int("id") ?? 0)
                    if holderID == current?.id || holderID == adoption?.id { continue }
                    let sameSchool = holder.int("school_id").map(Int64.init) == schoolID
                    let holderSourcedID = holder.string("sourced_id")
                    if sameSchool, let holderSourcedID, let next = finalHolder[identifier], next != holderSourcedID,
                        listedIDs.contains(holderSourcedID)
                    {
                        continue  // the other roster user gives the identifier up in this import
                    }
                    if sameSchool, holderSourcedID == nil, current == nil, adoption == nil,
                        holder.string("role") == user.role.rawValue, !adopted.contains(holderID)
                    {
                        adoption = StoredUser(
                            id: holderID, sourcedID: nil, role: holder.string("role") ?? "",
                            values: Self.userColumns.map { holder.string($0) }, active: holder.int("active") == 1,
                            hasPassword: holder.int("has_password") == 1)
                        continue
                    }
                    let taken: Message =
                        if holder.int("school_id") == nil {
                            Message(
                                "roster.problem.taken_by_platform_admin", "'\(identifier)' is already the sign-in name of a platform admin account",
                                ["value": identifier])
                        } else if !sameSchool {
                            Message(
                                "roster.problem.taken_by_other_school", "'\(identifier)' is already the sign-in name of an account of another school",
                                ["value": identifier])
                        } else if let holderSourcedID {
                            Message(
                                "roster.problem.taken_by_unlisted_user",
                                "'\(identifier)' is already the sign-in name of user '\(holderSourcedID)' of this school, who is not in this users.csv",
                                ["value": identifier, "user": holderSourcedID])
                        } else {
                            Self.takenByHand(identifier, role: holder.string("role").flatMap(Role.init(rawValue:)))
                        }
                    problem("users.csv", user.line, column, taken)
                }
            }
            if let match = current ?? adoption {
                matches[user.sourcedID] = match
                if adoption != nil { adopted.insert(match.id) }
            }
        }
        // Every later step needs these users' ids: stop here rather than report what follows from the conflict.
        guard problems.isEmpty else { throw RosterReport(problems: problems) }

        // Free the identifiers that move first, so a swap between two users never trips a unique key.
        for user in snapshot.users {
            guard let match = matches[user.sourcedID] else { continue }
            if match.username != user.username || match.email != user.email {
                try tx.execute("UPDATE users SET username = NULL, email = NULL WHERE id = \(match.id)")
            }
        }

        var deactivated: [Int64] = []
        var listed: Set<String> = []
        var inserts: [[SQLValue]] = []
        var invitees: [(sourcedID: String, email: String, name: String)] = []
        for user in snapshot.users {
            listed.insert(user.sourcedID)
            let values: [String?] = [
                user.role.rawValue, user.givenName, user.familyName, user.email, user.username, user.gradeLevel,
            ]
            let id: Int64
            let hasPassword: Bool
            if let match = matches[user.sourcedID] {
                id = match.id
                hasPassword = match.hasPassword
                if match.values == values && match.active == user.enabled && match.sourcedID == user.sourcedID {
                    result.counts.unchanged += 1
                } else {
                    try tx.execute(
                        """
                        UPDATE users SET sourced_id = \(user.sourcedID), role = \(user.role.rawValue),
                            given_name = \(user.givenName), family_name = \(user.familyName), email = \(user.email.sqlValue),
                            username = \(user.username), grade_level = \(user.gradeLevel.sqlValue), active = \(user.enabled),
                            updated_at = \(now)
                        WHERE id = \(id)
                        """)
                    if match.active && !user.enabled {
                        result.counts.deactivated += 1
                        deactivated.append(id)
                    } else {
                        result.counts.updated += 1
                    }
                }
            } else {
                inserts.append([
                    schoolID.sqlValue, user.sourcedID.sqlValue, user.role.rawValue.sqlValue, user.givenName.sqlValue,
                    user.familyName.sqlValue, user.email.sqlValue, user.username.sqlValue, user.gradeLevel.sqlValue,
                    user.enabled.sqlValue, now.sqlValue, now.sqlValue,
                ])
                result.counts.created += 1
                if user.enabled, let email = user.email {
                    invitees.append((user.sourcedID, email, "\(user.givenName) \(user.familyName)"))
                }
                continue
            }
            result.ids[user.sourcedID] = id
            result.roles[id] = user.role.rawValue
            if user.enabled, let email = user.email, !hasPassword {
                result.invitations.append(
                    PasswordInvitation(
                        userID: UserID(id), email: email, displayName: "\(user.givenName) \(user.familyName)"))
            }
        }
        if !inserts.isEmpty {
            try executeBatched(
                """
                INSERT INTO users (school_id, sourced_id, role, given_name, family_name, email, username,
                                   grade_level, active, created_at, updated_at) VALUES\u{20}
                """, inserts)
            // The new rows' ids, read back by their sourced ids (one statement, not one per row).
            var created: [String: Int64] = [:]
            for row in try tx.query(
                "SELECT id, sourced_id FROM users WHERE school_id = \(schoolID) AND sourced_id IS NOT NULL")
            {
                if let sourcedID = row.string("sourced_id"), let id = row.int("id") { created[sourcedID] = Int64(id) }
            }
            for user in snapshot.users where matches[user.sourcedID] == nil {
                guard let id = created[user.sourcedID] else {
                    throw StoreError(.conflict, detail: "roster import: the new user '\(user.sourcedID)' was not read back")
                }
                result.ids[user.sourcedID] = id
                result.roles[id] = user.role.rawValue
            }
            for invitee in invitees {
                guard let id = created[invitee.sourcedID] else { continue }
                result.invitations.append(PasswordInvitation(userID: UserID(id), email: invitee.email, displayName: invitee.name))
            }
        }

        let leaving = mode == .bulk ? Array(bySourcedID.keys) : snapshot.removals.users
        var leavers: [Int64] = []
        for sourcedID in leaving where !listed.contains(sourcedID) {
            guard let old = bySourcedID[sourcedID], old.active, !adopted.contains(old.id) else { continue }
            leavers.append(old.id)
            result.counts.deactivated += 1
        }
        try forEachBatch(of: leavers) { chunk in
            try tx.execute("UPDATE users SET active = FALSE, updated_at = \(now) WHERE id IN (\(list: chunk))")
        }
        deactivated += leavers
        // A deactivated user is signed out everywhere at once, not when their session next expires.
        try forEachBatch(of: deactivated) { chunk in
            try tx.queueBackchannelLogouts(sessionsOf: chunk, now: now)
            result.endedSessions += try tx.execute("DELETE FROM sessions WHERE user_id IN (\(list: chunk))").affectedRows
        }
        return result
    }

    /// The accounts (of any school) whose username or email is one of `identifiers`, looked up in batches, as a
    /// function from an identifier to its holders. The columns compare under the table's collation (case and
    /// accents do not count), so rows are filed under a folded key; a row that no folded key explains sends the
    /// lookup back to one statement per identifier, which compares exactly as the server does.
    private func holders(of identifiers: [String]) throws -> (String) throws -> [Row] {
        let select = """
            SELECT id, school_id, sourced_id, role, given_name, family_name, email, username, grade_level,
                   active, password_hash IS NOT NULL AS has_password
            FROM users WHERE\u{20}
            """
        let tx = self.tx
        let exact: (String) throws -> [Row] = { identifier in
            try tx.query("\(unsafeRaw: select) username = \(identifier) OR email = \(identifier)")
        }
        func fold(_ text: String) -> String {
            text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        }
        var byKey: [String: [Row]] = [:]
        let unique = Array(Set(identifiers))
        let keys = Set(unique.map(fold))
        var explained = true
        try forEachBatch(of: unique) { chunk in
            for row in try tx.query("\(unsafeRaw: select) username IN (\(list: chunk)) OR email IN (\(list: chunk))") {
                let rowKeys = Set([row.string("username"), row.string("email")].compactMap { $0 }.map(fold)).filter(keys.contains)
                if rowKeys.isEmpty { explained = false }
                for key in rowKeys { byKey[key, default: []].append(row) }
            }
        }
        guard explained else { return exact }
        return { identifier in
            // Exact again for a name the folded key may file too widely (the server's collation is narrower).
            (byKey[fold(identifier)] ?? []).filter { row in
                [row.string("username"), row.string("email")].contains { $0.map(fold) == fold(identifier) }
            }
        }
    }

    // MARK: - Enrollments

    private mutating func applyEnrollments(classIDs: [String: Int64], userIDs: [String: Int64]) throws
        -> RosterImportSummary.Counts
    {
        var counts = RosterImportSummary.Counts()
        var existing: [String: (role: String, sourcedID: String?, active: Bool)] = [:]
        var bySourcedID: [String: String] = [:]
        for row in try tx.query(
            """
            SELECT e.class_id, e.user_id, e.role, e.sourced_id, e.active
            FROM enrollments e JOIN classes c ON c.id = e.class_id
            WHERE c.school_id = \(schoolID) FOR UPDATE
            """)
        {
            let key = "\(row.int("class_id") ?? 0):\(row.int("user_id") ?? 0)"
            existing[key] = (row.string("role") ?? "", row.string("sourced_id"), row.int("active") == 1)
            if let sourcedID = row.string("sourced_id") { bySourcedID[sourcedID] = key }
        }
        let mode = snapshot.mode(of: .enrollments)
        guard mode != .absent else { return counts }

        var listed: Set<String> = []
        var writes: [[SQLValue]] = []
        for enrollment in snapshot.enrollments {
            let classID = classIDs[enrollment.classSourcedID]
            let userID = userIDs[enrollment.userSourcedID]
            if classID == nil {
                problem(
                    "enrollments.csv", enrollment.line, "classSourcedId",
                    Message(
                        "roster.problem.no_class_stored",
                        "there is no class '\(enrollment.classSourcedID)' in classes.csv or in earlier imports of this school",
                        ["value": enrollment.classSourcedID]))
            }
            if userID == nil {
                problem(
                    "enrollments.csv", enrollment.line, "userSourcedId", Self.noStoredUser(enrollment.userSourcedID))
            }
            guard let classID, let userID else { continue }
            let key = "\(classID):\(userID)"
            listed.insert(key)
            let role = enrollment.role.rawValue
            if let old = existing[key] {
                if old.role == role && old.sourcedID == enrollment.sourcedID && old.active {
                    counts.unchanged += 1
                    continue
                }
                counts.updated += 1
            } else {
                counts.created += 1
            }
            existing[key] = (role, enrollment.sourcedID, true)
            writes.append([classID.sqlValue, userID.sqlValue, role.sqlValue, enrollment.sourcedID.sqlValue, true.sqlValue])
        }
        // New and changed rows in one upsert per batch (the primary key is the pair), leavers the same way.
        try executeBatched(
            "INSERT INTO enrollments (class_id, user_id, role, sourced_id, active) VALUES ", writes,
            tail: " ON DUPLICATE KEY UPDATE role = VALUES(role), sourced_id = VALUES(sourced_id), active = TRUE")

        let leaving =
            mode == .bulk ? Array(existing.keys) : snapshot.removals.enrollments.compactMap { bySourcedID[$0] }
        var leavers: [[SQLValue]] = []
        for key in leaving where !listed.contains(key) {
            guard let old = existing[key], old.active else { continue }
            let parts = key.split(separator: ":").compactMap { Int64($0) }
            // Every leaver's row exists (read above under FOR UPDATE), so the upsert only ever updates.
            leavers.append([parts[0].sqlValue, parts[1].sqlValue, old.role.sqlValue, old.sourcedID.sqlValue, false.sqlValue])
            counts.deactivated += 1
        }
        try executeBatched(
            "INSERT INTO enrollments (class_id, user_id, role, sourced_id, active) VALUES ", leavers,
            tail: " ON DUPLICATE KEY UPDATE active = FALSE")
        return counts
    }

    // MARK: - Guardian links

    private mutating func applyGuardianLinks(users: UserResult) throws -> RosterImportSummary.Counts {
        var counts = RosterImportSummary.Counts()
        let mode = snapshot.mode(of: .users)
        guard mode != .absent else { return counts }
        var existing: Set<[Int64]> = []
        for row in try tx.query(
            """
            SELECT g.parent_id, g.student_id FROM guardianships g JOIN users p ON p.id = g.parent_id
            WHERE p.school_id = \(schoolID) FOR UPDATE
            """)
        {
            existing.insert([Int64(row.int("parent_id") ?? 0), Int64(row.int("student_id") ?? 0)])
        }

        var wanted: Set<[Int64]> = []
        var inserts: [[SQLValue]] = []
        for link in snapshot.guardianLinks {
            let parent = users.ids[link.parentSourcedID]
            let student = users.ids[link.studentSourcedID]
            for (sourcedID, id) in [(link.parentSourcedID, parent), (link.studentSourcedID, student)] where id == nil {
                problem("users.csv", link.line, "agentSourcedIds", Self.noStoredUser(sourcedID))
            }
            // An agent resolved from an earlier import may turn out not to be a parent–student pair.
            guard let parent, let student, users.roles[parent] == Role.parent.rawValue,
                users.roles[student] == Role.student.rawValue
            else { continue }
            let pair = [parent, student]
            guard wanted.insert(pair).inserted else { continue }
            if existing.contains(pair) {
                counts.unchanged += 1
            } else {
                inserts.append([parent.sqlValue, student.sqlValue])
                counts.created += 1
            }
        }

        try executeBatched("INSERT INTO guardianships (parent_id, student_id) VALUES ", inserts)

        // Links the roster owns: in bulk, those between two roster users; in delta, those between two listed
        // users (both records are complete, so the link set between them is known) or involving a removed one.
        let rosterIDs = Set(users.ids.values)
        let listedIDs = Set(snapshot.users.compactMap { users.ids[$0.sourcedID] })
        let removedIDs = Set(snapshot.removals.users.compactMap { users.ids[$0] })
        for pair in existing where !wanted.contains(pair) {
            let owned =
                mode == .bulk
                ? rosterIDs.contains(pair[0]) && rosterIDs.contains(pair[1])
                : (listedIDs.contains(pair[0]) && listedIDs.contains(pair[1])) || removedIDs.contains(pair[0])
                    || removedIDs.contains(pair[1])
            guard owned else { continue }
            try tx.execute("DELETE FROM guardianships WHERE parent_id = \(pair[0]) AND student_id = \(pair[1])")
            counts.deactivated += 1
        }
        return counts
    }
}
