import Domain
import Foundation

/// The language of the page being built for the current request.
///
/// Bound by ``SiteResponder`` around each request (a task-local value, like the request id of ``RequestLog``), so
/// the page templates call ``L(_:_:)`` without every page function taking a language parameter. The choice is made
/// on first use and only then: a JSON answer never negotiates; a signed-in person's saved language and their
/// school's default come with the session row (``SessionStore``), so they cost no query of their own
/// (``LanguageNegotiation`` has the order of signals).
final class PageLanguage: @unchecked Sendable {
    // One request is answered by one thread from start to end; nothing else sees this object.

    /// The current request's language, or `nil` outside a request (CLI commands, mails): English.
    @TaskLocal static var current: PageLanguage?

    let translations: Translations
    /// The page's path and query, where the language switcher comes back to: built only when a page renders the
    /// switcher (it re-encodes the query), so redirects and JSON answers never pay for it.
    private(set) lazy var returnPath: String = makeReturnPath()
    private let makeReturnPath: () -> String
    private var signals: LanguageNegotiation.Signals
    private var person: UserID?
    private var developerID: DeveloperID?
    private var chosen: String?

    init(
        translations: Translations, returnPath: @escaping () -> String, cookie: String?, acceptLanguage: String?
    ) {
        self.translations = translations
        self.makeReturnPath = returnPath
        self.signals = LanguageNegotiation.Signals(cookie: cookie, acceptLanguage: acceptLanguage)
    }

    /// The page's language tag.
    var tag: String {
        if let chosen { return chosen }
        let tag = translations.negotiation.choose(signals)
        chosen = tag
        return tag
    }

    /// Whether the page is written right to left.
    var isRightToLeft: Bool { LocaleFormatting.isRightToLeft(tag) }

    /// The request turned out to be from a signed-in person: their saved language and their school's default
    /// count (read with the session).
    func signedIn(_ user: UserID, languages: (person: String?, school: String?)) {
        guard person != user else { return }
        person = user
        signals.saved = languages.person
        signals.school = languages.school
        chosen = nil
    }

    /// The request turned out to be from a signed-in developer: their saved language counts (read with the
    /// session; developers have no school).
    func signedIn(developer: DeveloperID, language: String?) {
        guard developerID != developer else { return }
        developerID = developer
        signals.saved = language
        chosen = nil
    }

    /// The app's `ui_locales` for this authorization request (OIDC Core §3.1.2.1).
    func hint(uiLocales: String?) {
        signals.uiLocales = uiLocales
        chosen = nil
    }

    /// The language chosen with the switcher during this request: the answer is already in it.
    func choose(_ tag: String) { chosen = tag }
}

/// The current page's language tag (English outside a request).
var pageLanguage: String { PageLanguage.current?.tag ?? Translations.source }

private var currentTranslations: Translations { PageLanguage.current?.translations ?? .installed }

/// The text of a message key in the page's language, with `{name}` placeholders replaced by `arguments`.
///
/// The key is a `StaticString`, so every key the code uses is a literal in a call of `L(`/`LH(`: the catalogue test
/// (`LocalisationCatalogueTests`) collects them from the sources and checks every catalogue has them and nothing else.
// swift-format-ignore: AlwaysUseLowerCamelCase
// One capital letter, like gettext's `_()`: short in templates, and easy for the catalogue test to find.
func L(_ key: StaticString, _ arguments: KeyValuePairs<String, String> = [:]) -> String {
    fill(currentTranslations.text(.init("\(key)"), language: pageLanguage), arguments)
}

/// The plural form of a message key for `count` (the language's `Plural-Forms`), `{count}` written with the
/// language's digits.
// swift-format-ignore: AlwaysUseLowerCamelCase
func L(_ key: StaticString, count: Int, _ arguments: KeyValuePairs<String, String> = [:]) -> String {
    let language = pageLanguage
    let text = currentTranslations.text(.init("\(key)"), count: count, language: language)
    let number = LocaleFormatting.number(count, language: language)
    return substitute(text) { name in name == "count" ? number : arguments.first { $0.key == name }?.value }
}

