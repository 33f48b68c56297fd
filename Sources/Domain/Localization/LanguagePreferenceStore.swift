/// The saved language choices of people and schools (main database: `users.preferred_language`,
/// `schools.default_language`, migration 0049). Values are language tags the site supports; the store does not
/// check them, the caller does (``LanguageNegotiation/match(_:)``).
public protocol LanguagePreferenceStore {
    /// The person's saved language and their school's default, each `nil` when not set (or no such person).
    func languages(of user: UserID) throws -> (person: String?, school: String?)

    /// Saves (or with `nil` clears) the person's language.
    func setLanguage(_ language: String?, of user: UserID) throws

    /// The school's default language, `nil` when not set (or no such school).
    func schoolLanguage(of school: SchoolID) throws -> String?

    /// Saves (or with `nil` clears) the school's default language.
    func setSchoolLanguage(_ language: String?, of school: SchoolID) throws
}
