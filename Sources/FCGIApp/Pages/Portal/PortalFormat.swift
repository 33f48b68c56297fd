import Domain
import Foundation

/// Dates and numbers on the developer portal's pages, written for the page's language (``LocaleFormatting``).
enum PortalFormat {
    /// A day and a time in UTC, the portal's time zone (a developer has none saved).
    static func dateTime(_ date: Date) -> String {
        LocaleFormatting.date(date, language: pageLanguage, timeZone: utc, time: true) + " UTC"
    }

    /// A day.
    static func date(_ date: Date) -> String { LocaleFormatting.date(date, language: pageLanguage, timeZone: utc) }

    /// A count with the language's digits and grouping.
    static func number(_ value: Int) -> String { LocaleFormatting.number(value, language: pageLanguage) }

    private static let utc = TimeZone(identifier: "UTC")!
}
