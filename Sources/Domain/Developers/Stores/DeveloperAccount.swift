/// Marker type for ``DeveloperID``.
public enum DeveloperRecord {}

/// The row id of a developer account (catalyst_developers.developers).
public typealias DeveloperID = RecordID<DeveloperRecord>

/// A developer of the developers site, as pages and the sign-in flow see them.
public struct DeveloperAccount: Sendable, Equatable {
    /// Where an account is in its life (DESIGN.md §7).
    public enum State: String, Sendable, CaseIterable {
        /// Signed up; the email address is not yet confirmed by a verification link.
        case unverified
        /// Confirmed: may sign in and register apps.
        case active
        /// Stopped by staff: may not sign in; sessions are not honoured.
        case suspended
    }

    /// The account's id.
    public let id: DeveloperID
    /// The sign-in email, lower-cased.
    public let email: String
    /// The person's name as they typed it.
    public let name: String
    /// Their company, if they gave one.
    public let company: String?
    /// Where the account is in its life.
    public let state: State
    /// Whether a confirmed TOTP second factor is required at sign-in (a pending enrolment does not count).
    public let totpEnabled: Bool
    /// The language the developer chose with the portal's switcher (developers 0023), `nil` when never chosen:
    /// their pages and every mail to them are in it (a tag the caller checked before saving).
    public let preferredLanguage: String?

    /// Creates an account value.
    public init(
        id: DeveloperID, email: String, name: String, company: String?, state: State, totpEnabled: Bool, preferredLanguage: String? = nil
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.company = company
        self.state = state
        self.totpEnabled = totpEnabled
        self.preferredLanguage = preferredLanguage
    }
}
