/// What applying a roster changed, for the administrator who ran it and for the `roster_imports` history.
public struct RosterImportSummary: Sendable, Equatable {
    /// Changes to one kind of record.
    public struct Counts: Sendable, Equatable {
        /// Rows that did not exist.
        public var created = 0
        /// Rows that existed and differed (including re-activated ones).
        public var updated = 0
        /// Rows that existed and already matched.
        public var unchanged = 0
        /// Rows made inactive (guardian links: removed).
        public var deactivated = 0

        /// Creates counts.
        public init(created: Int = 0, updated: Int = 0, unchanged: Int = 0, deactivated: Int = 0) {
            self.created = created
            self.updated = updated
            self.unchanged = unchanged
            self.deactivated = deactivated
        }

        /// Whether any row was written.
        public var changedAnything: Bool { created + updated + deactivated > 0 }
    }

    /// The school imported into.
    public let schoolID: SchoolID
    /// Its name, as stored after the import.
    public let schoolName: String
    /// The school row: created, updated or unchanged (never deactivated).
    public let school: Counts
    /// Academic sessions.
    public let terms: Counts
    /// Courses.
    public let courses: Counts
    /// Classes.
    public let classes: Counts
    /// Users (deactivated: left out of a bulk file, removed in a delta, or `enabledUser` false).
    public let users: Counts
    /// Enrollments.
    public let enrollments: Counts
    /// Guardian links (``Counts/deactivated`` counts removed links).
    public let guardianLinks: Counts
    /// Rows of the set that were not imported (other orgs, administrator enrollments).
    public let skipped: RosterSnapshot.Skipped
    /// Users with a non-empty `password` column, which was ignored.
    public let ignoredPasswords: Int
    /// Sessions ended because their user was deactivated.
    public let endedSessions: Int
    /// Imported users with an email and no password yet: they get a set-password email.
    public let invitations: [PasswordInvitation]

    /// Creates a summary.
    public init(
        schoolID: SchoolID, schoolName: String, school: Counts, terms: Counts, courses: Counts, classes: Counts,
        users: Counts, enrollments: Counts, guardianLinks: Counts, skipped: RosterSnapshot.Skipped,
        ignoredPasswords: Int, endedSessions: Int, invitations: [PasswordInvitation]
    ) {
        self.schoolID = schoolID
        self.schoolName = schoolName
        self.school = school
        self.terms = terms
        self.courses = courses
        self.classes = classes
        self.users = users
        self.enrollments = enrollments
        self.guardianLinks = guardianLinks
        self.skipped = skipped
        self.ignoredPasswords = ignoredPasswords
        self.endedSessions = endedSessions
        self.invitations = invitations
    }

    /// Whether the import wrote anything besides its history row.
    public var changedAnything: Bool {
        [school, terms, courses, classes, users, enrollments, guardianLinks].contains { $0.changedAnything }
    }

    /// Human-readable lines, for example:
    ///
    ///     School Northside Elementary: created
    ///     Terms: 2 created, 0 updated, 0 unchanged, 0 deactivated
    ///     Courses: 2 created, 0 updated, 0 unchanged, 0 deactivated
    ///     Classes: 3 created, 0 updated, 0 unchanged, 0 deactivated
    ///     Users: 13 created, 0 updated, 0 unchanged, 0 deactivated
    ///     Enrollments: 10 created, 0 updated, 0 unchanged, 0 deactivated
    ///     Guardian links: 5 created, 0 unchanged, 0 removed
    ///     Skipped (other schools): 1 course, 1 class, 2 users, 2 enrollments
    ///     Ignored: 1 administrator enrollment (school admins see every class)
    ///     Ignored the password column of 1 user: passwords are never imported
    ///     Signed out deactivated users: 2 sessions ended
    ///     Set-password emails to send: 10
    ///
    /// The last four appear only when their count is not zero.
    public var lines: [String] { messages.map(\.english) }

