import Foundation

/// Reading a student's own records (for the student, their parents, their teachers and school admins).
/// Callers check ``SchoolAccess`` first; these functions filter by the student given.
public protocol StudentRecordStore {
    /// Facts relating `viewer` to the active student `student`; `nil` when no such active student exists.
    func relationship(of viewer: UserAccount, toStudent student: UserID) throws -> StudentRelationship?
    /// The student (active) by id, or `nil`.
    func student(_ id: UserID) throws -> PersonSummary?
    /// Active classes the student is actively enrolled in.
    func classes(ofStudent student: UserID) throws -> [ClassSummary]
    /// Grades of published assessments in the student's active classes, newest due date first.
    func publishedGrades(ofStudent student: UserID) throws -> [GradeLine]
    /// Attendance marks of the student, newest day first, at most `limit`.
    func attendance(ofStudent student: UserID, limit: Int) throws -> [AttendanceLine]
    /// How many marks of each status the student has, over all their classes and days.
    func attendanceCounts(ofStudent student: UserID) throws -> [AttendanceStatus: Int]
    /// Active students linked to a parent, by family then given name.
    func children(ofParent parent: UserID) throws -> [PersonSummary]
}

/// A teacher's work in their classes. Callers check ``SchoolAccess/mayTeachClass(_:_:)`` first.
public protocol TeachingStore {
    /// Facts relating `viewer` to a class; `nil` when the class does not exist.
    func relationship(of viewer: UserAccount, toClass classID: ClassID) throws -> ClassRelationship?
    /// Active classes the teacher actively teaches.
    func classes(taughtBy teacher: UserID) throws -> [ClassSummary]
    /// One class, or `nil`.
    func classSummary(_ id: ClassID) throws -> ClassSummary?
    /// Actively enrolled active students of a class, by family then given name.
    func roster(of classID: ClassID) throws -> [PersonSummary]
    /// Assessments of a class, newest first.
    func assessments(of classID: ClassID) throws -> [Assessment]
    /// Adds an assessment (unpublished).
    func createAssessment(_ assessment: NewAssessment, in classID: ClassID, by teacher: UserID, now: Date) throws -> AssessmentID
    /// One assessment of the class, or `nil` when it does not exist or belongs to another class.
    func assessment(_ id: AssessmentID, in classID: ClassID) throws -> Assessment?
    /// The grades entered for an assessment, by student.
    func grades(of assessment: AssessmentID) throws -> [UserID: GradeEntry]
    /// In one transaction: upserts the given grades and deletes grades of `cleared` students. Students not on
    /// the class's roster are refused with `StoreError(.constraint)` and nothing is written.
    func saveGrades(_ entries: [GradeEntry], cleared: [UserID], assessment: AssessmentID, in classID: ClassID, by teacher: UserID, now: Date) throws
    /// Publishes or withdraws an assessment's grades.
    func setPublished(_ published: Bool, assessment: AssessmentID, in classID: ClassID, now: Date) throws
    /// Marks recorded in a class on a day, by student.
    func attendanceSheet(of classID: ClassID, on day: CalendarDate) throws -> [UserID: AttendanceMark]
    /// In one transaction: upserts the marks of a day. Students not on the roster are refused as above.
    func saveAttendance(_ marks: [AttendanceMark], in classID: ClassID, on day: CalendarDate, by teacher: UserID, now: Date) throws
}

/// A school admin's view of their school.
public protocol SchoolDirectoryStore {
    /// The school's name and sourced id, or `nil`.
    func school(_ id: SchoolID) throws -> (name: String, sourcedID: String)?
    /// Users of a school, optionally of one role, by family then given name; inactive ones included.
    func users(of school: SchoolID, role: Role?, limit: Int, offset: Int) throws -> [PersonSummary]
    /// How many users of each role (active only) the school has.
    func userCounts(of school: SchoolID) throws -> [Role: Int]
    /// Classes of a school, active first.
    func classes(of school: SchoolID) throws -> [ClassSummary]
    /// The most recent roster imports: when, by whom, and their summary.
    func recentImports(of school: SchoolID, limit: Int) throws -> [(at: Date, by: String, source: String, summary: String)]
}
