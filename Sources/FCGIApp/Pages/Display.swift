import Domain
import Foundation

/// How pages write times: UTC, minute precision, the same everywhere (`2026-03-03 14:05 UTC`), so a date
/// on one page can be compared with another and with the CSV exports.
enum Display {
    /// A day and a time.
    static func dateTime(_ date: Date) -> String {
        let components = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", components.year ?? 0, components.month ?? 0, components.day ?? 0,
            components.hour ?? 0, components.minute ?? 0)
    }

    /// A day only.
    static func date(_ date: Date) -> String {
        let components = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", components.year ?? 0, components.month ?? 0, components.day ?? 0)
    }

    /// A day and a time in the page's language (``LocaleFormatting``: its month names, digits and order), in UTC
    /// and saying so, like ``dateTime(_:)``.
    static func localDateTime(_ date: Date) -> String {
        LocaleFormatting.date(date, language: pageLanguage, timeZone: utc, time: true) + " UTC"
    }

    /// A day only, in the page's language, UTC.
    static func localDate(_ date: Date) -> String { LocaleFormatting.date(date, language: pageLanguage, timeZone: utc) }

    /// A school calendar day in the page's language.
    static func localDay(_ day: CalendarDate) -> String {
        guard let date = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) else { return day.description }
        return localDate(date)
    }

    private static let utc = TimeZone(identifier: "UTC")!

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
