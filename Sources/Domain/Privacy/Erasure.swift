import Foundation

/// Where an erasure (GDPR Art. 17) is. `requested` → `scheduled` (confirmed; the waiting period runs) → `running`
/// → `completed`; `requested` and `scheduled` may be `cancelled`. Once running it cannot be stopped: its steps are
/// resumed until done.
public enum ErasureStatus: String, Sendable, CaseIterable {
    case requested, scheduled, running, completed, cancelled

    /// Whether the erasure still blocks a new request for the same person.
    public var isOpen: Bool { self == .requested || self == .scheduled || self == .running }
}

/// The steps of an erasure, in order. Each is one transaction that also records the step as done, so a run that
/// dies is resumed at the step it had not finished. The steps that need the person's identifiers (to find them in
/// free text) run before the last one overwrites them.
public enum ErasureStep: Int, Sendable, CaseIterable {
    /// Sign-in ends: sessions, password links, second factors, passkeys, badges and linked school accounts are
    /// deleted, the account deactivated, every app's tokens revoked and consents withdrawn.
    case revokeAccess = 1
    /// The logs: data-access log and security audit log entries about the person older than the configured age are
    /// deleted; the rest lose the address and browser and have the person's identifiers replaced by the pseudonym;
    /// roster import summaries and queued mail to the person are cleaned the same way.
    case scrubLogs = 2
    /// Mail to the person in the development mail folder is deleted (no-op in production, where mail has left).
    case removeMail = 3
    /// The person's row is pseudonymised (names, email, username, sourced ids), teachers' notes about them cleared,
    /// family links and grants deleted, apps told (`person.erased`), and the erasure marked completed.
    case pseudonymise = 4

    /// The step after `completed` steps are done, or `nil` when all are.
    public static func next(afterCompleted completed: Int) -> ErasureStep? { ErasureStep(rawValue: completed + 1) }
}

/// An erasure as stored (`erasures` in main).
public struct Erasure: Sendable, Equatable {
    public let id: Int64
    public let school: SchoolID
    /// The person to erase.
    public let subject: UserID
    /// The name the person's row takes (`erased-…`), fixed at the request.
    public let pseudonym: String
    public let status: ErasureStatus
    public let requestedBy: UserID
    public let requestedAt: Date
    public let confirmedAt: Date?
    /// The end of the waiting period (set when confirmed).
    public let runsAfter: Date?
    public let cancelledAt: Date?
    /// How many ``ErasureStep``s are done.
    public let completedSteps: Int
    public let completedAt: Date?

    public init(
        id: Int64, school: SchoolID, subject: UserID, pseudonym: String, status: ErasureStatus, requestedBy: UserID, requestedAt: Date,
        confirmedAt: Date?, runsAfter: Date?, cancelledAt: Date?, completedSteps: Int, completedAt: Date?
    ) {
        self.id = id
        self.school = school
        self.subject = subject
        self.pseudonym = pseudonym
        self.status = status
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.confirmedAt = confirmedAt
        self.runsAfter = runsAfter
        self.cancelledAt = cancelledAt
        self.completedSteps = completedSteps
        self.completedAt = completedAt
    }
}

/// Why an erasure action was refused, with the sentence the admin reads.
public struct ErasureRefusal: Error, Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        /// An erasure of the person is already open.
        case alreadyOpen(ErasureStatus, runsAfter: Date?)
        /// The admin asked to erase themself.
        case yourself
        /// The action needs another status (confirming a scheduled one, cancelling a running one…).
        case wrongStatus(ErasureStatus)
        /// Platform admins belong to no school; they are not erased by a school.
        case notErasable
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    /// What the page says, in English (logs, tests).
    public var message: String { problem.english }

    /// What the page says.
    public var problem: Message {
        switch reason {
        case .alreadyOpen(.requested, _):
            Message(
                "erasure.refusal.requested", "An erasure of this person is already requested and waits for confirmation. Confirm or cancel that one.")
        case .alreadyOpen(.scheduled, let runsAfter?):
            Message(
                "erasure.refusal.scheduled",
                "An erasure of this person is already scheduled (it runs after \(ErasureRules.dayText(runsAfter))). Cancel it first to start again.",
                dates: ["day": runsAfter])
        case .alreadyOpen(.running, _), .alreadyOpen:
            Message("erasure.refusal.running", "This person is being erased already.")
        case .yourself:
            Message("erasure.refusal.yourself", "You cannot erase your own account. Ask another school admin.")
        case .wrongStatus(.running):
            Message("erasure.refusal.started", "The erasure has started and cannot be cancelled or changed any more.")
        case .wrongStatus(.completed):
            Message("erasure.refusal.completed", "The erasure is complete.")
        case .wrongStatus(.cancelled):
            Message("erasure.refusal.cancelled", "The erasure was cancelled. Request a new one to erase this person.")
        case .wrongStatus(.scheduled):
            Message("erasure.refusal.confirmed", "The erasure is already confirmed.")
        case .wrongStatus(.requested):
            Message("erasure.refusal.unconfirmed", "The erasure is not confirmed yet.")
        case .notErasable:
            Message("erasure.refusal.not_erasable", "This account cannot be erased by a school.")
        }
    }
}

