/// What a member of an organisation may do with its applications and its members (issue 20 item 6): the one
/// table every portal page and every store query asks. Roles are ordered; each permits what the one below
/// it does and more.
///
/// | role | permits |
/// |---|---|
/// | viewer | read the apps, their settings, credentials lists, webhooks, analytics and log |
/// | developer | also create and edit apps, webhooks, submit for review |
/// | admin | also create and revoke client secrets and API keys, invite and manage members below owner, rename |
/// | owner | also transfer ownership and delete |
public enum OrganisationRole: String, Sendable, CaseIterable, Comparable {
    case viewer
    case developer
    case admin
    case owner

    /// Whether this role permits `action`.
    public func permits(_ action: OrganisationAction) -> Bool { self >= action.minimumRole }

    /// The roles that permit `action`, lowest first (what a store's membership check accepts).
    public static func permitting(_ action: OrganisationAction) -> [OrganisationRole] { allCases.filter { $0.permits(action) } }

    /// The roles an invitation may offer: every role but owner (ownership is transferred, never offered).
    public static let invitable: [OrganisationRole] = [.viewer, .developer, .admin]

    /// Whether a member with this role may change `target`'s role from `current` to `new`, or remove them
    /// (`new` is `nil`). Members are managed by admins and the owner; the owner's role is changed only by a
    /// transfer, and nobody can make another owner this way. A member may always leave (remove themselves),
    /// except the owner, who must transfer first.
    public func mayManage(current: OrganisationRole, to new: OrganisationRole?, isSelf: Bool) -> Bool {
        if current == .owner || new == .owner { return false }
        if isSelf && new == nil { return true }
        return permits(.manageMembers)
    }

    /// A role may be offered by an inviter whose role permits managing members, and never owner.
    public func mayInvite(as role: OrganisationRole) -> Bool { permits(.manageMembers) && Self.invitable.contains(role) }

    /// Whether this member may hand the organisation to `target` (who has `targetRole`): only the owner, only
    /// to an existing admin.
    public func mayTransferOwnership(to targetRole: OrganisationRole) -> Bool { permits(.transferOwnership) && targetRole == .admin }

    /// The word the pages show.
    public var label: String {
        switch self {
        case .viewer: "Viewer"
        case .developer: "Developer"
        case .admin: "Admin"
        case .owner: "Owner"
        }
    }

    /// The role a ``label`` names; `nil` for any other text.
    public init?(label: String) {
        guard let role = Self.allCases.first(where: { $0.label == label }) else { return nil }
        self = role
    }

    /// The word the pages show, in their reader's language (`L(name)`).
    public var name: Message {
        switch self {
        case .viewer: Message("portal.teams.role.viewer", "Viewer")
        case .developer: Message("portal.teams.role.developer", "Developer")
        case .admin: Message("portal.teams.role.admin", "Admin")
        case .owner: Message("portal.teams.role.owner", "Owner")
        }
    }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .developer: 1
        case .admin: 2
        case .owner: 3
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// What a member tries to do; ``OrganisationRole/permits(_:)`` decides.
public enum OrganisationAction: String, Sendable, CaseIterable {
    /// Read an app and everything under it (settings, credentials lists, webhooks, analytics, log).
    case viewApp
    /// Create an app, edit its settings, submit, withdraw, manage its webhooks.
    case editApp
    /// Create and revoke client secrets and API keys.
    case manageCredentials
    /// Invite, change the role of and remove members below owner.
    case manageMembers
    /// Hand the organisation to an admin.
    case transferOwnership
    /// Delete apps.
    case deleteApp
    /// Rename the organisation.
    case renameOrganisation

    /// The lowest role that may do it.
    public var minimumRole: OrganisationRole {
        switch self {
        case .viewApp: .viewer
        case .editApp: .developer
        case .manageCredentials, .manageMembers, .renameOrganisation: .admin
        case .transferOwnership, .deleteApp: .owner
        }
    }
}
