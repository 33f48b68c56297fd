import Foundation

/// Schools' agreements with apps and their agreement settings, in the main database.
public protocol AppAgreementStore {
    /// The school's agreement with the app (without the document's bytes); `nil` when none is recorded.
    func agreement(school: SchoolID, client: ClientID) throws -> AppAgreement?
    /// Every agreement of the school, by client.
    func agreements(school: SchoolID) throws -> [ClientID: AppAgreement]
    /// The agreement's uploaded document; `nil` when there is no agreement or no document.
    func document(school: SchoolID, client: ClientID) throws -> AgreementDocument?
    /// Records the school's agreement with the app, replacing the one recorded (a renewal): `document` replaces
    /// the stored file, `nil` keeps it when `keepDocument` (else removes it). The warning and block markers start
    /// over. `.constraint` when the client does not exist.
    func saveAgreement(
        school: SchoolID, client: ClientID, kind: String, signedOn: CalendarDate, expiresOn: CalendarDate?, document: AgreementDocument?,
        keepDocument: Bool, by admin: UserID, now: Date
    ) throws
    /// Removes the school's agreement with the app and its document; whether there was one.
    func removeAgreement(school: SchoolID, client: ClientID) throws -> Bool
    /// The school's settings; ``AgreementSettings/default`` when it never chose.
    func settings(school: SchoolID) throws -> AgreementSettings
    /// Saves the school's settings. With ``AgreementSettings/requireAgreement`` on, in the same transaction, every app
    /// that is not first-party and has no agreement current today (``AppAgreement/isCurrent(on:)``), and that the
    /// school allowed or that still has a live grant of one of its users, is blocked for the school as
    /// ``SchoolAppPolicyStore/setPolicy(_:school:client:by:now:)`` blocks (its grants, tokens and unexchanged codes
    /// for the school's users end at once; pending requests stay). Returns those apps, by client id.
    func setSettings(_ settings: AgreementSettings, school: SchoolID, by admin: UserID, now: Date) throws -> [ClientID]
    /// Agreements of active apps with an expiry on or before `day`, oldest expiry first, at most `limit`, with
    /// their school's settings and whether the app is blocked for the school: what the daily run looks at.
    func agreementsExpiring(onOrBefore day: CalendarDate, limit: Int) throws -> [ExpiringAgreement]
    /// Records that the admins were warned of the agreement's expiry `expiresOn` (only if it still expires then).
    func markWarned(school: SchoolID, client: ClientID, expiresOn: CalendarDate) throws
    /// The school's active admins who have an address (who are told of expiries), with their saved language and
    /// the school's default (each `nil` when not set), in account order.
    func adminRecipients(school: SchoolID) throws -> [SchoolAdminRecipient]
    /// Records that the app was blocked for the expiry `expiresOn` (only if it still expires then).
    func markBlocked(school: SchoolID, client: ClientID, expiresOn: CalendarDate) throws
}

/// A school admin told of an agreement's expiry: where, and the languages their mail may be in.
public struct SchoolAdminRecipient: Sendable, Equatable {
    /// The admin's address.
    public let email: String
    /// The language the admin saved (`users.preferred_language`), `nil` when never chosen.
    public let language: String?
    /// Their school's default language (`schools.default_language`), `nil` when not set.
    public let schoolLanguage: String?

    /// Creates the value.
    public init(email: String, language: String?, schoolLanguage: String?) {
        self.email = email
        self.language = language
        self.schoolLanguage = schoolLanguage
    }
}

/// An agreement as the daily run sees it.
public struct ExpiringAgreement: Sendable, Equatable {
    /// The agreement.
    public let agreement: AppAgreement
    /// The app's name.
    public let appName: String
    /// The school's settings.
    public let settings: AgreementSettings
    /// Whether the school has the app blocked.
    public let appBlocked: Bool

    /// A value.
    public init(agreement: AppAgreement, appName: String, settings: AgreementSettings, appBlocked: Bool) {
        self.agreement = agreement
        self.appName = appName
        self.settings = settings
        self.appBlocked = appBlocked
    }
}
