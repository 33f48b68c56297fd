/// A class as lists show it.
public struct ClassSummary: Sendable, Equatable {
    public let id: ClassID
    public let title: String
    public let courseTitle: String
    public let termTitle: String
    public let classCode: String?
    public let teacherNames: [String]
    /// Active students, when the list that loaded the class needs it (teacher and admin lists).
    public let studentCount: Int?

    public init(id: ClassID, title: String, courseTitle: String, termTitle: String, classCode: String?, teacherNames: [String], studentCount: Int?) {
        self.id = id
        self.title = title
        self.courseTitle = courseTitle
        self.termTitle = termTitle
        self.classCode = classCode
        self.teacherNames = teacherNames
        self.studentCount = studentCount
    }
}

/// A person as rosters and user lists show them.
public struct PersonSummary: Sendable, Equatable {
    public let id: UserID
    public let role: Role
    public let givenName: String
    public let familyName: String
    public let email: String?
    public let username: String?
    public let gradeLevel: String?
    public let active: Bool

    public init(id: UserID, role: Role, givenName: String, familyName: String, email: String?, username: String?, gradeLevel: String?, active: Bool) {
        self.id = id
        self.role = role
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.username = username
        self.gradeLevel = gradeLevel
        self.active = active
    }

    /// "Given Family".
    public var displayName: String { "\(givenName) \(familyName)" }
}

/// One published grade of a student, with the class average on the same assessment.
public struct GradeLine: Sendable, Equatable {
    public let classID: ClassID
    public let classTitle: String
    public let assessmentID: AssessmentID
    public let assessmentTitle: String
    public let dueDate: CalendarDate?
    public let score: Score
    public let maxScore: Score
    /// The mean over every graded student of the class, rounded to hundredths.
    public let classAverage: Score?
    public let comment: String?

    public init(
        classID: ClassID, classTitle: String, assessmentID: AssessmentID, assessmentTitle: String, dueDate: CalendarDate?, score: Score,
        maxScore: Score, classAverage: Score?, comment: String?
    ) {
        self.classID = classID
        self.classTitle = classTitle
        self.assessmentID = assessmentID
        self.assessmentTitle = assessmentTitle
        self.dueDate = dueDate
        self.score = score
        self.maxScore = maxScore
        self.classAverage = classAverage
        self.comment = comment
    }
}

/// One attendance mark of a student.
public struct AttendanceLine: Sendable, Equatable {
    public let day: CalendarDate
    public let classID: ClassID
    public let classTitle: String
    public let status: AttendanceStatus
    public let note: String?

    public init(day: CalendarDate, classID: ClassID, classTitle: String, status: AttendanceStatus, note: String?) {
        self.day = day
        self.classID = classID
        self.classTitle = classTitle
        self.status = status
        self.note = note
    }
}

/// Counts of each attendance status and the share of lessons attended.
public struct AttendanceSummary: Sendable, Equatable {
    public let counts: [AttendanceStatus: Int]
    public let total: Int

    /// Summarises marks. Late counts as attended; excused absences are left out of the rate.
    public init(_ lines: [AttendanceLine]) {
        var counts: [AttendanceStatus: Int] = [:]
        for line in lines { counts[line.status, default: 0] += 1 }
        self.init(counts: counts)
    }

    /// A summary of counts the store added up.
    public init(counts: [AttendanceStatus: Int]) {
        self.counts = counts
        self.total = counts.values.reduce(0, +)
    }

    /// Percentage of non-excused lessons attended (present or late), one decimal; `nil` with no such lesson.
    public var attendanceRate: Double? {
        let attended = (counts[.present] ?? 0) + (counts[.late] ?? 0)
        let counted = total - (counts[.excused] ?? 0)
        guard counted > 0 else { return nil }
        return (Double(attended) * 1000 / Double(counted)).rounded() / 10
    }
}

/// An assessment of a class, as its teacher sees it.
public struct Assessment: Sendable, Equatable {
    public let id: AssessmentID
    public let classID: ClassID
    public let title: String
    public let maxScore: Score
    public let dueDate: CalendarDate?
    public let published: Bool
    public let gradedCount: Int
    /// The app that put it through OneRoster's gradebook (its name), or `nil` for the teacher's own.
    public let sourceApp: String?

    public init(
        id: AssessmentID, classID: ClassID, title: String, maxScore: Score, dueDate: CalendarDate?, published: Bool, gradedCount: Int,
        sourceApp: String? = nil
    ) {
        self.sourceApp = sourceApp
        self.id = id
        self.classID = classID
        self.title = title
        self.maxScore = maxScore
        self.dueDate = dueDate
        self.published = published
        self.gradedCount = gradedCount
    }
}

/// A grade as a teacher enters it.
public struct GradeEntry: Sendable, Equatable {
    public let studentID: UserID
    public let score: Score
    public let comment: String?

    public init(studentID: UserID, score: Score, comment: String?) {
        self.studentID = studentID
        self.score = score
        self.comment = comment
    }
}

/// An attendance mark as a teacher records it.
public struct AttendanceMark: Sendable, Equatable {
    public let studentID: UserID
    public let status: AttendanceStatus
    public let note: String?

    public init(studentID: UserID, status: AttendanceStatus, note: String?) {
        self.studentID = studentID
        self.status = status
        self.note = note
    }
}

/// A new assessment.
public struct NewAssessment: Sendable, Equatable {
    public let title: String
    public let maxScore: Score
    public let dueDate: CalendarDate?

    public init(title: String, maxScore: Score, dueDate: CalendarDate?) {
        self.title = title
        self.maxScore = maxScore
        self.dueDate = dueDate
    }
}
