import Domain
import Foundation

/// In-memory ``LanguagePreferenceStore``: people's saved languages and schools' defaults.
final class MemoryLanguages: LanguagePreferenceStore, @unchecked Sendable {
    private let lock = NSLock()
    private var people: [UserID: String] = [:]
    private var byPerson: [UserID: String] = [:]
    private var schools: [SchoolID: String] = [:]
    /// The school of a person (set by the test app from its accounts' twin), for the school's default.
    var schoolOf: (UserID) -> SchoolID? = { _ in nil }

    /// Sets the default language of the school of `user` (keyed by person, for tests without a school).
    func setSchoolDefault(_ language: String?, for user: UserID) { lock.withLock { byPerson[user] = language } }

    func languages(of user: UserID) throws -> (person: String?, school: String?) {
        let school = schoolOf(user)
        return lock.withLock { (people[user], byPerson[user] ?? school.flatMap { schools[$0] }) }
    }

    func setLanguage(_ language: String?, of user: UserID) throws { lock.withLock { people[user] = language } }

    func schoolLanguage(of school: SchoolID) throws -> String? { lock.withLock { schools[school] } }

    func setSchoolLanguage(_ language: String?, of school: SchoolID) throws { lock.withLock { schools[school] = language } }
}
