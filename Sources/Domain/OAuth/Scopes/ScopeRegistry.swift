/// The one list of scopes (DESIGN §6). It drives the consent page, the portal's scope picker, discovery's
/// `scopes_supported` and API enforcement, so a scope exists exactly when it is listed here.
public struct ScopeRegistry: Sendable {
    /// Every scope, in the order pages list them.
    public let definitions: [ScopeDefinition]
    private let byName: [String: ScopeDefinition]

    /// A registry over these definitions (names must be unique).
    public init(_ definitions: [ScopeDefinition]) {
        self.definitions = definitions
        self.byName = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        precondition(byName.count == definitions.count, "scope names must be unique")
    }

    /// The definition of a scope; `nil` when unknown.
    public func definition(named name: String) -> ScopeDefinition? { byName[name] }

    /// The definitions of the named scopes in registry order (stable for a `Set`), unknown names left out: for
    /// listing a stored consent, e.g. `definitions(of: consent.scopes).map(\.description)`.
    public func definitions(of names: some Sequence<String>) -> [ScopeDefinition] {
        let wanted = Set(names)
        return definitions.filter { wanted.contains($0.name) }
    }

    /// Every scope name, for discovery's `scopes_supported` (RFC 8414 §2).
    public var scopesSupported: [String] { definitions.map(\.name) }

    /// Longest `scope` parameter accepted; longer ones are refused before any lookup.
    public static let maximumParameterLength = 2000

    /// Parses a `scope` parameter (RFC 6749 §3.3): scope tokens of NQCHAR (`%x21 / %x23-5B / %x5D-7E`)
    /// separated by single spaces. A repeated token counts once (scopes are a set; the first occurrence keeps
    /// its place). An empty, malformed, oversized parameter or an unknown scope is `invalid_scope`.
    ///
    /// An absent parameter is not handled here: each grant decides what absence means.
    public func parse(scopeParameter: String) -> Result<[String], OAuthError> {
        guard scopeParameter.utf8.count <= Self.maximumParameterLength else {
            return .failure(.invalidScope("The scope parameter is too long."))
        }
        guard !scopeParameter.isEmpty else { return .failure(.invalidScope("The scope parameter is empty.")) }
        var names: [String] = []
        var seen: Set<String> = []
        for token in scopeParameter.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false) {
            guard !token.isEmpty else {
                return .failure(.invalidScope("Scopes must be separated by single spaces."))
            }
            guard token.allSatisfy(Self.isNQChar) else {
                return .failure(.invalidScope("The scope parameter contains a character RFC 6749 3.3 does not allow."))
            }
            let name = String(decoding: token, as: UTF8.self)
            guard byName[name] != nil else {
                return .failure(.invalidScope("Unknown scope: \(name)."))
            }
            if seen.insert(name).inserted { names.append(name) }
        }
        return .success(names)
    }

    /// The requested scopes that the client may ask for and the user's role may grant, in request order: what
    /// the consent page lists and what a grant can contain. Unknown names are left out.
    public func grantable(requested: [String], role: Role, clientAllowed: Set<String>) -> [ScopeDefinition] {
        requested.compactMap { name in
            guard clientAllowed.contains(name), let scope = byName[name], scope.grantableBy.contains(role) else {
                return nil
            }
            return scope
        }
    }

    /// Formats scopes for a `scope` response field (RFC 6749 §5.1): space-separated, in the given order.
    public static func parameter(_ scopes: [String]) -> String { scopes.joined(separator: " ") }

    /// RFC 6749 §3.3 / Appendix A.4: NQCHAR = %x21 / %x23-5B / %x5D-7E.
    private static func isNQChar(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
    }
}

