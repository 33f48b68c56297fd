extension OneRosterImport {
    /// Chooses the school, keeps its rows, and checks what those rows refer to.
    ///
    /// A row belongs to the school when:
    /// - class: its `schoolSourcedId` is the school;
    /// - course: its org is the school, or one of the school's classes uses it (district courses);
    /// - academic session: always (OneRoster 1.1 sessions name no org);
    /// - enrollment: its `schoolSourcedId` is the school (administrator enrollments are counted, not kept);
    /// - user: the school is among its `orgSourcedIds`, or one of the school's enrollments names it (staff
    ///   listed under the district), or it is the parent of one of the school's students;
    /// - guardian link: a parent-role user lists a student in `agentSourcedIds`, or the student lists the
    ///   parent; both directions occur in real exports. Other agent pairs (a student's aide) are not links.
    ///
    /// A reference into a bulk file must resolve in that file. A reference into a delta or absent file that
    /// the set does not resolve is left for the store, which looks for a record imported earlier.
    static func select(_ set: ParsedSet, schoolSourcedID: String?, _ problems: inout RosterProblemList)
        -> RosterSnapshot?
    {
        guard let school = chooseSchool(set, schoolSourcedID, &problems) else { return nil }
        let schoolID = school.sourcedID
        var skipped = RosterSnapshot.Skipped()
        var removals = RosterSnapshot.Removals()

        let courseLines = firstLines(set.courses.map(\.key))
        let sessionLines = firstLines(set.sessions.map(\.key))
        let classByID = Dictionary(set.classes.map { ($0.key.sourcedID, $0) }, uniquingKeysWith: { first, _ in first })
        let userByID = Dictionary(set.users.map { ($0.key.sourcedID, $0) }, uniquingKeysWith: { first, _ in first })

        /// Whether `id` must be in `file` and is not.
        func unresolved(_ id: String, in file: RosterFile, lines: [String: Int]) -> Bool {
            set.mode(file) == .bulk && set.readable.contains(file) && lines[id] == nil
        }

        // Classes.
        var classes: [RosterSnapshot.Class] = []
        var usedCourses: Set<String> = []
        for row in set.classes {
            if row.key.deleted {
                if row.schoolSourcedID.isEmpty || row.schoolSourcedID == schoolID {
                    removals.classes.append(row.key.sourcedID)
                } else {
                    skipped.classes += 1
                }
                continue
            }
            guard row.schoolSourcedID == schoolID else {
                skipped.classes += 1
                continue
            }
            if !row.courseSourcedID.isEmpty, unresolved(row.courseSourcedID, in: .courses, lines: courseLines) {
                problems.add(
                    "classes.csv", row.key.line, "courseSourcedId",
                    Message("roster.problem.no_course", "there is no course '\(row.courseSourcedID)' in courses.csv", ["value": row.courseSourcedID]))
            }
            for term in row.termSourcedIDs where unresolved(term, in: .academicSessions, lines: sessionLines) {
                problems.add(
                    "classes.csv", row.key.line, "termSourcedIds",
                    Message("roster.problem.no_session", "there is no academic session '\(term)' in academicSessions.csv", ["value": term]))
            }
            usedCourses.insert(row.courseSourcedID)
            if let item = row.item { classes.append(item) }
        }

        // Courses and sessions.
        var courses: [RosterSnapshot.Course] = []
        for row in set.courses {
            if row.key.deleted {
                if row.orgSourcedID.isEmpty || row.orgSourcedID == schoolID {
                    removals.courses.append(row.key.sourcedID)
                } else {
                    skipped.courses += 1
                }
                continue
            }
            guard row.orgSourcedID == schoolID || usedCourses.contains(row.key.sourcedID) else {
                skipped.courses += 1
                continue
            }
            if let course = row.course { courses.append(course) }
        }
        removals.terms = set.sessions.filter(\.key.deleted).map(\.key.sourcedID)
        let terms = set.sessions.compactMap(\.term)

        // Enrollments.
        var enrollments: [RosterSnapshot.Enrollment] = []
        var enrolledUsers: Set<String> = []
        var enrollmentLines: [String: Int] = [:]
        let userLines = firstLines(set.users.map(\.key))
        for row in set.enrollments {
            if row.key.deleted {
                if row.schoolSourcedID.isEmpty || row.schoolSourcedID == schoolID {
                    removals.enrollments.append(row.key.sourcedID)
                } else {
                    skipped.enrollments += 1
                }
                continue
            }
            guard row.schoolSourcedID == schoolID else {
                skipped.enrollments += 1
                continue
            }
            if row.isAdministrator {
                skipped.administratorEnrollments += 1
                continue
            }
            if let owner = classByID[row.classSourcedID] {
                if !owner.key.deleted, !owner.schoolSourcedID.isEmpty, owner.schoolSourcedID != schoolID {
                    problems.add(
                        "enrollments.csv", row.key.line, "classSourcedId",
                        Message(
                            "roster.problem.class_other_school",
                            "class '\(row.classSourcedID)' belongs to school '\(owner.schoolSourcedID)' (classes.csv line \(owner.key.line)), not to '\(schoolID)'",
                            ["class": row.classSourcedID, "owner": owner.schoolSourcedID, "school": schoolID], numbers: ["line": owner.key.line])
                    )
                }
            } else if !row.classSourcedID.isEmpty, set.mode(.classes) == .bulk, set.readable.contains(.classes) {
                problems.add(
                    "enrollments.csv", row.key.line, "classSourcedId",
                    Message("roster.problem.no_class", "there is no class '\(row.classSourcedID)' in classes.csv", ["value": row.classSourcedID]))
            }
            if !row.userSourcedID.isEmpty, unresolved(row.userSourcedID, in: .users, lines: userLines) {
                problems.add(
                    "enrollments.csv", row.key.line, "userSourcedId",
                    Message("roster.problem.no_user", "there is no user '\(row.userSourcedID)' in users.csv", ["value": row.userSourcedID]))
            }
            let pair = row.classSourcedID + "\u{0}" + row.userSourcedID
            if let first = enrollmentLines[pair] {
                problems.add(
                    "enrollments.csv", row.key.line, "userSourcedId",
                    Message(
                        "roster.problem.already_enrolled",
                        "user '\(row.userSourcedID)' is already enrolled in class '\(row.classSourcedID)' on line \(first)",
                        ["user": row.userSourcedID, "class": row.classSourcedID], numbers: ["line": first]))
                continue
            }
            enrollmentLines[pair] = row.key.line
            enrolledUsers.insert(row.userSourcedID)
            if let enrollment = row.enrollment { enrollments.append(enrollment) }
        }

        // Users and guardian links.
        let members = Set(
            set.users.filter {
                !$0.key.deleted && ($0.orgSourcedIDs.contains(schoolID) || enrolledUsers.contains($0.key.sourcedID))
            }
            .map(\.key.sourcedID))
        var links: [RosterSnapshot.GuardianLink] = []
        var seenPairs: Set<[String]> = []
        var skippedPairs: Set<[String]> = []
        var linkedParents: Set<String> = []
        for row in set.users where !row.key.deleted {
            for agent in row.agentSourcedIDs {
                let pair: (parent: String, student: String)
                let forSchool: Bool
                if let other = userByID[agent] {
                    guard !other.key.deleted else { continue }
                    switch (row.role, other.role) {
                    case (.parent, .student): pair = (row.key.sourcedID, agent)
                    case (.student, .parent): pair = (agent, row.key.sourcedID)
                    default: continue
                    }
                    forSchool = members.contains(pair.student)
                } else {
                    // In a bulk file an unknown agent is a problem, reported below once the row is known to be
                    // imported. In a delta file it may be a user imported earlier: the role of the row tells
                    // the direction, and the store checks the other user is of this school.
                    guard set.mode(.users) != .bulk else { continue }
                    switch row.role {
                    case .parent: pair = (row.key.sourcedID, agent)
                    case .student: pair = (agent, row.key.sourcedID)
                    default: continue
                    }
                    forSchool = members.contains(row.key.sourcedID)
                }
                let key = [pair.parent, pair.student]
                guard forSchool else {
                    if skippedPairs.insert(key).inserted { skipped.guardianLinks += 1 }
                    continue
                }
                guard seenPairs.insert(key).inserted else { continue }
                links.append(
                    RosterSnapshot.GuardianLink(
                        parentSourcedID: pair.parent, studentSourcedID: pair.student, line: row.key.line))
                linkedParents.insert(pair.parent)
            }
        }

        var users: [RosterSnapshot.User] = []
        var usernames: [String: Int] = [:]
        var emails: [String: Int] = [:]
        var ignoredPasswords = 0
        for row in set.users {
            if row.key.deleted {
                if row.orgSourcedIDs.isEmpty || row.orgSourcedIDs.contains(schoolID) {
                    removals.users.append(row.key.sourcedID)
                } else {
                    skipped.users += 1
                }
                continue
            }
            guard members.contains(row.key.sourcedID) || linkedParents.contains(row.key.sourcedID) else {
                skipped.users += 1
                continue
            }
            for agent in row.agentSourcedIDs where unresolved(agent, in: .users, lines: userLines) {
                problems.add(
                    "users.csv", row.key.line, "agentSourcedIds",
                    Message("roster.problem.no_user", "there is no user '\(agent)' in users.csv", ["value": agent]))
            }
            if row.hasPassword { ignoredPasswords += 1 }
            guard let user = row.user else { continue }
            if let first = usernames[user.username] {
                problems.add(
                    "users.csv", row.key.line, "username",
                    Message(
                        "roster.problem.username_taken", "'\(user.username)' is also the username of the user on line \(first)",
                        ["value": user.username], numbers: ["line": first]))
            } else {
                usernames[user.username] = row.key.line
            }
            if let email = user.email {
                if let first = emails[email] {
                    problems.add(
                        "users.csv", row.key.line, "email",
                        Message(
                            "roster.problem.email_taken", "'\(email)' is also the email of the user on line \(first)",
                            ["value": email], numbers: ["line": first]))
                } else {
                    emails[email] = row.key.line
                }
            }
            users.append(user)
        }

        return RosterSnapshot(
            school: school, modes: set.modes, terms: terms, courses: courses, classes: classes, users: users,
            enrollments: enrollments, guardianLinks: links, removals: removals, skipped: skipped,
            ignoredPasswords: ignoredPasswords)
    }

    /// The org to import: the one named, or the only school of orgs.csv.
    private static func chooseSchool(_ set: ParsedSet, _ wanted: String?, _ problems: inout RosterProblemList)
        -> RosterSnapshot.School?
    {
        let orgsReadable = set.readable.contains(.orgs)
        guard let wanted else {
            guard orgsReadable else {
                if set.mode(.orgs) == .absent {
                    problems.add("orgs.csv", nil, nil, Message("roster.problem.no_orgs_file", "the set has no orgs.csv: name the school to import"))
                }
                return nil
            }
            let schools = set.orgs.filter { !$0.key.deleted && $0.type == "school" }
            switch schools.count {
            case 1:
                return RosterSnapshot.School(
                    sourcedID: schools[0].key.sourcedID, name: schools[0].name, identifier: schools[0].identifier)
            case 0:
                problems.add("orgs.csv", nil, nil, Message("roster.problem.no_school_org", "there is no org of type school"))
            default:
                let names = schools.map { "'\($0.key.sourcedID)' (\($0.name))" }.joined(separator: ", ")
                problems.add(
                    "orgs.csv", nil, nil,
                    Message(
                        "roster.problem.several_schools", "there are \(schools.count) schools, \(names): choose which one to import",
                        ["names": names], numbers: ["number": schools.count]))
            }
            return nil
        }
        guard let org = set.orgs.first(where: { $0.key.sourcedID == wanted }) else {
            // A bulk orgs file lists every org; a delta or absent one may leave out a school imported before,
            // which the store checks. (An unreadable bulk file has been reported already.)
            guard set.mode(.orgs) != .bulk else {
                if orgsReadable {
                    problems.add("orgs.csv", nil, nil, Message("roster.problem.no_org", "there is no org '\(wanted)'", ["value": wanted]))
                }
                return nil
            }
            return RosterSnapshot.School(sourcedID: wanted, name: nil, identifier: nil)
        }
        if org.key.deleted {
            problems.add(
                "orgs.csv", org.key.line, "status",
                Message("roster.problem.school_tobedeleted", "the school to import is marked tobedeleted; an import never removes a school"))
            return nil
        }
        guard org.type == "school" || org.type.isEmpty else {
            problems.add(
                "orgs.csv", org.key.line, "type",
                Message("roster.problem.not_a_school", "'\(wanted)' is a \(org.type), not a school", ["value": wanted, "type": org.type]))
            return nil
        }
        return RosterSnapshot.School(sourcedID: wanted, name: org.name, identifier: org.identifier)
    }

    private static func firstLines(_ keys: [ParsedSet.Key]) -> [String: Int] {
        Dictionary(keys.map { ($0.sourcedID, $0.line) }, uniquingKeysWith: { first, _ in first })
    }
}
