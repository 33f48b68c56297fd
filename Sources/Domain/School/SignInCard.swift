/// One printed sign-in card (issue 16, item 2): what a student needs to sign in for the first time, cut out and
/// handed over.
///
/// A card carries a password only when it was generated in the request that prints it: only argon2id hashes are
/// stored, so no later request can print an existing password.
public struct SignInCard: Sendable, Equatable {
    public let person: UserID
    /// "Given Family".
    public let name: String
    /// What the person types as their name at sign-in: the username, else the email address.
    public let signInName: String
    /// The password generated just now, or `nil`.
    public let temporaryPassword: String?
    /// What the card's QR slot shows.
    public var badge: Badge = .none

    /// The card's QR badge (issue 16, item 3). Only a digest of a badge's secret is stored, so its QR code can be
    /// printed only in the answer that made the secret; later cards say the badge is unchanged.
    public enum Badge: Sendable, Equatable {
        /// No badge (none issued, or the school's policy gives students none): the slot stays empty.
        case none
        /// A badge made just now: its sign-in link, printed as the QR code.
        case new(link: String)
        /// The person has a badge made earlier, which keeps working; its code cannot be shown again.
        case unchanged
    }

    public init(person: UserID, name: String, signInName: String, temporaryPassword: String?, badge: Badge = .none) {
        self.person = person
        self.name = name
        self.signInName = signInName
        self.temporaryPassword = temporaryPassword
        self.badge = badge
    }

    /// The card of a roster person; `nil` when they have neither a username nor an email address to sign in with.
    public init?(_ person: PersonSummary, temporaryPassword: String?, badge: Badge = .none) {
        guard let signInName = person.username ?? person.email, !signInName.isEmpty else { return nil }
        self.init(person: person.id, name: person.displayName, signInName: signInName, temporaryPassword: temporaryPassword, badge: badge)
    }

    /// The school's printable sign-in link, `<app URL>/login?school=<sourcedId>` (it shows the school's own
    /// "Continue with …" buttons).
    public static func signInLink(appURL: String, schoolSourcedID: String) -> String {
        appURL + "/login?school=" + FormCodec.encode(schoolSourcedID)
    }
}
