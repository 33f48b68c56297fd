import Domain

/// ``LanguagePreferenceStore`` over the main database (`users.preferred_language`, `schools.default_language`).
public struct MariaLanguagePreferenceStore: LanguagePreferenceStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func languages(of user: UserID) throws -> (person: String?, school: String?) {
        let rows = try database.query(
            """
            SELECT u.preferred_language, s.default_language FROM users u LEFT JOIN schools s ON s.id = u.school_id
            WHERE u.id = \(user.rawValue)
            """)
        guard let row = rows.first else { return (nil, nil) }
        return (row.string("preferred_language"), row.string("default_language"))
    }

    public func setLanguage(_ language: String?, of user: UserID) throws {
        try database.execute("UPDATE users SET preferred_language = \(language) WHERE id = \(user.rawValue)")
    }

    public func schoolLanguage(of school: SchoolID) throws -> String? {
        try database.query("SELECT default_language FROM schools WHERE id = \(school.rawValue)").first?.string("default_language")
    }

    public func setSchoolLanguage(_ language: String?, of school: SchoolID) throws {
        try database.execute("UPDATE schools SET default_language = \(language) WHERE id = \(school.rawValue)")
    }
}
