import Foundation

/// A field of a OneRoster collection that `filter`, `sort` or `fields` may name.
public struct OneRosterField: Sendable, Equatable {
    /// What the field's values are, which decides how a filter value is read.
    public enum Kind: Sendable, Equatable {
        /// Text; `~` (contains) allowed.
        case text
        /// One of a few words (`status`, `type`, `role`, `enabledUser`).
        case word([String])
        /// A day, `YYYY-MM-DD`.
        case date
        /// An instant, ISO 8601 (`dateLastModified`).
        case dateTime
    }

    /// The name on the wire.
    public let name: String
    /// Its kind.
    public let kind: Kind
    /// Whether `filter` and `sort` may use it (structured fields such as `org` or `agents` are only selectable).
    public let filterable: Bool

    /// A field.
    public init(_ name: String, _ kind: Kind = .text, filterable: Bool = true) {
        self.name = name
        self.kind = kind
        self.filterable = filterable
    }

    /// A filter value for this field, checked against its kind.
    func value(_ raw: String, predicate: OneRosterFilter.Predicate) -> Result<OneRosterFilter.Value, OneRosterFailure> {
        if predicate == .contains && kind != .text {
            return .failure(.invalidFilter("The ~ (contains) predicate applies to text fields; \(name) is not one."))
        }
        switch kind {
        case .text:
            return raw.utf8.count <= 255 ? .success(.text(raw)) : .failure(.invalidFilter("The value for \(name) is longer than 255 bytes."))
        case .word(let words):
            guard words.contains(raw) else {
                return .failure(.invalidFilter("The value for \(name) must be one of: \(words.joined(separator: ", "))."))
            }
            return .success(.text(raw))
        case .date:
            guard raw.utf8.count == 10, let day = CalendarDate(raw) else {
                return .failure(.invalidFilter("The value for \(name) must be a day written YYYY-MM-DD."))
            }
            return .success(.date(day))
        case .dateTime:
            guard let instant = Self.instant(raw) else {
                return .failure(.invalidFilter("The value for \(name) must be an ISO 8601 date-time such as 2024-09-01T00:00:00Z."))
            }
            return .success(.dateTime(instant))
        }
    }

    /// An ISO 8601 date-time with a zone (`Z` or `±hh:mm`), with or without fractional seconds.
    static func instant(_ raw: String) -> Date? {
        guard raw.utf8.count <= 40 else { return nil }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: raw) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: raw)
    }
}
