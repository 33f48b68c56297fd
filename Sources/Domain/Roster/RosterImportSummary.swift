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
    public var lines: [String] {
        let schoolState = school.created > 0 ? "created" : school.updated > 0 ? "updated" : "unchanged"
        var lines = ["School \(schoolName): \(schoolState)"]
        for (label, counts) in [
            ("Terms", terms), ("Courses", courses), ("Classes", classes), ("Users", users),
            ("Enrollments", enrollments),
        ] {
            lines.append(
                "\(label): \(counts.created) created, \(counts.updated) updated, \(counts.unchanged) unchanged, \(counts.deactivated) deactivated"
            )
        }
        lines.append(
            "Guardian links: \(guardianLinks.created) created, \(guardianLinks.unchanged) unchanged, \(guardianLinks.deactivated) removed"
        )
        let others = [
            Self.count(skipped.courses, "course"), Self.count(skipped.classes, "class", "classes"),
            Self.count(skipped.users, "user"), Self.count(skipped.enrollments, "enrollment"),
            Self.count(skipped.guardianLinks, "guardian link"),
        ].compactMap { $0 }
        if !others.isEmpty { lines.append("Skipped (other schools): " + others.joined(separator: ", ")) }
        if let admins = Self.count(skipped.administratorEnrollments, "administrator enrollment") {
            lines.append("Ignored: \(admins) (school admins see every class)")
        }
        if let passwords = Self.count(ignoredPasswords, "user") {
            lines.append("Ignored the password column of \(passwords): passwords are never imported")
        }
        if let sessions = Self.count(endedSessions, "session") {
            lines.append("Signed out deactivated users: \(sessions) ended")
        }
        if !invitations.isEmpty { lines.append("Set-password emails to send: \(invitations.count)") }
        return lines
    }

    private static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String? {
        n == 0 ? nil : "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }
}
