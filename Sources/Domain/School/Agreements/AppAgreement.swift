import Foundation

/// A school's data-privacy agreement with one app (issue 23 item 5), such as the Student Data Privacy
/// Consortium's National Data Privacy Agreement: what kind, when it was signed, when it ends, and optionally
/// the signed document (``AgreementDocument``).
///
/// An agreement is current from its signing day up to, not including, its expiry day: on the expiry day the
/// app no longer has one (and a school that chose so has it blocked that day, ``AgreementExpiry``).
public struct AppAgreement: Sendable, Equatable {
    /// Longest kind, in characters.
    public static let maximumKindLength = 200

    /// The school.
    public let school: SchoolID
    /// The app.
    public let client: ClientID
    /// What agreement it is, in the admin's words.
    public let kind: String
    /// The day it was signed.
    public let signedOn: CalendarDate
    /// The first day it no longer holds; `nil` when it does not expire.
    public let expiresOn: CalendarDate?
    /// The uploaded document's digest and size; `nil` without one.
    public let document: AgreementDocument.Summary?
    /// The expiry day the admins were last warned of (so each expiry is warned of once).
    public let warnedFor: CalendarDate?
    /// The expiry day on which the app was last blocked for it (so a later decision to allow it stands).
    public let blockedFor: CalendarDate?

    /// An agreement.
    public init(
        school: SchoolID, client: ClientID, kind: String, signedOn: CalendarDate, expiresOn: CalendarDate?,
        document: AgreementDocument.Summary? = nil, warnedFor: CalendarDate? = nil, blockedFor: CalendarDate? = nil
    ) {
        self.school = school
        self.client = client
        self.kind = kind
        self.signedOn = signedOn
        self.expiresOn = expiresOn
        self.document = document
        self.warnedFor = warnedFor
        self.blockedFor = blockedFor
    }

    /// Whether the agreement holds on `today`.
    public func isCurrent(on today: CalendarDate) -> Bool {
        signedOn <= today && (expiresOn.map { today < $0 } ?? true)
    }
}

/// What a school decided about agreements in general.
public struct AgreementSettings: Sendable, Equatable {
    /// Apps need a current agreement to be allowed: allowing one without is refused, and an app the school has
    /// not decided about is blocked for it rather than allowed by default. First-party clients (the
    /// installation's own) are exempt. Saving it on ends at once the connections of every app without a current
    /// agreement (``AppAgreementStore/setSettings(_:school:by:now:)``): tokens issued before stop working.
    public var requireAgreement: Bool
    /// On an agreement's expiry day the app is blocked for the school (once per expiry day).
    public var blockOnExpiry: Bool

    /// Settings.
    public init(requireAgreement: Bool, blockOnExpiry: Bool) {
        self.requireAgreement = requireAgreement
        self.blockOnExpiry = blockOnExpiry
    }

    /// A school that has not chosen: agreements are recorded but not required, and expiry only warns.
    public static let `default` = AgreementSettings(requireAgreement: false, blockOnExpiry: false)

    /// Why the school cannot allow the app now (a sentence for the admin), or `nil` when it can: a school that
    /// requires agreements needs a current one.
    public func refusalToAllow(_ agreement: AppAgreement?, appName: String, on today: CalendarDate) -> String? {
        guard requireAgreement else { return nil }
        guard let agreement else {
            return "Your school requires a data-privacy agreement before an app is allowed: record the agreement with \(appName) first."
        }
        guard agreement.isCurrent(on: today) else {
            return
                "Your school requires a current data-privacy agreement before an app is allowed: the agreement with \(appName) \(agreement.expiresOn.map { "expired on \($0)" } ?? "is not in force yet"). Record the renewed agreement first."
        }
        return nil
    }
}

/// The agreement form of the school's app page, as typed.
public struct AppAgreementForm: Sendable, Equatable {
    /// The `kind` field.
    public var kind: String
    /// The `signed_on` field (`YYYY-MM-DD`, a date input).
    public var signedOn: String
    /// The `expires_on` field; empty when the agreement does not expire.
    public var expiresOn: String

    /// A form.
    public init(kind: String, signedOn: String, expiresOn: String) {
        self.kind = kind
        self.signedOn = signedOn
        self.expiresOn = expiresOn
    }

    /// The checked values, or the problems by field (`kind`, `signed_on`, `expires_on`). The signing day cannot
    /// be after `today`; the expiry must be after the signing day.
    public func validate(today: CalendarDate) -> Result<(kind: String, signedOn: CalendarDate, expiresOn: CalendarDate?), SchoolworkForms.FieldErrors>
    {
        var errors: SchoolworkForms.FieldErrors = [:]
        let kind = kind.trimmingWhitespace()
        if kind.isEmpty {
            errors["kind"] = Message("agreement.error.kind", "Name the agreement, for example: SDPC National Data Privacy Agreement.")
        } else if kind.unicodeScalars.count > AppAgreement.maximumKindLength {
            errors["kind"] = .atMostCharacters(AppAgreement.maximumKindLength)
        } else if kind.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors["kind"] = Message("agreement.error.kind_line", "Use one line, without control characters.")
        }
        let signed = CalendarDate(signedOn.trimmingWhitespace())
        if signed == nil {
            errors["signed_on"] = Message("agreement.error.signed_on", "Enter the day it was signed (YYYY-MM-DD).")
        } else if let signed, today < signed {
            errors["signed_on"] = Message("agreement.error.signed_future", "The signing day cannot be in the future.")
        }
        var expires: CalendarDate?
        let expiryText = expiresOn.trimmingWhitespace()
        if !expiryText.isEmpty {
            expires = CalendarDate(expiryText)
            if expires == nil {
                errors["expires_on"] = Message(
                    "agreement.error.expires_on", "Enter the expiry day (YYYY-MM-DD), or leave it empty if the agreement does not expire.")
            } else if let expires, let signed, expires <= signed {
                errors["expires_on"] = Message("agreement.error.expires_before", "The agreement must expire after the day it was signed.")
            }
        }
        guard errors.isEmpty, let signed else { return .failure(errors) }
        return .success((kind, signed, expires))
    }
}
