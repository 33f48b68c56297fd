/// An imported person who has an email address but no password yet, so the caller sends them a link to set
/// one. Nothing secret is in here: the link's token is made by whoever sends the email.
public struct PasswordInvitation: Sendable, Equatable {
    /// The user to invite.
    public let userID: UserID
    /// Where to send the link (lower-cased, as stored).
    public let email: String
    /// "Given Family", for the greeting.
    public let displayName: String

    /// Creates an invitation.
    public init(userID: UserID, email: String, displayName: String) {
        self.userID = userID
        self.email = email
        self.displayName = displayName
    }
}
