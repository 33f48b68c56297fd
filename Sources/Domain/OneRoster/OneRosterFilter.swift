import Foundation

/// A OneRoster 1.2 `filter` query parameter (Rostering REST binding §3.4.2, "Filtering"), parsed against the
/// fields of one collection.
///
/// The grammar accepted, and nothing else:
///
///     filter    = clause [ logical clause ]
///     clause    = field [SP] predicate [SP] "'" value "'"
///     predicate = "=" / "!=" / ">" / ">=" / "<" / "<=" / "~"
///     logical   = SP "AND" SP / SP "OR" SP
///
/// One logical operator per filter, as the specification allows, so at most two clauses. A value is any text
/// without a single quote. `~` ("contains") applies to text fields only. Each value is checked against its
/// field's kind (a date `YYYY-MM-DD`, a date-time in ISO 8601, `true`/`false`, a listed word), so the store
/// receives typed values and never text to splice into a statement.
public struct OneRosterFilter: Sendable, Equatable {
    /// A comparison.
    public enum Predicate: String, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", contains = "~"
    }

    /// How two clauses combine.
    public enum Logical: String, Sendable {
        case and = "AND", or = "OR"
    }

    /// A value, typed by its field.
    public enum Value: Sendable, Equatable {
        case text(String)
        case date(CalendarDate)
        case dateTime(Date)
    }

    /// One `field predicate 'value'`.
    public struct Clause: Sendable, Equatable {
        /// The field (one of the collection's ``OneRosterField``s).
        public let field: OneRosterField
        /// The comparison.
        public let predicate: Predicate
        /// The value.
        public let value: Value
    }

    /// One or two clauses.
    public let clauses: [Clause]
    /// How they combine when there are two.
    public let logical: Logical?

    /// Longest filter accepted, in bytes.
    public static let maximumLength = 1000

    /// Parses `text` for a collection of `entity`; the error names the problem (for `imsx_description`).
    public static func parse(_ text: String, for entity: OneRosterEntity) -> Result<OneRosterFilter, OneRosterFailure> {
        guard text.utf8.count <= maximumLength else { return .failure(.invalidFilter("The filter is longer than \(maximumLength) bytes.")) }
        var scanner = Scanner(Array(text.utf8))
        var clauses: [Clause] = []
        var logical: Logical?
        while true {
            switch scanner.clause(for: entity) {
            case .failure(let failure): return .failure(failure)
            case .success(let clause): clauses.append(clause)
            }
            if scanner.atEnd { break }
            guard let next = scanner.logical() else {
                return .failure(.invalidFilter("Expected ' AND ' or ' OR ' after a clause, at byte \(scanner.position + 1)."))
            }
            guard logical == nil else {
                return .failure(.invalidFilter("A filter may hold only one logical operator (AND or OR), so at most two clauses."))
            }
            logical = next
        }
        return .success(OneRosterFilter(clauses: clauses, logical: logical))
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position >= bytes.count }

        mutating func skipSpaces() { while position < bytes.count, bytes[position] == 0x20 { position += 1 } }

        mutating func logical() -> Logical? {
            for word in [Logical.and, .or] {
                let token = Array(" \(word.rawValue) ".utf8)
                if bytes.count - position >= token.count, Array(bytes[position..<position + token.count]) == token {
                    position += token.count
                    return word
                }
            }
            return nil
        }

        mutating func clause(for entity: OneRosterEntity) -> Result<Clause, OneRosterFailure> {
            skipSpaces()
            let start = position
            while position < bytes.count, Self.isFieldByte(bytes[position]) { position += 1 }
            guard position > start else { return .failure(.invalidFilter("Expected a field name at byte \(start + 1).")) }
            let name = String(decoding: bytes[start..<position], as: UTF8.self)
            guard let field = entity.field(named: name) else {
                return .failure(.invalidFilterField("The field \(name) does not exist on \(entity.collection) or cannot be filtered."))
            }
            guard field.filterable else { return .failure(.invalidFilterField("The field \(name) cannot be filtered.")) }
            skipSpaces()
            var predicate: Predicate?
            for candidate in [Predicate.notEqual, .greaterOrEqual, .lessOrEqual, .equal, .greater, .less, .contains] {
                let token = Array(candidate.rawValue.utf8)
                if bytes.count - position >= token.count, Array(bytes[position..<position + token.count]) == token {
                    predicate = candidate
                    position += token.count
                    break
                }
            }
            guard let predicate else {
                return .failure(.invalidFilter("Expected one of = != > >= < <= ~ after \(name), at byte \(position + 1)."))
            }
            skipSpaces()
            guard position < bytes.count, bytes[position] == 0x27 else {
                return .failure(.invalidFilter("The value for \(name) must be in single quotes, e.g. \(name)\(predicate.rawValue)'value'."))
            }
            position += 1
            let valueStart = position
            while position < bytes.count, bytes[position] != 0x27 { position += 1 }
            guard position < bytes.count else { return .failure(.invalidFilter("The value for \(name) has no closing single quote.")) }
            let raw = String(decoding: bytes[valueStart..<position], as: UTF8.self)
            position += 1
            return field.value(raw, predicate: predicate).map { Clause(field: field, predicate: predicate, value: $0) }
        }

        static func isFieldByte(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x5F
        }
    }
}
