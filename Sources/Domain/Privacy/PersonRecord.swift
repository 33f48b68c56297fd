import Foundation

/// Everything the main database holds about one person, as a per-person export writes it out (GDPR Art. 15 and 20,
/// FERPA's right to inspect). Read by ``PersonExportStore/record(of:school:)``, always within one school.
public struct PersonRecord: Sendable, Equatable {
    /// The person's own row.
    public struct Profile: Sendable, Equatable {
        public var id: UserID
        public var sourcedID: String?
        public var role: Role
        public var givenName: String
        public var familyName: String
        public var email: String?
        public var username: String?
        public var gradeLevel: String?
        public var active: Bool
        public var schoolName: String
        public var schoolSourcedID: String
        public var createdAt: Date
        public var updatedAt: Date
        /// Whether a password is set (never the hash).
        public var hasPassword: Bool
        public var passwordChangedAt: Date?

        public init(
            id: UserID, sourcedID: String?, role: Role, givenName: String, familyName: String, email: String?, username: String?,
            gradeLevel: String?, active: Bool, schoolName: String, schoolSourcedID: String, createdAt: Date, updatedAt: Date,
            hasPassword: Bool, passwordChangedAt: Date?
        ) {
            self.id = id
            self.sourcedID = sourcedID
            self.role = role
            self.givenName = givenName
            self.familyName = familyName
            self.email = email
            self.username = username
            self.gradeLevel = gradeLevel
            self.active = active
            self.schoolName = schoolName
            self.schoolSourcedID = schoolSourcedID
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.hasPassword = hasPassword
            self.passwordChangedAt = passwordChangedAt
        }
    }

    /// A guardian of the person, or a child of theirs.
    public struct Relative: Sendable, Equatable {
        /// `guardian` (the person's parent) or `child` (the person is their parent).
        public var relation: String
        public var id: UserID
        public var sourcedID: String?
        public var givenName: String
        public var familyName: String

        public init(relation: String, id: UserID, sourcedID: String?, givenName: String, familyName: String) {
            self.relation = relation
            self.id = id
            self.sourcedID = sourcedID
            self.givenName = givenName
            self.familyName = familyName
        }
    }

    /// A class the person is (or was) enrolled in or teaches.
    public struct Enrolment: Sendable, Equatable {
        public var classID: ClassID
        public var classSourcedID: String
        public var classTitle: String
        public var courseTitle: String
        public var termTitle: String
        /// `student` or `teacher`.
        public var role: String
        public var active: Bool

        public init(
            classID: ClassID, classSourcedID: String, classTitle: String, courseTitle: String, termTitle: String, role: String, active: Bool
        ) {
            self.classID = classID
            self.classSourcedID = classSourcedID
            self.classTitle = classTitle
            self.courseTitle = courseTitle
            self.termTitle = termTitle
            self.role = role
            self.active = active
        }
    }

    /// One grade of the person (a student).
    public struct Grade: Sendable, Equatable {
        public var classTitle: String
        public var assessmentID: AssessmentID
        public var assessmentTitle: String
        public var dueDate: CalendarDate?
        public var score: Score
        public var maxScore: Score
        public var comment: String?
        /// Whether the teacher has published the assessment's grades.
        public var published: Bool
        public var recordedAt: Date

        public init(
            classTitle: String, assessmentID: AssessmentID, assessmentTitle: String, dueDate: CalendarDate?, score: Score, maxScore: Score,
            comment: String?, published: Bool, recordedAt: Date
        ) {
            self.classTitle = classTitle
            self.assessmentID = assessmentID
            self.assessmentTitle = assessmentTitle
            self.dueDate = dueDate
            self.score = score
            self.maxScore = maxScore
            self.comment = comment
            self.published = published
            self.recordedAt = recordedAt
        }
    }

    /// One attendance mark of the person (a student).
    public struct Attendance: Sendable, Equatable {
        public var day: CalendarDate
        public var classTitle: String
        public var status: AttendanceStatus
        public var note: String?
        public var recordedAt: Date

        public init(day: CalendarDate, classTitle: String, status: AttendanceStatus, note: String?, recordedAt: Date) {
            self.day = day
            self.classTitle = classTitle
            self.status = status
            self.note = note
            self.recordedAt = recordedAt
        }
    }

    /// An app the person connected (a consent, current or withdrawn).
    public struct ConnectedApp: Sendable, Equatable {
        public var clientID: String
        public var name: String
        public var developerName: String
        public var scopes: [String]
        public var firstGrantedAt: Date
        public var lastUsedAt: Date?
        public var revokedAt: Date?

        public init(
            clientID: String, name: String, developerName: String, scopes: [String], firstGrantedAt: Date, lastUsedAt: Date?, revokedAt: Date?
        ) {
            self.clientID = clientID
            self.name = name
            self.developerName = developerName
            self.scopes = scopes
            self.firstGrantedAt = firstGrantedAt
            self.lastUsedAt = lastUsedAt
            self.revokedAt = revokedAt
        }
    }

