import Foundation

/// Marker type for ``OrganisationID``.
public enum OrganisationRecord {}
/// A developer organisation (`organisations.id`), which owns applications.
public typealias OrganisationID = RecordID<OrganisationRecord>
/// Marker type for ``OrganisationInvitationID``.
public enum OrganisationInvitationRecord {}
/// An invitation to an organisation (`organisation_invitations.id`).
public typealias OrganisationInvitationID = RecordID<OrganisationInvitationRecord>

/// Developer organisations, their members and invitations (issue 20 item 6), in catalyst_developers.
///
/// Every operation takes the acting developer and checks their membership and role (``OrganisationRole``) in
/// the same statement or transaction: a non-member's request answers as if the organisation did not exist, and
/// a removed member is refused at their next request. Role changes, removals and transfers run under the
/// organisation's row lock, so an organisation always has exactly one owner.
///
/// Every change is appended to the organisation's activity (`organisation_events`, ``OrganisationActivity``) in
/// the same transaction; a refused change writes nothing there either.
public protocol OrganisationStore {
    /// The organisations `developer` belongs to, with their role, by name.
    func organisations(of developer: DeveloperID) throws -> [OrganisationMembership]
    /// The organisation with its members and open invitations if `member` belongs to it; `nil` otherwise.
    func organisation(_ id: OrganisationID, member: DeveloperID, now: Date) throws -> OrganisationDetail?
    /// `developer`'s personal organisation (the one new apps go into), created with them as owner if they
    /// have none.
    func personalOrganisation(of developer: DeveloperID, now: Date) throws -> OrganisationID
    /// Stores an invitation by the digest of its token if `inviter` may manage the organisation's members
    /// (``OrganisationRole/mayInvite(as:)``); `false` (nothing written) otherwise.
    func createInvitation(_ invitation: NewOrganisationInvitation, by inviter: DeveloperID, now: Date) throws -> Bool
    /// Cancels an open invitation (neither accepted nor cancelled) if `actor` may manage the organisation's
    /// members; its link is then refused like an expired one (``OrganisationInvitationStatus/expired``).
    /// `.notFound` when the actor is no member or the invitation is not an open one of this organisation.
    func cancelInvitation(_ invitation: OrganisationInvitationID, of id: OrganisationID, by actor: DeveloperID, now: Date) throws
        -> OrganisationChangeResult
    /// One page of the organisation's member events, newest first, at most `limit`, read by keyset (``ActivityCursor``
    /// with ``ActivityCursor/Source/member``, ``ActivityPage/assemble(_:for:limit:)``), if `member` belongs to it;
    /// `nil` otherwise.
    func activity(of id: OrganisationID, member: DeveloperID, page: ActivityPageRequest, limit: Int) throws -> ActivityPage<OrganisationActivity>?
    /// What an invitation link shows: its organisation and role while it is unused and unexpired (a cancelled
    /// one reads as expired).
    func invitation(digest: [UInt8], now: Date) throws -> OrganisationInvitationStatus
    /// Spends the invitation (single use, before it expires) and makes `developer` a member with its role, in
    /// one transaction. An existing member keeps their role. Refused (nothing written) when the invitation was
    /// for another address than `email` (compared case-insensitively).
    func acceptInvitation(digest: [UInt8], by developer: DeveloperID, email: String, now: Date) throws -> OrganisationInvitationStatus
    /// Changes `target`'s role to `role`, or removes them (`role` nil), if ``OrganisationRole/mayManage(current:to:isSelf:)``
    /// allows it for `actor`'s role.
    func changeMember(_ target: DeveloperID, of id: OrganisationID, to role: OrganisationRole?, by actor: DeveloperID, now: Date) throws
        -> OrganisationChangeResult
    /// Makes `target` (an admin) the owner and the acting owner an admin, in one transaction, if
    /// ``OrganisationRole/mayTransferOwnership(to:)`` allows it. The organisation stops being anyone's personal one.
    func transferOwnership(of id: OrganisationID, to target: DeveloperID, by actor: DeveloperID, now: Date) throws -> OrganisationChangeResult
    /// Renames the organisation to `name` (already validated: ``OrganisationName/validate(_:)``) if `actor`'s role
    /// permits ``OrganisationAction/renameOrganisation``, under its row lock, with an ``OrganisationActivity/renamed``
    /// event (`"old → new"`) in the same transaction. The same name again changes nothing and logs nothing.
    func renameOrganisation(_ id: OrganisationID, to name: String, by actor: DeveloperID, now: Date) throws -> OrganisationChangeResult
}

