/// Who may see or change whose school records. Roles open pages; relationships decide what is on them.
///
/// The stores load the facts (``StudentRelationship``, ``ClassRelationship``) for one viewer and one target;
/// these functions decide. A `false` becomes a 404, not a 403, so a guessed id does not even confirm that the
/// record exists.
public enum SchoolAccess {
    /// Whether `viewer` may read a student's grades and attendance.
    ///
    /// The student themself; a parent linked to them; a teacher of a class they are enrolled in; an admin of
    /// their school. Platform admins run the installation, not schools, and see no pupil records.
    public static func mayViewStudent(_ viewer: UserAccount, _ facts: StudentRelationship) -> Bool {
        switch viewer.role {
        case .student: facts.studentID == viewer.id
        case .parent: facts.isGuardian
        case .teacher: facts.teachesStudent && viewer.schoolID == facts.schoolID
        case .schoolAdmin: viewer.schoolID == facts.schoolID
        case .platformAdmin: false
        }
    }

    /// Whether `viewer` may open a class's page (roster, assessments, attendance sheets).
    public static func mayViewClass(_ viewer: UserAccount, _ facts: ClassRelationship) -> Bool {
        switch viewer.role {
        case .teacher: facts.teaches && viewer.schoolID == facts.schoolID
        case .schoolAdmin: viewer.schoolID == facts.schoolID
        case .student, .parent, .platformAdmin: false
        }
    }

    /// Whether `viewer` may enter grades and take attendance in a class: only a teacher of that class, and
    /// only while the class is active.
    public static func mayTeachClass(_ viewer: UserAccount, _ facts: ClassRelationship) -> Bool {
        viewer.role == .teacher && facts.teaches && facts.active && viewer.schoolID == facts.schoolID
    }

    /// Whether `viewer` may manage a school's users, classes and roster imports.
    public static func mayAdministerSchool(_ viewer: UserAccount, _ school: SchoolID) -> Bool {
        viewer.role == .schoolAdmin && viewer.schoolID == school
    }
}

/// Facts relating a viewer to a student, loaded by the store.
public struct StudentRelationship: Sendable, Equatable {
    public let studentID: UserID
    public let schoolID: SchoolID
    /// The viewer is a parent linked to the student.
    public let isGuardian: Bool
    /// The viewer teaches an active class the student is actively enrolled in.
    public let teachesStudent: Bool
    /// The student's record version (see ``UserAccount/recordVersion``).
    public let recordVersion: Int64

    public init(studentID: UserID, schoolID: SchoolID, isGuardian: Bool, teachesStudent: Bool, recordVersion: Int64 = 0) {
        self.studentID = studentID
        self.schoolID = schoolID
        self.isGuardian = isGuardian
        self.teachesStudent = teachesStudent
        self.recordVersion = recordVersion
    }
}

/// Facts relating a viewer to a class, loaded by the store.
public struct ClassRelationship: Sendable, Equatable {
    public let classID: ClassID
    public let schoolID: SchoolID
    /// The viewer has an active teacher enrolment in the class.
    public let teaches: Bool
    /// The class itself is active in the roster.
    public let active: Bool

    public init(classID: ClassID, schoolID: SchoolID, teaches: Bool, active: Bool) {
        self.classID = classID
        self.schoolID = schoolID
        self.teaches = teaches
        self.active = active
    }
}
