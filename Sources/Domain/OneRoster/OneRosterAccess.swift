/// The OneRoster 1.2 scopes (REST binding §4: OAuth 2.0 client credentials with these scope URIs), and which
/// schools' data a token may read.
///
/// A OneRoster token is an app's own (`client_credentials`): no user granted it, so the schools decide. A school
/// whose policy allows the app (``SchoolAppPolicy``, the default when it has not decided; blocked when it requires
/// an agreement the app lacks) and whose scope limit, if it set one, includes the scope the call uses lends its data
/// to the call; the others are invisible (their objects answer 404 like ones that do not exist).
public enum OneRosterAccess {
    /// The prefix of every OneRoster 1.2 scope URI.
    public static let scopePrefix = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
    /// Orgs, academic sessions, courses, classes, users and enrollments (the core fields).
    public static let rosterCore = scopePrefix + "roster-core.readonly"
    /// Everything of the rostering service (CatalystWells holds no fields beyond the core ones, demographics aside).
    public static let roster = scopePrefix + "roster.readonly"
    /// Line items, categories, results and score scales.
    public static let gradebookRead = scopePrefix + "gradebook.readonly"
    /// Creating and replacing line items and results.
    public static let gradebookCreatePut = scopePrefix + "gradebook.createput"

    /// The scopes that open the rostering service; either one does.
    public static let rosteringScopes = [rosterCore, roster]
    /// The scopes that open the gradebook reads.
    public static let gradebookScopes = [gradebookRead]

    /// The schools a token carrying `scopes` may read with one of `accepted`, from every school's decision about
    /// the app (`nil`: it made none).
    public static func schools(
        _ policies: [(school: SchoolID, policy: SchoolAppPolicy?)], scopes: Set<String>, accepted: [String]
    ) -> [SchoolID] {
        let usable = accepted.filter(scopes.contains)
        guard !usable.isEmpty else { return [] }
        return policies.compactMap { entry in
            let policy = entry.policy ?? .default
            guard policy.allowsAuthorization else { return nil }
            if let limit = policy.scopeLimit, !usable.contains(where: limit.contains) { return nil }
            return entry.school
        }
    }
}
