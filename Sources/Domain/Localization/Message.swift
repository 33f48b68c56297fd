import Foundation

/// A sentence a rule has for a person (a form field's problem, a refusal, a report line): a stable catalogue key
/// with its arguments, which the app renders in the page's language, and its English rendering for the command
/// line, logs, JSON APIs and tests.
///
/// Rules build one with a literal key (`Message("schoolwork.error.title", "Give the assessment a title.")`), so the
/// catalogue test (`LocalisationCatalogueTests`) finds every key Domain uses as it finds the pages' `L(` keys; a
/// message with a number uses `count:` right after the key, and the catalogue holds its plural forms; other numbers
/// (a line number, a count the wording does not depend on) go in `numbers:`, written in the language's digits.
/// Its `description` is the English rendering, never a translation: Domain knows no catalogue.
public struct Message: Sendable, Hashable, CustomStringConvertible {
    /// The catalogue key (`msgid`).
    public let key: String
    /// The number the plural form is chosen by (`{count}` in the text), if any.
    public let count: Int?
    /// The other `{name}` placeholders' values: data (a name, an identifier, a date), shown as they are.
    public let arguments: [String: String]
    /// `{name}` placeholders filled by numbers (a line number, a count), written the language's way
    /// (`LocaleFormatting.number`: Arabic-Indic digits on an Arabic page).
    public let numbers: [String: Int]
    /// Placeholders filled by other messages (a redirect URI's own problem after the URI), rendered in the same
    /// language.
    public let nested: [String: Message]
    /// Placeholders filled by a moment (the day an erasure runs), written the page language's way: its day, month
    /// and year with the time, in UTC, with the language's digits (`LocaleFormatting`).
    public let dates: [String: Date]
    /// The English text, as the English catalogue writes it.
    public let english: String

    /// A message without a number.
    public init(
        _ key: StaticString, _ english: String, _ arguments: [String: String] = [:], numbers: [String: Int] = [:],
        nested: [String: Message] = [:], dates: [String: Date] = [:]
    ) {
        self.key = "\(key)"
        self.count = nil
        self.arguments = arguments
        self.numbers = numbers
        self.nested = nested
        self.dates = dates
        self.english = english
    }

    /// A message whose wording depends on `count` (plural forms).
    public init(_ key: StaticString, count: Int, _ english: String, _ arguments: [String: String] = [:], numbers: [String: Int] = [:]) {
        self.key = "\(key)"
        self.count = count
        self.arguments = arguments
        self.numbers = numbers
        self.nested = [:]
        self.dates = [:]
        self.english = english
    }

    /// Text already in its reader's language (the app's own catalogue lookup, a directory's answer): shown as it
    /// is, with no key.
    public init(verbatim text: String) {
        self.key = ""
        self.count = nil
        self.arguments = [:]
        self.numbers = [:]
        self.nested = [:]
        self.dates = [:]
        self.english = text
    }

    public var description: String { english }
}

extension Message {
    /// "Use at most `n` characters." (any text field).
    public static func atMostCharacters(_ n: Int) -> Message {
        Message("portal.error.max", count: n, "Use at most \(n) characters.")
    }

    /// "Use at most `n` characters on one line." (a name, a company).
    public static func atMostCharactersOnOneLine(_ n: Int) -> Message {
        Message("portal.error.max_line", count: n, "Use at most \(n) characters on one line.")
    }

    /// "Use at least `n` characters."
    public static func atLeastCharacters(_ n: Int) -> Message {
        Message("portal.error.min", count: n, "Use at least \(n) characters.")
    }

    /// "Use at most `n` bytes."
    public static func atMostBytes(_ n: Int) -> Message {
        Message("portal.error.max_bytes", count: n, "Use at most \(n) bytes.")
    }

    /// "Enter an email address such as ana@example.com."
    public static let emailAddress = Message("portal.msg.team.email", "Enter an email address such as ana@example.com.")
}
