/// What a person is in the installation. The role decides which pages exist for them; what they may see on
/// those pages is decided by their relationships (see ``SchoolAccess``).
public enum Role: String, Sendable, CaseIterable, Codable {
    case student
    case teacher
    case parent
    case schoolAdmin = "school_admin"
    case platformAdmin = "platform_admin"

    /// How the role is named on pages.
    public var label: String {
        switch self {
        case .student: "Student"
        case .teacher: "Teacher"
        case .parent: "Parent"
        case .schoolAdmin: "School admin"
        case .platformAdmin: "Platform admin"
        }
    }
}
