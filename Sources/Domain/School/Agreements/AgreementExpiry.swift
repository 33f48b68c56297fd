import Foundation

/// What the daily agreement run does about one agreement (issue 23 item 5):
/// - **warn** the school's admins once per expiry day, when it is at most ``warningDays`` days away (and not
///   reached yet);
/// - **block** the app for the school on the expiry day or after, once per expiry day, when the school chose to
///   block on expiry and the app is not blocked already. A later decision of the admin to allow it again
///   stands: the same expiry never blocks twice.
///
/// Renewing the agreement (a new expiry day) starts both over.
public enum AgreementExpiry {
    /// How many days ahead the admins are warned.
    public static let warningDays = 30

    /// One thing to do.
    public enum Action: Sendable, Equatable {
        /// Mail the school's admins that the agreement ends in `days` days.
        case warn(days: Int)
        /// Block the app for the school and tell the admins.
        case block
    }

    /// The actions due on `today` for `agreement`, given the school's `settings` and whether the app is blocked
    /// for the school already.
    public static func actions(
        for agreement: AppAgreement, settings: AgreementSettings, appBlocked: Bool, today: CalendarDate
    ) -> [Action] {
        guard let expiry = agreement.expiresOn else { return [] }
        let days = today.days(until: expiry)
        var actions: [Action] = []
        if days > 0, days <= warningDays, agreement.warnedFor != expiry { actions.append(.warn(days: days)) }
        if days <= 0, settings.blockOnExpiry, !appBlocked, agreement.blockedFor != expiry { actions.append(.block) }
        return actions
    }
}

extension CalendarDate {
    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Whole days from this day to `other` (negative when `other` is earlier).
    public func days(until other: CalendarDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// The day `days` days later (earlier when negative).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(Date(timeIntervalSince1970: Double(daysSinceEpoch + days) * 86400))
    }
}
