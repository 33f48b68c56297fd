import Domain
import Foundation

/// ``SupportTicketStore`` over the developers database.
public struct MariaSupportTicketStore: SupportTicketStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    /// The select list ``Row/supportTicket()`` reads, for `support_tickets` aliased `t` and its app `a`.
    private static let ticketColumns = """
        t.id, t.developer_id, t.application_id, a.name AS application_name, t.subject, t.category, t.status, t.created_at, \
        t.updated_at
        """

    public func openTicket(_ ticket: NewSupportTicket, by developer: DeveloperID, now: Date) throws -> TicketID? {
        try database.transaction { tx in
            if let app = ticket.application {
                guard try tx.lockApplication(app, member: developer, may: .editApp) else { return nil }
            }
            let inserted = try tx.execute(
                """
                INSERT INTO support_tickets (developer_id, application_id, subject, category, status, created_at, updated_at)
                VALUES (\(developer.rawValue), \(ticket.application?.rawValue), \(ticket.subject), \(ticket.category.rawValue),
                        'open', \(now), \(now))
                """)
            let id = TicketID(inserted.insertID)
            try Self.addDeveloperMessage(to: id, by: developer, body: ticket.message, now: now, in: tx)
            return id
        }
    }

    public func tickets(of developer: DeveloperID) throws -> [SupportTicketSummary] {
        // Two indexed reads (SupportTicketAccess): the developer's own tickets about no app, and the tickets about
        // the apps of every organisation they belong to, whoever opened them.
        try database.query(
            """
            SELECT * FROM (
                (SELECT \(unsafeRaw: Self.ticketColumns)
                 FROM support_tickets t LEFT JOIN applications a ON a.id = t.application_id
                 WHERE t.developer_id = \(developer.rawValue) AND t.application_id IS NULL)
                UNION ALL
                (SELECT \(unsafeRaw: Self.ticketColumns)
                 FROM organisation_members m JOIN applications a ON a.organisation_id = m.organisation_id
                     JOIN support_tickets t ON t.application_id = a.id
                 WHERE m.developer_id = \(developer.rawValue)
                     AND m.role IN (\(list: OrganisationRole.permitting(.viewApp).map(\.rawValue))))
            ) tickets
            ORDER BY updated_at DESC, id DESC
            """
        ).compactMap { $0.supportTicket() }
    }

    public func ticketsForStaff() throws -> [SupportTicketSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.ticketColumns)
            FROM support_tickets t LEFT JOIN applications a ON a.id = t.application_id
            WHERE t.status <> 'closed'
            ORDER BY t.status = 'answered', t.updated_at, t.id
            """
        ).compactMap { $0.supportTicket() }
    }

    public func ticketForStaff(_ id: TicketID) throws -> SupportTicketThread? {
        try thread(id, owner: nil)
    }

    public func ticket(_ id: TicketID, owner: DeveloperID) throws -> SupportTicketThread? {
        try thread(id, owner: owner)
    }

    /// A ticket and its messages; `owner` (the asking developer) is held to ``SupportTicketAccess``, `nil` (staff)
    /// is not.
    private func thread(_ id: TicketID, owner: DeveloperID?) throws -> SupportTicketThread? {
        // The staff's read (the app pool) has no grant on organisation_members and needs no role.
        let role: SQLQuery =
            owner.map {
                """
                , (SELECT m.role FROM organisation_members m
                   WHERE m.organisation_id = a.organisation_id AND m.developer_id = \($0.rawValue)) AS member_role
                """
            } ?? ""
        guard
            let row = try database.query(
                """
                SELECT \(unsafeRaw: Self.ticketColumns) \(fragment: role)
                FROM support_tickets t LEFT JOIN applications a ON a.id = t.application_id
                WHERE t.id = \(id.rawValue)
                """
            ).first, let ticket = row.supportTicket()
        else { return nil }
        var mayReply = true
        if let owner {
            switch Self.access(row, asker: owner) {
            case .none: return nil
            case .read: mayReply = false
            case .reply: break
            }
        }
        let messages = try database.query(
            """
            SELECT author_kind, author_name, body, created_at FROM support_ticket_messages
            WHERE ticket_id = \(id.rawValue) ORDER BY created_at, id
            """
        ).compactMap { row -> SupportTicketMessage? in
            guard let kind = SupportTicketMessage.AuthorKind(rawValue: row.string("author_kind") ?? "") else { return nil }
            return SupportTicketMessage(
                authorKind: kind, authorName: row.string("author_name") ?? "", body: row.string("body") ?? "",
                createdAt: row.date("created_at") ?? .distantPast)
        }
        return SupportTicketThread(ticket: ticket, messages: messages, mayReply: mayReply)
    }

    /// ``SupportTicketAccess`` of `asker` to a ticket row read with `developer_id`, `application_id` and the
    /// asker's `member_role` in the app's organisation.
    private static func access(_ row: Row, asker: DeveloperID) -> SupportTicketAccess {
        SupportTicketAccess(
            opener: DeveloperID(Int64(row.int("developer_id") ?? 0)), asker: asker, aboutApp: row.int("application_id") != nil,
            role: row.string("member_role").flatMap(OrganisationRole.init(rawValue:)))
    }

    public func replyAsDeveloper(to id: TicketID, owner: DeveloperID, body: String, now: Date) throws -> Bool {
        try database.transaction { tx in
            guard try Self.lockTicket(id, owner: owner, in: tx) else { return false }
            try tx.execute("UPDATE support_tickets SET status = 'open', updated_at = \(now) WHERE id = \(id.rawValue)")
            try Self.addDeveloperMessage(to: id, by: owner, body: body, now: now, in: tx)
            return true
        }
    }

    public func closeTicket(_ id: TicketID, owner: DeveloperID, now: Date) throws -> Bool {
        try database.transaction { tx in
            guard try Self.lockTicket(id, owner: owner, in: tx) else { return false }
            return try tx.execute(
                "UPDATE support_tickets SET status = 'closed', updated_at = \(now) WHERE id = \(id.rawValue) AND status <> 'closed'"
            ).affectedRows == 1
        }
    }

    public func replyAsStaff(to id: TicketID, authorName: String, body: String, now: Date) throws -> Bool {
        try database.transaction { tx in
            guard try Self.lockTicket(id, owner: nil, in: tx) else { return false }
            try tx.execute("UPDATE support_tickets SET status = 'answered', updated_at = \(now) WHERE id = \(id.rawValue)")
            try tx.execute(
                """
                INSERT INTO support_ticket_messages (ticket_id, author_kind, author_name, body, created_at)
                VALUES (\(id.rawValue), 'staff', \(String(authorName.prefix(200))), \(body), \(now))
                """)
            return true
        }
    }

    /// Whether the ticket exists (and `owner`, when given, may reply to it: ``SupportTicketAccess``), locking its
    /// row for the rest of the transaction; the member's role is read in the same transaction, so a member removed
    /// a moment ago is refused. Checked apart from the UPDATE, whose affected-row count is 0 when nothing changes.
    private static func lockTicket(_ id: TicketID, owner: DeveloperID?, in tx: Transaction) throws -> Bool {
        guard let owner else {
            // Staff (the app pool, which has no grant on the teams' tables).
            return !(try tx.query("SELECT id FROM support_tickets WHERE id = \(id.rawValue) FOR UPDATE").isEmpty)
        }
        guard
            let row = try tx.query(
                """
                SELECT t.developer_id, t.application_id,
                       (SELECT m.role FROM applications a JOIN organisation_members m ON m.organisation_id = a.organisation_id
                        WHERE a.id = t.application_id AND m.developer_id = \(owner.rawValue)) AS member_role
                FROM support_tickets t WHERE t.id = \(id.rawValue) FOR UPDATE
                """
            ).first
        else { return false }
        return access(row, asker: owner) == .reply
    }

    /// Adds a developer's message under their current account name, inside the caller's transaction.
    private static func addDeveloperMessage(to id: TicketID, by developer: DeveloperID, body: String, now: Date, in tx: Transaction)
        throws
    {
        try tx.execute(
            """
            INSERT INTO support_ticket_messages (ticket_id, author_kind, author_name, body, created_at)
            SELECT \(id.rawValue), 'developer', d.name, \(body), \(now) FROM developers d WHERE d.id = \(developer.rawValue)
            """)
    }
}

extension Row {
    /// A ticket read with ``MariaSupportTicketStore``'s ticket columns; `nil` for an unreadable category or status.
    fileprivate func supportTicket() -> SupportTicketSummary? {
        guard let id: TicketID = id("id"), let developer: DeveloperID = self.id("developer_id"),
            let category = SupportTicketCategory(rawValue: string("category") ?? ""),
            let status = SupportTicketSummary.Status(rawValue: string("status") ?? "")
        else { return nil }
        return SupportTicketSummary(
            id: id, developer: developer, application: self.id("application_id"), applicationName: string("application_name"),
            subject: string("subject") ?? "", category: category, status: status, createdAt: date("created_at") ?? .distantPast,
            updatedAt: date("updated_at") ?? .distantPast)
    }
}
