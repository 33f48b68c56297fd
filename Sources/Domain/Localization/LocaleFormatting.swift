import Foundation

/// Numbers and dates written the way a language writes them, through Foundation's formatters (ICU's CLDR data):
/// digits and separators (`1,234` / `1.234` / `١٬٢٣٤`), month names and the order of day, month and year.
///
/// Arabic is written with Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩), CLDR's default numbering system for `ar`: the
/// Foundation of our Linux toolchain formats `ar` with Latin digits, so the formatters' output is transliterated
/// (digits, and a number's grouping and decimal separators). Only what these functions write changes: codes,
/// identifiers, URLs and form values never pass through them.
public enum LocaleFormatting {
    /// `value` with the language's digits and grouping.
    public static func number(_ value: Int, language: String) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: language)
        formatter.numberStyle = .decimal
        let text = formatter.string(from: NSNumber(value: value)) ?? String(value)
        return usesArabicIndicDigits(language) ? arabicIndic(text, separators: true) : text
    }

    /// A date (and, with `time`, the time) in the language's medium style, in `timeZone`.
    public static func date(_ date: Date, language: String, timeZone: TimeZone, time: Bool = false) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language)
        formatter.timeZone = timeZone
        formatter.dateStyle = .medium
        formatter.timeStyle = time ? .short : .none
        let text = formatter.string(from: date)
        return usesArabicIndicDigits(language) ? arabicIndic(text, separators: false) : text
    }

    /// Whether CLDR writes the language's numbers with Arabic-Indic digits by default: Arabic, except in the
    /// Maghreb regions, whose default is Latin digits.
    public static func usesArabicIndicDigits(_ language: String) -> Bool {
        let parts = language.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        guard parts.first == "ar" else { return false }
        return !parts.dropFirst().contains { ["ma", "dz", "tn", "ly", "eh"].contains($0) }
    }

    /// ASCII digits as Arabic-Indic digits (U+0660…U+0669); with `separators`, a number's `,` and `.` as the
    /// Arabic thousands and decimal separators (U+066C, U+066B).
    static func arabicIndic(_ text: String, separators: Bool) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: out.append(Unicode.Scalar(scalar.value - 0x30 + 0x660)!)
            case 0x2C where separators: out.append("\u{066C}")
            case 0x2E where separators: out.append("\u{066B}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether a language is written right to left (Arabic, Hebrew, Persian, Urdu and the like).
    public static func isRightToLeft(_ language: String) -> Bool {
        let primary = language.lowercased().split(separator: "-").first.map(String.init) ?? ""
        return ["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ckb"].contains(primary)
    }
}
