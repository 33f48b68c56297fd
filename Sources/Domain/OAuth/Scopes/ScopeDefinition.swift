/// One scope of the registry (DESIGN §6): what it lets an app do, who can grant it, how it is shown.
public struct ScopeDefinition: Sendable, Hashable {
    /// Whether the scope only reads or also changes data.
    public enum Access: String, Sendable, Hashable {
        case read, write
    }

    /// How much harm a misuse of the scope could do; the consent page and the portal's review use it.
    public enum Sensitivity: Int, Sendable, Hashable, Comparable {
        case low, medium, high
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The scope token as it appears in `scope` (RFC 6749 §3.3).
    public let name: String
    /// What the consent page says the app will be able to do, addressed to the user ("See your grades").
    public let description: String
    /// Roles whose users may grant it; the consent page lists a scope only to these roles.
    public let grantableBy: Set<Role>
    /// Read or write.
    public let access: Access
    /// How sensitive the data behind it is.
    public let sensitivity: Sensitivity
    /// Usable without a user, by the `client_credentials` grant (RFC 6749 §4.4): only data that belongs to no
    /// one person, such as public school information.
    public let isAppLevel: Bool

    /// A scope definition.
    public init(
        name: String, description: String, grantableBy: Set<Role>, access: Access, sensitivity: Sensitivity,
        isAppLevel: Bool = false
    ) {
        self.name = name
        self.description = description
        self.grantableBy = grantableBy
        self.access = access
        self.sensitivity = sensitivity
        self.isAppLevel = isAppLevel
    }
}
