/// The part of a validated OneRoster set that concerns one school, ready to apply.
///
/// Records refer to each other by OneRoster `sourcedId`; a store resolves them against the snapshot first and
/// its own rows of the school second (a delta file may refer to records imported earlier). Every record
/// carries the line it came from, so a store can report a conflict where the administrator can fix it.
///
/// Only rows of the chosen school are here; rows of other orgs are counted in ``skipped``.
public struct RosterSnapshot: Sendable {
    /// The school the set is imported into.
    public struct School: Sendable, Equatable {
        /// The org's sourcedId.
        public let sourcedID: String
        /// The org's name; `nil` when orgs.csv does not list it (a delta or absent orgs file), in which case
        /// the school must already exist.
        public let name: String?
        /// The org's human-readable identifier (for example a state school code).
        public let identifier: String?

        /// Creates a school.
        public init(sourcedID: String, name: String?, identifier: String?) {
            self.sourcedID = sourcedID
            self.name = name
            self.identifier = identifier
        }
    }

    /// An academic session (term, semester, grading period, school year).
    ///
    /// OneRoster 1.1 sessions name no org, so every session of the set is part of every school's snapshot.
    public struct Term: Sendable, Equatable {
        /// The OneRoster `sourcedId`, unique within the school.
        public let sourcedID: String
        /// The line of its file where the row starts, for problems found while applying it.
        public let line: Int
        /// The title shown on pages.
        public let title: String
        /// `gradingPeriod`, `semester`, `schoolYear` or `term`.
        public let kind: String
        /// The first day.
        public let startDate: CalendarDate
        /// The last day (never before ``startDate``).
        public let endDate: CalendarDate

        /// Creates a term.
        public init(
            sourcedID: String, line: Int, title: String, kind: String, startDate: CalendarDate, endDate: CalendarDate
        ) {
            self.sourcedID = sourcedID
            self.line = line
            self.title = title
            self.kind = kind
            self.startDate = startDate
            self.endDate = endDate
        }
    }

    /// A course: the school's own, or a district course one of its classes uses.
    public struct Course: Sendable, Equatable {
        /// The OneRoster `sourcedId`, unique within the school.
        public let sourcedID: String
        /// The line of its file where the row starts, for problems found while applying it.
        public let line: Int
        /// The title shown on pages.
        public let title: String
        /// The course code, when the file gives one.
        public let courseCode: String?

        /// Creates a course.
        public init(sourcedID: String, line: Int, title: String, courseCode: String?) {
            self.sourcedID = sourcedID
            self.line = line
            self.title = title
            self.courseCode = courseCode
        }
    }

    /// A class (a section of a course in a term).
    public struct Class: Sendable, Equatable {
        /// The OneRoster `sourcedId`, unique within the school.
        public let sourcedID: String
        /// The line of its file where the row starts, for problems found while applying it.
        public let line: Int
        /// The title shown on pages.
        public let title: String
        /// The class code, when the file gives one.
        public let classCode: String?
        /// The course the class is a section of.
        public let courseSourcedID: String
        /// The first of the class's `termSourcedIds`: a class belongs to one term in CatalystWells, and
        /// exports list the main term first.
        public let termSourcedID: String

        /// Creates a class.
        public init(
            sourcedID: String, line: Int, title: String, classCode: String?, courseSourcedID: String,
            termSourcedID: String
        ) {
            self.sourcedID = sourcedID
            self.line = line
            self.title = title
            self.classCode = classCode
            self.courseSourcedID = courseSourcedID
            self.termSourcedID = termSourcedID
        }
    }

    /// A person.
    public struct User: Sendable, Equatable {
        /// The OneRoster `sourcedId`, unique within the school.
        public let sourcedID: String
        /// The line of its file where the row starts, for problems found while applying it.
        public let line: Int
        /// The CatalystWells role the OneRoster role maps to.
        public let role: Role
        /// The first name.
        public let givenName: String
        /// The surname.
        public let familyName: String
        /// Lower-cased.
        public let username: String
        /// Lower-cased; `nil` when the file gives none.
        public let email: String?
        /// The `grades` list joined by commas, for example `09`; `nil` when blank.
        public let gradeLevel: String?
        /// `enabledUser`: a disabled user is kept but deactivated (cannot sign in).
        public let enabled: Bool

        /// Creates a user.
        public init(
            sourcedID: String, line: Int, role: Role, givenName: String, familyName: String, username: String,
            email: String?, gradeLevel: String?, enabled: Bool
        ) {
            self.sourcedID = sourcedID
            self.line = line
            self.role = role
            self.givenName = givenName
            self.familyName = familyName
            self.username = username
            self.email = email
            self.gradeLevel = gradeLevel
            self.enabled = enabled
        }
    }