    public var profile: Profile
    public var relatives: [Relative]
    public var enrolments: [Enrolment]
    public var grades: [Grade]
    public var attendance: [Attendance]
    public var apps: [ConnectedApp]
    /// Education API calls about the person (the data-access log), newest first.
    public var accessLog: [DataAccessRecord]
    /// Security audit log entries where the person is the subject (sign-ins, refusals, changes), newest first.
    public var signIns: [SecurityAuditRecord]

    public init(
        profile: Profile, relatives: [Relative] = [], enrolments: [Enrolment] = [], grades: [Grade] = [], attendance: [Attendance] = [],
        apps: [ConnectedApp] = [], accessLog: [DataAccessRecord] = [], signIns: [SecurityAuditRecord] = []
    ) {
        self.profile = profile
        self.relatives = relatives
        self.enrolments = enrolments
        self.grades = grades
        self.attendance = attendance
        self.apps = apps
        self.accessLog = accessLog
        self.signIns = signIns
    }

    /// Rows the export will hold: what decides whether it is made at once or in the background.
    public var rowCount: Int {
        1 + relatives.count + enrolments.count + grades.count + attendance.count + apps.count + accessLog.count + signIns.count
    }
}

/// A school's roster as the OneRoster 1.1 export writes it (the school, its people, classes, courses, terms and
/// enrolments). A class export holds the class's own rows only.
public struct RosterExport: Sendable, Equatable {
    public struct Org: Sendable, Equatable {
        public var sourcedID: String
        public var name: String
        public var identifier: String?
        public init(sourcedID: String, name: String, identifier: String?) {
            self.sourcedID = sourcedID
            self.name = name
            self.identifier = identifier
        }
    }

    public struct User: Sendable, Equatable {
        public var id: UserID
        public var sourcedID: String
        public var role: Role
        public var enabled: Bool
        public var givenName: String
        public var familyName: String
        public var email: String?
        public var username: String
        public var gradeLevel: String?
        /// Sourced ids of the person's guardians (for a student) or children (for a parent).
        public var agentSourcedIDs: [String]
        public init(
            id: UserID, sourcedID: String, role: Role, enabled: Bool, givenName: String, familyName: String, email: String?, username: String,
            gradeLevel: String?, agentSourcedIDs: [String]
        ) {
            self.id = id
            self.sourcedID = sourcedID
            self.role = role
            self.enabled = enabled
            self.givenName = givenName
            self.familyName = familyName
            self.email = email
            self.username = username
            self.gradeLevel = gradeLevel
            self.agentSourcedIDs = agentSourcedIDs
        }
    }

    public struct Term: Sendable, Equatable {
        public var sourcedID: String
        public var title: String
        /// `gradingPeriod`, `semester`, `schoolYear` or `term`.
        public var kind: String
        public var start: CalendarDate
        public var end: CalendarDate
        public var active: Bool
        public init(sourcedID: String, title: String, kind: String, start: CalendarDate, end: CalendarDate, active: Bool) {
            self.sourcedID = sourcedID
            self.title = title
            self.kind = kind
            self.start = start
            self.end = end
            self.active = active
        }
    }

    public struct Course: Sendable, Equatable {
        public var sourcedID: String
        public var title: String
        public var courseCode: String?
        public var active: Bool
        public init(sourcedID: String, title: String, courseCode: String?, active: Bool) {
            self.sourcedID = sourcedID
            self.title = title
            self.courseCode = courseCode
            self.active = active
        }
    }

    public struct Class: Sendable, Equatable {
        public var sourcedID: String
        public var title: String
        public var classCode: String?
        public var courseSourcedID: String
        public var termSourcedID: String
        public var active: Bool
        public init(sourcedID: String, title: String, classCode: String?, courseSourcedID: String, termSourcedID: String, active: Bool) {
            self.sourcedID = sourcedID
            self.title = title
            self.classCode = classCode
            self.courseSourcedID = courseSourcedID
            self.termSourcedID = termSourcedID
            self.active = active
        }
    }

    public struct Enrollment: Sendable, Equatable {
        public var sourcedID: String?
        public var classSourcedID: String
        public var userSourcedID: String
        /// `student` or `teacher`.
        public var role: String
        public var active: Bool
        public init(sourcedID: String?, classSourcedID: String, userSourcedID: String, role: String, active: Bool) {
            self.sourcedID = sourcedID
            self.classSourcedID = classSourcedID
            self.userSourcedID = userSourcedID
            self.role = role
            self.active = active
        }
    }

    public var org: Org
    public var users: [User]
    public var terms: [Term]
    public var courses: [Course]
    public var classes: [Class]
    public var enrollments: [Enrollment]

    public init(org: Org, users: [User], terms: [Term], courses: [Course], classes: [Class], enrollments: [Enrollment]) {
        self.org = org
        self.users = users
        self.terms = terms
        self.courses = courses
        self.classes = classes
        self.enrollments = enrollments
    }
}
