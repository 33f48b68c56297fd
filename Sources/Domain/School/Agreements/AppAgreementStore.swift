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
    /// The email addresses of the school's active admins (who are told of expiries).
    func adminEmails(school: SchoolID) throws -> [String]
    /// Records that the app was blocked for the expiry `expiresOn` (only if it still expires then).
    func markBlocked(school: SchoolID, client: ClientID, expiresOn: CalendarDate) throws
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
