extension SchoolAccess {
    /// Whether `viewer` may set or reset `target`'s password (issue 16, item 1).
    ///
    /// A school admin: anyone of their own school but themselves (their own password is changed with the current
    /// one, at `/account/password`). A teacher: a student enrolled in an active class they teach (`facts`, loaded
    /// for that student). Nobody else, and never a platform admin's password.
    public static func mayResetPassword(_ viewer: UserAccount, of target: UserAccount, _ facts: StudentRelationship?) -> Bool {
        guard target.id != viewer.id, target.role != .platformAdmin, let school = viewer.schoolID, target.schoolID == school else {
            return false
        }
        switch viewer.role {
        case .schoolAdmin: return true
        case .teacher:
            guard target.role == .student, let facts else { return false }
            return facts.studentID == target.id && facts.teachesStudent && facts.schoolID == school
        case .student, .parent, .platformAdmin: return false
        }
    }
}
