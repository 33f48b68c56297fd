import Domain
import Foundation

/// ``OrganisationStore`` over the developers database. Role changes, removals and transfers lock the
/// organisation's row first, so two admins acting at once are applied one after the other against fresh roles.
public struct MariaOrganisationStore: OrganisationStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func organisations(of developer: DeveloperID) throws -> [OrganisationMembership] {
        try database.query(
            """
            SELECT o.id, o.name, m.role, o.personal_of <=> m.developer_id AS personal
            FROM organisation_members m JOIN organisations o ON o.id = m.organisation_id
            WHERE m.developer_id = \(developer.rawValue) ORDER BY o.name, o.id
            """
        ).compactMap { row in
            guard let id: OrganisationID = row.id("id"), let role = row.string("role").flatMap(OrganisationRole.init(rawValue:)) else {
                return nil
            }
            return OrganisationMembership(id: id, name: row.string("name") ?? "", role: role, isPersonal: row.int("personal") == 1)
        }
    }

    public func organisation(_ id: OrganisationID, member: DeveloperID, now: Date) throws -> OrganisationDetail? {
        guard
            let own = try database.query(
                """
                SELECT o.name, m.role FROM organisations o JOIN organisation_members m ON m.organisation_id = o.id
                WHERE o.id = \(id.rawValue) AND m.developer_id = \(member.rawValue)
                """
            ).first, let role = own.string("role").flatMap(OrganisationRole.init(rawValue:))
        else { return nil }
        let members = try database.query(
            """
            SELECT d.id, d.name, d.email, m.role, m.joined_at FROM organisation_members m JOIN developers d ON d.id = m.developer_id
            WHERE m.organisation_id = \(id.rawValue) ORDER BY m.role = 'owner' DESC, d.name, d.id
            """
        ).compactMap { row -> OrganisationDetail.Member? in
            guard let developer: DeveloperID = row.id("id"), let role = row.string("role").flatMap(OrganisationRole.init(rawValue:)) else {
                return nil
            }
            return .init(
                id: developer, name: row.string("name") ?? "", email: row.string("email") ?? "", role: role,
                joinedAt: row.date("joined_at") ?? .distantPast)
        }
        let invitations = try database.query(
            """
            SELECT i.id, i.email, i.role, i.expires_at, d.name AS inviter
            FROM organisation_invitations i JOIN developers d ON d.id = i.invited_by
            WHERE i.organisation_id = \(id.rawValue) AND i.accepted_at IS NULL AND i.cancelled_at IS NULL AND i.expires_at > \(now)
            ORDER BY i.created_at DESC, i.id DESC LIMIT 100
            """
        ).compactMap { row -> OrganisationDetail.Invitation? in
            guard let invitation: OrganisationInvitationID = row.id("id"), let role = row.string("role").flatMap(OrganisationRole.init(rawValue:))
            else { return nil }
            return .init(
                id: invitation, email: row.string("email") ?? "", role: role, invitedBy: row.string("inviter") ?? "",
                expiresAt: row.date("expires_at") ?? .distantPast)
        }
        return OrganisationDetail(id: id, name: own.string("name") ?? "", role: role, members: members, invitations: invitations)
    }

    public func personalOrganisation(of developer: DeveloperID, now: Date) throws -> OrganisationID {
        try database.transaction { tx in try tx.personalOrganisation(of: developer, now: now) }
    }

    public func createInvitation(_ invitation: NewOrganisationInvitation, by inviter: DeveloperID, now: Date) throws -> Bool {
        guard OrganisationRole.invitable.contains(invitation.role) else { return false }
        let email = invitation.email.lowercased()
        return try database.transaction { tx in
            // One statement: inserted only if the inviter's role, read now, may manage members.
            let inserted = try tx.execute(
                """
                INSERT INTO organisation_invitations (organisation_id, email, role, token_digest, invited_by, created_at, expires_at)
                SELECT m.organisation_id, \(email), \(invitation.role.rawValue), \(invitation.digest),
                       m.developer_id, \(now), \(invitation.expiresAt)
                FROM organisation_members m
                WHERE m.organisation_id = \(invitation.organisation.rawValue) AND m.developer_id = \(inviter.rawValue)
                  AND m.role IN (\(list: OrganisationRole.permitting(.manageMembers).map(\.rawValue)))
                """)
            guard inserted.affectedRows == 1 else { return false }
            try tx.recordActivity(
                .invited, in: invitation.organisation, by: inviter, detail: "\(email) as \(invitation.role.label)", now: now)
            return true
        }
    }

    public func cancelInvitation(_ invitation: OrganisationInvitationID, of id: OrganisationID, by actor: DeveloperID, now: Date) throws
        -> OrganisationChangeResult
    {
        try database.transaction { tx in
            guard
                let role = try tx.query(
                    """
                    SELECT role FROM organisation_members WHERE organisation_id = \(id.rawValue) AND developer_id = \(actor.rawValue)
                    LOCK IN SHARE MODE
                    """
                ).first?.string("role").flatMap(OrganisationRole.init(rawValue:))
            else { return .notFound }
            guard
                let row = try tx.query(
                    """
                    SELECT email FROM organisation_invitations
                    WHERE id = \(invitation.rawValue) AND organisation_id = \(id.rawValue) AND accepted_at IS NULL AND cancelled_at IS NULL
                    FOR UPDATE
                    """
                ).first
            else { return .notFound }
            guard role.permits(.manageMembers) else { return .forbidden }
            try tx.execute(
                "UPDATE organisation_invitations SET cancelled_at = \(now), cancelled_by = \(actor.rawValue) WHERE id = \(invitation.rawValue)")
            try tx.recordActivity(.invitationCancelled, in: id, by: actor, detail: row.string("email"), now: now)
            return .changed
        }
    }

    public func activity(of id: OrganisationID, member developer: DeveloperID, page: ActivityPageRequest, limit: Int) throws
        -> ActivityPage<OrganisationActivity>?
    {
        guard
            !(try database.query(
                "SELECT developer_id FROM organisation_members WHERE organisation_id = \(id.rawValue) AND developer_id = \(developer.rawValue)"
            ).isEmpty)
        else { return nil }
        let direction = page.sqlDirection
        let rows = try database.query(
            """
            SELECT e.id, e.action, e.detail, e.occurred_at, actor.name AS actor_name, subject.name AS subject_name
            FROM organisation_events e
                LEFT JOIN developers actor ON actor.id = e.actor_id LEFT JOIN developers subject ON subject.id = e.subject_id
            WHERE e.organisation_id = \(id.rawValue) AND \(fragment: page.sqlPast(.member, alias: "e"))
            ORDER BY e.occurred_at \(fragment: direction), e.id \(fragment: direction) LIMIT \(limit + 1)
            """
        ).compactMap { row -> (entry: ActivityEntry<OrganisationActivity>, cursor: ActivityCursor)? in
            guard let rowID = row.int("id"), let action = row.string("action").flatMap(OrganisationActivity.init(rawValue:)),
                let at = row.date("occurred_at")
            else { return nil }
            return (
                ActivityEntry(
                    actorName: row.string("actor_name") ?? "", action: action, subjectName: row.string("subject_name"),
                    detail: row.string("detail"), at: at),
                ActivityCursor(at: at, source: .member, id: Int64(rowID))
            )
        }
        return ActivityPage.assemble(rows, for: page, limit: limit)
    }

    public func invitation(digest: [UInt8], now: Date) throws -> OrganisationInvitationStatus {
        guard
            let row = try database.query(
                """
                SELECT i.organisation_id, o.name, i.role, i.email, i.expires_at, i.accepted_at, i.cancelled_at
                FROM organisation_invitations i JOIN organisations o ON o.id = i.organisation_id
                WHERE i.token_digest = \(digest)
                """
            ).first
        else { return .invalid }
        return Self.status(row, now: now)
    }

    public func acceptInvitation(digest: [UInt8], by developer: DeveloperID, email: String, now: Date) throws
        -> OrganisationInvitationStatus
    {
        try database.transaction { tx in
            guard
                let row = try tx.query(
                    """
                    SELECT i.id, i.organisation_id, o.name, i.role, i.email, i.expires_at, i.accepted_at, i.cancelled_at
                    FROM organisation_invitations i JOIN organisations o ON o.id = i.organisation_id
                    WHERE i.token_digest = \(digest) FOR UPDATE
                    """
                ).first, let invitationID = row.int("id")
            else { return .invalid }
            let status = Self.status(row, now: now)
            guard case .valid(let organisation, _, let role, let invited) = status else { return status }
            guard invited == email.lowercased() else { return .otherAddress }
            // The row lock taken above makes the spend single: a second acceptance waits, then reads accepted_at.
            try tx.execute(
                """
                UPDATE organisation_invitations SET accepted_at = \(now), accepted_by = \(developer.rawValue)
                WHERE id = \(invitationID) AND accepted_at IS NULL
                """)
            let joined = try tx.execute(
                """
                INSERT IGNORE INTO organisation_members (organisation_id, developer_id, role, joined_at)
                VALUES (\(organisation.rawValue), \(developer.rawValue), \(role.rawValue), \(now))
                """)
            // An existing member keeps their role: the invitation is spent, but nobody joined.
            if joined.affectedRows == 1 { try tx.recordActivity(.joined, in: organisation, by: developer, detail: "as \(role.label)", now: now) }
            return status
        }
    }

    public func changeMember(_ target: DeveloperID, of id: OrganisationID, to role: OrganisationRole?, by actor: DeveloperID, now: Date) throws
        -> OrganisationChangeResult
    {
        try database.transaction { tx in
            guard let roles = try Self.lockedRoles(of: id, actor: actor, target: target, in: tx) else { return .notFound }
            guard roles.actor.mayManage(current: roles.target, to: role, isSelf: actor == target) else { return .forbidden }
            if let role {
                try tx.execute(
                    """
                    UPDATE organisation_members SET role = \(role.rawValue)
                    WHERE organisation_id = \(id.rawValue) AND developer_id = \(target.rawValue)
                    """)
                try tx.recordActivity(
                    .roleChanged, in: id, by: actor, about: target, detail: ActivityDetail.roleChange(from: roles.target, to: role), now: now)
            } else {
                try tx.execute(
                    "DELETE FROM organisation_members WHERE organisation_id = \(id.rawValue) AND developer_id = \(target.rawValue)")
                if actor == target {
                    try tx.recordActivity(.left, in: id, by: actor, detail: "was \(roles.target.label)", now: now)
                } else {
                    try tx.recordActivity(.removed, in: id, by: actor, about: target, detail: "was \(roles.target.label)", now: now)
                }
            }
            return .changed
        }
    }

    public func transferOwnership(of id: OrganisationID, to target: DeveloperID, by actor: DeveloperID, now: Date) throws
        -> OrganisationChangeResult
    {
        try database.transaction { tx in
            guard actor != target, let roles = try Self.lockedRoles(of: id, actor: actor, target: target, in: tx) else { return .notFound }
            guard roles.actor.mayTransferOwnership(to: roles.target) else { return .forbidden }
            try tx.execute(
                """
                UPDATE organisation_members SET role = IF(developer_id = \(target.rawValue), 'owner', 'admin')
                WHERE organisation_id = \(id.rawValue) AND developer_id IN (\(actor.rawValue), \(target.rawValue))
                """)
            try tx.execute("UPDATE organisations SET personal_of = NULL WHERE id = \(id.rawValue)")
            try tx.recordActivity(.ownershipTransferred, in: id, by: actor, about: target, now: now)
            return .changed
        }
    }

    public func renameOrganisation(_ id: OrganisationID, to name: String, by actor: DeveloperID, now: Date) throws
        -> OrganisationChangeResult
    {
        try database.transaction { tx in
            guard
                let row = try tx.query(
                    """
                    SELECT o.name, m.role FROM organisations o
                    JOIN organisation_members m ON m.organisation_id = o.id AND m.developer_id = \(actor.rawValue)
                    WHERE o.id = \(id.rawValue) FOR UPDATE
                    """
                ).first, let role = row.string("role").flatMap(OrganisationRole.init(rawValue:)), let old = row.string("name")
            else { return .notFound }
            guard role.permits(.renameOrganisation) else { return .forbidden }
            guard old != name else { return .changed }
            try tx.execute("UPDATE organisations SET name = \(name) WHERE id = \(id.rawValue)")
            try tx.recordActivity(.renamed, in: id, by: actor, detail: ActivityDetail.rename(from: old, to: name), now: now)
            return .changed
        }
    }

    /// Locks the organisation's row, then reads both members' roles; `nil` when either is no member.
    private static func lockedRoles(of id: OrganisationID, actor: DeveloperID, target: DeveloperID, in tx: Transaction) throws
        -> (actor: OrganisationRole, target: OrganisationRole)?
    {
        guard !(try tx.query("SELECT id FROM organisations WHERE id = \(id.rawValue) FOR UPDATE").isEmpty) else { return nil }
        var roles: [Int64: OrganisationRole] = [:]
        for row in try tx.query(
            """
            SELECT developer_id, role FROM organisation_members
            WHERE organisation_id = \(id.rawValue) AND developer_id IN (\(actor.rawValue), \(target.rawValue))
            """)
        {
            if let developer = row.int("developer_id"), let role = row.string("role").flatMap(OrganisationRole.init(rawValue:)) {
                roles[Int64(developer)] = role
            }
        }
        guard let actorRole = roles[actor.rawValue], let targetRole = roles[target.rawValue] else { return nil }
        return (actorRole, targetRole)
    }

    private static func status(_ row: Row, now: Date) -> OrganisationInvitationStatus {
        guard let organisation: OrganisationID = row.id("organisation_id"),
            let role = row.string("role").flatMap(OrganisationRole.init(rawValue:)), let expires = row.date("expires_at")
        else { return .invalid }
        if row.date("accepted_at") != nil { return .used }
        // A cancelled link is refused as an expired one: the invitee learns nothing more.
        if expires <= now || row.date("cancelled_at") != nil { return .expired }
        return .valid(organisation: organisation, name: row.string("name") ?? "", role: role, email: row.string("email") ?? "")
    }
}

extension Transaction {
    /// `developer`'s personal organisation, created (named after them, with them as owner) if they have none.
    func personalOrganisation(of developer: DeveloperID, now: Date) throws -> OrganisationID {
        if let id: OrganisationID = try query(
            "SELECT id FROM organisations WHERE personal_of = \(developer.rawValue) FOR UPDATE"
        ).first?.id("id") {
            return id
        }
        let created = try execute(
            """
            INSERT INTO organisations (name, personal_of, created_at)
            SELECT name, id, \(now) FROM developers WHERE id = \(developer.rawValue)
            """)
        guard created.affectedRows == 1 else { throw StoreError(.constraint, detail: "no developer \(developer)") }
        let id = OrganisationID(created.insertID)
        try execute(
            """
            INSERT INTO organisation_members (organisation_id, developer_id, role, joined_at)
            VALUES (\(id.rawValue), \(developer.rawValue), 'owner', \(now))
            """)
        return id
    }
}
