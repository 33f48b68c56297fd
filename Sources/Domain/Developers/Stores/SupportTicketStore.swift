import Foundation

/// Support tickets of the developers site with threaded replies.
///
/// A ticket is `open` while it waits for staff, `answered` after a staff reply, `closed` when the developer
/// closes it. A developer's reply (re)opens it, whatever its status, so a conversation is never stuck. Lists
/// of tickets are newest activity first; a thread's messages read as a conversation, oldest first. Developer
/// operations are filtered in SQL by ``SupportTicketAccess``: a ticket about an app belongs to the app's
/// organisation (every member reads it, a developer and up replies and closes it, a removed member loses it at
/// once), a ticket about no app to the developer who opened it; a ticket the asker may not read reads as missing
/// (`nil`/`false`). The `owner` parameters below are the asking developer.
public protocol SupportTicketStore {
    /// Opens a ticket with its first message (by the developer, under their account name), in one
    /// transaction. Returns `nil` (nothing written) when `ticket.application` is not an app whose organisation
    /// lets the developer reply about it (``SupportTicketAccess/reply``: a viewer does not open tickets).
    func openTicket(_ ticket: NewSupportTicket, by developer: DeveloperID, now: Date) throws -> TicketID?
    /// The tickets the developer may read (``SupportTicketAccess``), most recently updated first; empty when none.
    func tickets(of developer: DeveloperID) throws -> [SupportTicketSummary]
    /// The ticket with its messages, oldest first, if `owner` may read it (with ``SupportTicketThread/mayReply``
    /// saying whether they may also reply and close it); `nil` otherwise.
    func ticket(_ id: TicketID, owner: DeveloperID) throws -> SupportTicketThread?
    /// Adds the asker's reply (under their account name) and sets the ticket `open`, in one transaction.
    /// Returns `false` (nothing written) when there is no such ticket `owner` may reply to.
    func replyAsDeveloper(to id: TicketID, owner: DeveloperID, body: String, now: Date) throws -> Bool
    /// Closes the ticket. Returns `false` when there is no such ticket `owner` may reply to, or it is already closed.
    func closeTicket(_ id: TicketID, owner: DeveloperID, now: Date) throws -> Bool
    /// A platform staff reply from the app site's admin panel (no owner check: for the app pool only), under
    /// `authorName`, setting the ticket `answered`, in one transaction. Returns `false` (nothing written)
    /// when there is no such ticket. The caller emails the developer after it returns `true`.
    func replyAsStaff(to id: TicketID, authorName: String, body: String, now: Date) throws -> Bool
    /// The staff's list: every developer's tickets that are not closed, waiting longest first (open before
    /// answered). For the app pool's admin panel only, like ``replyAsStaff(to:authorName:body:now:)``.
    func ticketsForStaff() throws -> [SupportTicketSummary]
    /// Any developer's ticket with its messages, for the admin panel; `nil` when there is none.
    func ticketForStaff(_ id: TicketID) throws -> SupportTicketThread?
}

/// A ticket being opened, from ``SupportTicketForm/validate()``.
public struct NewSupportTicket: Sendable, Equatable {
    /// The app it is about, if any.
    public var application: ApplicationID?
    /// The subject, validated.
    public var subject: String
    /// What it is about.
    public var category: SupportTicketCategory
    /// The first message, validated.
    public var message: String

    /// Describes a ticket.
    public init(application: ApplicationID?, subject: String, category: SupportTicketCategory, message: String) {
        self.application = application
        self.subject = subject
        self.category = category
        self.message = message
    }
}

/// One ticket of a list, or the head of a thread.
public struct SupportTicketSummary: Sendable, Equatable {
    /// Where a ticket is.
    public enum Status: String, Sendable, CaseIterable {
        /// Waiting for staff.
        case open
        /// Staff replied last.
        case answered
        /// Closed by the developer.
        case closed
    }

    /// The row id.
    public let id: TicketID
    /// Who opened it.
    public let developer: DeveloperID
    /// The app it is about, if any (`nil` also once that app is deleted).
    public let application: ApplicationID?
    /// That app's current name, if any.
    public let applicationName: String?
    /// The subject.
    public let subject: String
    /// What it is about.
    public let category: SupportTicketCategory
    /// Where it is.
    public let status: Status
    /// When it was opened.
    public let createdAt: Date
    /// The last message or status change.
    public let updatedAt: Date

    /// Creates the value.
    public init(
        id: TicketID, developer: DeveloperID, application: ApplicationID?, applicationName: String?, subject: String,
        category: SupportTicketCategory, status: Status, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.developer = developer
        self.application = application
        self.applicationName = applicationName
        self.subject = subject
        self.category = category
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A ticket with its conversation.
public struct SupportTicketThread: Sendable, Equatable {
    /// The ticket.
    public let ticket: SupportTicketSummary
    /// Its messages, oldest first.
    public let messages: [SupportTicketMessage]
    /// Whether the developer who asked may reply to it and close it (``SupportTicketAccess``); staff always may.
    public let mayReply: Bool

    /// Creates the value.
    public init(ticket: SupportTicketSummary, messages: [SupportTicketMessage], mayReply: Bool = true) {
        self.ticket = ticket
        self.messages = messages
        self.mayReply = mayReply
    }
}

/// Who may read and answer a support ticket on the portal (issue 20 item 6): a ticket about an app belongs to the
/// app's organisation, whose members read it (``OrganisationAction/viewApp``) and, from developer up, reply to it
/// and close it (``OrganisationAction/editApp``), whoever opened it; a member who leaves or is removed loses it at
/// once, the opener too. A ticket about no app (or whose app was deleted) stays its opener's own.
public enum SupportTicketAccess: Sendable, Equatable {
    /// The ticket reads as missing (404).
    case none
    /// Read only (a viewer): the reply and close forms are refused (403).
    case read
    /// Read, reply and close.
    case reply

    /// The access of `asker` to a ticket opened by `opener`, about an app when `aboutApp`, where `asker`'s role
    /// in the app's organisation is `role` (`nil`: no member).
    public init(opener: DeveloperID, asker: DeveloperID, aboutApp: Bool, role: OrganisationRole?) {
        if !aboutApp {
            self = opener == asker ? .reply : .none
        } else if let role, role.permits(.viewApp) {
            self = role.permits(.editApp) ? .reply : .read
        } else {
            self = .none
        }
    }
}

/// One message of a ticket.
public struct SupportTicketMessage: Sendable, Equatable {
    /// Who wrote a message.
    public enum AuthorKind: String, Sendable, CaseIterable {
        /// The developer who opened the ticket.
        case developer
        /// Platform staff, from the admin panel.
        case staff
    }

    /// Who wrote it.
    public let authorKind: AuthorKind
    /// Their name when they wrote it.
    public let authorName: String
    /// The text, line breaks kept.
    public let body: String
    /// When it was written.
    public let createdAt: Date

    /// Creates the value.
    public init(authorKind: AuthorKind, authorName: String, body: String, createdAt: Date) {
        self.authorKind = authorKind
        self.authorName = authorName
        self.body = body
        self.createdAt = createdAt
    }
}