/// The rules of erasures that need no storage. The store applies the same conditions atomically.
public enum ErasureRules {
    /// The default waiting period between confirmation and erasure.
    public static let defaultWaitingDays = 30
    /// Log entries about the person older than this are deleted by default; younger ones are pseudonymised. At
    /// least ``SecurityAuditRetention/minimumRetentionDays``, below which the audit log refuses deletion.
    public static let defaultLogDeletionDays = 90

    /// Whether `admin` may ask to erase `subject` (its role), given the open erasure of that person, if any.
    public static func mayRequest(by admin: UserID, subject: UserID, role: Role, open: Erasure?) -> ErasureRefusal? {
        if admin == subject { return ErasureRefusal(.yourself) }
        if role == .platformAdmin { return ErasureRefusal(.notErasable) }
        if let open, open.status.isOpen { return ErasureRefusal(.alreadyOpen(open.status, runsAfter: open.runsAfter)) }
        return nil
    }

    /// The end of the waiting period of an erasure confirmed at `now`, or the refusal.
    public static func confirm(_ erasure: Erasure, now: Date, waiting: TimeInterval) -> Result<Date, ErasureRefusal> {
        guard erasure.status == .requested else { return .failure(ErasureRefusal(.wrongStatus(erasure.status))) }
        return .success(now.addingTimeInterval(waiting))
    }

    /// Whether the erasure may be cancelled: until it starts, whatever the day (the last day of the waiting period
    /// included).
    public static func cancel(_ erasure: Erasure) -> ErasureRefusal? {
        erasure.status == .requested || erasure.status == .scheduled ? nil : ErasureRefusal(.wrongStatus(erasure.status))
    }

    /// Whether a runner may start (or resume) the erasure at `now`.
    public static func isDue(_ erasure: Erasure, now: Date) -> Bool {
        switch erasure.status {
        case .scheduled: erasure.runsAfter.map { $0 <= now } ?? false
        case .running: true
        case .requested, .completed, .cancelled: false
        }
    }

    /// "31 January 2026" (UTC).
    public static func dayText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy, HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}

/// The person's identifiers, read before they are overwritten, and the rule that removes them from free text.
public struct PersonIdentifiers: Sendable, Equatable {
    public var givenName: String
    public var familyName: String
    public var email: String?
    public var username: String?
    public var sourcedID: String?

    public init(givenName: String, familyName: String, email: String?, username: String?, sourcedID: String?) {
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.username = username
        self.sourcedID = sourcedID
    }

    /// The strings to look for, longest first (so "Ana Okafor" goes before "Ana"). Names shorter than two
    /// characters are left out: replacing a lone letter would rewrite every word.
    public var searchTerms: [String] {
        let all = ["\(givenName) \(familyName)", "\(familyName), \(givenName)", email, username, sourcedID, givenName, familyName]
        var seen: Set<String> = []
        return all.compactMap { $0 }.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count >= 2 && seen.insert($0.lowercased()).inserted }
            .sorted { $0.count > $1.count }
    }

    /// `text` with every identifier replaced by `pseudonym`, ignoring case and accents (as the database's collation
    /// compares), so that a search in the database for any of them finds nothing afterwards.
    public func scrub(_ text: String, pseudonym: String) -> String {
        var result = text
        for term in searchTerms {
            result = result.replacingOccurrences(of: term, with: pseudonym, options: [.caseInsensitive, .diacriticInsensitive])
        }
        return result
    }
}

/// Pseudonyms of erased people.
public enum Pseudonym {
    /// `erased-` and 16 characters of base32 (80 random bits): unique in practice, and meaning nothing.
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        return "erased-" + String((0..<16).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] })
    }

    /// Whether `text` has the shape ``make(using:)`` gives.
    public static func isPseudonym(_ text: String) -> Bool {
        guard text.hasPrefix("erased-") else { return false }
        let body = text.dropFirst(7)
        return body.count == 16 && body.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "2" && $0 <= "7") }
    }
}
