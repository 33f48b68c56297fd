/// The default language a school admin sets for the school's people (`schools.default_language`): one of the
/// languages the site ships, exactly as the switcher lists it, or none (each person's browser decides).
public enum SchoolLanguage {
    /// The form's value read against the shipped languages: `.success(nil)` for "none" (the empty value),
    /// `.success(tag)` for a shipped language, `.failure` for anything else (a tag the site does not ship, a
    /// variant such as `es-MX`, which would never be shown as such).
    public static func choice(_ value: String, shipped: [String]) -> Result<String?, Unknown> {
        if value.isEmpty { return .success(nil) }
        guard value.utf8.count <= 16, shipped.contains(value) else { return .failure(Unknown()) }
        return .success(value)
    }

    /// A value that is not one of the shipped languages.
    public struct Unknown: Error, Equatable {}
}