extension ScopeRegistry {
    /// CatalystWells' scopes.
    ///
    /// `openid`, `profile.*` and `offline_access` are about the user themself, so every role grants them.
    /// The `admin.*` scopes are school administration: platform admins belong to no school, so only school
    /// admins grant them. `school.read` is public school information: any user may share it; it and the OneRoster
    /// scopes are the app-level scopes (`client_credentials`).
    public static let standard = ScopeRegistry([
        ScopeDefinition(
            name: "openid", description: "Confirm who you are when you sign in to the app",
            grantableBy: everyone, access: .read, sensitivity: .low),
        ScopeDefinition(
            name: "profile.read", description: "See your name, username and role",
            grantableBy: everyone, access: .read, sensitivity: .low),
        ScopeDefinition(
            name: "profile.email", description: "See your email address",
            grantableBy: everyone, access: .read, sensitivity: .medium),
        ScopeDefinition(
            name: "offline_access", description: "Keep this access while you are not using the app",
            grantableBy: everyone, access: .read, sensitivity: .medium),
        ScopeDefinition(
            name: "student.classes.read", description: "See your classes and teachers",
            grantableBy: [.student], access: .read, sensitivity: .low),
        ScopeDefinition(
            name: "student.grades.read", description: "See your grades",
            grantableBy: [.student], access: .read, sensitivity: .high),
        ScopeDefinition(
            name: "student.attendance.read", description: "See your attendance record",
            grantableBy: [.student], access: .read, sensitivity: .high),
        ScopeDefinition(
            name: "teacher.students.read", description: "See the students in your classes",
            grantableBy: [.teacher], access: .read, sensitivity: .medium),
        ScopeDefinition(
            name: "teacher.grades.read", description: "See the grades in your classes",
            grantableBy: [.teacher], access: .read, sensitivity: .high),
        ScopeDefinition(
            name: "teacher.grades.write", description: "Enter and change grades in your classes",
            grantableBy: [.teacher], access: .write, sensitivity: .high),
        ScopeDefinition(
            name: "teacher.attendance.read", description: "See attendance in your classes",
            grantableBy: [.teacher], access: .read, sensitivity: .high),
        ScopeDefinition(
            name: "teacher.attendance.write", description: "Take and change attendance in your classes",
            grantableBy: [.teacher], access: .write, sensitivity: .high),
        ScopeDefinition(
            name: "parent.children.read", description: "See your children and their classes",
            grantableBy: [.parent], access: .read, sensitivity: .medium),
        ScopeDefinition(
            name: "parent.grades.read", description: "See your children's grades",
            grantableBy: [.parent], access: .read, sensitivity: .high),
        ScopeDefinition(
            name: "parent.attendance.read", description: "See your children's attendance",
            grantableBy: [.parent], access: .read, sensitivity: .high),
        ScopeDefinition(
            name: "admin.users.read", description: "See every user account of your school",
            grantableBy: [.schoolAdmin], access: .read, sensitivity: .high),
        ScopeDefinition(
            name: "admin.school.read", description: "See your school's settings, classes and terms",
            grantableBy: [.schoolAdmin], access: .read, sensitivity: .medium),
        ScopeDefinition(
            name: "school.read", description: "See public information about your school",
            grantableBy: everyone, access: .read, sensitivity: .low, isAppLevel: true),
        // OneRoster 1.2 (REST binding §4): app-level, granted by the platform's approval and lent by each school
        // that allows the app (OneRosterAccess); no user grants them on a consent page.
        ScopeDefinition(
            name: OneRosterAccess.rosterCore,
            description: "OneRoster: read the rosters (schools, terms, courses, classes, users, enrollments) of the schools that allow the app",
            grantableBy: [], access: .read, sensitivity: .high, isAppLevel: true),
        ScopeDefinition(
            name: OneRosterAccess.roster, description: "OneRoster: read everything of the rosters of the schools that allow the app",
            grantableBy: [], access: .read, sensitivity: .high, isAppLevel: true),
        ScopeDefinition(
            name: OneRosterAccess.gradebookRead, description: "OneRoster: read line items and results of the schools that allow the app",
            grantableBy: [], access: .read, sensitivity: .high, isAppLevel: true),
        ScopeDefinition(
            name: OneRosterAccess.gradebookCreatePut,
            description:
                "OneRoster: add line items and results to teachers' gradebooks (as drafts the teacher publishes) in the schools that allow the app",
            grantableBy: [], access: .write, sensitivity: .high, isAppLevel: true),
        // LTI Advantage services (NRPS 2.0, AGS 2.0): app-level like OneRoster's, for the classes the tool is placed in
        // at schools that allow it (``LTIScopes``).
        ScopeDefinition(
            name: LTIScopes.contextMembershipRead,
            description: "LTI: read the members of the classes the tool is placed in, at the schools that allow it",
            grantableBy: [], access: .read, sensitivity: .high, isAppLevel: true),
        ScopeDefinition(
            name: LTIScopes.lineItem, description: "LTI: add and change the tool's own gradebook columns in the classes it is placed in",
            grantableBy: [], access: .write, sensitivity: .medium, isAppLevel: true),
        ScopeDefinition(
            name: LTIScopes.lineItemRead, description: "LTI: read the tool's own gradebook columns in the classes it is placed in",
            grantableBy: [], access: .read, sensitivity: .low, isAppLevel: true),
        ScopeDefinition(
            name: LTIScopes.resultRead, description: "LTI: read the results in the tool's own gradebook columns",
            grantableBy: [], access: .read, sensitivity: .high, isAppLevel: true),
        ScopeDefinition(
            name: LTIScopes.score,
            description: "LTI: send scores to the class gradebook (as drafts the teacher publishes, per the school's setting)",
            grantableBy: [], access: .write, sensitivity: .high, isAppLevel: true),
    ])

    private static let everyone = Set(Role.allCases)
}