extension OrganisationStore {
    /// The newest `limit` member events (``activity(of:member:page:limit:)``).
    public func activity(of id: OrganisationID, member: DeveloperID, limit: Int) throws -> [ActivityEntry<OrganisationActivity>]? {
        try activity(of: id, member: member, page: .newest, limit: limit)?.entries
    }
}

/// One organisation of a developer.
public struct OrganisationMembership: Sendable, Equatable {
    /// The organisation.
    public let id: OrganisationID
    /// Its name.
    public let name: String
    /// The developer's role in it.
    public let role: OrganisationRole
    /// Whether it is the developer's personal organisation (the default for a new app).
    public let isPersonal: Bool

    /// Creates the value.
    public init(id: OrganisationID, name: String, role: OrganisationRole, isPersonal: Bool = false) {
        self.id = id
        self.name = name
        self.role = role
        self.isPersonal = isPersonal
    }
}

/// An organisation as its members see it.
public struct OrganisationDetail: Sendable, Equatable {
    /// One member.
    public struct Member: Sendable, Equatable {
        /// The developer.
        public let id: DeveloperID
        /// Their display name.
        public let name: String
        /// Their address.
        public let email: String
        /// Their role.
        public let role: OrganisationRole
        /// When they joined.
        public let joinedAt: Date

        /// Creates the value.
        public init(id: DeveloperID, name: String, email: String, role: OrganisationRole, joinedAt: Date) {
            self.id = id
            self.name = name
            self.email = email
            self.role = role
            self.joinedAt = joinedAt
        }
    }

    /// An invitation not yet accepted, cancelled nor expired.
    public struct Invitation: Sendable, Equatable {
        /// The row, for cancelling it.
        public let id: OrganisationInvitationID
        /// The invited address.
        public let email: String
        /// The role offered.
        public let role: OrganisationRole
        /// Who invited, by name.
        public let invitedBy: String
        /// When it stops working.
        public let expiresAt: Date

        /// Creates the value.
        public init(id: OrganisationInvitationID, email: String, role: OrganisationRole, invitedBy: String, expiresAt: Date) {
            self.id = id
            self.email = email
            self.role = role
            self.invitedBy = invitedBy
            self.expiresAt = expiresAt
        }
    }

    /// The organisation.
    public let id: OrganisationID
    /// Its name.
    public let name: String
    /// The asking member's role.
    public let role: OrganisationRole
    /// Every member, owner first, then by name.
    public let members: [Member]
    /// Open invitations, newest first.
    public let invitations: [Invitation]

    /// Creates the value.
    public init(id: OrganisationID, name: String, role: OrganisationRole, members: [Member], invitations: [Invitation]) {
        self.id = id
        self.name = name
        self.role = role
        self.members = members
        self.invitations = invitations
    }
}

/// An invitation being created; the token itself is mailed and never reaches the store.
public struct NewOrganisationInvitation: Sendable, CustomStringConvertible {
    /// The organisation.
    public var organisation: OrganisationID
    /// The invited address, validated.
    public var email: String
    /// The role offered (never owner).
    public var role: OrganisationRole
    /// SHA-256 of the token (``SecretToken/digest(_:)``).
    public var digest: [UInt8]
    /// When the link stops working.
    public var expiresAt: Date

    /// Describes an invitation.
    public init(organisation: OrganisationID, email: String, role: OrganisationRole, digest: [UInt8], expiresAt: Date) {
        self.organisation = organisation
        self.email = email
        self.role = role
        self.digest = digest
        self.expiresAt = expiresAt
    }

    /// Leaves the digest out.
    public var description: String { "NewOrganisationInvitation(organisation: \(organisation), role: \(role.rawValue), digest: <redacted>)" }
}

/// What an invitation link is worth.
public enum OrganisationInvitationStatus: Sendable, Equatable {
    /// Usable (or, after ``OrganisationStore/acceptInvitation(digest:by:email:now:)``, spent by this call).
    case valid(organisation: OrganisationID, name: String, role: OrganisationRole, email: String)
    /// Already accepted.
    case used
    /// Past its expiry, or cancelled.
    case expired
    /// For another address than the signed-in developer's.
    case otherAddress
    /// Unknown token.
    case invalid
}

/// The result of a member change or transfer.
public enum OrganisationChangeResult: Sendable, Equatable {
    /// Written.
    case changed
    /// The actor is no member, or the target is not one: nothing written (pages answer 404).
    case notFound
    /// The actor's role does not allow it: nothing written (pages answer 403).
    case forbidden
}
