import Foundation

/// The messages of one language, read from a gettext `.po` file (GNU gettext manual §3 "The Format of PO Files").
///
/// Messages are looked up by key: `msgid` is a stable dotted key (`consent.allow`), not the English sentence, so
/// rewording the English text does not orphan every translation; the English catalogue (`en`) holds the source
/// text and is what every other language falls back to. `msgctxt` separates families of keys that are data, not
/// code (`scope` + the scope's name). A message with a count has `msgid_plural` and one `msgstr[i]` per plural form
/// of the language; the header's `Plural-Forms` picks the form.
///
/// What is read: comments (`#` lines; `#, fuzzy` marks an entry to skip, `#~` obsolete entries are comments),
/// `msgctxt`, `msgid`, `msgid_plural`, `msgstr`, `msgstr[n]`, strings continued over several lines, and the C
/// escapes `\n \t \r \" \\`. An entry with an empty translation is left out (gettext shows the source then). Any
/// other line, an unknown escape, a duplicate key, or a missing plural form is a ``Failure`` naming the line.
public struct MessageCatalogue: Sendable {
    /// A message's key: its `msgid`, within an optional `msgctxt`.
    public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let context: String?
        public let id: String

        public init(_ id: String, context: String? = nil) {
            self.id = id
            self.context = context
        }

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.context ?? "", lhs.id) < (rhs.context ?? "", rhs.id) }

        public var description: String { context.map { "\($0)|\(id)" } ?? id }
    }

    /// The catalogue's language tag (its `Language` header, else the name given when reading).
    public let language: String
    /// The rule that picks a plural form.
    public let pluralRule: PluralRule
    /// The forms of each message: one, or (with `msgid_plural`) one per plural form.
    private let messages: [Key: (forms: [String], plural: Bool)]

    /// Every key with a translation.
    public var keys: Set<Key> { Set(messages.keys) }

    /// Why a catalogue was refused: the file, the line (1-based) and what is wrong.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let reason: String
        public var description: String { "\(file):\(line): \(reason)" }

        public init(file: String, line: Int, reason: String) {
            self.file = file
            self.line = line
            self.reason = reason
        }
    }

    /// The translation of a message without a count, or `nil` when the catalogue has none.
    public func text(_ key: Key) -> String? { messages[key]?.forms.first }

    /// The plural form of a message for `count`, or `nil` when the catalogue has none. A message without plural
    /// forms answers its one text for every count.
    public func text(_ key: Key, count: Int) -> String? {
        guard let message = messages[key] else { return nil }
        return message.plural ? message.forms[min(pluralRule.index(for: count), message.forms.count - 1)] : message.forms[0]
    }

    /// Whether the message has plural forms (`msgid_plural`).
    public func isPlural(_ key: Key) -> Bool { messages[key]?.plural ?? false }

    /// Reads a `.po` file's text. `file` names it in failures; `language` is used when the header has no `Language`.
    public init(parsing text: String, file: String, language: String) throws(Failure) {
        var reader = Reader(file: file)
        try reader.read(text)
        let header = reader.header
        var rule = PluralRule.germanic
        if let forms = header["Plural-Forms"] {
            do {
                rule = try PluralRule(header: forms)
            } catch {
                throw Failure(file: file, line: reader.headerLine, reason: error.description)
            }
        }
        for (key, entry) in reader.entries.sorted(by: { $0.value.line < $1.value.line }) where entry.plural && entry.forms.count != rule.count {
            throw Failure(
                file: file, line: entry.line,
                reason: "\"\(key)\" has \(entry.forms.count) plural forms; Plural-Forms says \(rule.count)")
        }
        self.language = header["Language"].flatMap { $0.isEmpty ? nil : $0 } ?? language
        self.pluralRule = rule
        self.messages = reader.entries.mapValues { ($0.forms, $0.plural) }
    }

    /// One pass over the lines, one entry at a time.
    private struct Reader {
        let file: String
        var entries: [Key: (forms: [String], line: Int, plural: Bool)] = [:]
        var header: [String: String] = [:]
        var headerLine = 0

        // The entry being read.
        private var start = 0
        private var fuzzy = false
        private var context: String?
        private var id: String?
        private var plural: String?
        private var forms: [Int: String] = [:]
        /// Which string a continuation line (`"…"`) extends.
        private enum Field { case context, id, plural, form(Int) }
        private var field: Field?

        init(file: String) { self.file = file }

        mutating func read(_ text: String) throws(Failure) {
            var number = 0
            for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
                number += 1
                var line = raw
                if line.hasSuffix("\r") { line = line.dropLast() }
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                if trimmed.isEmpty {
                    try finish()
                    continue
                }
                if trimmed.hasPrefix("#") {
                    // A comment after a complete entry starts the next one.
                    if id != nil, !forms.isEmpty { try finish() }
                    if trimmed.hasPrefix("#,"),
                        trimmed.dropFirst(2).split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "fuzzy" })
                    {
                        fuzzy = true
                    }
                    if start == 0 { start = number }
                    continue
                }
                if trimmed.hasPrefix("\"") {
                    let value = try string(trimmed, line: number)
                    switch field {
                    case .context: context? += value
                    case .id: id? += value
                    case .plural: plural? += value
                    case .form(let index): forms[index]? += value
                    case nil: throw Failure(file: file, line: number, reason: "a string continues no keyword")
                    }
                    continue
                }
                guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                    throw Failure(file: file, line: number, reason: "expected a keyword and a string, found \"\(trimmed)\"")
                }
                let keyword = trimmed[..<space]
                let value = try string(trimmed[space...].drop { $0 == " " || $0 == "\t" }, line: number)
                switch keyword {
                case "msgctxt":
                    if id != nil { try finish() }
                    guard context == nil else { throw Failure(file: file, line: number, reason: "a second msgctxt in one entry") }
                    if start == 0 { start = number }
                    context = value
                    field = .context
                case "msgid":
                    if id != nil { try finish() }
                    if start == 0 { start = number }
                    id = value
                    field = .id
                case "msgid_plural":
                    guard id != nil, plural == nil, forms.isEmpty else {
                        throw Failure(file: file, line: number, reason: "msgid_plural must follow msgid")
                    }
                    plural = value
                    field = .plural
                case "msgstr":
                    guard id != nil, plural == nil, forms.isEmpty else {
                        throw Failure(file: file, line: number, reason: plural == nil ? "msgstr without msgid" : "a plural entry needs msgstr[n]")
                    }
                    forms[0] = value
                    field = .form(0)
                default:
                    guard keyword.hasPrefix("msgstr["), keyword.hasSuffix("]"), let index = Int(keyword.dropFirst(7).dropLast()),
                        (0..<6).contains(index)
                    else { throw Failure(file: file, line: number, reason: "unknown keyword \"\(keyword)\"") }
                    guard id != nil, plural != nil else { throw Failure(file: file, line: number, reason: "msgstr[n] without msgid_plural") }
                    guard index == forms.count else {
                        throw Failure(file: file, line: number, reason: "expected msgstr[\(forms.count)], found msgstr[\(index)]")
                    }
                    forms[index] = value
                    field = .form(index)
                }
            }
            try finish()
        }

        /// Ends the entry being read: keeps it unless fuzzy, obsolete or untranslated.
        private mutating func finish() throws(Failure) {
            defer {
                (start, fuzzy, context, id, plural, forms, field) = (0, false, nil, nil, nil, [:], nil)
            }
            guard let id else {
                if context != nil || plural != nil { throw Failure(file: file, line: start, reason: "an entry without msgid") }
                return
            }
            guard !forms.isEmpty else { throw Failure(file: file, line: start, reason: "msgid \"\(id)\" has no msgstr") }
            if fuzzy { return }
            if id.isEmpty, context == nil {
                guard headerLine == 0 else { throw Failure(file: file, line: start, reason: "a second header entry") }
                headerLine = start
                for line in (forms[0] ?? "").split(separator: "\n") {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    header[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return
            }
            let values = (0..<forms.count).map { forms[$0] ?? "" }
            // Untranslated (gettext shows the source): left out, so a key check sees it missing.
            if values.contains(where: \.isEmpty) { return }
            let key = Key(id, context: context)
            if let earlier = entries[key] {
                throw Failure(file: file, line: start, reason: "\"\(key)\" is defined twice (first on line \(earlier.line))")
            }
            entries[key] = (values, start, plural != nil)
        }

        /// A quoted string with its escapes resolved; nothing but spaces may follow it.
        private func string(_ text: Substring, line: Int) throws(Failure) -> String {
            guard text.first == "\"" else { throw Failure(file: file, line: line, reason: "expected a quoted string") }
            var out = ""
            var iterator = text.dropFirst().makeIterator()
            while let character = iterator.next() {
                switch character {
                case "\"":
                    var rest = ""
                    while let extra = iterator.next() { rest.append(extra) }
                    guard rest.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                        throw Failure(file: file, line: line, reason: "text after the closing quote")
                    }
                    return out
                case "\\":
                    switch iterator.next() {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case let other: throw Failure(file: file, line: line, reason: "unknown escape \"\\\(other.map(String.init) ?? "")\"")
                    }
                default: out.append(character)
                }
            }
            throw Failure(file: file, line: line, reason: "a string without its closing quote")
        }
    }
}
