import Foundation

/// What happened, in the security audit log (issue 16, item 6). The raw value is stored; names are stable.
public enum SecurityEvent: String, Sendable, CaseIterable {
    case signIn = "sign_in"
    case signInFailed = "sign_in_failed"
    case signOut = "sign_out"
    case passwordChanged = "password_changed"
    case passwordReset = "password_reset"
    case secondFactorChanged = "second_factor_changed"
    case upstreamLinked = "upstream_linked"
    case upstreamUnlinked = "upstream_unlinked"
    case upstreamProviderChanged = "upstream_provider_changed"
    case signInPolicyChanged = "sign_in_policy_changed"
    case emailDomainsChanged = "email_domains_changed"
    case appDecision = "app_decision"
    case reviewDecision = "review_decision"
    case rosterImported = "roster_imported"
    case badgeChanged = "badge_changed"
    case agreementChanged = "agreement_changed"
    case gradebookSettingChanged = "gradebook_setting_changed"
    case schoolLanguageChanged = "school_language_changed"
    case appBlockedByPolicy = "app_blocked_by_policy"
    case exportRequested = "export_requested"
    case exportDownloaded = "export_downloaded"
    case erasureRequested = "erasure_requested"
    case erasureConfirmed = "erasure_confirmed"
    case erasureCancelled = "erasure_cancelled"
    case erasureCompleted = "erasure_completed"

    /// How pages name the event.
    public var label: String {
        switch self {
        case .signIn: "Signed in"
        case .signInFailed: "Sign-in refused"
        case .signOut: "Signed out"
        case .passwordChanged: "Password changed"
        case .passwordReset: "Password reset"
        case .secondFactorChanged: "Two-step sign-in changed"
        case .upstreamLinked: "School account linked"
        case .upstreamUnlinked: "School account unlinked"
        case .upstreamProviderChanged: "Sign-in provider changed"
        case .signInPolicyChanged: "Sign-in policy changed"
        case .emailDomainsChanged: "Email domains changed"
        case .appDecision: "App allowed or blocked"
        case .reviewDecision: "App review decision"
        case .rosterImported: "Roster imported"
        case .badgeChanged: "QR badge changed"
        case .agreementChanged: "App agreement changed"
        case .gradebookSettingChanged: "Gradebook setting for apps changed"
        case .schoolLanguageChanged: "School's default language changed"
        case .appBlockedByPolicy: "App blocked by policy"
        case .exportRequested: "Data export requested"
        case .exportDownloaded: "Data export downloaded"
        case .erasureRequested: "Erasure requested"
        case .erasureConfirmed: "Erasure confirmed"
        case .erasureCancelled: "Erasure cancelled"
        case .erasureCompleted: "Person erased"
        }
    }
}

/// One entry to append. `school`: whose school admins may read it (`nil`: platform admins only). Text fields are
/// cut to their column sizes by the store; nothing secret goes in `detail`.
public struct SecurityAuditEntry: Sendable, Equatable {
    public var occurredAt: Date
    public var event: SecurityEvent
    public var school: SchoolID?
    /// Who acted (`nil`: nobody signed in, or the system).
    public var actor: UserID?
    /// Whom it concerns (`nil`: no one person).
    public var subject: UserID?
    /// The sign-in method (`AuthenticationMethod.rawValue`) or another short qualifier.
    public var method: String
    public var clientAddress: String
    public var userAgent: String
    public var detail: String

    public init(
        occurredAt: Date, event: SecurityEvent, school: SchoolID?, actor: UserID?, subject: UserID?, method: String = "",
        clientAddress: String = "", userAgent: String = "", detail: String = ""
    ) {
        self.occurredAt = occurredAt
        self.event = event
        self.school = school
        self.actor = actor
        self.subject = subject
        self.method = method
        self.clientAddress = clientAddress
        self.userAgent = userAgent
        self.detail = detail
    }
}

/// An entry as read back, with the people's names.
public struct SecurityAuditRecord: Sendable, Equatable {
    public let id: Int64
    public let entry: SecurityAuditEntry
    public let actorName: String?
    public let subjectName: String?

    public init(id: Int64, entry: SecurityAuditEntry, actorName: String?, subjectName: String?) {
        self.id = id
        self.entry = entry
        self.actorName = actorName
        self.subjectName = subjectName
    }
}

/// Which entries a reader asks for.
public struct SecurityAuditFilter: Sendable, Equatable {
    /// Only this school's (school admins always have this set to theirs).
    public var school: SchoolID?
    public var event: SecurityEvent?
    /// Entries whose actor or subject is this person.
    public var person: UserID?
    public var from: Date?
    public var until: Date?

    public init(school: SchoolID? = nil, event: SecurityEvent? = nil, person: UserID? = nil, from: Date? = nil, until: Date? = nil) {
        self.school = school
        self.event = event
        self.person = person
        self.from = from
        self.until = until
    }
}

/// The security audit log: appended to by the pools, never changed. The pools' database account may insert and
/// read it, and delete only entries older than ``minimumRetentionDays`` (the table's trigger refuses anything
/// younger), so a taken-over pool cannot erase recent traces.
public protocol SecurityAuditStore {
    func append(_ entry: SecurityAuditEntry) throws
    /// Entries matching `filter`, newest first, at most `limit`.
    func entries(_ filter: SecurityAuditFilter, limit: Int) throws -> [SecurityAuditRecord]
    /// Deletes entries older than `before`, at most `limit` per call; returns how many.
    func purge(before: Date, limit: Int) throws -> Int
}

/// The audit log's retention rules.
public enum SecurityAuditRetention {
    /// The shortest retention the database allows a pool to purge down to (the trigger's floor).
    public static let minimumRetentionDays = 30
    /// The default retention.
    public static let defaultRetentionDays = 365
}
