/// A school's rule for QR badges (issue 16, item 3): which roles may sign in with one (by default students only:
/// a badge is a bearer card, fit for young students and not for staff), and optionally the networks from which badges
/// work (the school's own ranges, so a card photographed and taken home opens nothing; empty: anywhere).
public struct BadgePolicy: Sendable, Equatable {
    /// The roles a school may allow badges for (platform admins never sign in with one).
    public static let allowableRoles: [Role] = [.student, .teacher, .parent, .schoolAdmin]
    /// Students only, from anywhere: a school that has chosen nothing.
    public static let standard = BadgePolicy(roles: [.student], networks: [])
    /// The most ranges a school lists.
    public static let maximumNetworks = 50

    public let roles: Set<Role>
    public let networks: [NetworkRange]

    public init(roles: Set<Role>, networks: [NetworkRange]) {
        self.roles = roles.intersection(Self.allowableRoles)
        self.networks = networks
    }

    /// Why a badge that is valid in itself is refused.
    public enum Refusal: Sendable, Equatable {
        /// The school does not allow badges for the holder's role.
        case role
        /// The sign-in comes from outside the school's networks.
        case network
    }

    /// Whether a holder of `role` may sign in with a badge from `address`; `nil` when they may.
    public func refusal(role: Role, address: String) -> Refusal? {
        guard roles.contains(role) else { return .role }
        guard networks.isEmpty || networks.contains(where: { $0.contains(address) }) else { return .network }
        return nil
    }

    /// The ranges from the settings form: one per line or separated by commas or spaces; blank text is anywhere.
    /// Throws the first entry that is no range.
    public static func networks(from text: String) throws(InvalidNetwork) -> [NetworkRange] {
        let entries = text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        guard entries.count <= maximumNetworks else { throw InvalidNetwork(entry: "more than \(maximumNetworks) ranges") }
        var ranges: [NetworkRange] = []
        for entry in entries {
            guard let range = NetworkRange(entry) else { throw InvalidNetwork(entry: String(entry.prefix(60))) }
            if !ranges.contains(range) { ranges.append(range) }
        }
        return ranges
    }

    /// An entry of the form that is no network range.
    public struct InvalidNetwork: Error, Sendable, Equatable {
        /// The entry (cut to 60 characters), or what was wrong with the list.
        public let entry: String
        public init(entry: String) { self.entry = entry }
    }
}
