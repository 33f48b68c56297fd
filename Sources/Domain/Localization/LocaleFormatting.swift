import Foundation

/// Numbers and dates written the way a language writes them, through Foundation's formatters (ICU's CLDR data):
/// digits and separators (`1,234` / `1.234` / `١٬٢٣٤`), month names and the order of day, month and year.
public enum LocaleFormatting {
    /// `value` with the language's digits and grouping.
    public static func number(_ value: Int, language: String) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: language)
        formatter.numberStyle = .decimal
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    /// A date (and, with `time`, the time) in the language's medium style, in `timeZone`.
    public static func date(_ date: Date, language: String, timeZone: TimeZone, time: Bool = false) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language)
        formatter.timeZone = timeZone
        formatter.dateStyle = .medium
        formatter.timeStyle = time ? .short : .none
        return formatter.string(from: date)
    }

    /// Whether a language is written right to left (Arabic, Hebrew, Persian, Urdu and the like).
    public static func isRightToLeft(_ language: String) -> Bool {
        let primary = language.lowercased().split(separator: "-").first.map(String.init) ?? ""
        return ["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ckb"].contains(primary)
    }
}