/// A message whose placeholders take markup (a link, a name in bold): the message text is escaped, the arguments
/// are nested as they are.
// swift-format-ignore: AlwaysUseLowerCamelCase
func LH(_ key: StaticString, _ arguments: KeyValuePairs<String, HTML>) -> HTML {
    let escaped = HTML.escape(currentTranslations.text(.init("\(key)"), language: pageLanguage))
    return HTML(unsafeRaw: substitute(escaped) { name in arguments.first { $0.key == name }?.value.rendered })
}

/// A rule's message (``Message``, built in Domain) in the page's language: its key's text (the plural form for its
/// count, `{count}` and its ``Message/numbers`` in the language's digits) with its arguments, nested messages and dates
/// (``Display/localDateTime(_:)``); its English rendering when no catalogue has the key, and its text as it is for a
/// ``Message/init(verbatim:)``.
// swift-format-ignore: AlwaysUseLowerCamelCase
func L(_ message: Message) -> String {
    guard !message.key.isEmpty else { return message.english }
    let language = pageLanguage
    let translations = currentTranslations
    let key = MessageCatalogue.Key(message.key)
    let text: String?
    if let count = message.count {
        text = translations.catalogues[language]?.text(key, count: count) ?? translations.catalogues[Translations.source]?.text(key, count: count)
    } else {
        text = translations.catalogues[language]?.text(key) ?? translations.catalogues[Translations.source]?.text(key)
    }
    guard let text else { return message.english }
    let number = message.count.map { LocaleFormatting.number($0, language: language) }
    return substitute(text) { name in
        if name == "count", let number { return number }
        if let value = message.numbers[name] { return LocaleFormatting.number(value, language: language) }
        return message.arguments[name] ?? message.nested[name].map { L($0) } ?? message.dates[name].map(Display.localDateTime)
    }
}

/// A scope's description in the page's language (`msgctxt "scope"`, `msgid` the scope's name); the registry's
/// English description when no catalogue has it.
func scopeDescription(_ scope: ScopeDefinition) -> String {
    let key = MessageCatalogue.Key(scope.name, context: Localisation.scopeContext)
    let translations = currentTranslations
    return translations.catalogues[pageLanguage]?.text(key) ?? translations.catalogues[Translations.source]?.text(key) ?? scope.description
}

/// A role's name in the page's language.
func roleLabel(_ role: Role) -> String {
    switch role {
    case .student: L("role.student")
    case .teacher: L("role.teacher")
    case .parent: L("role.parent")
    case .schoolAdmin: L("role.school_admin")
    case .platformAdmin: L("role.platform_admin")
    }
}

/// Keys looked up other than through a literal: the catalogue test adds them to the literal ones.
enum Localisation {
    /// The `msgctxt` of scope descriptions.
    static let scopeContext = "scope"
    /// Each catalogue's own name, shown in the switcher.
    static let dynamicKeys: [MessageCatalogue.Key] = [.init("language.name")]
}

private func fill(_ text: String, _ arguments: KeyValuePairs<String, String>) -> String {
    arguments.isEmpty ? text : substitute(text) { name in arguments.first { $0.key == name }?.value }
}

/// `{name}` placeholders replaced in one pass (a value that contains braces is never read as a placeholder);
/// a name without a value stays as written.
func substitute(_ template: String, _ value: (String) -> String?) -> String {
    guard template.contains("{") else { return template }
    var out = ""
    var rest = template[...]
    while let open = rest.firstIndex(of: "{") {
        out += rest[..<open]
        guard let close = rest[open...].firstIndex(of: "}"), let replacement = value(String(rest[rest.index(after: open)..<close])) else {
            out.append("{")
            rest = rest[rest.index(after: open)...]
            continue
        }
        out += replacement
        rest = rest[rest.index(after: close)...]
    }
    return out + rest
}
