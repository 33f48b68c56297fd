import Domain
import Foundation

/// In-memory ``LanguagePreferenceStore``: people's saved languages and schools' defaults.
final class MemoryLanguages: LanguagePreferenceStore, @unchecked Sendable {
    private let lock = NSLock()
    private var people: [UserID: String] = [:]
    private var schools: [UserID: String] = [:]

    /// Sets the default language of the school of `user` (the twin keys it by person, which is all lookups need).
    func setSchoolDefault(_ language: String?, for user: UserID) { lock.withLock { schools[user] = language } }

    func languages(of user: UserID) throws -> (person: String?, school: String?) {
        lock.withLock { (people[user], schools[user]) }
    }

    func setLanguage(_ language: String?, of user: UserID) throws { lock.withLock { people[user] = language } }
}
