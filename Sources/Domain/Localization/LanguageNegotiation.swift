import Foundation

/// Which language a page is shown in, from the most to the least specific signal:
/// 1. the person's own choice: the language saved with their account, else (signed out, or never saved) the
///    language cookie the switcher set in this browser;
/// 2. the app's hint for this authorization request, OIDC `ui_locales` (Core §3.1.2.1: space-separated BCP 47
///    tags in order of preference);
/// 3. the school's default language;
/// 4. the browser's `Accept-Language` (RFC 9110 §12.5.4: ranges with q-values, `q=0` meaning "not this one");
/// 5. English, the source language.
/// A tag matches a supported language exactly or by its primary subtag (`es-MX` → `es`; RFC 4647 §3.4 lookup).
public struct LanguageNegotiation: Sendable {
    /// The languages with a catalogue, lower-case tags; the first is the fallback.
    public let supported: [String]

    public init(supported: [String]) {
        precondition(!supported.isEmpty, "at least the source language")
        self.supported = supported.map { $0.lowercased() }
    }

    /// The signals of one request, each `nil` when absent.
    public struct Signals: Sendable, Equatable {
        public var saved: String?
        public var cookie: String?
        public var uiLocales: String?
        public var school: String?
        public var acceptLanguage: String?

        public init(saved: String? = nil, cookie: String? = nil, uiLocales: String? = nil, school: String? = nil, acceptLanguage: String? = nil) {
            self.saved = saved
            self.cookie = cookie
            self.uiLocales = uiLocales
            self.school = school
            self.acceptLanguage = acceptLanguage
        }
    }

    /// The language to show.
    public func choose(_ signals: Signals) -> String {
        if let language = signals.saved.flatMap(match) ?? signals.cookie.flatMap(match) { return language }
        if let uiLocales = signals.uiLocales {
            for tag in uiLocales.split(separator: " ").prefix(20) {
                if let language = match(String(tag)) { return language }
            }
        }
        if let language = signals.school.flatMap(match) { return language }
        if let header = signals.acceptLanguage, let language = acceptable(header) { return language }
        return supported[0]
    }

    /// The supported language a tag names, or `nil`.
    public func match(_ tag: String) -> String? {
        let tag = tag.lowercased().replacingOccurrences(of: "_", with: "-")
        guard !tag.isEmpty, tag.utf8.count <= 64 else { return nil }
        if supported.contains(tag) { return tag }
        var parts = tag.split(separator: "-")
        while parts.count > 1 {
            parts.removeLast()
            let shorter = parts.joined(separator: "-")
            if supported.contains(shorter) { return shorter }
        }
        return nil
    }

    /// The best supported language of an `Accept-Language` value, or `nil` when it names none.
    public func acceptable(_ header: String) -> String? {
        var ranges: [(tag: String, q: Double, order: Int)] = []
        for (order, item) in header.split(separator: ",").prefix(32).enumerated() {
            let parts = item.split(separator: ";")
            guard let first = parts.first else { continue }
            let tag = first.trimmingCharacters(in: .whitespaces)
            var q = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == "q" {
                    // RFC 9110 §12.4.2: qvalue = 0[.ddd] / 1[.000]; anything else is ignored as malformed.
                    guard let value = Double(pair[1]), value >= 0, value <= 1 else {
                        q = -1
                        break
                    }
                    q = value
                }
            }
            if q > 0, !tag.isEmpty { ranges.append((tag, q, order)) }
        }
        for range in ranges.sorted(by: { $0.q != $1.q ? $0.q > $1.q : $0.order < $1.order }) {
            if range.tag == "*" { return supported[0] }
            if let language = match(range.tag) { return language }
        }
        return nil
    }
}