    /// ``lines`` as message codes, for a page in its reader's language (`L(message)`); their English is ``lines``.
    public var messages: [Message] {
        var lines: [Message] = [
            school.created > 0
                ? Message("roster.summary.school_created", "School \(schoolName): created", ["name": schoolName])
                : school.updated > 0
                    ? Message("roster.summary.school_updated", "School \(schoolName): updated", ["name": schoolName])
                    : Message("roster.summary.school_unchanged", "School \(schoolName): unchanged", ["name": schoolName])
        ]
        func numbers(_ counts: Counts) -> [String: Int] {
            ["created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged, "deactivated": counts.deactivated]
        }
        func english(_ label: String, _ counts: Counts) -> String {
            "\(label): \(counts.created) created, \(counts.updated) updated, \(counts.unchanged) unchanged, \(counts.deactivated) deactivated"
        }
        lines.append(Message("roster.summary.terms", english("Terms", terms), numbers: numbers(terms)))
        lines.append(Message("roster.summary.courses", english("Courses", courses), numbers: numbers(courses)))
        lines.append(Message("roster.summary.classes", english("Classes", classes), numbers: numbers(classes)))
        lines.append(Message("roster.summary.users", english("Users", users), numbers: numbers(users)))
        lines.append(Message("roster.summary.enrollments", english("Enrollments", enrollments), numbers: numbers(enrollments)))
        lines.append(
            Message(
                "roster.summary.guardian_links",
                "Guardian links: \(guardianLinks.created) created, \(guardianLinks.unchanged) unchanged, \(guardianLinks.deactivated) removed",
                numbers: ["created": guardianLinks.created, "unchanged": guardianLinks.unchanged, "removed": guardianLinks.deactivated]))
        let c = skipped.courses
        let k = skipped.classes
        let u = skipped.users
        let e = skipped.enrollments
        let g = skipped.guardianLinks
        let others = [
            c == 0 ? nil : Message("roster.summary.count.course", count: c, "\(c) course\(c == 1 ? "" : "s")"),
            k == 0 ? nil : Message("roster.summary.count.class", count: k, "\(k) class\(k == 1 ? "" : "es")"),
            u == 0 ? nil : Message("roster.summary.count.user", count: u, "\(u) user\(u == 1 ? "" : "s")"),
            e == 0 ? nil : Message("roster.summary.count.enrollment", count: e, "\(e) enrollment\(e == 1 ? "" : "s")"),
            g == 0 ? nil : Message("roster.summary.count.guardian_link", count: g, "\(g) guardian link\(g == 1 ? "" : "s")"),
        ].compactMap { $0 }
        if let list = Self.list(others) {
            lines.append(Message("roster.summary.skipped", "Skipped (other schools): \(list.english)", nested: ["list": list]))
        }
        let admins = skipped.administratorEnrollments
        if admins > 0 {
            lines.append(
                Message(
                    "roster.summary.ignored_administrators", count: admins,
                    "Ignored: \(admins) administrator enrollment\(admins == 1 ? "" : "s") (school admins see every class)"))
        }
        if ignoredPasswords > 0 {
            lines.append(
                Message(
                    "roster.summary.ignored_passwords", count: ignoredPasswords,
                    "Ignored the password column of \(ignoredPasswords) user\(ignoredPasswords == 1 ? "" : "s"): passwords are never imported"))
        }
        if endedSessions > 0 {
            lines.append(
                Message(
                    "roster.summary.ended_sessions", count: endedSessions,
                    "Signed out deactivated users: \(endedSessions) session\(endedSessions == 1 ? "" : "s") ended"))
        }
        if !invitations.isEmpty {
            lines.append(
                Message("roster.summary.invitations", count: invitations.count, "Set-password emails to send: \(invitations.count)"))
        }
        return lines
    }

    /// "a, b, c": the items joined by the language's list separator (`roster.summary.list`), or `nil` for none.
    private static func list(_ items: [Message]) -> Message? {
        guard let first = items.first else { return nil }
        guard let rest = list(Array(items.dropFirst())) else { return first }
        return Message("roster.summary.list", "\(first.english), \(rest.english)", nested: ["first": first, "rest": rest])
    }
}
