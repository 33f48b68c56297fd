/// The two public sites, each served by its own worker pool.
enum Site: String, Sendable, CaseIterable {
    /// The app site: school users, OAuth, the education API, the admin panel, sync.
    case app
    /// The developer portal.
    case developers
}
