import Domain

/// The language a mail is written in, and rendering text in a language outside a page.
///
/// A mail is read by its recipient, not by whoever caused it, so it is not simply the page's language:
/// a school user's mail is in their saved language, else their school's default, else the language of the request
/// that caused it (when there is one), else English; a developer's (no saved language) in the language of the
/// request that caused it, else English. A mail built outside a request (a CLI command, a cron run, work left for
/// after the response) binds its language with ``rendering(in:translations:_:)`` so ``L(_:_:)`` answers in it.
enum MailLanguage {
    /// The current request's language, or `nil` outside a request. Taken before work is left for after the
    /// response, which runs outside the request's binding.
    static var ofRequest: String? { PageLanguage.current?.tag }

    /// A school user's mail language: their saved language, else their school's default, else `fallback` (the
    /// language of the request that caused the mail), else English.
    static func of(user: UserID, languages: any LanguagePreferenceStore, fallback: String? = ofRequest) -> String {
        let saved: (person: String?, school: String?) = (try? languages.languages(of: user)) ?? (nil, nil)
        let negotiation = (PageLanguage.current?.translations ?? .installed).negotiation
        return saved.person.flatMap(negotiation.match) ?? saved.school.flatMap(negotiation.match) ?? fallback.flatMap(negotiation.match)
            ?? Translations.source
    }

    /// `body` with ``L(_:_:)`` answering in `language` (a supported tag, else English).
    static func rendering<T>(
        in language: String?, translations: Translations? = nil, _ body: () throws -> T
    ) rethrows -> T {
        let translations = translations ?? PageLanguage.current?.translations ?? .installed
        let bound = PageLanguage(translations: translations, returnPath: { "/" }, cookie: language, acceptLanguage: nil)
        return try PageLanguage.$current.withValue(bound) { try body() }
    }
}
