/// A person as the app site sees them once signed in.
public struct UserAccount: Sendable, Equatable {
    public let id: UserID
    public let role: Role
    /// `nil` only for platform admins.
    public let schoolID: SchoolID?
    public let givenName: String
    public let familyName: String
    public let email: String?
    public let username: String?
    /// For a student: a number that changes whenever anything their record page shows changes (a key for
    /// caching that page). 0 when not loaded.
    public let recordVersion: Int64

    public init(
        id: UserID, role: Role, schoolID: SchoolID?, givenName: String, familyName: String, email: String?,
        username: String?, recordVersion: Int64 = 0
    ) {
        self.id = id
        self.role = role
        self.schoolID = schoolID
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.username = username
        self.recordVersion = recordVersion
    }

    /// "Given Family".
    public var displayName: String { "\(givenName) \(familyName)" }
}