    /// Membership of a user in a class.
    public struct Enrollment: Sendable, Equatable {
        /// What the person does in the class.
        public enum Role: String, Sendable {
            case student
            case teacher
        }

        /// The OneRoster `sourcedId`, unique within the school.
        public let sourcedID: String
        /// The line of its file where the row starts, for problems found while applying it.
        public let line: Int
        /// The class.
        public let classSourcedID: String
        /// The member.
        public let userSourcedID: String
        /// What the member does in the class.
        public let role: Role

        /// Creates an enrollment.
        public init(sourcedID: String, line: Int, classSourcedID: String, userSourcedID: String, role: Role) {
            self.sourcedID = sourcedID
            self.line = line
            self.classSourcedID = classSourcedID
            self.userSourcedID = userSourcedID
            self.role = role
        }
    }

    /// A parent or guardian of a student, from either user's `agentSourcedIds`.
    public struct GuardianLink: Sendable, Hashable {
        /// The parent-role user.
        public let parentSourcedID: String
        /// The student.
        public let studentSourcedID: String
        /// The users.csv line that names the link (the first, when both users name each other).
        public let line: Int

        /// Creates a link.
        public init(parentSourcedID: String, studentSourcedID: String, line: Int) {
            self.parentSourcedID = parentSourcedID
            self.studentSourcedID = studentSourcedID
            self.line = line
        }
    }

    /// sourcedIds of rows a delta file marks `tobedeleted`; they are deactivated, never deleted.
    public struct Removals: Sendable, Equatable {
        /// Academic sessions.
        public var terms: [String] = []
        /// Courses.
        public var courses: [String] = []
        /// Classes.
        public var classes: [String] = []
        /// Users.
        public var users: [String] = []
        /// Enrollments.
        public var enrollments: [String] = []

        /// Creates an empty set of removals.
        public init() {}

        /// Whether nothing is removed.
        public var isEmpty: Bool {
            terms.isEmpty && courses.isEmpty && classes.isEmpty && users.isEmpty && enrollments.isEmpty
        }
    }

    /// Rows of the set left out because they belong to other orgs, or mean nothing here.
    public struct Skipped: Sendable, Equatable {
        /// Courses of other orgs that no class of the school uses.
        public var courses = 0
        /// Classes of other schools.
        public var classes = 0
        /// Users of other orgs, neither enrolled here nor parents of a student here.
        public var users = 0
        /// Enrollments of other schools.
        public var enrollments = 0
        /// Enrollments with role `administrator`: a school admin already sees every class, and making them
        /// a class teacher would let them grade it.
        public var administratorEnrollments = 0
        /// Parent–student links whose student is not a user of this school.
        public var guardianLinks = 0

        /// Creates zero counts.
        public init() {}
    }

    /// The school the rows belong to.
    public let school: School
    /// How each data file is applied; a file missing here is ``RosterFileMode/absent``.
    public let modes: [RosterFile: RosterFileMode]
    /// Every academic session of the set.
    public let terms: [Term]
    /// The school's courses and the district courses its classes use.
    public let courses: [Course]
    /// The school's classes.
    public let classes: [Class]
    /// The school's people, in file order.
    public let users: [User]
    /// Student and teacher enrollments in the school's classes.
    public let enrollments: [Enrollment]
    /// Parent–student links, each once.
    public let guardianLinks: [GuardianLink]
    /// Rows marked `tobedeleted` in delta files.
    public let removals: Removals
    /// Counts of rows left out.
    public let skipped: Skipped
    /// How many users of this school had a non-empty `password` column. Passwords are never imported: a
    /// password that travelled in a CSV file is not a secret any more.
    public let ignoredPasswords: Int

    /// Creates a snapshot.
    public init(
        school: School, modes: [RosterFile: RosterFileMode], terms: [Term], courses: [Course], classes: [Class],
        users: [User], enrollments: [Enrollment], guardianLinks: [GuardianLink], removals: Removals = Removals(),
        skipped: Skipped = Skipped(), ignoredPasswords: Int = 0
    ) {
        self.school = school
        self.modes = modes
        self.terms = terms
        self.courses = courses
        self.classes = classes
        self.users = users
        self.enrollments = enrollments
        self.guardianLinks = guardianLinks
        self.removals = removals
        self.skipped = skipped
        self.ignoredPasswords = ignoredPasswords
    }

    /// How `file` is to be applied.
    public func mode(of file: RosterFile) -> RosterFileMode { modes[file] ?? .absent }
}
